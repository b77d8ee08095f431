package spectral

import (
	"fmt"
	"math"
	"strings"
)

// Interpolation is tclean's interpolation parameter: how data channels become output channels.
type Interpolation int

// Interpolation methods.
const (
	Linear  Interpolation = iota // tclean's default
	Nearest                      // each data channel goes whole to the output channel it falls in
)

func (m Interpolation) String() string {
	if m == Nearest {
		return "nearest"
	}
	return "linear"
}

// ParseInterpolation parses "linear" (the default, also for "") or "nearest". tclean's "cubic" is
// not supported.
func ParseInterpolation(s string) (Interpolation, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "linear":
		return Linear, nil
	case "nearest":
		return Nearest, nil
	}
	return 0, fmt.Errorf("spectral: interpolation %q: want linear or nearest", s)
}

// Contribution is one sample of an output channel formed from one row's data channels:
// V = WLo*V[Lo] + WHi*V[Hi], and the data weight the same way, w = WLo*w[Lo] + WHi*w[Hi]. The
// sample is flagged if data channel Lo or Hi is flagged (when Hi == Lo, WHi is 0 and only Lo
// counts). Freq is the sample's own frequency in the output frame: its u, v, w in wavelengths are
// uvw*Freq/c.
type Contribution struct {
	Out      int     // output channel
	Lo, Hi   int     // data channels (indices into the row's channels)
	WLo, WHi float64 // interpolation weights, WLo + WHi = 1
	Freq     float64 // Hz, output frame
}

// Mapper maps a row's data channels onto the output axis with tclean's rules
// (refim::FTMachine::matchChannel and interpolateFrequencyTogrid):
//
//   - nearest: data channel j, at frequency nu_j, goes whole to the output channel whose centre is
//     nearest (round(Pixel(nu_j))), with its own frequency. An output channel r times wider than a
//     data channel thus receives about r samples; one narrower than a data channel may receive none.
//   - linear, output channel r > 1 times wider than a data channel: floor(r) sub-samples at
//     frequencies centred in the output channel (nu_k - W_k/2 + (i + 1/2) W_k/floor(r)), each
//     linearly interpolated between the two data channels around it, each with its own frequency.
//   - linear, r <= 1: one sample at the output channel centre, interpolated the same way.
//   - linear with a single data channel or a single output channel falls back to nearest, as in
//     tclean.
//
// r is |nu_1 - nu_0| of the output axis over |nu_1 - nu_0| of the row's data channels. A linear
// sample outside the data's frequency range is dropped (tclean flags it). When the sample falls
// within a relative 2.2e-16 of a data channel, only that channel is used (so a flagged neighbour
// does not flag it). tclean differs at the edges of the data: it drops an output channel whose
// centre lies below the lowest data frequency even where some of its sub-samples fall inside.
//
// A Mapper is immutable and safe for concurrent use.
type Mapper struct {
	axis   *Axis
	interp Interpolation
}

// NewMapper returns a mapper onto axis a.
func NewMapper(a *Axis, interp Interpolation) *Mapper { return &Mapper{axis: a, interp: interp} }

// Map appends to dst the contributions of a row whose data channels have frequencies freqs (Hz,
// already in the axis frame: the data frequencies times RowFactors.Factor) and returns it. The
// result depends only on freqs, so rows sharing a conversion factor and spectral window can share
// it. Contributions are ordered by output channel for linear, by data channel for nearest.
func (m *Mapper) Map(dst []Contribution, freqs []float64) ([]Contribution, error) {
	if len(freqs) == 0 {
		return dst, nil
	}
	if err := checkMonotonic(freqs); err != nil {
		return dst, fmt.Errorf("spectral: row channels: %w", err)
	}
	a := m.axis
	if m.interp == Nearest || len(freqs) == 1 || a.NChan() == 1 {
		n := a.NChan()
		for j, f := range freqs {
			k := math.Floor(a.Pixel(f) + 0.5)
			if k >= 0 && k < float64(n) {
				dst = append(dst, Contribution{Out: int(k), Lo: j, Hi: j, WLo: 1, Freq: f})
			}
		}
		return dst, nil
	}
	fmin, fmax := freqs[0], freqs[len(freqs)-1]
	if fmin > fmax {
		fmin, fmax = fmax, fmin
	}
	// Output channels that can hold a sample: those overlapping [fmin, fmax].
	p0, p1 := a.Pixel(fmin), a.Pixel(fmax)
	if p0 > p1 {
		p0, p1 = p1, p0
	}
	k0 := int(math.Max(0, math.Floor(p0-0.5)))
	k1 := int(math.Min(float64(a.NChan()-1), math.Ceil(p1+0.5)))
	r := math.Abs(a.Freq[1]-a.Freq[0]) / math.Abs(freqs[1]-freqs[0])
	nsub := 1
	if r > 1 {
		nsub = int(math.Floor(r))
	}
	for k := k0; k <= k1; k++ {
		if nsub == 1 {
			dst = appendSample(dst, k, a.Freq[k], freqs, fmin, fmax)
			continue
		}
		// Sub-samples in the order of the output axis.
		w := a.Width[k]
		lowEdge, dir := a.Freq[k]-w/2, 1.0
		if !a.ascending {
			lowEdge, dir = a.Freq[k]+w/2, -1.0
		}
		// Only sub-samples inside [fmin, fmax] contribute: visit those (with a margin of one
		// for rounding), not all nsub, which can be huge for a channel far wider than the data.
		sub := dir * w / float64(nsub)
		iA, iB := (fmin-lowEdge)/sub-0.5, (fmax-lowEdge)/sub-0.5
		if iA > iB {
			iA, iB = iB, iA
		}
		i0 := int(math.Max(0, math.Floor(math.Max(iA, -1))-1))
		i1 := int(math.Min(float64(nsub-1), math.Ceil(math.Min(iB, float64(nsub)))+1))
		for i := i0; i <= i1; i++ {
			f := lowEdge + dir*(float64(i)+0.5)*w/float64(nsub)
			dst = appendSample(dst, k, f, freqs, fmin, fmax)
		}
	}
	return dst, nil
}

