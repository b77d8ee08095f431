// Package units parses quantities written as tclean writes them: angles ('0.0046arcsec', '1.5deg'),
// flux densities ('4mJy', '0.1Jy') and durations with units ('10m', '600s', '1h').
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// splitNumber splits s into its leading number and the unit that follows.
func splitNumber(s string) (float64, string, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) {
		c := s[i]
		if (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' {
			i++
			continue
		}
		if (c == 'e' || c == 'E') && i > 0 && i+1 < len(s) {
			n := s[i+1]
			if (n >= '0' && n <= '9') || n == '+' || n == '-' {
				i += 2
				continue
			}
		}
		break
	}
	if i == 0 {
		return 0, "", fmt.Errorf("%q: no number", s)
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, "", fmt.Errorf("%q: bad number: %w", s, err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", fmt.Errorf("%q: not a finite number", s)
	}
	return v, strings.TrimSpace(s[i:]), nil
}

var angleUnits = map[string]float64{
	"rad": 1, "deg": math.Pi / 180, "arcmin": math.Pi / 180 / 60, "arcsec": math.Pi / 180 / 3600,
	"asec": math.Pi / 180 / 3600, "amin": math.Pi / 180 / 60, "mas": math.Pi / 180 / 3600e3,
	"marcsec": math.Pi / 180 / 3600e3, "\"": math.Pi / 180 / 3600, "'": math.Pi / 180 / 60,
}

// ParseAngle parses an angle with a unit (rad, deg, arcmin, arcsec, asec, mas) and returns radians.
// A bare number is taken in defaultUnit (one of the units above); an empty defaultUnit makes a bare
// number an error.
func ParseAngle(s, defaultUnit string) (float64, error) {
	v, u, err := splitNumber(s)
	if err != nil {
		return 0, fmt.Errorf("angle %w", err)
	}
	if u == "" {
		u = defaultUnit
		if u == "" {
			return 0, fmt.Errorf("angle %q: missing unit (e.g. arcsec, deg)", s)
		}
	}
	f, ok := angleUnits[u]
	if !ok {
		return 0, fmt.Errorf("angle %q: unknown unit %q (want rad, deg, arcmin, arcsec, mas)", s, u)
	}
	return scale("angle", s, v, f)
}

var fluxUnits = map[string]float64{
	"Jy": 1, "mJy": 1e-3, "uJy": 1e-6, "µJy": 1e-6, "kJy": 1e3, "nJy": 1e-9,
	"Jy/beam": 1, "mJy/beam": 1e-3, "uJy/beam": 1e-6, "µJy/beam": 1e-6,
}

// ParseFlux parses a flux density ('4mJy', '0.1Jy', '20uJy/beam') and returns Jy. A bare number is Jy,
// as tclean reads threshold=0.004.
func ParseFlux(s string) (float64, error) {
	v, u, err := splitNumber(s)
	if err != nil {
		return 0, fmt.Errorf("flux %w", err)
	}
	if u == "" {
		return v, nil
	}
	f, ok := fluxUnits[u]
	if !ok {
		return 0, fmt.Errorf("flux %q: unknown unit %q (want Jy, mJy, uJy)", s, u)
	}
	return scale("flux", s, v, f)
}

// ParseDuration parses a duration such as '10m', '600s', '1.5h', '2d' or a Go duration ('1h30m').
// A bare number is seconds.
func ParseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(strings.TrimSpace(s)); err == nil {
		if d < 0 {
			return 0, fmt.Errorf("duration %q: negative", s)
		}
		return d, nil
	}
	v, u, err := splitNumber(s)
	if err != nil {
		return 0, fmt.Errorf("duration %w", err)
	}
	var f float64
	switch u {
	case "", "s", "sec":
		f = 1
	case "m", "min":
		f = 60
	case "h", "hr":
		f = 3600
	case "d", "day":
		f = 86400
	default:
		return 0, fmt.Errorf("duration %q: unknown unit %q (want s, m, h, d)", s, u)
	}
	if v < 0 {
		return 0, fmt.Errorf("duration %q: negative", s)
	}
	if ns := v * f * float64(time.Second); !(ns < math.MaxInt64) {
		return 0, fmt.Errorf("duration %q: too long", s)
	}
	return time.Duration(v * f * float64(time.Second)), nil
}

// scale returns v*f, or an error naming what and s where the product overflows float64
// ('1e300GHz').
func scale(what, s string, v, f float64) (float64, error) {
	x := v * f
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("%s %q: out of range", what, s)
	}
	return x, nil
}

var freqUnits = map[string]float64{"Hz": 1, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9, "THz": 1e12}

// ParseFrequency parses a frequency ('230.538GHz', '976.5625kHz') and returns Hz. A bare number is
// Hz.
func ParseFrequency(s string) (float64, error) {
	v, u, err := splitNumber(s)
	if err != nil {
		return 0, fmt.Errorf("frequency %w", err)
	}
	if u == "" {
		return v, nil
	}
	f, ok := freqUnits[u]
	if !ok {
		return 0, fmt.Errorf("frequency %q: unknown unit %q (want Hz, kHz, MHz, GHz)", s, u)
	}
	return scale("frequency", s, v, f)
}
