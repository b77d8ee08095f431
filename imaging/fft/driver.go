package fft

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The 2-D driver: a transform is a pass over rows and a pass over columns. Each pass moves strips of
// `lanes` lines into a small buffer (transposing rows on the way, copying a few contiguous columns
// per row for columns) so that the 1-D engine works on interleaved lanes in cache, then writes the
// strip back. The strips of a pass are spread over the plan's goroutines. The padded and real
// entry points are the same passes with narrower gathers and scatters.

// engine computes batches of 1-D transforms of one length.
type engine interface {
	newRunner(lanes int) runner
}

// runner is one goroutine's scratch for an engine: buf is where a strip is gathered (element j of
// lane l at j*lanes+l); run transforms it and returns the buffer holding the result.
type runner interface {
	buf() []complex64
	run(dir Direction) []complex64
}

// goEngine is the pure-Go engine.
type goEngine struct{ lp *linePlan }

type goRunner struct {
	lp *linePlan
	w  *lineWork
}

func (e goEngine) newRunner(lanes int) runner {
	return &goRunner{lp: e.lp, w: e.lp.newWork(lanes)}
}
func (r *goRunner) buf() []complex64              { return r.w.bufs[0] }
func (r *goRunner) run(dir Direction) []complex64 { return r.lp.run(r.w, dir) }

// Strip widths, measured (BenchmarkTransform2D, 1 thread). A row strip is transposed through
// registers four rows at a time, and narrow row strips keep the strip buffers small. A column
// strip reads lanes*8 contiguous bytes from each row, and the strided walk down the rows costs
// more than the strip buffers overflowing L2, so column strips are wide.
func rowLanesFor(n int) int {
	if n < 2048 {
		return 16
	}
	return 4
}

func colLanesFor(n int) int {
	if n <= 2048 {
		return 16
	}
	return 32
}

type worker struct {
	row, col runner
	scratch  []complex64 // for the real paths' Hermitian rows
}

// herm returns n elements of the worker's scratch.
func (w *worker) herm(n int) []complex64 {
	if len(w.scratch) < n {
		w.scratch = make([]complex64, n)
	}
	return w.scratch[:n]
}

// driver holds the strip machinery shared by the implementations.
type driver struct {
	nx, ny             int
	rowLanes, colLanes int
	threads            int
	workers            []*worker
	// streamBytes is the grid size from which the last pass writes with non-temporal stores.
	streamBytes int
}

func newDriver(nx, ny, threads int, rowEng, colEng engine) *driver {
	return newDriverLanes(nx, ny, threads, rowLanesFor(nx), colLanesFor(ny), rowEng, colEng)
}

func newDriverLanes(nx, ny, threads, rowLanes, colLanes int, rowEng, colEng engine) *driver {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	d := &driver{nx: nx, ny: ny, rowLanes: rowLanes, colLanes: colLanes, threads: threads,
		streamBytes: defaultStreamBytes}
	d.workers = make([]*worker, threads)
	for i := range d.workers {
		d.workers[i] = &worker{row: rowEng.newRunner(d.rowLanes), col: colEng.newRunner(d.colLanes)}
	}
	return d
}

