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
	i0, y := p.esFirst(a, n)
	p.evalFn(p.es, y, ker)
	return i0
}

// esFirst returns the first tap cell (wrapped into [0, n)) of grid coordinate a and the kernel's
// argument y in [-1, 1] for it.
func (p *Plan) esFirst(a float64, n int) (int, float64) {
	// Fold periodically into [0, n): the FFT grid is periodic.
	if a < 0 || a >= float64(n) {
		a -= float64(n) * math.Floor(a/float64(n))
		if !(a >= 0 && a < float64(n)) { // rounding for huge |a|
			a = 0
		}
	}
	s := a - float64(p.w)/2
	i0f := math.Ceil(s)
	i0 := int(i0f)
	if i0 < 0 {
		i0 += n
	}
	return i0, 2*(i0f-s) - 1
}

// axisCASA returns the first tap cell and the tap sum for CASA's kernel at grid coordinate a,
// and false if the 7 taps do not fit in [0, n).
func (p *Plan) axisCASA(a float64, n int, ker *[maxTaps]float32) (int, float32, bool) {
	i0, ok := casaFirst(a, n)
	if !ok {
		return 0, 0, false
	}
	anchor := math.Round(a)
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
	return i0, norm, true
}

// casaFirst returns the first tap cell of CASA's kernel at grid coordinate a, and false if the 7
// taps do not fit in [0, n).
func casaFirst(a float64, n int) (int, bool) {
	anchor := math.Round(a)
	if !(anchor-casaSupport >= 0 && anchor+casaSupport < float64(n)) {
		return 0, false
	}
	return int(anchor) - casaSupport, true
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
// zero weight are skipped. It returns the sums needed to normalise the image; the error wraps
// ErrBadSamples if samples with non-finite values were skipped.
//
// The result does not depend on Options.Threads or on scheduling: the samples are bucketed by
// uv tile (keeping their order), every tile's samples are accumulated in order into a local
// buffer that is then added to the grid, and blocks of tiles go in a fixed sequence of phases in
// which no two blocks' buffers overlap, so the blocks of one phase may run in parallel. The sums of the
// returned Stats are taken tile by tile in tile order. It allocates 8 bytes per sample.
func (p *Plan) Grid(grid []complex64, s *imaging.Samples, wt []float32, psf bool) (Stats, error) {
	if len(grid) != p.GridLen() {
		panic("gridder: grid length does not match the plan")
	}
	checkSamples(s, wt)
	n := len(s.Vis)
	ntiles := p.ntu * p.ntv
	// Pass 1: the tile of every sample, counted per tile.
	tileOf := make([]int32, n)
	count := make([]int32, ntiles+1)
	var pre Stats
	for i := range n {
		tileOf[i] = -1
		wi := wt[i]
		if wi == 0 {
			continue
		}
		vis := complex64(1)
		if !psf {
			vis = s.Vis[i]
		}
		if !finite32(wi) || !finite32(real(vis)) || !finite32(imag(vis)) {
			pre.Bad++
			continue
		}
		i0, j0, ok, bad := p.firstCells(s.U[i], s.V[i])
		if bad {
			pre.Bad++
			continue
		}
		if !ok {
			pre.OutOfGrid++
			continue
		}
		t := (j0/tileSize)*p.ntu + i0/tileSize
		tileOf[i] = int32(t)
		count[t+1]++
	}
	for t := range ntiles {
		count[t+1] += count[t]
	}
	order := make([]int32, count[ntiles])
	next := append([]int32(nil), count[:ntiles]...)
	for i, t := range tileOf {
		if t >= 0 {
			order[next[t]] = int32(i)
			next[t]++
		}
	}
	// Pass 2: blocks of superTile x superTile tiles, phase after phase; one goroutine grids a
	// block's tiles in tile order.
	stats := make([]Stats, ntiles)
	nbu, nbv := (p.ntu+superTile-1)/superTile, (p.ntv+superTile-1)/superTile
	nw := p.workers(len(order))
	bufs := make([][]complex64, nw)
	for w := range bufs {
		bufs[w] = make([]complex64, p.bufStride()*p.bufStride())
	}
	var blocks []int
	for phase := range gridPhases * gridPhases {
		blocks = blocks[:0]
		for b := range nbu * nbv {
			if blockPhase(b%nbu, nbu, b/nbu, nbv) == phase {
				blocks = append(blocks, b)
			}
		}
		gridBlock := func(w, b int) {
			bu, bv := b%nbu, b/nbu
			for tv := bv * superTile; tv < min((bv+1)*superTile, p.ntv); tv++ {
				for tu := bu * superTile; tu < min((bu+1)*superTile, p.ntu); tu++ {
					t := tv*p.ntu + tu
					if count[t+1] > count[t] {
						p.gridTile(grid, bufs[w], t, order[count[t]:count[t+1]], s, wt, psf, &stats[t])
					}
				}
			}
		}
		if nw == 1 || len(blocks) <= 1 {
			for _, b := range blocks {
				gridBlock(0, b)
			}
			continue
		}
		var pos atomic.Int64
		var wg sync.WaitGroup
		for w := range min(nw, len(blocks)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(pos.Add(1)) - 1
					if k >= len(blocks) {
						return
					}
					gridBlock(w, blocks[k])
				}
			}()
		}
		wg.Wait()
	}
	tot := pre
	for _, st := range stats {
		tot.add(st)
	}
	return tot, tot.err()
}

