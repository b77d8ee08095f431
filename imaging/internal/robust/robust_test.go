package robust

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// sortedMedian is the obvious median of a copy.
func sortedMedian(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	return 0.5 * (s[(n-1)/2] + s[n/2])
}

func TestMedianMAD_MatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.IntN(3000)
		vals := make([]float32, n)
		pb := make([]float32, n)
		mask := make([]uint8, n)
		for i := range vals {
			switch rng.IntN(10) {
			case 0:
				vals[i] = float32(rng.IntN(5)) // ties
			case 1:
				vals[i] = -vals[max(0, i-1)]
			default:
				vals[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(6)-3)))
			}
			pb[i] = rng.Float32()
			if rng.IntN(4) == 0 {
				mask[i] = 1
			}
		}
		if trial%7 == 0 {
			vals[0] = float32(math.NaN())
		}
		r := Region{PB: pb, PBLimit: 0.2, Mask: mask, OutsideMask: trial%2 == 0}
		var sel []float64
		for i, v := range vals {
			if finite(v) && pb[i] > 0.2 && (!r.OutsideMask || mask[i] == 0) {
				sel = append(sel, float64(v))
			}
		}
		var h Hist
		med, mad, cnt := h.MedianMAD(vals, r, float32(math.Inf(-1)), float32(math.Inf(1)))
		if cnt != len(sel) {
			t.Fatalf("trial %d: n = %d, want %d", trial, cnt, len(sel))
		}
		if len(sel) == 0 {
			continue
		}
		wantMed := sortedMedian(sel)
		dev := make([]float64, len(sel))
		for i, v := range sel {
			dev[i] = float64(float32(math.Abs(v - wantMed)))
		}
		wantMAD := sortedMedian(dev)
		if med != wantMed || mad != wantMAD {
			t.Errorf("trial %d (n %d): median %v MAD %v, want %v %v", trial, len(sel), med, mad, wantMed, wantMAD)
		}
	}
}

func TestEstimate_GaussianNoiseWithSources(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n = 200000
	const sigma = 0.003
	vals := make([]float32, n)
	mask := make([]uint8, n)
	for i := range vals {
		vals[i] = float32(0.001 + sigma*rng.NormFloat64())
		if i%100 == 0 { // 1% bright "source" pixels, inside the mask
			vals[i] += 1
			mask[i] = 1
		}
	}
	for _, fast := range []bool{true, false} {
		e := Estimate(vals, Region{Mask: mask}, fast, nil)
		if math.Abs(e.RMS-sigma) > 0.02*sigma || math.Abs(e.Median-0.001) > 0.05*sigma {
			t.Errorf("fast=%v: rms %v median %v, want %v and 0.001", fast, e.RMS, e.Median, sigma)
		}
	}
	// Without a mask, Chauvenet removes the bright pixels: the MAD then ignores them entirely.
	e := Estimate(vals, Region{}, false, nil)
	if e.N > n-n/100+50 || e.N < n-n/100-200 {
		t.Errorf("Chauvenet kept %d values, want about %d", e.N, n-n/100)
	}
	if math.Abs(e.RMS-sigma) > 0.02*sigma {
		t.Errorf("Chauvenet rms %v, want %v", e.RMS, sigma)
	}
}

func TestMinMax(t *testing.T) {
	vals := []float32{3, float32(math.Inf(1)), -2, 7, float32(math.NaN()), 1}
	pb := []float32{1, 1, 1, 0.1, 1, 1}
	lo, hi, n := MinMax(vals, Region{PB: pb, PBLimit: 0.2})
	if lo != -2 || hi != 3 || n != 3 {
		t.Errorf("MinMax = %v %v %d, want -2 3 3", lo, hi, n)
	}
}
