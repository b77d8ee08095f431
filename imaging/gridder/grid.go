package gridder

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/cubeimg/cubeimg/imaging"
)

// ErrBadSamples is wrapped by the error returned when samples with non-finite coordinates,
// visibilities or weights were met (and skipped).
var ErrBadSamples = errors.New("gridder: non-finite samples")

// Stats reports a gridding pass.
type Stats struct {
	// SumWeights is the sum of the imaging weights of the gridded samples (tclean's sumwt).
	SumWeights float64
	// Norm is the normalisation of the dirty image: SumWeights for KernelES; for KernelCASA the
	// sum of weight times the sample's kernel tap sum, as CASA's gridder accumulates it.
	Norm float64
	// Gridded counts the samples with non-zero weight that went onto the grid.
	Gridded int
	// OutOfGrid counts samples whose kernel footprint left the padded grid (KernelCASA drops
	// them as CASA does; KernelES wraps them periodically, like a direct transform on the pixel
	// grid, and never drops).
	OutOfGrid int
	// Bad counts samples skipped for non-finite values.
	Bad int
}

func (s *Stats) add(o Stats) {
	s.SumWeights += o.SumWeights
	s.Norm += o.Norm
	s.Gridded += o.Gridded
	s.OutOfGrid += o.OutOfGrid
	s.Bad += o.Bad
}

func (s Stats) err() error {
	if s.Bad > 0 {
		return fmt.Errorf("%w: %d samples with non-finite u, v, visibility or weight were skipped", ErrBadSamples, s.Bad)
	}
	return nil
}

// bufStride returns the edge of a worker's local tile buffer.
func (p *Plan) bufStride() int { return tileSize + p.w - 1 }

// coords maps (u, v) in wavelengths to padded-grid coordinates with the uv origin at cell
// (nu/2, nv/2). The u axis is reversed because l (east) decreases along x.
func (p *Plan) coords(u, v float64) (a, b float64) {
	return -u*p.uScale + float64(p.nu/2), v*p.vScale + float64(p.nv/2)
}

// axisES returns the first tap cell (wrapped into [0, n)) and fills ker with the ES weights for
// grid coordinate a.
func (p *Plan) axisES(a float64, n int, ker *[maxTaps]float32) int {
	// Fold periodically into [0, n): the FFT grid is periodic.
	if a < 0 || a >= float64(n) {
		a -= float64(n) * math.Floor(a/float64(n))
		if !(a >= 0 && a < float64(n)) { // rounding for huge |a|
			a = 0
		}
	}
	s := a - float64(p.w)/2
	i0f := math.Ceil(s)
	p.evalFn(p.es, 2*(i0f-s)-1, ker)
	i0 := int(i0f)
	if i0 < 0 {
		i0 += n
	}
	return i0
}

// axisCASA returns the first tap cell and the tap sum for CASA's kernel at grid coordinate a,
// and false if the 7 taps do not fit in [0, n).
func (p *Plan) axisCASA(a float64, n int, ker *[maxTaps]float32) (int, float32, bool) {
	anchor := math.Round(a)
	ia := int(anchor)
	if !(anchor-casaSupport >= 0 && anchor+casaSupport < float64(n)) {
		return 0, 0, false
	}
	off := int(math.Round((anchor - a) * casaOversampling))
	var norm float32
	for k := 0; k < casaTaps; k++ {
		idx := (k-casaSupport)*casaOversampling + off
		if idx < 0 {
			idx = -idx
		}
		var c float32
		if idx < len(p.casaT) {
			c = p.casaT[idx]
		}
		ker[k] = c
		norm += c
	}
	return ia - casaSupport, norm, true
}

type (
	evalPolyFunc  func(k *polyKernel, y float64, dst *[maxTaps]float32)
	gridAccFunc   func(buf []complex64, off, S int, ku, kv *[maxTaps]float32, vr, vi float32)
	degridAccFunc func(buf []complex64, off, S int, ku, kv *[maxTaps]float32) (float32, float32)
)

