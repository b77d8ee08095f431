package restore

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// BenchmarkImage restores a 4096^2 channel with 20000 components, per channel (model convolution
// and residual copy) and with a common beam (plus the residual smoothing), against a plane copy
// in the same run.
//
//	go test -run '^$' -bench Image -benchtime 2x ./imaging/restore/
func BenchmarkImage(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(1, 2))
	model := make([]float32, n*n)
	for k := 0; k < 20000; k++ {
		model[rng.IntN(n*n)] += float32(rng.Float64())
	}
	residual := make([]float32, n*n)
	for i := range residual {
		residual[i] = float32(rng.NormFloat64())
	}
	dst := make([]float32, n*n)
	fitted := beam.Gaussian{Major: 0.5 * arcsec, Minor: 0.4 * arcsec, PA: 0.4}
	common := beam.Gaussian{Major: 0.6 * arcsec, Minor: 0.5 * arcsec, PA: 0.1}
	b.Run("baseline-copy", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			copy(dst, residual)
		}
	})
	for _, c := range []struct {
		name string
		rb   beam.Gaussian
	}{{"per-channel", beam.Gaussian{}}, {"common", common}} {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s-workers=%d", c.name, w), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := Image(dst, model, residual, n, n, fitted, c.rb, cell, cell, &Options{Workers: w}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
