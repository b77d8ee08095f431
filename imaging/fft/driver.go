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

// Strip widths. A row strip is transposed through registers, so a few lanes suffice; a column
// strip reads lanes*8 contiguous bytes from each row, so wider strips make fewer, longer strided
// accesses. Both keep the two strip buffers (2 * n * lanes * 8 bytes) within a core's L2 cache.
func rowLanesFor(n int) int {
	if n <= 4096 {
		return 16
	}
	return 8
}

func colLanesFor(n int) int {
	switch {
	case n <= 4096:
		return 32
	case n <= 8192:
		return 16
	default:
		return 8
	}
}

type worker struct {
	row, col runner
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
	if len(rows) < lanes || len(segs) != 1 || segs[0].hi-segs[0].lo != nx {
		clear(buf[:nx*lanes])
	}
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

// contiguous reports whether cols is an increasing run of consecutive indices.
func contiguous(cols []int) bool { return cols[len(cols)-1]-cols[0] == len(cols)-1 }

// gatherCols copies columns cols (at most lanes of them) into buf, element y of column cols[l] to
// buf[y*lanes+l]. With rows nil every row is read; otherwise only the row segments rows, the rest
// being zero.
func gatherCols(buf []complex64, lanes int, data []complex64, nx, ny int, cols []int, rows []seg) {
	nb := len(cols)
	if rows != nil {
		clear(buf[:ny*lanes])
	} else {
		rows = []seg{{0, ny}}
		if nb < lanes {
			for y := 0; y < ny; y++ {
				clear(buf[y*lanes+nb : y*lanes+lanes])
			}
		}
	}
	x0 := cols[0]
	fast := contiguous(cols) && useAVX2 && nb%4 == 0
	for _, s := range rows {
		if s.hi <= s.lo {
			continue
		}
		if fast {
			copyStrided(buf[s.lo*lanes:], lanes, data[s.lo*nx+x0:], nx, s.hi-s.lo, nb, 0)
			continue
		}
		for y := s.lo; y < s.hi; y++ {
			row := data[y*nx : y*nx+nx]
			out := buf[y*lanes : y*lanes+nb]
			for l, x := range cols {
				out[l] = row[x]
			}
		}
	}
}

// scatterCols is the inverse of gatherCols for the row segments rows (every row when nil). With
// stream set it writes with non-temporal stores where alignment allows: for the last pass over
// a grid larger than the caches, it saves reading every destination line before writing it.
func scatterCols(data []complex64, nx, ny int, cols []int, rows []seg, res []complex64, lanes int, stream bool) {
	nb := len(cols)
	if rows == nil {
		rows = []seg{{0, ny}}
	}
	x0 := cols[0]
	fast := contiguous(cols) && useAVX2 && nb%4 == 0
	stream = stream && fast && nx%4 == 0 && uintptr(unsafe.Pointer(&data[x0]))%32 == 0
	for _, s := range rows {
		if s.hi <= s.lo {
			continue
		}
		if stream {
			copyStridedNT(data[s.lo*nx+x0:], nx, res[s.lo*lanes:], lanes, s.hi-s.lo, nb)
			continue
		}
		if fast {
			copyStrided(data[s.lo*nx+x0:], nx, res[s.lo*lanes:], lanes, s.hi-s.lo, nb, 0)
			continue
		}
		for y := s.lo; y < s.hi; y++ {
			row := data[y*nx : y*nx+nx]
			in := res[y*lanes : y*lanes+nb]
			for l, x := range cols {
				row[x] = in[l]
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

// colPass transforms the columns listed, reading the row segments in (nil: all; others taken as
// zero) and writing the row segments out (nil: all). last says no pass reads data after this one.
func (d *driver) colPass(data []complex64, dir Direction, cols []int, in, out []seg, last bool) {
	stream := last && len(data)*8 >= d.streamBytes
	d.strips(cols, d.colLanes, func(w *worker, strip []int) {
		gatherCols(w.col.buf(), d.colLanes, data, d.nx, d.ny, strip, in)
		res := w.col.run(dir)
		scatterCols(data, d.nx, d.ny, strip, out, res, d.colLanes, stream)
	})
}

// defaultStreamBytes is the grid size from which the last pass writes with non-temporal stores:
// grids this large do not stay in cache for the caller anyway.
const defaultStreamBytes = 64 << 20

func (d *driver) transform(data []complex64, dir Direction) {
	d.checkLen(data)
	all := []seg{{0, d.nx}}
	d.rowPass(data, dir, indices(d.ny), all, all)
	d.colPass(data, dir, indices(d.nx), nil, nil, true)
}

func (d *driver) transformSparse(data []complex64, dir Direction, in Rect) {
	d.checkLen(data)
	inRows, inRowSegs := span(in.Y0, in.NY, d.ny)
	_, inSegs := span(in.X0, in.NX, d.nx)
	d.rowPass(data, dir, inRows, inSegs, []seg{{0, d.nx}})
	d.colPass(data, dir, indices(d.nx), inRowSegs, nil, true)
}

func (d *driver) transformCrop(data []complex64, dir Direction, out Rect) {
	d.checkLen(data)
	outRows, outRowSegs := span(out.Y0, out.NY, d.ny)
	_, outSegs := span(out.X0, out.NX, d.nx)
	d.colPass(data, dir, indices(d.nx), nil, outRowSegs, false)
	d.rowPass(data, dir, outRows, []seg{{0, d.nx}}, outSegs)
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