// genericTapFuncs returns loop versions of the unrolled inner loops in taps_gen.go, for any w.
func genericTapFuncs(w int) (evalPolyFunc, gridAccFunc, degridAccFunc) {
	eval := func(k *polyKernel, y float64, dst *[maxTaps]float32) {
		coef, d := k.coef, k.d
		var acc [maxTaps]float64
		a := acc[:w]
		copy(a, coef[d*w:(d+1)*w])
		for j := d - 1; j >= 0; j-- {
			c := coef[j*w : (j+1)*w]
			for i := range a {
				a[i] = a[i]*y + c[i]
			}
		}
		for i := range a {
			dst[i] = float32(a[i])
		}
	}
	grid := func(buf []complex64, off, S int, ku, kv *[maxTaps]float32, vr, vi float32) {
		for r := 0; r < w; r++ {
			ar, ai := vr*kv[r], vi*kv[r]
			row := buf[off+r*S : off+r*S+w]
			for c := range row {
				row[c] += complex(ar*ku[c], ai*ku[c])
			}
		}
	}
	degrid := func(buf []complex64, off, S int, ku, kv *[maxTaps]float32) (float32, float32) {
		var sr, si float32
		for r := 0; r < w; r++ {
			row := buf[off+r*S : off+r*S+w]
			var rr, ri float32
			for c, g := range row {
				rr += real(g) * ku[c]
				ri += imag(g) * ku[c]
			}
			sr += rr * kv[r]
			si += ri * kv[r]
		}
		return sr, si
	}
	return eval, grid, degrid
}

func finite(x float64) bool { return math.Abs(x) <= math.MaxFloat64 }

func finite32(x float32) bool { return math.Abs(float64(x)) <= math.MaxFloat32 }

// sampleTaps computes the first tap cells (i0, j0), the kernel weights and the tap-sum of one
// sample; ok is false when the sample cannot be gridded (out of grid for CASA, or non-finite).
func (p *Plan) sampleTaps(u, v float64, ku, kv *[maxTaps]float32) (i0, j0 int, norm float32, ok, bad bool) {
	a, b := p.coords(u, v)
	if !finite(a) || !finite(b) {
		return 0, 0, 0, false, true
	}
	if p.kind == KernelCASA {
		var nu, nv float32
		var oku, okv bool
		i0, nu, oku = p.axisCASA(a, p.nu, ku)
		j0, nv, okv = p.axisCASA(b, p.nv, kv)
		return i0, j0, nu * nv, oku && okv, false
	}
	i0 = p.axisES(a, p.nu, ku)
	j0 = p.axisES(b, p.nv, kv)
	return i0, j0, 1, true, false
}

// checkSamples panics if the slices of s (and wt, when given) differ in length.
func checkSamples(s *imaging.Samples, wt []float32) {
	n := len(s.Vis)
	if len(s.U) != n || len(s.V) != n {
		panic("gridder: Samples slices differ in length")
	}
	if wt != nil && len(wt) != n {
		panic("gridder: weights and samples differ in length")
	}
}

// Grid adds the samples of s with imaging weights wt onto grid (len GridLen(); not cleared):
// wt[i]*s.Vis[i], or wt[i] alone when psf is true (the PSF grids the weights). Samples with
// zero weight are skipped. Samples sorted with SortSamples grid several times faster.
// It returns the sums needed to normalise the image; the error wraps ErrBadSamples if samples
// with non-finite values were skipped.
func (p *Plan) Grid(grid []complex64, s *imaging.Samples, wt []float32, psf bool) (Stats, error) {
	if len(grid) != p.GridLen() {
		panic("gridder: grid length does not match the plan")
	}
	checkSamples(s, wt)
	n := len(s.Vis)
	var locks []sync.Mutex
	nw := p.workers(n)
	if nw > 1 {
		locks = make([]sync.Mutex, p.ntv)
	}
	stats := make([]Stats, nw)
	p.parallel(n, nw, func(worker int, next func() (int, int, bool)) {
		g := griddingWorker{p: p, grid: grid, locks: locks, buf: make([]complex64, p.bufStride()*p.bufStride()), tile: -1, sw: switchRate{last: -1}}
		for {
			lo, hi, ok := next()
			if !ok {
				break
			}
			g.run(s, wt, psf, lo, hi, &stats[worker])
		}
		g.flush()
	})
	var tot Stats
	for _, st := range stats {
		tot.add(st)
	}
	return tot, tot.err()
}

type griddingWorker struct {
	p     *Plan
	grid  []complex64
	locks []sync.Mutex
	buf   []complex64
	tile  int // tile held in buf, -1 for none
	sw    switchRate
}

// switchRate watches how often consecutive samples change uv tile. Over windows of 64 samples,
// more than 16 changes (fewer than 4 samples per tile) means the input is not sorted by tile, and
// the next window bypasses the tile buffer.
type switchRate struct {
	last, n, changes int
	direct           bool
}

// next records tile and reports whether to work directly on the grid.
func (r *switchRate) next(tile int) bool {
	if tile != r.last {
		r.changes++
		r.last = tile
	}
	if r.n++; r.n == 64 {
		r.direct = r.changes > 16
		r.n, r.changes = 0, 0
	}
	return r.direct
}

