package spool

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
)

// WriterOptions configures NewWriter. nil means the defaults.
type WriterOptions struct {
	// BufferBytes bounds the Writer's memory: two sample buffers (one filling while the other is
	// sorted and written), the sort scratch and the write buffer. Default 64 MiB. It must hold at
	// least 16 samples per channel in each buffer (NewWriter says how much that is).
	BufferBytes int64
	// UVScale, if set, gives per output channel the half-width in wavelengths of the uv square
	// on which Morton cells are laid out (the longest baseline times the channel's highest
	// frequency over c). A channel without one takes 1.25 times the largest |u|, |v| of its first
	// run. Samples beyond the square fall into the edge cells: order stays well defined.
	UVScale []float64
	// RefFreq gives per output channel the frequency (Hz) that samples' frequencies are stored
	// relative to (as float32 differences): the channel's frequency. nil means 1 Hz for every
	// channel, for Add, whose u, v, w are in wavelengths.
	RefFreq []float64
}

// sample is one buffered sample (one cache line fill per Add, where separate arrays would cost
// several): u, v in wavelengths for its Morton cell, its row and frequency offset as stored.
type sample struct {
	u, v float64
	row  uint32
	df   float32
	vis  complex64
	wt   float32
}

// Memory per buffered sample slot: a slot in each of the two buffers plus the worst-case sort
// scratch (keys, permutation and their radix copies) when one channel fills a buffer.
const (
	slotBytes   = 2*40 + 2 + 4 + 4 + 2
	writeBufMax = 4 << 20
)

// buffer holds samples of all channels in arrival order, channel c in [start[c], end[c]).
type buffer struct {
	s               []sample
	free            func()
	start, pos, end []int
}

func newBuffer(slots, nchan int) *buffer {
	s, free := allocSamples(slots)
	return &buffer{s: s, free: free, start: make([]int, nchan), pos: make([]int, nchan), end: make([]int, nchan)}
}

// partition lays out the channels' regions in proportion to share (samples per channel in the
// last filled buffer; nil for equal regions), each at least minRegion slots.
func (b *buffer) partition(share []int64) {
	nchan := len(b.start)
	slots := len(b.s)
	var total float64
	for _, s := range share {
		total += float64(s)
	}
	floor := total/float64(8*nchan) + 1
	weight := func(c int) float64 {
		if share == nil {
			return 1
		}
		return float64(share[c]) + floor
	}
	var sum float64
	for c := range nchan {
		sum += weight(c)
	}
	free := slots - minRegion*nchan
	at := 0
	var acc float64
	for c := range nchan {
		acc += weight(c)
		next := minRegion*(c+1) + int(float64(free)*acc/sum)
		if c == nchan-1 {
			next = slots
		}
		b.start[c], b.pos[c], b.end[c] = at, at, next
		at = next
	}
}

const minRegion = 16

// Writer builds a spool from samples given in any order, in one pass and bounded memory: samples
// are buffered per channel; when a channel's part of the buffer is full, the buffer is handed to
// a goroutine that sorts each channel's samples by uv cell and appends them to samples.dat as
// one run, while Add fills the other buffer. The Writer reads nothing: the caller reads the input
// once and calls Add for every sample. A Writer is not safe for concurrent use.
type Writer struct {
	dir   string
	nchan int
	slots int

	cur      *buffer
	free     chan *buffer
	toFlush  chan *buffer
	done     chan struct{}
	nbuffers int
	all      []*buffer // every buffer allocated, to release at the end

	// rows.dat is written by Add and AddRow (not by the flush goroutine).
	rows     *os.File
	rowsBuf  []byte
	rowsN    int64
	rowsHash *xxhash.Digest
	refFreq  []float64

	// Owned by the flush goroutine until done is closed.
	samples, index *os.File
	fileOff        int64
	runs           []int64
	chans          []Channel
	flushErr       error
	errMu          sync.Mutex
	wbuf           []byte
	hashed         int
	keys, tk       []uint16
	perm, tp       []int32

	stats   Stats
	started time.Time
	closed  bool
}

