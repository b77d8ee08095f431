package fft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/dsp/fourier"
)

// The benchmarks report ms per transform and GFLOP/s with the usual FFT convention of 5 N log2 N
// nominal operations for N = nx*ny complex points (a real-data path is credited the same count as
// the complex transform of the same grid, so its figure shows the speed-up directly).
//
//	go test -tags fftw -run '^$' -bench 'Transform2D' -benchtime 3x ./imaging/fft
//
// Every implementation runs at 2048^2, 4096^2 and 8192^2 with one and two threads in the same run,
// so the figures are ratios measured side by side. gonum (complex128, its only precision) is the
// baseline the issue names; it has no threads of its own, so with two threads its rows and columns
// are split over two goroutines, each with its own gonum plan.

func benchSizes() []int { return []int{2048, 4096, 8192} }

func nominalGFlop(nx, ny int) float64 {
	n := float64(nx) * float64(ny)
	return 5 * n * math.Log2(n) / 1e9
}

// cpuTime is the process's user+system CPU time (every thread, FFTW's included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs fn b.N times and reports wall ms, GFLOP/s and CPU ms per transform. On a shared
// machine CPU ms close to threads x wall ms says the run was not starved of cores.
func timed(b *testing.B, nx, ny int, fn func()) {
	c0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fn()
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3, "ms/op")
	b.ReportMetric(nominalGFlop(nx, ny)/sec, "GFLOP/s")
	b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkTransform2D(b *testing.B) {
	impls := append(implementations(), "gonum")
	for _, n := range benchSizes() {
		data := randomComplex(rand.New(rand.NewPCG(1, uint64(n))), n*n)
		for _, impl := range impls {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("impl=%s/n=%d/threads=%d", impl, n, threads), func(b *testing.B) {
					if impl == "gonum" {
						benchGonum(b, data, n, threads)
						return
					}
					p, err := NewPadded(n, n, &Options{Impl: impl, Threads: threads})
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					timed(b, n, n, func() { p.Transform(data, Forward) })
				})
			}
		}
	}
}

// gonum2D is the gonum baseline: gonum's complex128 FFT over rows, then over columns (copied out
// and back), with the lines split over len(plans) goroutines.
type gonum2D struct {
	n     int
	plans []*fourier.CmplxFFT
	cols  [][]complex128
}

func newGonum2D(n, threads int) *gonum2D {
	g := &gonum2D{n: n}
	for i := 0; i < threads; i++ {
		g.plans = append(g.plans, fourier.NewCmplxFFT(n))
		g.cols = append(g.cols, make([]complex128, n))
	}
	return g
}

// each runs fn over the lines 0..n-1, goroutine t taking a contiguous share (so that two
// goroutines never write neighbouring columns of a cache line).
func (g *gonum2D) each(fn func(t, i int)) {
	var wg sync.WaitGroup
	share := (g.n + len(g.plans) - 1) / len(g.plans)
	for t := range g.plans {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			for i := t * share; i < min((t+1)*share, g.n); i++ {
				fn(t, i)
			}
		}(t)
	}
	wg.Wait()
}

func (g *gonum2D) transform(grid []complex128) {
	n := g.n
	g.each(func(t, y int) {
		row := grid[y*n : y*n+n]
		g.plans[t].Coefficients(row, row)
	})
	g.each(func(t, x int) {
		col := g.cols[t]
		for y := range col {
			col[y] = grid[y*n+x]
		}
		g.plans[t].Coefficients(col, col)
		for y, v := range col {
			grid[y*n+x] = v
		}
	})
}

func benchGonum(b *testing.B, data []complex64, n, threads int) {
	grid := make([]complex128, n*n)
	for i, v := range data {
		grid[i] = complex128(v)
	}
	g := newGonum2D(n, threads)
	timed(b, n, n, func() { g.transform(grid) })
}

// TestGonum2D_DirectDFT checks that the baseline computes the same transform (gonum's Forward
// sign, exp(-2 pi i k n/N)).
func TestGonum2D_DirectDFT(t *testing.T) {
	const n = 32
	x := randomComplex(newTestRand(5), n*n)
	grid := make([]complex128, n*n)
	for i, v := range x {
		grid[i] = complex128(v)
	}
	newGonum2D(n, 2).transform(grid)
	want := directDFT2D(x, n, n, Forward)
	got := make([]complex64, n*n)
	for i, v := range grid {
		got[i] = complex64(v)
	}
	checkRel(t, "gonum baseline", relErr(got, want, nil))
}

// BenchmarkTransform2DCASA is the size CASA pads an 8000^2 image to (sigma 1.2): 9600 =
// 2^7 * 3 * 5^2, which takes the radix-3 and radix-5 passes.
//
//	go test -tags fftw -run '^$' -bench 'Transform2DCASA' -benchtime 2x ./imaging/fft
func BenchmarkTransform2DCASA(b *testing.B) {
	const n = 9600
	data := randomComplex(rand.New(rand.NewPCG(1, n)), n*n)
	for _, impl := range implementations() {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("impl=%s/n=%d/threads=%d", impl, n, threads), func(b *testing.B) {
				p, err := NewPadded(n, n, &Options{Impl: impl, Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				timed(b, n, n, func() { p.Transform(data, Forward) })
			})
		}
	}
}

// BenchmarkPadded times the padded-grid entry points against the full transform of the same grid
// in the same run: a 4096^2 grid holding an image of 1/sigma of it on each axis, for sigma 1.2
// (CASA's padding) and 2. Each is credited the nominal flops of the full complex transform, so
// the GFLOP/s column reads as an effective speed-up.
//
//	go test -tags fftw -run '^$' -bench 'Padded' -benchtime 5x ./imaging/fft
func BenchmarkPadded(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(3, n))
	grid := randomComplex(rng, n*n)
	work := make([]complex64, n*n)
	for _, impl := range implementations() {
		for _, sigma := range []float64{1.2, 2} {
			m := int(float64(n)/sigma) &^ 1
			r := Centre(n, n, m, m)
			img := make([]float32, m*m)
			for i := range img {
				img[i] = float32(rng.NormFloat64())
			}
			p, err := NewPadded(n, n, &Options{Impl: impl, Threads: 1})
			if err != nil {
				b.Fatal(err)
			}
			name := func(op string) string { return fmt.Sprintf("impl=%s/sigma=%g/%s", impl, sigma, op) }
			b.Run(name("Transform"), func(b *testing.B) {
				timed(b, n, n, func() { copy(work, grid); p.Transform(work, Backward) })
			})
			b.Run(name("TransformCrop"), func(b *testing.B) {
				timed(b, n, n, func() { copy(work, grid); p.TransformCrop(work, Backward, r) })
			})
			b.Run(name("TransformToReal"), func(b *testing.B) {
				timed(b, n, n, func() { copy(work, grid); p.TransformToReal(img, work, Backward, r) })
			})
			b.Run(name("TransformSparse"), func(b *testing.B) {
				timed(b, n, n, func() { copy(work, grid); p.TransformSparse(work, Forward, r) })
			})
			b.Run(name("TransformFromReal"), func(b *testing.B) {
				timed(b, n, n, func() { copy(work, grid); p.TransformFromReal(work, img, Forward, r) })
			})
			p.Close()
		}
	}
}