// direct adds one sample straight into the grid (with wrap), holding the locks of its rows.
func (g *griddingWorker) direct(i0, j0 int, ku, kv *[maxTaps]float32, vr, vi float32) {
	p := g.p
	w := p.w
	var rowsA [8]int
	rows := rowsA[:0]
	if g.locks != nil {
		rows = p.tileRows(j0, w, rows)
		for _, r := range rows {
			g.locks[r].Lock()
		}
	}
	for r := 0; r < w; r++ {
		y := j0 + r
		for y >= p.nv {
			y -= p.nv
		}
		row := g.grid[y*p.nu : (y+1)*p.nu]
		ar, ai := vr*kv[r], vi*kv[r]
		x := i0
		for c := 0; c < w; c++ {
			for x >= p.nu {
				x -= p.nu
			}
			row[x] += complex(ar*ku[c], ai*ku[c])
			x++
		}
	}
	for i := len(rows) - 1; i >= 0; i-- {
		g.locks[rows[i]].Unlock()
	}
}

func (g *griddingWorker) run(s *imaging.Samples, wt []float32, psf bool, lo, hi int, st *Stats) {
	p := g.p
	S := p.bufStride()
	acc := p.gridFn
	var ku, kv [maxTaps]float32
	for i := lo; i < hi; i++ {
		wi := wt[i]
		if wi == 0 {
			continue
		}
		vis := complex64(1)
		if !psf {
			vis = s.Vis[i]
		}
		if !finite32(wi) || !finite32(real(vis)) || !finite32(imag(vis)) {
			st.Bad++
			continue
		}
		i0, j0, norm, ok, bad := p.sampleTaps(s.U[i], s.V[i], &ku, &kv)
		if bad {
			st.Bad++
			continue
		}
		if !ok {
			st.OutOfGrid++
			continue
		}
		tu, tv := i0/tileSize, j0/tileSize
		tile := tv*p.ntu + tu
		if g.sw.next(tile) {
			// Unsorted input: a buffer flush per sample would cost more than the sample.
			g.flush()
			g.direct(i0, j0, &ku, &kv, real(vis)*wi, imag(vis)*wi)
		} else {
			if tile != g.tile {
				g.flush()
				g.tile = tile
			}
			lu, lv := i0-tu*tileSize, j0-tv*tileSize
			acc(g.buf, lv*S+lu, S, &ku, &kv, real(vis)*wi, imag(vis)*wi)
		}
		st.SumWeights += float64(wi)
		st.Norm += float64(wi) * float64(norm)
		st.Gridded++
	}
}

// flush adds the local buffer into the grid (with periodic wrap) and clears it.
func (g *griddingWorker) flush() {
	if g.tile < 0 {
		return
	}
	p := g.p
	S := p.bufStride()
	tu, tv := g.tile%p.ntu, g.tile/p.ntu
	x0, y0 := tu*tileSize, tv*tileSize
	var rowsA [8]int
	rows := rowsA[:0]
	if g.locks != nil {
		rows = p.tileRows(y0, S, rows)
		for _, r := range rows {
			g.locks[r].Lock()
		}
	}
	for r := 0; r < S; r++ {
		y := y0 + r
		for y >= p.nv {
			y -= p.nv
		}
		dst := g.grid[y*p.nu : (y+1)*p.nu]
		src := g.buf[r*S : (r+1)*S]
		if x0+S <= p.nu {
			d := dst[x0 : x0+S]
			d = d[:len(src)]
			for c := range src {
				d[c] += src[c]
				src[c] = 0
			}
		} else {
			x := x0
			for c := range src {
				for x >= p.nu {
					x -= p.nu
				}
				dst[x] += src[c]
				src[c] = 0
				x++
			}
		}
	}
	for i := len(rows) - 1; i >= 0; i-- {
		g.locks[rows[i]].Unlock()
	}
	g.tile = -1
}

// tileRows appends, in increasing order and without repeats, the tile rows covered by grid
// rows y0 .. y0+S-1 (wrapped).
func (p *Plan) tileRows(y0, S int, rows []int) []int {
	for r := 0; r < S; r++ {
		y := (y0 + r) % p.nv
		t := y / tileSize
		seen := false
		for _, q := range rows {
			if q == t {
				seen = true
				break
			}
		}
		if !seen {
			rows = append(rows, t)
		}
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j] < rows[j-1]; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	return rows
}

