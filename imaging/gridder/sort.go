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
// e.g. imaging weights), by uv tile, the order in which Grid and Degrid run fastest. It
// allocates 8 bytes per sample of scratch.
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
	nt := p.ntu*p.ntv + 1
	key := make([]int32, n)
	count := make([]int32, nt+1)
	for i := 0; i < n; i++ {
		k := p.tileOf(s.U[i], s.V[i])
		key[i] = int32(k)
		count[k+1]++
	}
	for t := 1; t <= nt; t++ {
		count[t] += count[t-1]
	}
	// perm[dst] = src. Reuse key as perm after computing positions.
	perm := make([]int32, n)
	for i := 0; i < n; i++ {
		k := key[i]
		perm[count[k]] = int32(i)
		count[k]++
	}
	key = nil
	// Apply perm in place by following cycles; perm[j] = -1 marks a moved slot.
	tmpE := make([]float32, len(extra))
	for i := 0; i < n; i++ {
		if perm[i] < 0 {
			continue
		}
		if int(perm[i]) == i {
			perm[i] = -1
			continue
		}
		tu, tv, tvis := s.U[i], s.V[i], s.Vis[i]
		var tw float64
		var twt float32
		if len(s.W) > 0 {
			tw = s.W[i]
		}
		if len(s.Weight) > 0 {
			twt = s.Weight[i]
		}
		for e, x := range extra {
			tmpE[e] = x[i]
		}
		j := i
		for {
			k := int(perm[j])
			perm[j] = -1
			if k == i {
				s.U[j], s.V[j], s.Vis[j] = tu, tv, tvis
				if len(s.W) > 0 {
					s.W[j] = tw
				}
				if len(s.Weight) > 0 {
					s.Weight[j] = twt
				}
				for e, x := range extra {
					x[j] = tmpE[e]
				}
				break
			}
			s.U[j], s.V[j], s.Vis[j] = s.U[k], s.V[k], s.Vis[k]
			if len(s.W) > 0 {
				s.W[j] = s.W[k]
			}
			if len(s.Weight) > 0 {
				s.Weight[j] = s.Weight[k]
			}
			for _, x := range extra {
				x[j] = x[k]
			}
			j = k
		}
	}
}