// parallel calls fn(w, i) for i in [0, count), spread over the driver's workers.
func (d *driver) parallel(count int, fn func(w *worker, i int)) {
	t := min(d.threads, count)
	if t <= 1 {
		for i := 0; i < count; i++ {
			fn(d.workers[0], i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < t; k++ {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				fn(w, i)
			}
		}(d.workers[k])
	}
	wg.Wait()
}

// strips splits lines into strips of `lanes` and runs fn on each in parallel.
func (d *driver) strips(lines []int, lanes int, fn func(w *worker, strip []int)) {
	count := (len(lines) + lanes - 1) / lanes
	d.parallel(count, func(w *worker, i int) {
		fn(w, lines[i*lanes:min((i+1)*lanes, len(lines))])
	})
}

// seg is a half-open range [lo, hi) of indices along one axis.
type seg struct{ lo, hi int }

// span returns the indices [x0, x0+n) modulo size, as a list and as at most two segments.
func span(x0, n, size int) ([]int, []seg) {
	x0 %= size
	if x0 < 0 {
		x0 += size
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = (x0 + i) % size
	}
	if x0+n <= size {
		return idx, []seg{{x0, x0 + n}}
	}
	return idx, []seg{{x0, size}, {0, x0 + n - size}}
}

func indices(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// ---- gathers and scatters ----

// rowBlock is how many columns of a strip of rows are moved at a time: the block of the strip
// buffer written stays in L1 while the four-row groups pass over it.
const rowBlock = 256

// gatherRows copies rows into buf transposed (element j of row rows[l] to buf[j*lanes+l]),
// reading only the column segments segs; every other element of buf becomes zero.
func gatherRows(buf []complex64, lanes int, data []complex64, nx int, rows []int, segs []seg) {
	if len(rows) < lanes {
		clear(buf[:nx*lanes])
	} else {
		for _, c := range complement(segs, nx) {
			clear(buf[c.lo*lanes : c.hi*lanes])
		}
	}
	transposeIn(buf, lanes, data, nx, rows, segs)
}

// complement returns the segments of [0, n) outside segs (which are sorted or wrap once).
func complement(segs []seg, n int) []seg {
	var out []seg
	at := 0
	sorted := append([]seg(nil), segs...)
	if len(sorted) == 2 && sorted[0].lo > sorted[1].lo {
		sorted[0], sorted[1] = sorted[1], sorted[0]
	}
	for _, s := range sorted {
		if s.lo > at {
			out = append(out, seg{at, s.lo})
		}
		at = max(at, s.hi)
	}
	if at < n {
		out = append(out, seg{at, n})
	}
	return out
}

// transposeIn is gatherRows without clearing: it writes only the lanes len(rows) and the columns
// in segs.
func transposeIn(buf []complex64, lanes int, data []complex64, nx int, rows []int, segs []seg) {
	for _, s := range segs {
		for j0 := s.lo; j0 < s.hi; j0 += rowBlock {
			j1 := min(j0+rowBlock, s.hi)
			l, j4 := 0, j0
			if useAVX2 && lanes%4 == 0 {
				j4 = j0 + (j1-j0)&^3
				if j4 > j0 {
					for ; l+4 <= len(rows); l += 4 {
						gather4(buf[j0*lanes+l:], lanes, &data[rows[l]*nx+j0], &data[rows[l+1]*nx+j0],
							&data[rows[l+2]*nx+j0], &data[rows[l+3]*nx+j0], j4-j0)
					}
				}
			}
			for k, y := range rows {
				from := j0
				if k < l {
					from = j4
				}
				if from == j1 {
					continue
				}
				row := data[y*nx+from : y*nx+j1]
				out := buf[from*lanes+k:]
				for jj, v := range row {
					out[jj*lanes] = v
				}
			}
		}
	}
}

// scatterRows is the inverse of gatherRows: element j of lane l goes to row rows[l], for the
// columns in segs only.
func scatterRows(data []complex64, nx int, rows []int, segs []seg, res []complex64, lanes int) {
	for _, s := range segs {
		for j0 := s.lo; j0 < s.hi; j0 += rowBlock {
			j1 := min(j0+rowBlock, s.hi)
			l, j4 := 0, j0
			if useAVX2 && lanes%4 == 0 {
				j4 = j0 + (j1-j0)&^3
				if j4 > j0 {
					for ; l+4 <= len(rows); l += 4 {
						scatter4(&data[rows[l]*nx+j0], &data[rows[l+1]*nx+j0], &data[rows[l+2]*nx+j0],
							&data[rows[l+3]*nx+j0], res[j0*lanes+l:], lanes, j4-j0)
					}
				}
			}
			for k, y := range rows {
				from := j0
				if k < l {
					from = j4
				}
				if from == j1 {
					continue
				}
				row := data[y*nx+from : y*nx+j1]
				in := res[from*lanes+k:]
				for jj := range row {
					row[jj] = in[jj*lanes]
				}
			}
		}
	}
}

// axisSet is the set of indices [x0, x0+n) modulo size along one axis.
type axisSet struct{ x0, n, size int }

func newAxisSet(x0, n, size int) axisSet {
	x0 %= size
	if x0 < 0 {
		x0 += size
	}
	return axisSet{x0, n, size}
}

func (a axisSet) has(x int) bool {
	d := x - a.x0
	if d < 0 {
		d += a.size
	}
	return d < a.n
}

// block is the strip [lo, hi) of an axis; full says every index of it is in the set it was cut
// for.
type block struct {
	lo, hi int
	full   bool
}

// blocks cuts the axis into aligned strips [k*w, (k+1)*w) and returns those meeting the set. Aligned
// strips start on cache lines (and vector widths), and a strip never holds an index twice even when
// the set wraps around.
func (a axisSet) blocks(w int) []block {
	var bs []block
	for lo := 0; lo < a.size; lo += w {
		hi := min(lo+w, a.size)
		any, all := false, true
		for x := lo; x < hi; x++ {
			if a.has(x) {
				any = true
			} else {
				all = false
			}
		}
		if any {
			bs = append(bs, block{lo, hi, all})
		}
	}
	return bs
}

// gatherCols copies the columns [x0, x0+nb) (nb <= lanes) into buf, element y of column x0+l to
// buf[y*lanes+l]. With rows nil every row is read; otherwise only the row segments rows, the rest
// being zero.
func gatherCols(buf []complex64, lanes int, data []complex64, nx, ny int, x0, nb int, rows []seg) {
	if rows != nil {
		if nb < lanes {
			clear(buf[:ny*lanes])
		} else {
			for _, c := range complement(rows, ny) {
				clear(buf[c.lo*lanes : c.hi*lanes])
			}
		}
	} else {
		rows = []seg{{0, ny}}
		if nb < lanes {
			for y := 0; y < ny; y++ {
				clear(buf[y*lanes+nb : y*lanes+lanes])
			}
		}
	}
	for _, s := range rows {
		if s.hi <= s.lo {
			continue
		}
		if useAVX2 && nb%4 == 0 {
			copyStrided(buf[s.lo*lanes:], lanes, data[s.lo*nx+x0:], nx, s.hi-s.lo, nb, 0)
			continue
		}
		for y := s.lo; y < s.hi; y++ {
			copy(buf[y*lanes:y*lanes+nb], data[y*nx+x0:y*nx+x0+nb])
		}
	}
}

// scatterCols is the inverse of gatherCols for the row segments rows (every row when nil). With
// stream set it writes with non-temporal stores where alignment allows: for the last pass over
// a grid larger than the caches, it saves reading every destination line before writing it.
func scatterCols(data []complex64, nx, ny int, x0, nb int, rows []seg, res []complex64, lanes int, stream bool) {
	if rows == nil {
		rows = []seg{{0, ny}}
	}
	fast := useAVX2 && nb%4 == 0
	stream = stream && fast && nx%4 == 0 && uintptr(unsafe.Pointer(&data[x0]))%32 == 0
	for _, s := range rows {
		if s.hi <= s.lo {
			continue
		}
		switch {
		case stream:
			copyStridedNT(data[s.lo*nx+x0:], nx, res[s.lo*lanes:], lanes, s.hi-s.lo, nb)
		case fast:
			copyStrided(data[s.lo*nx+x0:], nx, res[s.lo*lanes:], lanes, s.hi-s.lo, nb, 0)
		default:
			for y := s.lo; y < s.hi; y++ {
				copy(data[y*nx+x0:y*nx+x0+nb], res[y*lanes:y*lanes+nb])
			}
		}
	}
}

// ---- complex passes ----

// rowPass transforms the rows listed, reading the column segments in (others taken as zero) and
// writing the column segments out.
func (d *driver) rowPass(data []complex64, dir Direction, rows []int, in, out []seg) {
	d.strips(rows, d.rowLanes, func(w *worker, strip []int) {
		gatherRows(w.row.buf(), d.rowLanes, data, d.nx, strip, in)
		res := w.row.run(dir)
		scatterRows(data, d.nx, strip, out, res, d.rowLanes)
	})
}

// colPass transforms the columns of the aligned strips meeting cols, reading the row segments in
// (nil: all; others taken as zero) and writing the row segments out (nil: all). With zero set,
// columns outside cols are taken as zero instead of read; otherwise they are transformed too.
// last says no pass reads data after this one.
func (d *driver) colPass(data []complex64, dir Direction, cols axisSet, in, out []seg, zero, last bool) {
	stream := last && len(data)*8 >= d.streamBytes
	lanes := d.colLanes
	bs := cols.blocks(lanes)
	d.parallel(len(bs), func(w *worker, i int) {
		b := bs[i]
		buf := w.col.buf()
		gatherCols(buf, lanes, data, d.nx, d.ny, b.lo, b.hi-b.lo, in)
		if zero && !b.full {
			for x := b.lo; x < b.hi; x++ {
				if !cols.has(x) {
					for y := 0; y < d.ny; y++ {
						buf[y*lanes+x-b.lo] = 0
					}
				}
			}
		}
		res := w.col.run(dir)
		scatterCols(data, d.nx, d.ny, b.lo, b.hi-b.lo, out, res, lanes, stream)
	})
}

// defaultStreamBytes is the grid size from which the last pass writes with non-temporal stores:
// grids this large do not stay in cache for the caller anyway.
const defaultStreamBytes = 64 << 20

func (d *driver) transform(data []complex64, dir Direction) {
	d.checkLen(data)
	all := []seg{{0, d.nx}}
	d.rowPass(data, dir, indices(d.ny), all, all)
	d.colPass(data, dir, axisSet{0, d.nx, d.nx}, nil, nil, false, true)
}

// transformSparse: the row pass runs over the rows of in only, reading only the columns of in;
// the column pass reads only the rows of in. (Running the costlier column pass first, over the
// columns of in only, measured slower: its writes cannot stream.)
func (d *driver) transformSparse(data []complex64, dir Direction, in Rect) {
	d.checkLen(data)
	if in.NX == 0 || in.NY == 0 {
		clear(data)
		return
	}
	_, inSegs := span(in.X0, in.NX, d.nx)
	inRows, inRowSegs := span(in.Y0, in.NY, d.ny)
	d.rowPass(data, dir, inRows, inSegs, []seg{{0, d.nx}})
	d.colPass(data, dir, axisSet{0, d.nx, d.nx}, inRowSegs, nil, false, true)
}

// transformCrop: the row pass writes only the columns of out (to whole strips), and the column
// pass runs over those strips only, writing only the rows of out.
func (d *driver) transformCrop(data []complex64, dir Direction, out Rect) {
	d.checkLen(data)
	if out.NX == 0 || out.NY == 0 {
		return
	}
	cols := newAxisSet(out.X0, out.NX, d.nx)
	_, outRowSegs := span(out.Y0, out.NY, d.ny)
	d.rowPass(data, dir, indices(d.ny), []seg{{0, d.nx}}, blockSegs(cols.blocks(d.colLanes)))
	d.colPass(data, dir, cols, nil, outRowSegs, false, true)
}

// blockSegs merges blocks into segments.
func blockSegs(bs []block) []seg {
	var segs []seg
	for _, b := range bs {
		if n := len(segs); n > 0 && segs[n-1].hi == b.lo {
			segs[n-1].hi = b.hi
			continue
		}
		segs = append(segs, seg{b.lo, b.hi})
	}
	return segs
}

func (d *driver) checkLen(data []complex64) {
	if len(data) != d.nx*d.ny {
		panic("fft: data length does not match plan size")
	}
}

func (d *driver) checkRect(r Rect) {
	if r.NX < 0 || r.NY < 0 || r.NX > d.nx || r.NY > d.ny {
		panic("fft: rectangle larger than the plan")
	}
}
