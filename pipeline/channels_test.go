package pipeline

import (
	"slices"
	"testing"
)

func TestParseChannels(t *testing.T) {
	cases := []struct {
		in   string
		want []int
	}{
		{"", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"3", []int{3}},
		{"2,40:44", nil}, // out of range for nchan 10
		{"1:4,3,8:", []int{1, 2, 3, 8, 9}},
		{" 0 , 9 ", []int{0, 9}},
	}
	for _, c := range cases {
		got, err := ParseChannels(c.in, 10)
		if c.want == nil {
			if err == nil {
				t.Errorf("ParseChannels(%q) = %v, want error", c.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseChannels(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	got, err := ParseChannels("12,40:44", 64)
	if err != nil || !slices.Equal(got, []int{12, 40, 41, 42, 43}) {
		t.Errorf("ParseChannels(12,40:44) = %v, %v", got, err)
	}
	for _, bad := range []string{"a", "3:1", "-1", "1,,2", "5:5"} {
		if _, err := ParseChannels(bad, 10); err == nil {
			t.Errorf("ParseChannels(%q) succeeded, want error", bad)
		}
	}
}
