package units

import (
	"math"
	"testing"
	"time"
)

func TestParseAngle(t *testing.T) {
	const as = math.Pi / 180 / 3600
	cases := []struct {
		in   string
		def  string
		want float64
	}{
		{"0.0046arcsec", "", 0.0046 * as},
		{"0.15asec", "", 0.15 * as},
		{"1.5deg", "", 1.5 * math.Pi / 180},
		{"2arcmin", "", 120 * as},
		{"3", "arcsec", 3 * as},
		{" 1e-3 rad ", "", 1e-3},
		{"250mas", "", 0.25 * as},
	}
	for _, c := range cases {
		got, err := ParseAngle(c.in, c.def)
		if err != nil {
			t.Fatalf("ParseAngle(%q): %v", c.in, err)
		}
		if math.Abs(got-c.want) > 1e-15*math.Abs(c.want) {
			t.Errorf("ParseAngle(%q) = %g, want %g", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"", "arcsec", "3", "3parsec", "NaNdeg", "1.2.3deg"} {
		if _, err := ParseAngle(bad, ""); err == nil {
			t.Errorf("ParseAngle(%q) succeeded, want error", bad)
		}
	}
}

func TestParseFlux(t *testing.T) {
	for in, want := range map[string]float64{"4mJy": 0.004, "0.1Jy": 0.1, "20uJy": 2e-5, "0.004": 0.004, "1.5mJy/beam": 0.0015} {
		got, err := ParseFlux(in)
		if err != nil || math.Abs(got-want) > 1e-15 {
			t.Errorf("ParseFlux(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
	for _, bad := range []string{"mJy", "4 parsec", ""} {
		if _, err := ParseFlux(bad); err == nil {
			t.Errorf("ParseFlux(%q) succeeded, want error", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"10m": 10 * time.Minute, "600s": 600 * time.Second,
		"1h": time.Hour, "1.5h": 90 * time.Minute, "90": 90 * time.Second, "1h30m": 90 * time.Minute} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "10 parsecs", "-5s"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded, want error", bad)
		}
	}
}

func TestParseFrequency(t *testing.T) {
	for in, want := range map[string]float64{"230.538GHz": 230.538e9, "976.5625kHz": 976562.5, "1e6": 1e6, "7 MHz": 7e6} {
		got, err := ParseFrequency(in)
		if err != nil || math.Abs(got-want) > 1e-6*want {
			t.Errorf("ParseFrequency(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
	for _, bad := range []string{"GHz", "5 parsec", ""} {
		if _, err := ParseFrequency(bad); err == nil {
			t.Errorf("ParseFrequency(%q) succeeded, want error", bad)
		}
	}
}

// Values whose unit scaling overflows are errors, not infinities (found by fuzzing).
func TestParse_OutOfRange(t *testing.T) {
	if v, err := ParseFrequency("1e300GHz"); err == nil {
		t.Errorf("ParseFrequency(1e300GHz) = %g, want an error", v)
	}
	if v, err := ParseFlux("1e308kJy"); err == nil && math.IsInf(v, 0) {
		t.Errorf("ParseFlux(1e308kJy) = %g", v)
	}
	if v, err := ParseAngle("1.7e308arcsec", "rad"); err != nil || v == 0 {
		t.Errorf("ParseAngle(1.7e308arcsec) = %g, %v: finite in radians, want it", v, err)
	}
	if v, err := ParseAngle("1.7e308deg", "rad"); err != nil || math.IsInf(v, 0) {
		t.Errorf("ParseAngle(1.7e308deg) = %g, %v", v, err)
	}
	if v, err := ParseFrequency("1.7e308kHz"); err == nil {
		t.Errorf("ParseFrequency(1.7e308kHz) = %g, want an error", v)
	}
	if d, err := ParseDuration("1e300d"); err == nil {
		t.Errorf("ParseDuration(1e300d) = %v, want an error", d)
	}
	if v, err := ParseFrequency("1.5GHz"); err != nil || v != 1.5e9 {
		t.Errorf("ParseFrequency(1.5GHz) = %g, %v", v, err)
	}
}
