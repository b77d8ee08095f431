package gridder

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
)

func TestTestFFT_MatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{8, 12, 30, 7} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		got := fft1(x, -1)
		for k := 0; k < n; k++ {
			var s complex128
			for j := 0; j < n; j++ {
				s += x[j] * complex(math.Cos(-2*math.Pi*float64(j*k)/float64(n)), math.Sin(-2*math.Pi*float64(j*k)/float64(n)))
			}
			if d := s - got[k]; math.Hypot(real(d), imag(d)) > 1e-9 {
				t.Fatalf("n=%d k=%d: %v vs %v", n, k, got[k], s)
			}
		}
	}
}

// TestDirty_MatchesDFT is the accuracy acceptance: a 256^2 dirty image of random visibilities
// filling the uv plane agrees with a direct DFT to eps x its peak.
func TestDirty_MatchesDFT(t *testing.T) {
	g := imaging.Geometry{Nx: 256, Ny: 256, CellX: 1e-5, CellY: 1.3e-5}
	rng := rand.New(rand.NewPCG(3, 4))
	s, wt := randomSamples(rng, g, 1500)
	want := directDirty(g, s, wt, false)
	for _, c := range []struct {
		eps  float64
		nvis int // steers the cost model: few samples favour small grids, many favour small W
	}{{1e-3, 1e3}, {1e-3, 1e9}, {1e-4, 1e3}, {1e-4, 1e9}, {1e-5, 1e3}, {1e-5, 1e7}, {1e-5, 1e9}} {
		eps := c.eps
		p, err := NewPlan(g, &Options{Epsilon: eps, NVis: c.nvis})
		if err != nil {
			t.Fatal(err)
		}
		nu, nv := p.GridSize()
		grid := make([]complex64, p.GridLen())
		img := make([]float32, g.Pixels())
		st, err := p.Dirty(img, grid, newTestFFT(nu, nv), s, wt)
		if err != nil {
			t.Fatal(err)
		}
		if st.Gridded != len(s.U) {
			t.Errorf("gridded %d of %d samples", st.Gridded, len(s.U))
		}
		diff, peak := maxAbsDiff(img, want)
		t.Logf("eps %g: %v: max error %.3g of peak (%.3g)", eps, p, diff/peak, peak)
		if diff > eps*peak {
			t.Errorf("eps %g: max error %.3g x peak exceeds eps", eps, diff/peak)
		}
	}
}

// TestKernelTable_Accuracy checks every ES kernel of the table the planner may choose (W <= 8)
// at a few padding factors: the dirty image error against a direct DFT stays within the
// accuracy the planner claims (esSafety x the table's estimate).
func TestKernelTable_Accuracy(t *testing.T) {
	g := imaging.Geometry{Nx: 64, Ny: 64, CellX: 2e-5, CellY: 2e-5}
	rng := rand.New(rand.NewPCG(5, 6))
	s, wt := randomSamples(rng, g, 800)
	want := directDirty(g, s, wt, false)
	for _, e := range esKernelDB {
		if e.W > maxESTaps || (e.Sigma != 1.2 && e.Sigma != 1.5 && e.Sigma != 2.0) {
			continue
		}
		if e.Eps*esSafety < MinEpsilon {
			continue // below the single-precision floor; never chosen
		}
		p := planFor(t, g, e)
		grid := make([]complex64, p.GridLen())
		img := make([]float32, g.Pixels())
		nu, nv := p.GridSize()
		if _, err := p.Dirty(img, grid, newTestFFT(nu, nv), s, wt); err != nil {
			t.Fatal(err)
		}
		diff, peak := maxAbsDiff(img, want)
		t.Logf("W=%d sigma=%.2f: table eps %.2g, measured %.2g", e.W, e.Sigma, e.Eps, diff/peak)
		if diff > esSafety*e.Eps*peak {
			t.Errorf("W=%d sigma=%.2f: error %.3g x peak exceeds %.3g", e.W, e.Sigma, diff/peak, esSafety*e.Eps)
		}
	}
}

// planFor builds a plan with the given table entry, bypassing the cost model.
func planFor(t *testing.T, g imaging.Geometry, e esParams) *Plan {
	t.Helper()
	p, err := NewPlan(g, &Options{Epsilon: MaxEpsilon})
	if err != nil {
		t.Fatal(err)
	}
	p.esPar = e
	p.w = e.W
	p.nu = nextEven235(int(math.Ceil(e.Sigma * float64(g.Nx))))
	p.nv = nextEven235(int(math.Ceil(e.Sigma * float64(g.Ny))))
	p.eps = e.Eps * esSafety
	p.uScale = float64(p.nu) * g.CellX
	p.vScale = float64(p.nv) * g.CellY
	p.ntu = (p.nu + tileSize - 1) / tileSize
	p.ntv = (p.nv + tileSize - 1) / tileSize
	phi := func(x float64) float64 { return esPhi(e.Beta, e.E0, x) }
	p.es = fitPolyKernel(e.W, polyDegree(e.W), phi)
	p.corrX = p.correction(g.Nx, p.nu)
	p.corrY = p.correction(g.Ny, p.nv)
	return p
}
