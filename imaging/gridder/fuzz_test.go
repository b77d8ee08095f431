package gridder

import (
	"math"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
)

// FuzzGrid feeds arbitrary sample coordinates (huge, tiny, NaN, infinite) to both kernels'
// gridding, degridding and sorting: none may panic, and finite samples must all be accounted for.
func FuzzGrid(f *testing.F) {
	f.Add(0.0, 0.0, 1.0, 17, 9)
	f.Add(1e300, -1e300, 0.5, 32, 32)
	f.Add(4999.999, -5000.0, 2.0, 8, 40)
	f.Add(math.Inf(1), math.NaN(), 1.0, 20, 20)
	f.Add(-2.5e4, 1.25e4, 1e-30, 64, 3)
	f.Fuzz(func(t *testing.T, u, v, w float64, nx, ny int) {
		if nx < 2 || ny < 2 || nx > 96 || ny > 96 {
			return
		}
		g := imaging.Geometry{Nx: nx, Ny: ny, CellX: 1e-4, CellY: 2e-4}
		s := &imaging.Samples{
			U:   []float64{u, -u, u * 0.5, v},
			V:   []float64{v, -v, v * 0.25, u},
			Vis: []complex64{1, complex(float32(w), 1), 1, 2},
		}
		wt := []float32{float32(w), 1, 0, 1}
		for _, k := range []Kernel{KernelES, KernelCASA} {
			p, err := NewPlan(g, &Options{Kernel: k, Epsilon: 1e-3, Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			grid := make([]complex64, p.GridLen())
			st, _ := p.Grid(grid, s, wt, false)
			nonzero := 0
			for _, x := range wt {
				if x != 0 {
					nonzero++
				}
			}
			if st.Gridded+st.Bad+st.OutOfGrid != nonzero {
				t.Fatalf("%v: %+v does not account for %d samples", k, st, nonzero)
			}
			out := make([]complex64, len(s.U))
			p.Degrid(out, grid, s)
			p.SortSamples(s, wt)
		}
	})
}
