// Package robust computes the plane statistics CASA's deconvolution and auto-multithresh use
// (median, median absolute deviation, Chauvenet clipping, extrema) over a selection of a
// float32 plane, exactly and without copying the plane: order statistics are found by a
// two-pass 16-bit radix selection on the float32 bit patterns.
package robust

import (
	"math"
)

// MADToSigma converts a median absolute deviation to the standard deviation of a Gaussian.
const MADToSigma = 1.4826

// Region selects the pixels of a plane that statistics use: finite values, with PB[i] > PBLimit
// when PB is not nil, and Mask[i] == 0 when OutsideMask is set.
type Region struct {
	PB          []float32
	PBLimit     float32
	Mask        []uint8
	OutsideMask bool
}

func (r *Region) in(i int) bool {
	if r.PB != nil && !(r.PB[i] > r.PBLimit) {
		return false
	}
	if r.OutsideMask && r.Mask[i] != 0 {
		return false
	}
	return true
}

// MinMax returns the extrema of the selected finite values and their count (0, 0, 0 if none).
func MinMax(vals []float32, r Region) (lo, hi float32, n int) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	if r.PB == nil && !r.OutsideMask {
		for _, v := range vals {
			if math.Float32bits(v)&0x7f800000 == 0x7f800000 {
				continue
			}
			n++
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
		if n == 0 {
			return 0, 0, 0
		}
		return lo, hi, n
	}
	for i, v := range vals {
		if !finite(v) || !r.in(i) {
			continue
		}
		n++
		lo = min(lo, v)
		hi = max(hi, v)
	}
	if n == 0 {
		return 0, 0, 0
	}
	return lo, hi, n
}

// Noise is a robust noise estimate.
type Noise struct {
	Median float64
	MAD    float64
	// RMS is MADToSigma * MAD.
	RMS float64
	// N is the number of pixels used.
	N int
}

// Estimate returns CASA's robust noise of a residual plane (SIImageStore::calcRobustRMS,
// SDMaskHandler statistics): with fast set, the median and MAD of every selected pixel (the
// region, ignoring the mask); otherwise the pixels of the region outside the clean mask when the
// mask has any pixel there, else the region after Chauvenet clipping (at most 5 passes). h is
// the histogram to use (nil: allocate one).
func Estimate(vals []float32, r Region, fast bool, h *Hist) Noise {
	r.OutsideMask = false
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if !fast {
		hasMask := false
		if r.Mask != nil {
			for i, m := range r.Mask {
				if m != 0 && r.in(i) {
					hasMask = true
					break
				}
			}
		}
		if hasMask {
			r.OutsideMask = true
		} else {
			lo, hi = ChauvenetRange(vals, r, 5)
		}
	}
	if h == nil {
		h = new(Hist)
	}
	med, mad, n := h.MedianMAD(vals, r, lo, hi)
	return Noise{Median: med, MAD: mad, RMS: MADToSigma * mad, N: n}
}

// ChauvenetRange returns the range [lo, hi] of the selected values left after iterative clipping
// by Chauvenet's criterion: keep values within mean +- z sd, where N erfc(z / sqrt 2) = 1/2 for
// the N values kept so far, until nothing changes or after maxIter passes.
func ChauvenetRange(vals []float32, r Region, maxIter int) (float32, float32) {
	lo, hi := math.Inf(-1), math.Inf(1)
	prev := -1
	for it := 0; it < maxIter; it++ {
		var n int
		var sum, sum2 float64
		for i, v := range vals {
			f := float64(v)
			if !finite(v) || f < lo || f > hi || !r.in(i) {
				continue
			}
			n++
			sum += f
			sum2 += f * f
		}
		if n < 2 || n == prev {
			break
		}
		mean := sum / float64(n)
		sd := math.Sqrt(math.Max(0, (sum2-sum*mean)/float64(n-1)))
		if sd == 0 {
			break
		}
		z := math.Sqrt2 * math.Erfcinv(0.5/float64(n))
		lo, hi = mean-z*sd, mean+z*sd
		prev = n
	}
	return float32(lo), float32(hi)
}

