package gridder

import (
	"errors"
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
	}{{1e-3, 1e3}, {1e-3, 1e9}, {1e-4, 1e3}, {1e-4, 1e9}, {1e-5, 1e3}, {1e-5, 1e7}, {1e-5, 1e9}, {1e-6, 1e3}, {2e-6, 1e9}} {
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
func planFor(t testing.TB, g imaging.Geometry, e esParams) *Plan {
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
	p.setTapFuncs()
	p.corrX = p.correction(g.Nx, p.nu)
	p.corrY = p.correction(g.Ny, p.nv)
	return p
}

// TestDegrid_IsAdjointOfGrid: <G v, m> = Re <v, G^H m> for random complex v and real m, where
// G is Grid + GridToImage and G^H is ImageToGrid + Degrid.
func TestDegrid_IsAdjointOfGrid(t *testing.T) {
	for _, g := range []imaging.Geometry{
		{Nx: 128, Ny: 96, CellX: 1e-5, CellY: 2e-5},
		{Nx: 65, Ny: 33, CellX: 3e-5, CellY: 1e-5}, // odd sizes
	} {
		for _, eps := range []float64{1e-3, 1e-5} {
			rng := rand.New(rand.NewPCG(7, 8))
			s, _ := randomSamples(rng, g, 3000)
			ones := make([]float32, len(s.U))
			for i := range ones {
				ones[i] = 1
			}
			p, err := NewPlan(g, &Options{Epsilon: eps, NVis: len(s.U)})
			if err != nil {
				t.Fatal(err)
			}
			nu, nv := p.GridSize()
			f := newTestFFT(nu, nv)
			grid := make([]complex64, p.GridLen())
			gv := make([]float32, g.Pixels())
			if _, err := p.Grid(grid, s, ones, false); err != nil {
				t.Fatal(err)
			}
			p.GridToImage(gv, grid, f, 1)
			m := make([]float32, g.Pixels())
			for i := range m {
				m[i] = float32(rng.NormFloat64())
			}
			ghm := make([]complex64, len(s.U))
			if err := p.Predict(ghm, grid, f, m, s); err != nil {
				t.Fatal(err)
			}
			var lhs, rhs, ngv, nm, nv2, nghm float64
			for i := range m {
				lhs += float64(gv[i]) * float64(m[i])
				ngv += float64(gv[i]) * float64(gv[i])
				nm += float64(m[i]) * float64(m[i])
			}
			for i := range ghm {
				v, d := complex128(s.Vis[i]), complex128(ghm[i])
				rhs += real(v)*real(d) + imag(v)*imag(d)
				nv2 += real(v)*real(v) + imag(v)*imag(v)
				nghm += real(d)*real(d) + imag(d)*imag(d)
			}
			rel := math.Abs(lhs-rhs) / math.Sqrt(ngv*nm)
			t.Logf("%dx%d eps %g: <Gv,m>=%.9g <v,G^H m>=%.9g, |diff|/(|Gv||m|)=%.2g, |diff|/|<Gv,m>|=%.2g",
				g.Nx, g.Ny, eps, lhs, rhs, rel, math.Abs(lhs-rhs)/math.Abs(lhs))
			if rel > 1e-6 || math.Abs(lhs-rhs) > 1e-6*math.Abs(lhs) {
				t.Errorf("adjointness error %.3g of |Gv||m|, %.3g of <Gv,m>: > 1e-6", rel, math.Abs(lhs-rhs)/math.Abs(lhs))
			}
			// With m = G v the inner product is as large as it can be; the relative error of
			// the inner product itself must then be below 1e-6 too.
			if err := p.Predict(ghm, grid, f, gv, s); err != nil {
				t.Fatal(err)
			}
			rhs = 0
			for i := range ghm {
				v, d := complex128(s.Vis[i]), complex128(ghm[i])
				rhs += real(v)*real(d) + imag(v)*imag(d)
			}
			if rel := math.Abs(ngv-rhs) / ngv; rel > 1e-6 {
				t.Errorf("<Gv,Gv>=%.9g vs <v,G^H G v>=%.9g: relative %.3g > 1e-6", ngv, rhs, rel)
			} else {
				t.Logf("<Gv,Gv> relative difference %.2g", rel)
			}
		}
	}
}

// TestPredict_MatchesDFT: degridding a model image matches the direct sum to eps x sum|model|.
func TestPredict_MatchesDFT(t *testing.T) {
	g := imaging.Geometry{Nx: 64, Ny: 48, CellX: 1e-5, CellY: 1e-5}
	rng := rand.New(rand.NewPCG(9, 10))
	s, _ := randomSamples(rng, g, 400)
	model := make([]float32, g.Pixels())
	var l1 float64
	for k := 0; k < 40; k++ {
		i := rng.IntN(len(model))
		model[i] = float32(rng.NormFloat64())
	}
	for _, v := range model {
		l1 += math.Abs(float64(v))
	}
	want := directPredict(g, model, s)
	for _, eps := range []float64{1e-3, 1e-4, 1e-5} {
		p, err := NewPlan(g, &Options{Epsilon: eps})
		if err != nil {
			t.Fatal(err)
		}
		nu, nv := p.GridSize()
		got := make([]complex64, len(s.U))
		if err := p.Predict(got, make([]complex64, p.GridLen()), newTestFFT(nu, nv), model, s); err != nil {
			t.Fatal(err)
		}
		var worst float64
		for i := range got {
			d := complex128(got[i]) - want[i]
			worst = math.Max(worst, math.Hypot(real(d), imag(d)))
		}
		t.Logf("eps %g: max |V - V_dft| = %.3g of sum|model|", eps, worst/l1)
		if worst > eps*l1 {
			t.Errorf("eps %g: prediction error %.3g x sum|model| exceeds eps", eps, worst/l1)
		}
	}
}

func TestPSF_PeakOneAndMatchesDFT(t *testing.T) {
	g := imaging.Geometry{Nx: 96, Ny: 96, CellX: 1e-5, CellY: 1e-5}
	rng := rand.New(rand.NewPCG(11, 12))
	s, wt := randomSamples(rng, g, 2000)
	// A few flagged samples (weight 0) with garbage visibilities must not matter.
	for i := 0; i < 50; i++ {
		wt[i] = 0
		s.Vis[i] = complex(float32(math.NaN()), 0)
	}
	p, err := NewPlan(g, &Options{Epsilon: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	nu, nv := p.GridSize()
	psf := make([]float32, g.Pixels())
	st, err := p.PSF(psf, make([]complex64, p.GridLen()), newTestFFT(nu, nv), s, wt)
	if err != nil {
		t.Fatal(err)
	}
	var sw float64
	for _, w := range wt {
		sw += float64(w)
	}
	if math.Abs(st.SumWeights-sw) > 1e-9*sw || st.Gridded != len(wt)-50 {
		t.Errorf("sumwt %g gridded %d; want %g, %d", st.SumWeights, st.Gridded, sw, len(wt)-50)
	}
	c := (g.Ny/2)*g.Nx + g.Nx/2
	if psf[c] != 1 {
		t.Errorf("PSF centre %g, want 1", psf[c])
	}
	want := directDirty(g, s, wt, true)
	diff, peak := maxAbsDiff(psf, want)
	t.Logf("PSF max error %.3g (peak %.6g)", diff, peak)
	if math.Abs(peak-1) > 1e-12 || diff > 1e-5 {
		t.Errorf("PSF error %.3g vs DFT > 1e-5", diff)
	}
	for i, v := range psf {
		if v > 1 {
			t.Fatalf("PSF pixel %d = %g > 1", i, v)
		}
	}
	// The dirty image skips the NaN visibilities of flagged samples.
	img := make([]float32, g.Pixels())
	if _, err := p.Dirty(img, make([]complex64, p.GridLen()), newTestFFT(nu, nv), s, wt); err != nil {
		t.Fatal(err)
	}
	wantD := directDirty(g, s, wt, false)
	if diff, peak := maxAbsDiff(img, wantD); diff > 1e-5*peak {
		t.Errorf("dirty with flagged samples: error %.3g x peak", diff/peak)
	}
}

// TestCASAKernel_MatchesDFT: CASA's prolate spheroid at sigma 1.2 has no accuracy parameter;
// its error against the DFT is measured and bounded at the level that kernel reaches.
func TestCASAKernel_MatchesDFT(t *testing.T) {
	g := imaging.Geometry{Nx: 100, Ny: 100, CellX: 1e-5, CellY: 1e-5}
	rng := rand.New(rand.NewPCG(13, 14))
	// Keep samples where CASA grids them: the 7 taps inside the padded grid.
	s, wt := randomSamples(rng, g, 1500)
	for i := range s.U {
		s.U[i] *= 0.9
		s.V[i] *= 0.9
	}
	p, err := NewPlan(g, &Options{Kernel: KernelCASA})
	if err != nil {
		t.Fatal(err)
	}
	if nu, nv := p.GridSize(); nu != 120 || nv != 120 || p.Support() != 7 {
		t.Fatalf("CASA grid %dx%d W=%d, want 120x120 W=7", nu, nv, p.Support())
	}
	nu, nv := p.GridSize()
	img := make([]float32, g.Pixels())
	st, err := p.Dirty(img, make([]complex64, p.GridLen()), newTestFFT(nu, nv), s, wt)
	if err != nil {
		t.Fatal(err)
	}
	if st.OutOfGrid != 0 {
		t.Errorf("%d samples out of grid", st.OutOfGrid)
	}
	want := directDirty(g, s, wt, false)
	// Compare in the inner half of the image (the spheroid's correction grows at the edges).
	var diff, peak, diffAll float64
	for y := 0; y < g.Ny; y++ {
		for x := 0; x < g.Nx; x++ {
			i := y*g.Nx + x
			d := math.Abs(float64(img[i]) - want[i])
			diffAll = math.Max(diffAll, d)
			peak = math.Max(peak, math.Abs(want[i]))
			if abs(x-g.Nx/2) < g.Nx/4 && abs(y-g.Ny/2) < g.Ny/4 {
				diff = math.Max(diff, d)
			}
		}
	}
	t.Logf("CASA kernel: max error %.3g of peak (inner half), %.3g (whole image)", diff/peak, diffAll/peak)
	// Measured: 3.7e-3 (inner) and 1.05e-2 (whole). The inner error comes from the nearest-entry
	// lookup in the oversampling-100 table (with oversampling 1e5 it drops to 1.7e-4); the edge
	// error from the spheroid's aliasing at sigma 1.2. This is the accuracy tclean's gridder has.
	if diff > 6e-3*peak || diffAll > 2e-2*peak {
		t.Errorf("CASA kernel error %.3g / %.3g of peak", diff/peak, diffAll/peak)
	}
	// Samples whose 7 taps leave the grid are dropped, as CASA does.
	s2 := &imaging.Samples{U: []float64{0.499 / g.CellX}, V: []float64{0}, Vis: []complex64{1}}
	st, _ = p.Grid(make([]complex64, p.GridLen()), s2, []float32{1}, false)
	if st.OutOfGrid != 1 || st.Gridded != 0 {
		t.Errorf("edge sample: %+v, want out of grid", st)
	}
}

func TestCASAPaddedSize(t *testing.T) {
	for _, c := range [][2]int{{8000, 9600}, {100, 120}, {256, 320}, {250, 300}, {10, 12}, {1000, 1200}, {333, 400}} {
		if got := casaPaddedSize(c[0]); got != c[1] {
			t.Errorf("casaPaddedSize(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}

// TestGrid_OrderAndThreadsIndependent: sorting the samples and gridding with several goroutines
// give the same grid as serial gridding in the original order (up to float32 rounding).
func TestGrid_OrderAndThreadsIndependent(t *testing.T) {
	g := imaging.Geometry{Nx: 128, Ny: 128, CellX: 1e-5, CellY: 1e-5}
	rng := rand.New(rand.NewPCG(15, 16))
	s, wt := randomSamples(rng, g, 50000)
	p1, _ := NewPlan(g, &Options{Epsilon: 1e-4, Threads: 1})
	p4, _ := NewPlan(g, &Options{Epsilon: 1e-4, Threads: 4})
	ref := make([]complex64, p1.GridLen())
	st1, _ := p1.Grid(ref, s, wt, false)
	// Sort a copy (samples and weights move together).
	c := &imaging.Samples{
		U: append([]float64(nil), s.U...), V: append([]float64(nil), s.V...), W: append([]float64(nil), s.W...),
		Vis: append([]complex64(nil), s.Vis...), Weight: append([]float32(nil), s.Weight...),
	}
	cw := append([]float32(nil), wt...)
	p4.SortSamples(c, cw)
	var last int
	for i := range c.U {
		k := p4.tileOf(c.U[i], c.V[i])
		if k < last {
			t.Fatalf("sample %d tile %d after %d: not sorted", i, k, last)
		}
		last = k
		if c.Weight[i] != cw[i] {
			t.Fatalf("extra slice not permuted with the samples at %d", i)
		}
	}
	got := make([]complex64, p4.GridLen())
	st4, _ := p4.Grid(got, c, cw, false)
	if st1.Gridded != st4.Gridded || math.Abs(st1.SumWeights-st4.SumWeights) > 1e-9*st1.SumWeights {
		t.Errorf("stats differ: %+v vs %+v", st1, st4)
	}
	var maxd, maxv float64
	for i := range ref {
		d := ref[i] - got[i]
		maxd = math.Max(maxd, math.Hypot(float64(real(d)), float64(imag(d))))
		maxv = math.Max(maxv, math.Hypot(float64(real(ref[i])), float64(imag(ref[i]))))
	}
	if maxd > 1e-5*maxv {
		t.Errorf("grids differ by %.3g of max %.3g", maxd, maxv)
	}
	// Unsorted samples on 4 goroutines (direct adds under the row locks).
	got2 := make([]complex64, p4.GridLen())
	p4.Grid(got2, s, wt, false)
	maxd = 0
	for i := range ref {
		d := ref[i] - got2[i]
		maxd = math.Max(maxd, math.Hypot(float64(real(d)), float64(imag(d))))
	}
	if maxd > 1e-5*maxv {
		t.Errorf("unsorted parallel grid differs by %.3g of max %.3g", maxd, maxv)
	}
	// Degridding the sorted samples on 4 threads matches serial degridding of the originals.
	d1 := make([]complex64, len(s.U))
	d4 := make([]complex64, len(s.U))
	p1.Degrid(d1, ref, s)
	p4.Degrid(d4, ref, c)
	m := map[[2]float64]complex64{}
	for i := range s.U {
		m[[2]float64{s.U[i], s.V[i]}] = d1[i]
	}
	for i := range c.U {
		// Unsorted input is degridded straight from the grid, summing in another order.
		a, b := m[[2]float64{c.U[i], c.V[i]}], d4[i]
		if d := a - b; math.Hypot(float64(real(d)), float64(imag(d))) > 1e-5*math.Hypot(float64(real(a)), float64(imag(a)))+1e-6 {
			t.Fatalf("degrid sample %d: %v vs %v", i, a, b)
		}
	}
}

func TestGrid_NonFiniteAndEmpty(t *testing.T) {
	g := imaging.Geometry{Nx: 32, Ny: 32, CellX: 1e-5, CellY: 1e-5}
	p, _ := NewPlan(g, nil)
	nu, nv := p.GridSize()
	f := newTestFFT(nu, nv)
	s := &imaging.Samples{U: []float64{math.NaN(), 100, 200}, V: []float64{0, math.Inf(1), 10}, Vis: []complex64{1, 1, 1}}
	img := make([]float32, g.Pixels())
	st, err := p.Dirty(img, make([]complex64, p.GridLen()), f, s, []float32{1, 1, 1})
	if !errors.Is(err, ErrBadSamples) || st.Bad != 2 || st.Gridded != 1 {
		t.Errorf("got %+v, %v; want 2 bad samples and ErrBadSamples", st, err)
	}
	_, err = p.Dirty(img, make([]complex64, p.GridLen()), f, s, []float32{0, 0, 0})
	if !errors.Is(err, ErrNoData) {
		t.Errorf("all-zero weights: err %v, want ErrNoData", err)
	}
	for _, v := range img {
		if v != 0 {
			t.Fatal("image not cleared for ErrNoData")
		}
	}
	for _, eps := range []float64{1e-7, 0.1, -1} {
		if _, err := NewPlan(g, &Options{Epsilon: eps}); !errors.Is(err, ErrEpsilon) {
			t.Errorf("epsilon %g: err %v", eps, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("wrong grid length did not panic")
		}
	}()
	p.Grid(make([]complex64, 10), s, []float32{1, 1, 1}, false)
}

// TestDirty_TinyGridWraps: on a grid smaller than a tile plus the kernel, the periodic wrap of
// the local buffers is still exact.
func TestDirty_TinyGridWraps(t *testing.T) {
	g := imaging.Geometry{Nx: 8, Ny: 6, CellX: 1e-4, CellY: 1e-4}
	rng := rand.New(rand.NewPCG(17, 18))
	s, wt := randomSamples(rng, g, 300)
	p, err := NewPlan(g, &Options{Epsilon: 1e-4, Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	nu, nv := p.GridSize()
	img := make([]float32, g.Pixels())
	if _, err := p.Dirty(img, make([]complex64, p.GridLen()), newTestFFT(nu, nv), s, wt); err != nil {
		t.Fatal(err)
	}
	want := directDirty(g, s, wt, false)
	if diff, peak := maxAbsDiff(img, want); diff > 1e-4*peak {
		t.Errorf("%v: error %.3g x peak", p, diff/peak)
	}
}

// TestTileOf_MatchesSampleTaps: the sort key uses the same first tap as the gridder.
func TestTileOf_MatchesSampleTaps(t *testing.T) {
	g := imaging.Geometry{Nx: 100, Ny: 80, CellX: 1e-5, CellY: 1e-5}
	rng := rand.New(rand.NewPCG(19, 20))
	s, _ := randomSamples(rng, g, 5000)
	for i := range s.U { // some beyond the uv extent: ES wraps, CASA drops
		s.U[i] *= 1.1
	}
	for _, o := range []*Options{{Epsilon: 1e-3}, {Epsilon: 1e-5}, {Kernel: KernelCASA}} {
		p, _ := NewPlan(g, o)
		var ku, kv [maxTaps]float32
		for i := range s.U {
			want := p.ntu * p.ntv
			if i0, j0, _, ok, _ := p.sampleTaps(s.U[i], s.V[i], &ku, &kv); ok {
				want = (j0/tileSize)*p.ntu + i0/tileSize
			}
			if got := p.tileOf(s.U[i], s.V[i]); got != want {
				t.Fatalf("%v sample %d: tileOf %d, sampleTaps tile %d", p, i, got, want)
			}
		}
	}
}

// TestNewPlan_CostModel: the planner meets the requested accuracy and trades support for
// padding as the number of samples grows.
func TestNewPlan_CostModel(t *testing.T) {
	g := imaging.Geometry{Nx: 2048, Ny: 2048, CellX: 1e-6, CellY: 1e-6}
	for _, eps := range []float64{1e-2, 1e-3, 1e-4, 1e-5, 1e-6} {
		var prevW int
		for _, nvis := range []int{1e3, 1e6, 1e8, 1e10} {
			p, err := NewPlan(g, &Options{Epsilon: eps, NVis: nvis})
			if err != nil {
				t.Fatalf("eps %g: %v", eps, err)
			}
			su, _ := p.Sigma()
			t.Logf("eps %g nvis %g: %v", eps, float64(nvis), p)
			if p.Epsilon() > eps || p.Support() > maxESTaps || su < 1.15 {
				t.Errorf("eps %g nvis %d: %v", eps, nvis, p)
			}
			if prevW != 0 && p.Support() > prevW {
				t.Errorf("eps %g: support grew from %d to %d with more samples", eps, prevW, p.Support())
			}
			prevW = p.Support()
		}
	}
	p, err := NewPlan(g, &Options{Epsilon: 1e-4, SigmaMin: 2, SigmaMax: 2.2})
	if err != nil {
		t.Fatal(err)
	}
	if su, sv := p.Sigma(); su < 2 || sv < 2 || su > 2.3 {
		t.Errorf("sigma range [2, 2.2] gave %v", p)
	}
}

// The grid and its sums do not depend on the number of threads or on scheduling, for sorted
// and unsorted samples, with either kernel.
func TestGrid_ThreadsDoNotChangeTheGrid(t *testing.T) {
	const arcsec = math.Pi / 180 / 3600
	g := imaging.Geometry{Nx: 100, Ny: 90, CellX: 0.1 * arcsec, CellY: 0.12 * arcsec}
	rng := rand.New(rand.NewPCG(5, 6))
	n := 30000
	s := imaging.Samples{U: make([]float64, n), V: make([]float64, n), W: make([]float64, n), Vis: make([]complex64, n), Weight: make([]float32, n)}
	wt := make([]float32, n)
	umax := 0.5 / (0.1 * arcsec)
	for i := range n {
		s.U[i] = (rng.Float64()*2 - 1) * umax
		s.V[i] = (rng.Float64()*2 - 1) * umax * 0.8
		s.Vis[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
		s.Weight[i] = 1
		wt[i] = float32(rng.Float64())
	}
	for _, kern := range []Kernel{KernelES, KernelCASA} {
		var ref []complex64
		var refStats Stats
		for _, th := range []int{1, 2, 3, 8, 2} {
			p, err := NewPlan(g, &Options{Kernel: kern, Threads: th})
			if err != nil {
				t.Fatal(err)
			}
			grid := make([]complex64, p.GridLen())
			st, err := p.Grid(grid, &s, wt, false)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref, refStats = grid, st
				continue
			}
			if st != refStats {
				t.Fatalf("%v, %d threads: stats %+v, 1 thread %+v", kern, th, st, refStats)
			}
			for i := range grid {
				if grid[i] != ref[i] {
					t.Fatalf("%v, %d threads: cell %d is %v, with 1 thread %v", kern, th, i, grid[i], ref[i])
				}
			}
		}
	}
}
