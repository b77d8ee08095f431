package tiles

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	good := []struct {
		in   string
		want int64
	}{
		{"48GB", 48_000_000_000},
		{"512MiB", 512 << 20},
		{"1.5GiB", 3 << 29},
		{"100MB", 100_000_000},
		{"4096", 4096},
		{"4096B", 4096},
		{" 2 kib ", 2048},
		{"1.5kB", 1500},
		{"0.5B", 1}, // rounded half up
		{"2TiB", 2 << 40},
		{"0", 0},
	}
	for _, c := range good {
		got, err := ParseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []string{"", "GB", "48G", "-1GB", "1.2.3MB", "1e3", "9999999PiB", "12 parsecs", "."}
	for _, in := range bad {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		} else if !strings.Contains(err.Error(), "size") {
			t.Errorf("ParseSize(%q) error %q does not say what was parsed", in, err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"48GB", "1.5GiB", "512MiB", "7", "0.001kB", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d < 0", s, n)
		}
	})
}
