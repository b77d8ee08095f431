package pipeline

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/cubeimg/cubeimg/tiles"
)

// Plan is what a run will do and need, computed before any work: `cubeimg run --dry-run` prints
// it, and Run refuses to start when the memory or the disk cannot hold it.
type Plan struct {
	Nx, Ny, NChan    int
	GridNx, GridNy   int
	Support          int
	Channels         int   // channels to image in this run
	MaxSamples       int64 // the largest channel's samples
	TotalSamples     int64
	PlaneBytes       int64 // one float32 plane
	FixedBytes       int64 // per worker: uv grid, density grid, automask scratch
	SampleBytes      int64 // per worker: the largest channel's samples, weights and model visibilities
	PinnedBytes      int64 // per worker: store planes held at once
	ChannelFootprint int64 // FixedBytes + SampleBytes + PinnedBytes
	Budget           int64 // --max-resident
	Reserve          int64 // budget kept for the resident set's caching and small buffers
	Workers          int
	ThreadsPerWorker int
	StoreBytes       int64 // the cube store on disk
	SpoolBytes       int64 // the visibility spool, already on disk when the plan is made
	FITSBytes        int64 // --fits exports
	DiskNeeded       int64
	DiskFree         int64
	Estimate         time.Duration
	FFTImpl          string
	// Refusal, when not empty, is why the run cannot start.
	Refusal string
}

// Cost-model constants, measured on the development machine (2-core x86-64 VM) with the
// benchmarks named beside them; the estimate scales them by the threads per channel.
const (
	// fftFlopsGo and fftFlopsFFTW are complex 2-D FFT rates per thread (5 N log2 N flops per
	// transform; 16-18 GFLOP/s at 2048^2-9600^2 for Go, 15 for FFTW_ESTIMATE plans):
	// go test -tags fftw -run '^$' -bench Transform2D ./imaging/fft.
	fftFlopsGo   = 16e9
	fftFlopsFFTW = 14e9
	// gridRate is gridded (or degridded) samples per second per thread at eps 1e-5:
	// go test -run '^$' -bench 'BenchmarkGrid$' ./imaging/gridder (9-10 M/s sorted).
	gridRate = 9e6
	// hogbomPixelSeconds is the time per component per image pixel with the full PSF:
	// go test -bench Hogbom ./imaging/deconv.
	hogbomPixelSeconds = 1.6e-9
	// majorCycles is the number of major cycles assumed per channel for the estimate.
	majorCycles = 3
)

// makePlan computes the plan. fixed is a worker's fixed memory, pinned the store planes a worker
// holds at once, shared the memory held once for the whole run; samples lists the spooled samples per channel of this run (nil: unknown yet,
// estimated from estSamples).
func makePlan(p *Params, nx, ny, nchan, gnx, gny, support int, fixed, pinned, shared int64, samples []int64, estSamples int64, fftImpl string) *Plan {
	pl := &Plan{Nx: nx, Ny: ny, NChan: nchan, GridNx: gnx, GridNy: gny, Support: support, Budget: p.MaxResident, FFTImpl: fftImpl}
	pl.PlaneBytes = int64(nx) * int64(ny) * 4
	pl.Channels = len(samples)
	for _, n := range samples {
		pl.MaxSamples = max(pl.MaxSamples, n)
		pl.TotalSamples += n
	}
	if samples == nil {
		pl.MaxSamples, pl.TotalSamples = estSamples, estSamples*int64(nchan)
		pl.Channels = nchan
	}
	pl.FixedBytes = fixed
	pl.SampleBytes = pl.MaxSamples * sampleBytesPer
	pl.PinnedBytes = pinned
	pl.ChannelFootprint = pl.FixedBytes + pl.SampleBytes + pl.PinnedBytes
	// Keep a reserve for tile caching and small buffers (1/16 of the budget, at least 16 MiB)
	// and what the run holds once for every channel (shared: the spool's rows).
	pl.Reserve = max(16<<20, pl.Budget/16) + shared
	cores := runtime.GOMAXPROCS(0)
	avail := pl.Budget - pl.Reserve
	switch {
	case pl.ChannelFootprint > avail:
		pl.Refusal = fmt.Sprintf("one channel needs %s (uv grid %d x %d: %s, %d samples: %s, planes: %s) but --max-resident %s leaves %s after a %s reserve; raise --max-resident to at least %s",
			tiles.FormatSize(pl.ChannelFootprint), gnx, gny, tiles.FormatSize(int64(gnx)*int64(gny)*8),
			pl.MaxSamples, tiles.FormatSize(pl.SampleBytes), tiles.FormatSize(pl.PinnedBytes),
			tiles.FormatSize(pl.Budget), tiles.FormatSize(avail), tiles.FormatSize(pl.Reserve),
			tiles.FormatSize(pl.ChannelFootprint*17/16+16<<20))
		pl.Workers = 0
	default:
		pl.Workers = int(min(int64(cores), avail/max(1, pl.ChannelFootprint)))
		if p.Workers > 0 {
			if p.Workers > pl.Workers {
				pl.Refusal = fmt.Sprintf("--workers %d needs %s but --max-resident %s fits %d channel(s) at once",
					p.Workers, tiles.FormatSize(int64(p.Workers)*pl.ChannelFootprint), tiles.FormatSize(pl.Budget), pl.Workers)
			}
			pl.Workers = p.Workers
		}
		pl.Workers = max(1, min(pl.Workers, max(1, pl.Channels)))
	}
	pl.ThreadsPerWorker = max(1, cores/max(1, pl.Workers))

	pl.StoreBytes = int64(nchan) * (5*pl.PlaneBytes + int64(nx)*int64(ny))
	if p.Pbcor {
		pl.StoreBytes += int64(nchan) * pl.PlaneBytes
	}
	if p.Fits {
		pl.FITSBytes = pl.StoreBytes
	}
	pl.Estimate = estimate(p, pl)
	return pl
}

