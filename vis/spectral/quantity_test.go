package spectral

import (
	"math"
	"strings"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	cases := []struct {
		in   string
		kind Kind
		val  float64
	}{
		{"", KindNone, 0},
		{"  ", KindNone, 0},
		{"5", KindChannel, 5},
		{"-3", KindChannel, -3},
		{"230.5GHz", KindFrequency, 230.5e9},
		{"976.5625kHz", KindFrequency, 976562.5},
		{"1.4e9Hz", KindFrequency, 1.4e9},
		{"1.4E+3 MHz", KindFrequency, 1.4e9},
		{"-0.5MHz", KindFrequency, -0.5e6},
		{"2THz", KindFrequency, 2e12},
		{"-10km/s", KindVelocity, -10000},
		{"250m/s", KindVelocity, 250},
		{"1e3m/s", KindVelocity, 1000},
	}
	for _, c := range cases {
		q, err := ParseQuantity(c.in)
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", c.in, err)
			continue
		}
		if q.Kind != c.kind || math.Abs(q.Value-c.val) > 1e-9*math.Abs(c.val) {
			t.Errorf("ParseQuantity(%q) = %v %g, want %v %g", c.in, q.Kind, q.Value, c.kind, c.val)
		}
	}
}

func TestParseQuantity_Errors(t *testing.T) {
	for _, in := range []string{"5.5", "GHz", "1.2.3GHz", "5ghz", "5 furlongs", "10km", "1e", "NaNHz", "1e400Hz", "--5"} {
		if q, err := ParseQuantity(in); err == nil {
			t.Errorf("ParseQuantity(%q) = %+v, want an error", in, q)
		}
	}
}

func TestParseRestFreq(t *testing.T) {
	for in, want := range map[string]float64{"": 0, "230.538GHz": 230.538e9, "1420405751.77": 1420405751.77, "1420405752": 1420405752} {
		got, err := ParseRestFreq(in)
		if err != nil || math.Abs(got-want) > 1e-6 {
			t.Errorf("ParseRestFreq(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
	for _, in := range []string{"-1GHz", "10km/s", "0", "x"} {
		if _, err := ParseRestFreq(in); err == nil {
			t.Errorf("ParseRestFreq(%q): want an error", in)
		}
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"", "5", "230.5GHz", "976.5625kHz", "-10km/s", "1e3 m/s", "1.4E+9Hz", "5.5", "e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "spectral: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		if math.IsNaN(q.Value) || math.IsInf(q.Value, 0) {
			t.Fatalf("ParseQuantity(%q) = %g", s, q.Value)
		}
		if q.Kind == KindChannel && q.Value != math.Trunc(q.Value) {
			t.Fatalf("ParseQuantity(%q): channel %g is not an integer", s, q.Value)
		}
		if q.Kind == KindNone && strings.TrimSpace(s) != "" {
			t.Fatalf("ParseQuantity(%q): no kind for a non-empty string", s)
		}
		_, _ = ParseRestFreq(s)
	})
}