// NewWriter starts a spool of nchan output channels in dir (created if needed). Any previous
// spool in dir is removed first, so an interrupted build leaves no spool that Open accepts.
func NewWriter(dir string, nchan int, opts *WriterOptions) (*Writer, error) {
	if nchan <= 0 {
		return nil, fmt.Errorf("spool: nchan %d", nchan)
	}
	var o WriterOptions
	if opts != nil {
		o = *opts
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = 64 << 20
	}
	if o.UVScale != nil && len(o.UVScale) != nchan {
		return nil, fmt.Errorf("spool: %d uv scales for %d channels", len(o.UVScale), nchan)
	}
	if o.RefFreq != nil && len(o.RefFreq) != nchan {
		return nil, fmt.Errorf("spool: %d reference frequencies for %d channels", len(o.RefFreq), nchan)
	}
	wb := min(int64(writeBufMax), o.BufferBytes/8)
	rb := min(int64(rowsBufBytes), o.BufferBytes/16)
	slots := (o.BufferBytes - wb - rb) / slotBytes
	if slots < int64(2*minRegion*nchan) {
		return nil, fmt.Errorf("spool: a buffer of %d bytes is too small for %d channels (need at least %d bytes)",
			o.BufferBytes, nchan, int64(2*minRegion*nchan)*slotBytes+wb)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, n := range []string{manifestName, samplesName, indexName, rowsName} {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	w := &Writer{dir: dir, nchan: nchan, slots: int(slots), free: make(chan *buffer, 2),
		toFlush: make(chan *buffer, 1), done: make(chan struct{}), chans: make([]Channel, nchan),
		wbuf: make([]byte, 0, wb), started: time.Now(), rowsHash: xxhash.New(),
		rowsBuf: make([]byte, 0, max(rb, 4*rowEntryBytes)), refFreq: make([]float64, nchan)}
	for c := range w.chans {
		if o.UVScale != nil && o.UVScale[c] > 0 && !math.IsInf(o.UVScale[c], 0) {
			w.chans[c].UVScale = o.UVScale[c]
		}
		w.refFreq[c] = 1
		if o.RefFreq != nil {
			w.refFreq[c] = o.RefFreq[c]
		}
		w.chans[c].RefFreq = w.refFreq[c]
	}
	var err error
	if w.samples, err = os.Create(filepath.Join(dir, samplesName)); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if w.index, err = os.Create(filepath.Join(dir, indexName)); err != nil {
		w.samples.Close()
		return nil, fmt.Errorf("spool: %w", err)
	}
	if w.rows, err = os.Create(filepath.Join(dir, rowsName)); err != nil {
		w.samples.Close()
		w.index.Close()
		return nil, fmt.Errorf("spool: %w", err)
	}
	w.cur = newBuffer(w.slots, nchan)
	w.all = []*buffer{w.cur}
	w.nbuffers = 1
	w.cur.partition(nil)
	go w.flusher()
	return w, nil
}

// NChan returns the number of output channels.
func (w *Writer) NChan() int { return w.nchan }

// rowsBufBytes bounds the write buffer of rows.dat.
const rowsBufBytes = 1 << 20

// AddRow records an input row's u/c, v/c, w/c (UVW in metres over the speed of light) and
// returns its index for AddSample.
func (w *Writer) AddRow(uc, vc, wc float64) (uint32, error) {
	if w.rowsN >= 1<<32-1 {
		return 0, errors.New("spool: more than 2^32-1 rows")
	}
	le := binary.LittleEndian
	w.rowsBuf = le.AppendUint64(w.rowsBuf, math.Float64bits(uc))
	w.rowsBuf = le.AppendUint64(w.rowsBuf, math.Float64bits(vc))
	w.rowsBuf = le.AppendUint64(w.rowsBuf, math.Float64bits(wc))
	if len(w.rowsBuf) > cap(w.rowsBuf)-rowEntryBytes {
		if err := w.flushRows(); err != nil {
			return 0, err
		}
	}
	w.rowsN++
	return uint32(w.rowsN - 1), nil
}

func (w *Writer) flushRows() error {
	if len(w.rowsBuf) == 0 {
		return nil
	}
	w.rowsHash.Write(w.rowsBuf)
	if _, err := w.rows.Write(w.rowsBuf); err != nil {
		return fmt.Errorf("spool: write %s: %w", w.rows.Name(), err)
	}
	w.stats.BytesWritten += int64(len(w.rowsBuf))
	w.rowsBuf = w.rowsBuf[:0]
	return nil
}

// Add buffers one sample of output channel ch with u, v, w in wavelengths, in a row of its own
// (for spools written directly; Build uses AddRow and AddSample). Samples with weight <= 0 or
// non-finite values are counted as flagged and dropped.
func (w *Writer) Add(ch int, u, v, ww float64, vis complex64, wt float32) error {
	if uint(ch) >= uint(w.nchan) {
		return fmt.Errorf("spool: channel %d out of range [0, %d)", ch, w.nchan)
	}
	f := w.refFreq[ch]
	if !finite(u + v + ww) {
		w.stats.SamplesFlagged++
		return nil
	}
	row, err := w.AddRow(u/f, v/f, ww/f)
	if err != nil {
		return err
	}
	return w.AddSample(ch, row, u/f, v/f, f, vis, wt)
}

// AddSample buffers one sample of output channel ch: row is its row (AddRow), uc and vc that
// row's u/c and v/c, freq the sample's own frequency (Hz). Its u, v, w are the row's times freq
// as stored (the channel's reference frequency plus a float32 difference). Samples with weight
// <= 0 or non-finite values are counted as flagged and dropped.
func (w *Writer) AddSample(ch int, row uint32, uc, vc, freq float64, vis complex64, wt float32) error {
	if uint(ch) >= uint(w.nchan) {
		return fmt.Errorf("spool: channel %d out of range [0, %d)", ch, w.nchan)
	}
	df := float32(freq - w.refFreq[ch])
	f := w.refFreq[ch] + float64(df)
	u, v := uc*f, vc*f
	re, im := float64(real(vis)), float64(imag(vis))
	if !(wt > 0) || wt > math.MaxFloat32 || !finite(u+v+re+im+float64(df)) {
		w.stats.SamplesFlagged++
		return nil
	}
	b := w.cur
	p := b.pos[ch]
	if p == b.end[ch] {
		if err := w.rotate(); err != nil {
			return err
		}
		b = w.cur
		p = b.pos[ch]
	}
	b.s[p] = sample{u: u, v: v, row: row, df: df, vis: vis, wt: wt}
	b.pos[ch] = p + 1
	return nil
}

// CountFlagged records n samples dropped by the caller (flagged in the input).
func (w *Writer) CountFlagged(n int64) { w.stats.SamplesFlagged += n }

// CountRows records rows read from the input and rows that passed the selection.
func (w *Writer) CountRows(read, selected int64) {
	w.stats.RowsRead += read
	w.stats.RowsSelected += selected
}

// SetInputBytesRead records the number of input bytes the caller read, for the manifest's stats.
func (w *Writer) SetInputBytesRead(n int64) { w.stats.InputBytesRead = n }

// MemoryBytes returns the most memory the Writer holds: its buffers at their full size.
func (w *Writer) MemoryBytes() int64 {
	return int64(w.slots)*slotBytes + int64(cap(w.wbuf)) + int64(cap(w.rowsBuf))
}

// x+y+... is finite iff every term is (an infinity or NaN propagates; finite float64 sums of a
// few float32-range values cannot overflow).
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// rotate hands the current buffer to the flush goroutine and continues in the other one.
func (w *Writer) rotate() error {
	if w.closed {
		return errors.New("spool: Add after Finish or Abort")
	}
	if err := w.err(); err != nil {
		return err
	}
	full := w.cur
	fill := make([]int64, w.nchan)
	for c := range fill {
		fill[c] = int64(full.pos[c] - full.start[c])
	}
	w.toFlush <- full
	var next *buffer
	if w.nbuffers < 2 {
		next = newBuffer(w.slots, w.nchan)
		w.all = append(w.all, next)
		w.nbuffers++
	} else {
		next = <-w.free
	}
	if err := w.err(); err != nil {
		return err
	}
	next.partition(fill)
	w.cur = next
	return nil
}

func (w *Writer) err() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.flushErr
}

func (w *Writer) flusher() {
	defer close(w.done)
	for b := range w.toFlush {
		if w.err() == nil {
			if err := w.writeRun(b); err != nil {
				w.errMu.Lock()
				w.flushErr = err
				w.errMu.Unlock()
			}
		}
		for c := range b.pos {
			b.pos[c] = b.start[c]
		}
		w.free <- b
	}
}

// writeRun sorts each channel of b by uv cell and appends them to samples.dat as one run, and the
// run's index entries to index.dat.
func (w *Writer) writeRun(b *buffer) error {
	runOff := w.fileOff
	entries := make([]byte, 0, w.nchan*indexEntryBytes)
	off := runOff
	d := xxhash.New()
	for c := range w.nchan {
		lo, hi := b.start[c], b.pos[c]
		n := hi - lo
		var sum uint64
		noDF := false
		if n > 0 {
			var sumw float64
			var err error
			if sum, sumw, noDF, err = w.writeSegment(b, c, lo, hi, d); err != nil {
				return err
			}
			w.chans[c].Count += int64(n)
			w.chans[c].SumWeight += sumw
		}
		count := uint64(n)
		if noDF {
			count |= countNoDF
		}
		entries = binary.LittleEndian.AppendUint64(entries, uint64(off))
		entries = binary.LittleEndian.AppendUint64(entries, count)
		entries = binary.LittleEndian.AppendUint64(entries, sum)
		off += segmentBytes(int64(n), noDF)
	}
	if err := w.drain(); err != nil {
		return err
	}
	if _, err := w.index.Write(entries); err != nil {
		return fmt.Errorf("spool: write %s: %w", w.index.Name(), err)
	}
	w.runs = append(w.runs, runOff)
	w.fileOff = off
	startWriteback(w.samples, runOff, off-runOff)
	return nil
}

// writeSegment writes channel c's samples b[lo:hi] in cell order and returns their checksum,
// weight sum, and whether their frequency offsets are all 0 and so not written (noDF).
func (w *Writer) writeSegment(b *buffer, c, lo, hi int, d *xxhash.Digest) (uint64, float64, bool, error) {
	n := hi - lo
	noDF := true
	for i := lo; i < hi && noDF; i++ {
		noDF = b.s[i].df == 0 && !math.Signbit(float64(b.s[i].df))
	}
	ch := &w.chans[c]
	if ch.UVScale == 0 {
		var m float64
		for i := lo; i < hi; i++ {
			m = max(m, math.Abs(b.s[i].u), math.Abs(b.s[i].v))
		}
		ch.UVScale = 1.25 * m
		if ch.UVScale == 0 {
			ch.UVScale = 1
		}
	}
	if cap(w.keys) < n {
		w.keys, w.tk = make([]uint16, n), make([]uint16, n)
		w.perm, w.tp = make([]int32, n), make([]int32, n)
	}
	keys, perm := w.keys[:n], w.perm[:n]
	inv := keyInv(ch.UVScale)
	for i := range n {
		keys[i] = cellKey(b.s[lo+i].u, b.s[lo+i].v, inv)
	}
	sortPerm(keys, perm, w.tp, w.tk)

	d.Reset()
	var sumw float64
	if size := int(segmentBytes(int64(n), noDF)); size <= cap(w.wbuf) {
		// The segment fits the write buffer: gather each sample once and write its four
		// fields into their sections, rather than one pass over the samples per section.
		if cap(w.wbuf)-len(w.wbuf) < size {
			if err := w.spill(d); err != nil {
				return 0, 0, false, err
			}
		}
		sumw = putSegment(w.wbuf[len(w.wbuf):len(w.wbuf)+size], b.s[lo:hi], perm, noDF)
		w.wbuf = w.wbuf[:len(w.wbuf)+size]
	} else {
		for sec := range 4 {
			if sec == 1 && noDF {
				continue
			}
			sum, err := w.putSection(b.s[lo:hi], perm, sec, d)
			if err != nil {
				return 0, 0, false, err
			}
			sumw += sum
		}
	}
	d.Write(w.wbuf[w.hashed:])
	w.hashed = len(w.wbuf)
	return d.Sum64(), sumw, noDF, nil
}

// putSegment writes the samples s in the order perm as one segment into seg (exactly
// segmentBytes long): the Row, DF (unless noDF), Vis and Weight sections. It returns the sum of
// the weights, added in the order perm as putSection adds them.
func putSegment(seg []byte, s []sample, perm []int32, noDF bool) float64 {
	n := len(perm)
	le := binary.LittleEndian
	rows := seg[:4*n]
	at := 4 * n
	var dfs []byte
	if !noDF {
		dfs = seg[at : at+4*n]
		at += 4 * n
	}
	vis := seg[at : at+8*n]
	wts := seg[at+8*n : at+12*n]
	var sum float64
	for t, p := range perm {
		x := &s[p]
		le.PutUint32(rows[4*t:], x.row)
		if dfs != nil {
			le.PutUint32(dfs[4*t:], math.Float32bits(x.df))
		}
		le.PutUint32(vis[8*t:], math.Float32bits(real(x.vis)))
		le.PutUint32(vis[8*t+4:], math.Float32bits(imag(x.vis)))
		le.PutUint32(wts[4*t:], math.Float32bits(x.wt))
		sum += float64(x.wt)
	}
	return sum
}

// putSection appends section sec (0 row, 1 frequency offset, 2 vis, 3 weight) of the samples s
// in the order perm to the write buffer, spilling it as it fills; for the weights it returns
// their sum.
func (w *Writer) putSection(s []sample, perm []int32, sec int, d *xxhash.Digest) (float64, error) {
	size := 4
	if sec == 2 {
		size = 8
	}
	le := binary.LittleEndian
	var sum float64
	for j := 0; j < len(perm); {
		if cap(w.wbuf)-len(w.wbuf) < size {
			if err := w.spill(d); err != nil {
				return 0, err
			}
		}
		m := min((cap(w.wbuf)-len(w.wbuf))/size, len(perm)-j)
		at := len(w.wbuf)
		buf := w.wbuf[at : at+size*m]
		ps := perm[j : j+m]
		switch sec {
		case 0:
			for t, p := range ps {
				le.PutUint32(buf[4*t:], s[p].row)
			}
		case 1:
			for t, p := range ps {
				le.PutUint32(buf[4*t:], math.Float32bits(s[p].df))
			}
		case 2:
			for t, p := range ps {
				x := s[p].vis
				le.PutUint32(buf[8*t:], math.Float32bits(real(x)))
				le.PutUint32(buf[8*t+4:], math.Float32bits(imag(x)))
			}
		case 3:
			for t, p := range ps {
				x := s[p].wt
				le.PutUint32(buf[4*t:], math.Float32bits(x))
				sum += float64(x)
			}
		}
		w.wbuf = w.wbuf[:at+size*m]
		j += m
	}
	return sum, nil
}

// spill hashes the part of the write buffer not yet hashed into d and writes the buffer out.
func (w *Writer) spill(d *xxhash.Digest) error {
	d.Write(w.wbuf[w.hashed:])
	return w.drain()
}

// drain writes the write buffer to samples.dat (its bytes already hashed).
func (w *Writer) drain() error {
	if len(w.wbuf) > 0 {
		if _, err := w.samples.Write(w.wbuf); err != nil {
			return fmt.Errorf("spool: write %s: %w", w.samples.Name(), err)
		}
		w.stats.BytesWritten += int64(len(w.wbuf))
	}
	w.wbuf, w.hashed = w.wbuf[:0], 0
	return nil
}

// Abort stops the build and removes its files; no spool is left behind.
func (w *Writer) Abort() {
	w.stop()
	w.samples.Close()
	w.index.Close()
	w.rows.Close()
	for _, n := range []string{manifestName, samplesName, indexName, rowsName} {
		os.Remove(filepath.Join(w.dir, n))
	}
}

// stop ends the flush goroutine after the buffers handed to it are written.
// It then unmaps the buffers; the current buffer becomes an empty one so that a later Add
// fails in rotate instead of writing to released memory.
func (w *Writer) stop() {
	if !w.closed {
		w.closed = true
		close(w.toFlush)
		<-w.done
		for _, b := range w.all {
			b.free()
		}
		w.all = nil
		w.cur = &buffer{start: make([]int, w.nchan), pos: make([]int, w.nchan), end: make([]int, w.nchan)}
	}
}

// Finish writes the buffered samples, syncs the files and writes the manifest with key and plan
// (see Manifest.Plan). The spool is complete only once Finish returns nil; on error the files are
// removed.
func (w *Writer) Finish(ctx context.Context, key Key, plan json.RawMessage) (err error) {
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	if w.closed {
		return errors.New("spool: Finish after Finish or Abort")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for c := range w.nchan {
		if w.cur.pos[c] > w.cur.start[c] {
			w.toFlush <- w.cur
			break
		}
	}
	w.stop()
	if err := w.err(); err != nil {
		return err
	}
	// The data files are not fsynced: a spool is derived data whose every segment is
	// checksummed, and a process crash loses nothing in the page cache. A power loss that leaves
	// the manifest with unwritten data is caught by the checksums when the spool is read
	// (ErrChecksum), and the pipeline then drops the spool so that the next run rebuilds it.
	if err := w.flushRows(); err != nil {
		return err
	}
	for _, f := range []*os.File{w.samples, w.index, w.rows} {
		if err := f.Close(); err != nil {
			return fmt.Errorf("spool: close %s: %w", f.Name(), err)
		}
	}
	man := Manifest{Version: Version, Key: key, Plan: plan, Runs: w.runs, Channels: w.chans, Stats: w.stats,
		Rows: w.rowsN, RowsXXHash: w.rowsHash.Sum64()}
	if man.Runs == nil {
		man.Runs = []int64{}
	}
	for _, c := range w.chans {
		man.Stats.SamplesWritten += c.Count
	}
	man.Stats.Seconds = time.Since(w.started).Seconds()
	return writeManifest(w.dir, &man)
}

func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("spool: manifest: %w", err)
	}
	path := filepath.Join(dir, manifestName)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("spool: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("spool: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("spool: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
