package gridder

import (
	"math"

	"github.com/cubeimg/cubeimg/imaging"
)

// tileOf returns the uv tile of a sample's first tap, or ntu*ntv when it cannot be gridded.
// It follows sampleTaps without evaluating the kernel.
func (p *Plan) tileOf(u, v float64) int {
	a, b := p.coords(u, v)
	if !finite(a) || !finite(b) {
		return p.ntu * p.ntv
	}
	i0, oku := p.firstTap(a, p.nu)
	j0, okv := p.firstTap(b, p.nv)
	if !oku || !okv {
		return p.ntu * p.ntv
	}
	return (j0/tileSize)*p.ntu + i0/tileSize
}

// firstTap returns the first tap cell of grid coordinate a, as axisES or axisCASA do.
func (p *Plan) firstTap(a float64, n int) (int, bool) {
	if p.kind == KernelCASA {
		anchor := math.Round(a)
		if !(anchor-casaSupport >= 0 && anchor+casaSupport < float64(n)) {
			return 0, false
		}
		return int(anchor) - casaSupport, true
	}
	if a < 0 || a >= float64(n) {
		a -= float64(n) * math.Floor(a/float64(n))
		if !(a >= 0 && a < float64(n)) { // rounding for huge |a|
			a = 0
		}
	}
	i0 := int(math.Ceil(a - float64(p.w)/2))
	if i0 < 0 {
		i0 += n
	}
	return i0, true
}

// SortSamples reorders the samples of s, and every slice in extra (each of the same length,
// e.g. imaging weights), by uv tile, the order in which Grid and Degrid run fastest. Samples that
// cannot be gridded go last. It allocates about 28 bytes per sample of scratch (released on
// return).
func (p *Plan) SortSamples(s *imaging.Samples, extra ...[]float32) {
	n := len(s.Vis)
	checkSamples(s, nil)
	if len(s.W) != 0 && len(s.W) != n {
		panic("gridder: Samples.W length differs")
	}
	if len(s.Weight) != 0 && len(s.Weight) != n {
		panic("gridder: Samples.Weight length differs")
	}
	for _, e := range extra {
		if len(e) != n {
			panic("gridder: extra slice length differs from the samples")
		}
	}
	// Counting sort by tile: perm[dst] = src.
	nt := p.ntu*p.ntv + 1
	key := make([]int32, n)
	count := make([]int32, nt+1)
	sorted := true
	for i := 0; i < n; i++ {
		k := p.tileOf(s.U[i], s.V[i])
		key[i] = int32(k)
		count[k+1]++
		if i > 0 && key[i] < key[i-1] {
			sorted = false
		}
	}
	if sorted {
		return
	}
	for t := 1; t <= nt; t++ {
		count[t] += count[t-1]
	}
	perm := make([]int32, n)
	for i, k := range key {
		perm[count[k]] = int32(i)
		count[k]++
	}
	key, count = nil, nil
	// Gather through a scratch slice: independent random reads, sequential writes.
	t64 := make([]float64, n)
	gather(s.U, perm, t64)
	gather(s.V, perm, t64)
	if len(s.W) > 0 {
		gather(s.W, perm, t64)
	}
	t64 = nil
	gather(s.Vis, perm, make([]complex64, n))
	if len(s.Weight) > 0 || len(extra) > 0 {
		t32 := make([]float32, n)
		if len(s.Weight) > 0 {
			gather(s.Weight, perm, t32)
		}
		for _, e := range extra {
			gather(e, perm, t32)
		}
	}
}

// gather sets x[i] = x[perm[i]] for all i, using tmp (len(x)) as scratch.
func gather[T any](x []T, perm []int32, tmp []T) {
	tmp = tmp[:len(x)]
	for i, p := range perm {
		tmp[i] = x[p]
	}
	copy(x, tmp)
}
