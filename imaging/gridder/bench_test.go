package gridder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/fft"
)

// trackSamples returns n samples on elliptical uv tracks (an earth-rotation-like coverage) out to
// frac of the image's uv extent, the shape of real interferometer data.
func trackSamples(rng *rand.Rand, g imaging.Geometry, n int, frac float64) (*imaging.Samples, []float32) {
	s := &imaging.Samples{
		U: make([]float64, n), V: make([]float64, n), W: make([]float64, n),
		Vis: make([]complex64, n), Weight: make([]float32, n),
	}
	wt := make([]float32, n)
	umax, vmax := frac*0.5/g.CellX, frac*0.5/g.CellY
	const perTrack = 200
	var r, ph0 float64
	for i := 0; i < n; i++ {
		if i%perTrack == 0 {
			r = math.Sqrt(rng.Float64())
			ph0 = 2 * math.Pi * rng.Float64()
		}
		ph := ph0 + 0.3*float64(i%perTrack)/perTrack
		s.U[i] = r * umax * math.Cos(ph)
		s.V[i] = 0.7 * r * vmax * math.Sin(ph)
		if i%2 == 1 { // conjugate baseline half of the time
			s.U[i], s.V[i] = -s.U[i], -s.V[i]
		}
		s.Vis[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
		wt[i] = 1
		s.Weight[i] = 1
	}
	return s, wt
}

// BenchmarkGrid reports gridding and degridding throughput on one core at eps 1e-5 (and 1e-3,
// 1e-4), 1 M samples on a 2048^2 image, sorted by uv tile and, as the baseline, unsorted.
func BenchmarkGrid(b *testing.B) {
	g := imaging.Geometry{Nx: 2048, Ny: 2048, CellX: 1e-6, CellY: 1e-6}
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(1, 1))
	for _, cov := range []string{"tracks", "uniform"} {
		var s *imaging.Samples
		var wt []float32
		if cov == "tracks" {
			s, wt = trackSamples(rng, g, n, 0.8)
		} else {
			s, wt = randomSamples(rng, g, n)
		}
		for _, eps := range []float64{1e-3, 1e-4, 1e-5} {
			p, err := NewPlan(g, &Options{Epsilon: eps, NVis: n, Threads: 1})
			if err != nil {
				b.Fatal(err)
			}
			sorted := &imaging.Samples{
				U: append([]float64(nil), s.U...), V: append([]float64(nil), s.V...),
				Vis: append([]complex64(nil), s.Vis...),
			}
			swt := append([]float32(nil), wt...)
			p.SortSamples(sorted, swt)
			grid := make([]complex64, p.GridLen())
			out := make([]complex64, n)
			name := fmt.Sprintf("%s/eps=%g/W=%d", cov, eps, p.Support())
			for _, order := range []string{"sorted", "unsorted", "sorted-go"} {
				ss, ww := sorted, swt
				pp := p
				switch order {
				case "unsorted":
					if eps != 1e-5 {
						continue
					}
					ss, ww = s, wt
				case "sorted-go":
					// The same plan with the Go tap loops, where assembly replaces them: the
					// baseline of the assembly, in the same run.
					if ae, _, _ := asmTapFuncs(p.Support()); ae == nil {
						continue
					}
					q := *p
					q.evalFn, q.gridFn, q.degridFn = tapFuncs(q.w)
					pp = &q
				}
				b.Run("grid/"+name+"/"+order, func(b *testing.B) {
					cpuBench(b, n, func() { pp.Grid(grid, ss, ww, false) })
				})
				b.Run("degrid/"+name+"/"+order, func(b *testing.B) {
					cpuBench(b, n, func() { pp.Degrid(out, grid, ss) })
				})
			}
		}
	}
}

// cpuBench runs f b.N times on this goroutine's locked OS thread (the plans use one thread)
// and reports samples per second of wall time (Mvis/s) and of the thread's CPU time
// (Mvis/cpu-s), the figure that stays meaningful when other processes share the cores.
func cpuBench(b *testing.B, n int, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	c0, ok := threadCPU()
	for i := 0; i < b.N; i++ {
		f()
	}
	c1, _ := threadCPU()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvis/s")
	if ok && c1 > c0 {
		b.ReportMetric(float64(n)*float64(b.N)/(c1-c0).Seconds()/1e6, "Mvis/cpu-s")
	}
}