// Degrid computes dst[i] = the kernel-weighted sum of grid (len GridLen(), already
// transformed by ImageToGrid) at each sample's (u, v). KernelCASA divides by the tap sum as
// CASA's degridder does and writes 0 for samples outside the grid. Samples with non-finite
// coordinates get 0 and make the error wrap ErrBadSamples.
func (p *Plan) Degrid(dst []complex64, grid []complex64, s *imaging.Samples) error {
	if len(grid) != p.GridLen() {
		panic("gridder: grid length does not match the plan")
	}
	checkSamples(s, nil)
	if len(dst) != len(s.Vis) {
		panic("gridder: dst and samples differ in length")
	}
	n := len(s.Vis)
	nw := p.workers(n)
	bad := make([]int, nw)
	p.parallel(n, nw, func(worker int, next func() (int, int, bool)) {
		S := p.bufStride()
		buf := make([]complex64, S*S)
		tile := -1
		sw := switchRate{last: -1}
		acc := p.degridFn
		var ku, kv [maxTaps]float32
		for {
			lo, hi, ok := next()
			if !ok {
				break
			}
			for i := lo; i < hi; i++ {
				i0, j0, norm, ok, isBad := p.sampleTaps(s.U[i], s.V[i], &ku, &kv)
				if !ok {
					if isBad {
						bad[worker]++
					}
					dst[i] = 0
					continue
				}
				tu, tv := i0/tileSize, j0/tileSize
				t := tv*p.ntu + tu
				var sr, si float32
				if sw.next(t) {
					sr, si = p.degridDirect(grid, i0, j0, &ku, &kv)
				} else {
					if t != tile {
						p.loadTile(buf, grid, t)
						tile = t
					}
					lu, lv := i0-tu*tileSize, j0-tv*tileSize
					sr, si = acc(buf, lv*S+lu, S, &ku, &kv)
				}
				if p.kind == KernelCASA && norm != 0 {
					sr /= norm
					si /= norm
				}
				dst[i] = complex(sr, si)
			}
		}
	})
	var nb int
	for _, b := range bad {
		nb += b
	}
	if nb > 0 {
		return fmt.Errorf("%w: %d samples with non-finite u or v were predicted as 0", ErrBadSamples, nb)
	}
	return nil
}

// degridDirect interpolates one sample straight from the grid (with wrap).
func (p *Plan) degridDirect(grid []complex64, i0, j0 int, ku, kv *[maxTaps]float32) (float32, float32) {
	var sr, si float32
	for r := 0; r < p.w; r++ {
		y := j0 + r
		for y >= p.nv {
			y -= p.nv
		}
		row := grid[y*p.nu : (y+1)*p.nu]
		var rr, ri float32
		x := i0
		for c := 0; c < p.w; c++ {
			for x >= p.nu {
				x -= p.nu
			}
			rr += real(row[x]) * ku[c]
			ri += imag(row[x]) * ku[c]
			x++
		}
		sr += rr * kv[r]
		si += ri * kv[r]
	}
	return sr, si
}

// loadTile copies the grid cells of tile t (with periodic wrap) into buf.
func (p *Plan) loadTile(buf, grid []complex64, t int) {
	S := p.bufStride()
	tu, tv := t%p.ntu, t/p.ntu
	x0, y0 := tu*tileSize, tv*tileSize
	for r := 0; r < S; r++ {
		y := y0 + r
		for y >= p.nv {
			y -= p.nv
		}
		src := grid[y*p.nu : (y+1)*p.nu]
		dst := buf[r*S : (r+1)*S]
		if x0+S <= p.nu {
			copy(dst, src[x0:x0+S])
		} else {
			x := x0
			for c := range dst {
				for x >= p.nu {
					x -= p.nu
				}
				dst[c] = src[x]
				x++
			}
		}
	}
}

// workers returns how many goroutines to use for n samples.
func (p *Plan) workers(n int) int {
	nw := p.threads
	if c := (n + minChunk - 1) / minChunk; c < nw {
		nw = c
	}
	return max(nw, 1)
}

const minChunk = 4096

// parallel runs fn on nw goroutines; next hands out consecutive chunks of [0, n).
func (p *Plan) parallel(n, nw int, fn func(worker int, next func() (lo, hi int, ok bool))) {
	chunk := max(minChunk, n/(8*nw)+1)
	var pos atomic.Int64
	next := func() (int, int, bool) {
		lo := int(pos.Add(int64(chunk))) - chunk
		if lo >= n {
			return 0, 0, false
		}
		return lo, min(lo+chunk, n), true
	}
	if nw == 1 {
		fn(0, next)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			fn(w, next)
		}(w)
	}
	wg.Wait()
}