// Hist is the reusable histogram of the radix selection (256 KiB).
type Hist struct{ counts [1 << 16]uint32 }

// MedianMAD returns the median of the selected values within [lo, hi], the median of their
// absolute deviations from it, and their number. For an even number of values a median is the
// mean of the two middle ones. It reads the plane four to six times.
func (h *Hist) MedianMAD(vals []float32, r Region, lo, hi float32) (median, mad float64, n int) {
	s := selection{vals: vals, r: r, lo: lo, hi: hi}
	s.plain = r.PB == nil && !r.OutsideMask && math.IsInf(float64(lo), -1) && math.IsInf(float64(hi), 1)
	h.pass(&s, -1)
	for _, c := range h.counts {
		n += int(c)
	}
	if n == 0 {
		return 0, 0, 0
	}
	a, b := h.middle(&s, n)
	median = 0.5 * (float64(a) + float64(b))
	s.dev, s.med = true, median
	h.pass(&s, -1)
	a, b = h.middle(&s, n)
	mad = 0.5 * (float64(a) + float64(b))
	return median, mad, n
}

type selection struct {
	vals   []float32
	r      Region
	lo, hi float32
	plain  bool    // no PB, mask or range test: only finiteness
	dev    bool    // select |v - med| instead of v
	med    float64 // for dev
}

// pass fills the histogram of the selection's keys: of their high 16 bits (bin < 0), or of the
// low 16 bits of the keys whose high bits are bin.
func (h *Hist) pass(s *selection, bin int32) {
	clear(h.counts[:])
	c := &h.counts
	pb, lim, mask, outside := s.r.PB, s.r.PBLimit, s.r.Mask, s.r.OutsideMask
	for i, v := range s.vals {
		b := math.Float32bits(v)
		if b&0x7f800000 == 0x7f800000 {
			continue // NaN or Inf
		}
		if !s.plain {
			if v < s.lo || v > s.hi || (pb != nil && !(pb[i] > lim)) || (outside && mask[i] != 0) {
				continue
			}
		}
		var k uint32
		if s.dev {
			k = math.Float32bits(float32(math.Abs(float64(v)-s.med))) | 0x80000000
		} else {
			// Order-preserving: flip every bit of negatives, only the sign bit of positives.
			k = b ^ (uint32(int32(b)>>31) | 0x80000000)
		}
		if bin < 0 {
			c[k>>16]++
		} else if k>>16 == uint32(bin) {
			c[k&0xffff]++
		}
	}
}

func fromKey(k uint32) float32 {
	if k&0x80000000 != 0 {
		return math.Float32frombits(k &^ 0x80000000)
	}
	return math.Float32frombits(^k)
}

// middle returns the values of rank (n-1)/2 and n/2 (0-based) of the selection, given the
// histogram of its high key bits.
func (h *Hist) middle(s *selection, n int) (float32, float32) {
	k1, k2 := (n-1)/2, n/2
	b1, r1 := h.rank(k1)
	b2, r2 := h.rank(k2)
	h.pass(s, int32(b1))
	l1, _ := h.rank(r1)
	v1 := fromKey(b1<<16 | l1)
	if b2 == b1 {
		l2, _ := h.rank(r2)
		return v1, fromKey(b2<<16 | l2)
	}
	h.pass(s, int32(b2))
	l2, _ := h.rank(r2)
	return v1, fromKey(b2<<16 | l2)
}

// rank returns the bin holding the element of 0-based rank k and k's rank inside that bin.
func (h *Hist) rank(k int) (uint32, int) {
	c := 0
	for b, n := range h.counts {
		if k < c+int(n) {
			return uint32(b), k - c
		}
		c += int(n)
	}
	panic("robust: rank beyond the selection")
}

func finite(v float32) bool { return math.Float32bits(v)&0x7f800000 != 0x7f800000 }