// benchFFT returns the project's FFT plan, or the test FFT while imaging/fft still only has its
// O(N^3) reference transform (unusable at 2048^2).
func benchFFT(b *testing.B, nu, nv int) fft.Plan2D {
	f, err := fft.New(nu, nv, nil)
	if err != nil {
		b.Fatal(err)
	}
	if fmt.Sprintf("%T", f) == "*fft.reference" {
		b.Logf("imaging/fft has only the reference transform: using the test FFT")
		return newTestFFT(nu, nv)
	}
	return f
}

// BenchmarkPSFDirty2048 makes the PSF and the dirty image of one 2048^2 channel from 1 M
// samples at eps 1e-5 on all cores from unsorted samples, and reports the wall time of its
// parts: sorting by tile, gridding (PSF and dirty), FFT plus grid correction (two of each); and
// the CPU time (all threads) of sorting and gridding.
func BenchmarkPSFDirty2048(b *testing.B) {
	g := imaging.Geometry{Nx: 2048, Ny: 2048, CellX: 1e-6, CellY: 1e-6}
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(2, 2))
	s, wt := trackSamples(rng, g, n, 0.8)
	p, err := NewPlan(g, &Options{Epsilon: 1e-5, NVis: n})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%v", p)
	nu, nv := p.GridSize()
	f := benchFFT(b, nu, nv)
	grid := make([]complex64, p.GridLen())
	psf := make([]float32, g.Pixels())
	dirty := make([]float32, g.Pixels())
	var tSort, tGrid, tFFT, cSort, cGrid time.Duration
	cpu := func() time.Duration { c, _ := processCPU(); return c }
	orig := &imaging.Samples{U: append([]float64(nil), s.U...), V: append([]float64(nil), s.V...), Vis: append([]complex64(nil), s.Vis...)}
	origWt := append([]float32(nil), wt...)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		copy(s.U, orig.U)
		copy(s.V, orig.V)
		copy(s.Vis, orig.Vis)
		copy(wt, origWt)
		b.StartTimer()
		t0, c0 := time.Now(), cpu()
		p.SortSamples(s, wt)
		t1, c1 := time.Now(), cpu()
		clear(grid)
		stp, _ := p.Grid(grid, s, wt, true)
		t2, c2 := time.Now(), cpu()
		p.GridToImage(psf, grid, f, 1/stp.Norm)
		t3, c3 := time.Now(), cpu()
		clear(grid)
		std, _ := p.Grid(grid, s, wt, false)
		t4, c4 := time.Now(), cpu()
		p.GridToImage(dirty, grid, f, 1/std.Norm)
		t5 := time.Now()
		tSort += t1.Sub(t0)
		tGrid += t2.Sub(t1) + t4.Sub(t3)
		tFFT += t3.Sub(t2) + t5.Sub(t4)
		cSort += c1 - c0
		cGrid += c2 - c1 + c4 - c3
	}
	b.ReportMetric(tSort.Seconds()*1e3/float64(b.N), "sort-ms")
	b.ReportMetric(tGrid.Seconds()*1e3/float64(b.N), "grid-ms")
	b.ReportMetric(cSort.Seconds()*1e3/float64(b.N), "sort-cpu-ms")
	b.ReportMetric(cGrid.Seconds()*1e3/float64(b.N), "grid-cpu-ms")
	b.ReportMetric(tFFT.Seconds()*1e3/float64(b.N), "fft+corr-ms")
}

// BenchmarkGridSupport reports gridding and degridding throughput on one core for each ES
// support W (sigma 1.5) and for CASA's kernel, 1 M sorted samples on a 2048^2 image: the
// per-sample costs behind the planner's cost model.
func BenchmarkGridSupport(b *testing.B) {
	g := imaging.Geometry{Nx: 2048, Ny: 2048, CellX: 1e-6, CellY: 1e-6}
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(1, 1))
	s, wt := trackSamples(rng, g, n, 0.8)
	out := make([]complex64, n)
	run := func(name string, p *Plan) {
		p.threads = 1
		p.SortSamples(s, wt)
		grid := make([]complex64, p.GridLen())
		b.Run("grid/"+name, func(b *testing.B) { cpuBench(b, n, func() { p.Grid(grid, s, wt, false) }) })
		b.Run("degrid/"+name, func(b *testing.B) { cpuBench(b, n, func() { p.Degrid(out, grid, s) }) })
	}
	for _, e := range esKernelDB {
		if e.Sigma == 1.5 && e.W <= maxESTaps {
			run(fmt.Sprintf("W=%d", e.W), planFor(b, g, e))
		}
	}
	p, err := NewPlan(g, &Options{Kernel: KernelCASA})
	if err != nil {
		b.Fatal(err)
	}
	run("casa", p)
}
