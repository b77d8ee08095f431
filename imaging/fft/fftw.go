//go:build fftw && cgo

package fft

import (
	"os"
	"path/filepath"
	"runtime"

	"github.com/cubeimg/cubeimg/imaging/fft/internal/fftw"
)

// FFTWAvailable reports whether the package was built with FFTW (build tag fftw, cgo).
func FFTWAvailable() bool { return true }

// wisdomPath resolves Options.WisdomFile.
func wisdomPath(o *Options) string {
	switch o.WisdomFile {
	case "-":
		return ""
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(dir, "cubeimg", "fftw-wisdom")
	default:
		return o.WisdomFile
	}
}

// fftwPlan is the FFTW Plan2D: Transform runs FFTW's own 2-D plan (with FFTW's threads); the
// padded and real entry points run the shared strip driver with FFTW transforming the strips.
type fftwPlan struct {
	*driver
	effort  fftw.Effort
	wisdom  string
	threads int
	full    map[fftw.Key]fftw.Plan // by direction and alignment
	bufs    []*fftw.Buffer         // strip buffers, freed by Close
	closed  bool
}

func newFFTWPlan(nx, ny int, o *Options) (PaddedPlan, error) {
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &fftwPlan{effort: fftw.Effort(o.Effort), wisdom: wisdomPath(o), threads: threads,
		full: map[fftw.Key]fftw.Plan{}}
	p.driver = &driver{nx: nx, ny: ny}
	// Plan both directions of the full transform now, so that Transform never plans (unless
	// handed an array of unusual alignment).
	for _, dir := range []Direction{Forward, Backward} {
		if _, err := p.fullPlan(dir, false); err != nil {
			return nil, err
		}
	}
	rows := &fftwEngine{p: p, n: nx}
	cols := rows
	if ny != nx {
		cols = &fftwEngine{p: p, n: ny}
	}
	p.driver = newDriver(nx, ny, threads, rows, cols)
	for _, e := range []*fftwEngine{rows, cols} {
		if e.err != nil {
			p.Close()
			return nil, e.err
		}
	}
	return p, nil
}

func (p *fftwPlan) fullPlan(dir Direction, unaligned bool) (fftw.Plan, error) {
	key := fftw.Key{N0: p.ny, N1: p.nx, Sign: int(dir), Threads: p.threads, Effort: p.effort,
		Unaligned: unaligned}
	if pl, ok := p.full[key]; ok {
		return pl, nil
	}
	pl, err := fftw.Get(key, p.wisdom)
	if err != nil {
		return pl, err
	}
	p.full[key] = pl
	return pl, nil
}

func (p *fftwPlan) Size() (int, int) { return p.nx, p.ny }

// Close frees the plan's strip buffers. The FFTW plans stay cached for other plans of the same
// shape.
func (p *fftwPlan) Close() error {
	for _, b := range p.bufs {
		b.Free()
	}
	p.bufs = nil
	p.closed = true
	return nil
}

func (p *fftwPlan) checkOpen() {
	if p.closed {
		panic("fft: FFTW plan used after Close")
	}
}

func (p *fftwPlan) Transform(data []complex64, dir Direction) {
	p.checkOpen()
	p.checkLen(data)
	pl, err := p.fullPlan(dir, !fftw.Aligned(data))
	if err != nil {
		panic(err) // the shape was planned in New; only an out-of-memory planner fails here
	}
	pl.Execute(data)
}

func (p *fftwPlan) TransformSparse(data []complex64, dir Direction, in Rect) {
	p.checkOpen()
	p.checkRect(in)
	p.transformSparse(data, dir, in)
}

func (p *fftwPlan) TransformCrop(data []complex64, dir Direction, out Rect) {
	p.checkOpen()
	p.checkRect(out)
	p.transformCrop(data, dir, out)
}

func (p *fftwPlan) TransformToReal(dst []float32, data []complex64, dir Direction, out Rect) {
	p.checkOpen()
	p.transformToReal(dst, data, dir, out)
}

func (p *fftwPlan) TransformFromReal(data []complex64, src []float32, dir Direction, in Rect) {
	p.checkOpen()
	p.transformFromReal(data, src, dir, in)
}

// fftwEngine transforms strips with a single-threaded FFTW plan for `lanes` interleaved lines
// (the driver spreads the strips over goroutines).
type fftwEngine struct {
	p   *fftwPlan
	n   int
	err error
}

type fftwRunner struct {
	b     []complex64
	plans [2]fftw.Plan
}

func (e *fftwEngine) newRunner(lanes int) runner {
	r := &fftwRunner{}
	buf, err := fftw.Alloc(e.n * lanes)
	if err != nil {
		e.err = err
		r.b = make([]complex64, e.n*lanes)
		return r
	}
	e.p.bufs = append(e.p.bufs, buf)
	r.b = buf.Data
	for d, dir := range []Direction{Forward, Backward} {
		key := fftw.Key{Lines: true, N0: e.n, N1: lanes, Sign: int(dir), Threads: 1, Effort: e.p.effort}
		if r.plans[d], err = fftw.Get(key, e.p.wisdom); err != nil {
			e.err = err
		}
	}
	return r
}

func (r *fftwRunner) buf() []complex64 { return r.b }

func (r *fftwRunner) run(dir Direction) []complex64 {
	r.plans[dirIndex(dir)].Execute(r.b)
	return r.b
}