// Gridding goes by blocks of superTile x superTile tiles in gridPhases^2 phases: along each axis
// blocks alternate between two phases, and the last two blocks of an axis (whose buffers may wrap
// around the periodic grid onto the first blocks) have a phase each. The tiles' buffers of two
// blocks of one phase never overlap: a tile's buffer spans its tile and less than one more tile
// (bufStride < 2*tileSize), so a block's buffers stay within the block and less than one tile
// beyond it.
const (
	superTile  = 8
	gridPhases = 4
)

// blockPhase returns the phase of block (bu, bv) of an nbu x nbv grid of blocks.
func blockPhase(bu, nbu, bv, nbv int) int {
	axis := func(k, n int) int {
		if k >= n-2 {
			return 2 + k - max(n-2, 0)
		}
		return k % 2
	}
	return axis(bv, nbv)*gridPhases + axis(bu, nbu)
}

// gridTile accumulates the samples idx (all of tile t, in order) into buf and adds buf to the
// grid.
func (p *Plan) gridTile(grid, buf []complex64, t int, idx []int32, s *imaging.Samples, wt []float32, psf bool, st *Stats) {
	S := p.bufStride()
	tu, tv := t%p.ntu, t/p.ntu
	acc := p.gridFn
	var ku, kv [maxTaps]float32
	clear(buf)
	for _, ii := range idx {
		i := int(ii)
		wi := wt[i]
		vis := complex64(1)
		if !psf {
			vis = s.Vis[i]
		}
		i0, j0, norm, _, _ := p.sampleTaps(s.U[i], s.V[i], &ku, &kv)
		lu, lv := i0-tu*tileSize, j0-tv*tileSize
		acc(buf, lv*S+lu, S, &ku, &kv, real(vis)*wi, imag(vis)*wi)
		st.SumWeights += float64(wi)
		st.Norm += float64(wi) * float64(norm)
		st.Gridded++
	}
	x0, y0 := tu*tileSize, tv*tileSize
	for r := 0; r < S; r++ {
		y := y0 + r
		for y >= p.nv {
			y -= p.nv
		}
		dst := grid[y*p.nu : (y+1)*p.nu]
		src := buf[r*S : (r+1)*S]
		if x0+S <= p.nu {
			d := dst[x0 : x0+S]
			d = d[:len(src)]
			for c := range src {
				d[c] += src[c]
			}
		} else {
			x := x0
			for c := range src {
				for x >= p.nu {
					x -= p.nu
				}
				dst[x] += src[c]
				x++
			}
		}
	}
}

// firstCells returns the first tap cells of a sample as sampleTaps does, without the kernel.
func (p *Plan) firstCells(u, v float64) (i0, j0 int, ok, bad bool) {
	a, b := p.coords(u, v)
	if !finite(a) || !finite(b) {
		return 0, 0, false, true
	}
	if p.kind == KernelCASA {
		ia, oku := casaFirst(a, p.nu)
		ja, okv := casaFirst(b, p.nv)
		return ia, ja, oku && okv, false
	}
	i0, _ = p.esFirst(a, p.nu)
	j0, _ = p.esFirst(b, p.nv)
	return i0, j0, true, false
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
