package spectral

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kind says what a tclean start/width value is.
type Kind int

// The kinds of start/width values.
const (
	KindNone      Kind = iota // empty: use the default
	KindChannel               // a plain integer: a data channel index or count
	KindFrequency             // Hz, kHz, MHz, GHz, THz
	KindVelocity              // m/s, km/s
)

func (k Kind) String() string {
	switch k {
	case KindNone:
		return "default"
	case KindChannel:
		return "channel"
	case KindFrequency:
		return "frequency"
	case KindVelocity:
		return "velocity"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Quantity is a parsed tclean start/width value, in SI units (Hz or m/s) or channels.
type Quantity struct {
	Kind  Kind
	Value float64 // Hz for frequencies, m/s for velocities, the integer for channels
}

var unitScale = map[string]struct {
	kind  Kind
	scale float64
}{
	"Hz": {KindFrequency, 1}, "kHz": {KindFrequency, 1e3}, "MHz": {KindFrequency, 1e6},
	"GHz": {KindFrequency, 1e9}, "THz": {KindFrequency, 1e12},
	"m/s": {KindVelocity, 1}, "km/s": {KindVelocity, 1e3},
}

// ParseQuantity parses a start or width as tclean users write them: "" (default), "5" (channels),
// "230.5GHz", "976.5625kHz", "-10km/s", "1.5e3 m/s" (a space before the unit is allowed). Units are
// case-sensitive as in casacore: Hz, kHz, MHz, GHz, THz, m/s, km/s. A channel value must be an
// integer.
func ParseQuantity(s string) (Quantity, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Quantity{Kind: KindNone}, nil
	}
	// Split the leading number from the unit: the number ends at the first letter or '/' that
	// cannot belong to it ('e'/'E' followed by a sign or digit is an exponent).
	end := len(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' {
			continue
		}
		if (c == 'e' || c == 'E') && i > 0 && i+1 < len(s) {
			n := s[i+1]
			if (n >= '0' && n <= '9') || n == '+' || n == '-' {
				continue
			}
		}
		end = i
		break
	}
	num, unit := s[:end], strings.TrimSpace(s[end:])
	if num == "" {
		return Quantity{}, fmt.Errorf("spectral: %q has no number", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return Quantity{}, fmt.Errorf("spectral: %q: %q is not a finite number", s, num)
	}
	if unit == "" {
		if v != math.Trunc(v) || math.Abs(v) > 1<<31 {
			return Quantity{}, fmt.Errorf("spectral: %q: a value without unit is a channel and must be an integer", s)
		}
		return Quantity{Kind: KindChannel, Value: v}, nil
	}
	u, ok := unitScale[unit]
	if !ok {
		return Quantity{}, fmt.Errorf("spectral: %q: unknown unit %q (want Hz, kHz, MHz, GHz, THz, m/s or km/s, or none for channels)", s, unit)
	}
	return Quantity{Kind: u.kind, Value: v * u.scale}, nil
}

// ParseRestFreq parses a rest frequency ("230.538GHz", or a plain number in Hz). "" gives 0.
func ParseRestFreq(s string) (float64, error) {
	q, err := ParseQuantity(s)
	if err != nil {
		// A plain non-integer number is a frequency in Hz here.
		v, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if perr != nil {
			return 0, fmt.Errorf("restfreq: %w", err)
		}
		q = Quantity{Kind: KindChannel, Value: v}
	}
	switch q.Kind {
	case KindNone:
		return 0, nil
	case KindFrequency, KindChannel:
		if !(q.Value > 0) || math.IsInf(q.Value, 0) {
			return 0, fmt.Errorf("restfreq: %q is not a positive frequency", s)
		}
		return q.Value, nil
	}
	return 0, fmt.Errorf("restfreq: %q is not a frequency", s)
}
