package deconv

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
)

// cpuSeconds is the process's user + system CPU time: on a shared machine a steadier measure of
// single-threaded work than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// benchPlanes makes n x n planes: a PSF with a 5-pixel main lobe, a negative ring and weak
// far sidelobes, and a residual of 40 PSF-shaped sources (within a PSF window of 64 pixels) plus
// noise. Sizes up to 8192^2 take a few seconds to build.
func benchPlanes(n int) Planes {
	psf := make([]float32, n*n)
	for y := 0; y < n; y++ {
		dy := float64(y - n/2)
		for x := 0; x < n; x++ {
			dx := float64(x - n/2)
			r2 := dx*dx + dy*dy
			if r2 > 64*64 {
				psf[y*n+x] = float32(0.01 * math.Cos(0.3*dx+0.2*dy))
				continue
			}
			r := math.Sqrt(r2)
			psf[y*n+x] = float32(math.Exp(-0.5*r2/4.5) - 0.1*math.Exp(-0.5*(r-6)*(r-6)/4) + 0.01*math.Cos(0.3*dx+0.2*dy))
		}
	}
	psf[n/2*n+n/2] = 1
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	res := make([]float32, n*n)
	for i := range res {
		res[i] = float32(0.001 * rng.NormFloat64())
	}
	for k := 0; k < 40; k++ {
		sx, sy, f := 64+rng.IntN(n-128), 64+rng.IntN(n-128), float32(0.05+rng.Float64())
		for y := sy - 32; y <= sy+32; y++ {
			for x := sx - 32; x <= sx+32; x++ {
				res[y*n+x] += f * psf[(y-sy+n/2)*n+x-sx+n/2]
			}
		}
	}
	return Planes{Nx: n, Ny: n, Residual: res, Model: make([]float32, n*n), PSF: psf}
}

var benchCache = map[int]Planes{}

func cachedPlanes(n int) Planes {
	if p, ok := benchCache[n]; ok {
		return p
	}
	p := benchPlanes(n)
	benchCache[n] = p
	return p
}

// naiveIterations is the baseline: CASA's hclean loop as written, a full-plane peak search then
// the PSF subtraction over the overlap, for iters components.
func naiveIterations(pl Planes, gain float32, iters, halfW int) {
	nx, ny := pl.Nx, pl.Ny
	for it := 0; it < iters; it++ {
		best, bv := 0, float32(-1)
		for i, v := range pl.Residual {
			if a := abs32(v); a > bv {
				best, bv = i, a
			}
		}
		px, py := best%nx, best/nx
		a := gain * pl.Residual[best]
		pl.Model[best] += a
		x0, x1 := max(0, px-nx/2), min(nx, px+nx-nx/2)
		y0, y1 := max(0, py-ny/2), min(ny, py+ny-ny/2)
		if halfW > 0 {
			x0, x1, y0, y1 = max(x0, px-halfW), min(x1, px+halfW+1), max(y0, py-halfW), min(y1, py+halfW+1)
		}
		for y := y0; y < y1; y++ {
			row := pl.Residual[y*nx+x0 : y*nx+x1]
			ps := pl.PSF[(ny/2+y-py)*nx+nx/2+x0-px:]
			for i := range row {
				row[i] -= a * ps[i]
			}
		}
	}
}

// BenchmarkHogbom reports Hogbom iterations per second (wall, and per CPU second) with the full
// PSF (CASA's choice) and a 64-pixel half-width window, 1 and 2 workers, against the naive hclean
// loop (full-plane search, then the update) in the same run.
//
//	go test -run '^$' -bench Hogbom -benchtime 1x ./imaging/deconv/
func BenchmarkHogbom(b *testing.B) {
	for _, n := range []int{2048, 8192} {
		full := map[int]int{2048: 40, 8192: 6}[n]
		for _, c := range []struct {
			name    string
			halfW   int
			workers int
			iters   int
			naive   bool
		}{
			{"naive-full", 0, 1, full, true},
			{"full", 0, 1, full, false},
			{"full-2workers", 0, 2, full, false},
			{"naive-window64", 64, 1, full, true},
			{"window64", 64, 1, 4000, false},
		} {
			b.Run(fmt.Sprintf("%s-%d", c.name, n), func(b *testing.B) {
				base := cachedPlanes(n)
				pl := base
				pl.Residual = append([]float32(nil), base.Residual...)
				pl.Model = make([]float32, n*n)
				b.ResetTimer()
				cpu0 := cpuSeconds()
				total := 0
				for i := 0; i < b.N; i++ {
					if c.naive {
						naiveIterations(pl, 0.1, c.iters, c.halfW)
						total += c.iters
						continue
					}
					r, err := Hogbom(context.Background(), pl, MinorParams{Gain: 0.1, MaxIter: c.iters, PSFHalfWidth: c.halfW, Workers: c.workers})
					if err != nil {
						b.Fatal(err)
					}
					total += r.Iterations
				}
				b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "iter/s")
				if cpu := cpuSeconds() - cpu0; cpu > 0 {
					b.ReportMetric(float64(total)/cpu, "iter/cpu-s")
				}
			})
		}
	}
}

// BenchmarkHogbomMaskBox reports Hogbom iterations per CPU second with the full PSF on a
// 1024^2 plane whose mask covers a 128 x 128 box around sources (as auto-multithresh leaves a
// compact field), updating the whole residual (the baseline) and only the mask's bounding box
// (MaskBoxOnly: the pipeline's choice, since a major cycle follows), in the same run.
//
//	go test -run '^$' -bench HogbomMaskBox -benchtime 3x ./imaging/deconv/
func BenchmarkHogbomMaskBox(b *testing.B) {
	const n, iters = 1024, 300
	base := benchPlanes(n)
	// A 128^2 mask at the centre, over an extended source added there.
	mask := make([]uint8, n*n)
	for y := n/2 - 64; y < n/2+64; y++ {
		for x := n/2 - 64; x < n/2+64; x++ {
			mask[y*n+x] = 1
		}
	}
	for y := n/2 - 64; y < n/2+64; y++ {
		for x := n/2 - 64; x < n/2+64; x++ {
			dx, dy := float64(x-n/2), float64(y-n/2)
			base.Residual[y*n+x] += float32(0.5 * math.Exp(-0.5*(dx*dx+dy*dy)/200))
		}
	}
	base.Mask = mask
	for _, boxOnly := range []bool{false, true} {
		name := "full-plane"
		if boxOnly {
			name = "mask-box"
		}
		b.Run(name, func(b *testing.B) {
			total := 0
			cpu0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				pl := base
				pl.Residual = append([]float32(nil), base.Residual...)
				pl.Model = make([]float32, n*n)
				r, err := Hogbom(context.Background(), pl, MinorParams{Gain: 0.1, MaxIter: iters, MaskBoxOnly: boxOnly})
				if err != nil {
					b.Fatal(err)
				}
				total += r.Iterations
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "iter/s")
			if cpu := cpuSeconds() - cpu0; cpu > 0 {
				b.ReportMetric(float64(total)/cpu, "iter/cpu-s")
			}
		})
	}
}
