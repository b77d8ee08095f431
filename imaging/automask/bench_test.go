package automask

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// benchResidual is a 4096^2-class residual: beam-correlated noise of rms 1 mJy and 3000 sources
// of 5-200 sigma, one in ten extended (a cluster of 9 beams), masking about 1% of the plane.
func benchResidual(n int) []float32 {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	res := noisePlane(rng, n, n, 1e-3)
	for k := 0; k < 3000; k++ {
		x, y := 30+rng.IntN(n-60), 30+rng.IntN(n-60)
		amp := 1e-3 * (5 + 195*rng.Float64()*rng.Float64())
		addSource(res, n, n, x, y, amp)
		if k%10 == 0 {
			for j := 0; j < 8; j++ {
				addSource(res, n, n, x+rng.IntN(9)-4, y+rng.IntN(9)-4, amp/2)
			}
		}
	}
	return res
}

// BenchmarkUpdate measures one auto-multithresh update of a 4096^2 plane: the first (threshold,
// prune, smooth) and a later one (plus grow, prune and smooth of the grown mask, and a negative
// mask), with CASA's defaults and the alma-12m-long-cube preset; baselines in the same run: one
// plane copy and one full-plane beam.Smooth.
//
//	go test -run '^$' -bench Update -benchtime 2x ./imaging/automask/
func BenchmarkUpdate(b *testing.B) {
	const n = 4096
	res := benchResidual(n)
	b.Run("baseline-copy", func(b *testing.B) {
		dst := make([]float32, n*n)
		for i := 0; i < b.N; i++ {
			copy(dst, res)
		}
	})
	b.Run("baseline-smooth-plane", func(b *testing.B) {
		dst := make([]float32, n*n)
		for i := 0; i < b.N; i++ {
			beam.Smooth(dst, res, n, n, testBm, cell, cell, nil)
		}
	})
	for _, preset := range []string{"", "alma-12m-long-cube"} {
		p := Defaults()
		name := "defaults"
		if preset != "" {
			p, _ = Preset(preset)
			name = preset
		}
		for _, workers := range []int{1, 2} {
			sc := NewScratch(n, n)
			first := make([]uint8, n*n)
			var st State
			Update(Plane{Nx: n, Ny: n, Residual: res, Mask: first}, input(0.05, 0), &p, &st, sc)
			for _, later := range []bool{false, true} {
				b.Run(fmt.Sprintf("%s-later=%v-workers=%d", name, later, workers), func(b *testing.B) {
					mask := make([]uint8, n*n)
					in := input(0.05, 0)
					in.Workers = workers
					var r Result
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						clear(mask)
						if later {
							copy(mask, first)
							in.IterDone = 100
						}
						st := State{}
						b.StartTimer()
						r, _ = Update(Plane{Nx: n, Ny: n, Residual: res, Mask: mask}, in, &p, &st, sc)
					}
					b.ReportMetric(float64(r.Pixels)/float64(n*n)*100, "%masked")
				})
			}
		}
	}
}