// estimate is the cost model: FFTs, gridding and Hogbom per channel, spread over the workers.
func estimate(p *Params, pl *Plan) time.Duration {
	m := float64(pl.GridNx) * float64(pl.GridNy)
	flops := 5 * m * math.Log2(math.Max(m, 2))
	rate := fftFlopsGo
	if pl.FFTImpl == "fftw" {
		rate = fftFlopsFFTW
	}
	threads := float64(pl.ThreadsPerWorker)
	nfft := 2.0 // PSF and dirty
	ngrid := 2.0
	if p.Niter > 0 {
		nfft += 2 * majorCycles
		ngrid += 2 * majorCycles
	}
	perChan := nfft*flops/(rate*threads) + ngrid*float64(pl.MaxSamples)/(gridRate*threads)
	iters := float64(p.Niter)
	if p.NiterScope == "cube" && pl.Channels > 0 {
		iters /= float64(pl.Channels)
	}
	perChan += iters * float64(pl.Nx) * float64(pl.Ny) * hogbomPixelSeconds
	total := perChan * float64(pl.Channels) / float64(max(1, pl.Workers))
	return time.Duration(total * float64(time.Second))
}

// Print writes the plan for a user.
func (pl *Plan) Print(w io.Writer) {
	fs := tiles.FormatSize
	fmt.Fprintf(w, "plan: %d x %d pixels x %d channels (%d to image), uv grid %d x %d, kernel support %d, FFT %s\n",
		pl.Nx, pl.Ny, pl.NChan, pl.Channels, pl.GridNx, pl.GridNy, pl.Support, pl.FFTImpl)
	fmt.Fprintf(w, "  memory per channel: %s (uv grid and scratch %s, samples %s for up to %d, store planes %s)\n",
		fs(pl.ChannelFootprint), fs(pl.FixedBytes), fs(pl.SampleBytes), pl.MaxSamples, fs(pl.PinnedBytes))
	fmt.Fprintf(w, "  --max-resident %s: %d worker(s) x %d thread(s), reserve %s\n", fs(pl.Budget), pl.Workers, pl.ThreadsPerWorker, fs(pl.Reserve))
	fmt.Fprintf(w, "  disk: store %s, spool %s (written), FITS %s; needed %s", fs(pl.StoreBytes), fs(pl.SpoolBytes), fs(pl.FITSBytes), fs(pl.DiskNeeded))
	if pl.DiskFree > 0 {
		fmt.Fprintf(w, ", free %s", fs(pl.DiskFree))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  estimated time: %s (cost model: FFT, gridding and Hogbom rates measured on a 2-core x86-64 host, %d major cycles)\n",
		pl.Estimate.Round(time.Second), majorCycles)
	if pl.Refusal != "" {
		fmt.Fprintf(w, "  refused: %s\n", pl.Refusal)
	}
}
