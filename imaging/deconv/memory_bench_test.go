package deconv_test

import (
	"bufio"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/automask"
	"github.com/cubeimg/cubeimg/imaging/beam"
	"github.com/cubeimg/cubeimg/imaging/deconv"
	"github.com/cubeimg/cubeimg/imaging/restore"
)

// procKB returns a field of /proc/self/status in bytes (0 where unavailable).
func procKB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkChannelMemory runs one channel's deconvolution cycle at 4096^2 on its planes
// (residual, model, PSF, mask, and the restored image as the output plane, all resident): an
// auto-multithresh update with the alma-12m-long-cube preset, Summarize, a Hogbom minor cycle
// (windowed, 2000 components, 2 workers) and a common-beam restoration, keeping the automask
// scratch alive to the end, and reports memory as multiples of one float32 plane: "planes" held
// by the caller, "scratch-planes" allocated by the packages (Go heap bytes allocated during the
// cycle), and "peak-planes" (VmHWM minus the RSS before the planes existed; run it alone so that
// nothing else raised VmHWM):
//
//	go test -run '^$' -bench ChannelMemory -benchtime 1x ./imaging/deconv/
func BenchmarkChannelMemory(b *testing.B) {
	const n = 4096
	const cell = 0.1 * math.Pi / (180 * 3600)
	planeBytes := float64(4 * n * n)
	runtime.GC()
	rssBefore := procKB("VmRSS")
	psf := make([]float32, n*n)
	res := make([]float32, n*n)
	model := make([]float32, n*n)
	img := make([]float32, n*n)
	mask := make([]uint8, n*n)
	clear(model) // touch every page: a resident plane, as a pipeline's would be
	clear(img)
	clear(mask)
	fitted := beam.Gaussian{Major: 0.5 * math.Pi / (180 * 3600), Minor: 0.4 * math.Pi / (180 * 3600), PA: 0.4}
	a, bb, c := fitted.Quadratic(cell, cell)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := float64(x-n/2), float64(y-n/2)
			r := math.Hypot(dx, dy)
			psf[y*n+x] = float32(math.Exp(-(a*dx*dx + bb*dx*dy + c*dy*dy)) - 0.08*math.Exp(-0.5*(r-8)*(r-8)/4))
		}
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range res {
		res[i] = float32(1e-3 * rng.NormFloat64())
	}
	beam.Smooth(res, res, n, n, fitted, cell, cell, nil)
	for i := range res {
		res[i] *= 2.2 // about 1 mJy rms after smoothing
	}
	for k := 0; k < 500; k++ {
		sx, sy, f := 64+rng.IntN(n-128), 64+rng.IntN(n-128), float32(0.005+0.1*rng.Float64())
		for y := sy - 30; y <= sy+30; y++ {
			for x := sx - 30; x <= sx+30; x++ {
				res[y*n+x] += f * psf[(y-sy+n/2)*n+x-sx+n/2]
			}
		}
	}
	planes := (3*planeBytes + planeBytes + float64(n*n)) / planeBytes
	p := deconv.DefaultParams()
	p.Niter, p.Automask, p.Workers, p.PSFHalfWidth = 2000, true, 2, 64
	amp, _ := automask.Preset("alma-12m-long-cube")
	common := beam.Gaussian{Major: 0.6 * math.Pi / (180 * 3600), Minor: 0.5 * math.Pi / (180 * 3600), PA: 0.1}
	b.ResetTimer()
	var scratch float64
	for i := 0; i < b.N; i++ {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		sc := automask.NewScratch(n, n)
		var st automask.State
		in := automask.Input{Beam: fitted, CellX: cell, CellY: cell, SidelobeLevel: 0.08, Workers: 2}
		if _, err := automask.Update(automask.Plane{Nx: n, Ny: n, Residual: res, Mask: mask}, in, &amp, &st, sc); err != nil {
			b.Fatal(err)
		}
		s := deconv.Summarize(deconv.SummaryInput{Nx: n, Ny: n, Residual: res, Mask: mask, PSFSidelobe: 0.08}, &p)
		ctrl, _ := deconv.NewController(p, 1)
		ctrl.Observe(0, s)
		d, _ := ctrl.Decide()
		r, err := deconv.Hogbom(context.Background(), deconv.Planes{Nx: n, Ny: n, Residual: res, Model: model, PSF: psf, Mask: mask}, ctrl.MinorParams(0, d))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := restore.Image(img, model, res, n, n, fitted, common, cell, cell, &restore.Options{Workers: 2}); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms1)
		scratch = float64(ms1.TotalAlloc-ms0.TotalAlloc) / planeBytes
		b.ReportMetric(float64(r.Iterations), "iterations")
		runtime.KeepAlive(sc)
	}
	b.ReportMetric(planes, "planes")
	b.ReportMetric(scratch, "scratch-planes")
	if hwm := procKB("VmHWM"); hwm > 0 {
		b.ReportMetric((hwm-rssBefore)/planeBytes, "peak-planes")
	}
}