// appendSample appends the linear interpolation of the row at frequency f for output channel k,
// unless f lies outside [fmin, fmax].
func appendSample(dst []Contribution, k int, f float64, freqs []float64, fmin, fmax float64) []Contribution {
	if f < fmin || f > fmax {
		return dst
	}
	lo, hi := bracket(f, freqs)
	frac := (f - freqs[lo]) / (freqs[hi] - freqs[lo])
	const eps = 2.220446049250313e-16
	switch {
	case frac <= eps:
		return append(dst, Contribution{Out: k, Lo: lo, Hi: lo, WLo: 1, Freq: f})
	case frac >= 1-eps:
		return append(dst, Contribution{Out: k, Lo: hi, Hi: hi, WLo: 1, Freq: f})
	}
	return append(dst, Contribution{Out: k, Lo: lo, Hi: hi, WLo: 1 - frac, WHi: frac, Freq: f})
}

// bracket returns adjacent channels lo, hi = lo+1 with f between freqs[lo] and freqs[hi] (f within
// the range of the strictly monotonic freqs, len >= 2). It starts from the index regular spacing
// predicts and steps from there, so regularly spaced channels cost O(1).
func bracket(f float64, freqs []float64) (lo, hi int) {
	n := len(freqs)
	x := (f - freqs[0]) / (freqs[n-1] - freqs[0]) * float64(n-1)
	lo = int(x)
	if lo < 0 || x != x {
		lo = 0
	}
	if lo > n-2 {
		lo = n - 2
	}
	if freqs[n-1] > freqs[0] {
		for lo > 0 && freqs[lo] > f {
			lo--
		}
		for lo < n-2 && freqs[lo+1] < f {
			lo++
		}
	} else {
		for lo > 0 && freqs[lo] < f {
			lo--
		}
		for lo < n-2 && freqs[lo+1] > f {
			lo++
		}
	}
	return lo, lo + 1
}

// MapCache memoises Mapper.Map per (spectral window, row factor): all rows of a timestamp and
// field share one factor (RowFactors), so a MeasurementSet with hundreds of baselines maps each
// window once per timestamp instead of once per row. It holds at most 256 entries (cleared when
// full). The returned slices are never modified by the cache and stay valid after eviction; do not
// modify them. A MapCache is not safe for concurrent use.
type MapCache struct {
	m       *Mapper
	entries map[mapKey][]Contribution
	freqs   []float64
}

type mapKey struct {
	spw    int
	factor float64
}

const mapCacheSize = 256

// NewMapCache returns a cache in front of m.
func NewMapCache(m *Mapper) *MapCache {
	return &MapCache{m: m, entries: make(map[mapKey][]Contribution)}
}

// Map returns the contributions of a row of spectral window spw whose channel frequencies in the
// data frame are chanFreq (SPECTRAL_WINDOW.CHAN_FREQ) and whose factor to the axis frame is factor
// (RowFactors.Factor). chanFreq must be the same slice contents for every call with the same spw.
func (c *MapCache) Map(spw int, chanFreq []float64, factor float64) ([]Contribution, error) {
	key := mapKey{spw, factor}
	if out, ok := c.entries[key]; ok {
		return out, nil
	}
	c.freqs = c.freqs[:0]
	for _, f := range chanFreq {
		c.freqs = append(c.freqs, f*factor)
	}
	out, err := c.m.Map(nil, c.freqs)
	if err != nil {
		return nil, fmt.Errorf("spectral window %d: %w", spw, err)
	}
	if len(c.entries) >= mapCacheSize {
		clear(c.entries)
	}
	c.entries[key] = out
	return out, nil
}
