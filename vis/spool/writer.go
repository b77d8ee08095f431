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
	"slices"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// sample is one buffered sample before it is sorted into its channel block.
type sample struct {
	u, v, w float64
	vis     complex64
	wt      float32
}

// WriterOptions configures NewWriter.
type WriterOptions struct {
	// BufferBytes bounds the samples held in memory while the input is read; when the buffers
	// reach it they are flushed as one run to a temporary file. Default 64 MiB.
	BufferBytes int64
	// Workers is the number of channels sorted and written at once in Finish. Default 1.
	Workers int
}

// Writer builds a spool from samples given in any order. It reads nothing: the caller reads the
// input once and calls Add for every sample. Memory is bounded by BufferBytes plus, in Finish, the
// largest channel's samples per worker.
type Writer struct {
	dir      string
	nchan    int
	opts     WriterOptions
	bufs     [][]sample
	buffered int64
	tmp      *os.File
	tmpSize  int64
	runs     [][]runPart // runs[r][ch]
	counts   []int64
	stats    Stats
}

type runPart struct{ off, n int64 }

const recordBytes = 36

// NewWriter starts a spool of nchan output channels in dir (created if needed). Any previous
// spool in dir is removed first.
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
	if o.Workers <= 0 {
		o.Workers = 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, n := range []string{manifestName, samplesName} {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	tmp, err := os.CreateTemp(dir, "runs-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &Writer{dir: dir, nchan: nchan, opts: o, bufs: make([][]sample, nchan), tmp: tmp, counts: make([]int64, nchan)}, nil
}

// NChan returns the number of output channels.
func (w *Writer) NChan() int { return w.nchan }

// Add buffers one sample of output channel ch. Samples with weight <= 0 or non-finite values are
// counted as flagged and dropped.
func (w *Writer) Add(ch int, u, v, ww float64, vis complex64, wt float32) error {
	if ch < 0 || ch >= w.nchan {
		return fmt.Errorf("spool: channel %d out of range [0, %d)", ch, w.nchan)
	}
	if !(wt > 0) || math.IsInf(float64(wt), 0) || !finite(u) || !finite(v) || !finite(ww) ||
		!finite(float64(real(vis))) || !finite(float64(imag(vis))) {
		w.stats.SamplesFlagged++
		return nil
	}
	w.bufs[ch] = append(w.bufs[ch], sample{u, v, ww, vis, wt})
	w.counts[ch]++
	w.buffered += recordBytes
	if w.buffered >= w.opts.BufferBytes {
		return w.flush()
	}
	return nil
}

// CountFlagged records n samples dropped by the caller (flagged in the input).
func (w *Writer) CountFlagged(n int64) { w.stats.SamplesFlagged += n }

// CountRows records n input rows read.
func (w *Writer) CountRows(n int64) { w.stats.RowsRead += n }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// flush writes the buffered samples as one run to the temporary file.
func (w *Writer) flush() error {
	if w.buffered == 0 {
		return nil
	}
	parts := make([]runPart, w.nchan)
	buf := make([]byte, 0, 1<<20)
	off := w.tmpSize
	for ch, b := range w.bufs {
		parts[ch] = runPart{off: off, n: int64(len(b))}
		for _, s := range b {
			buf = appendRecord(buf, s)
			if len(buf) >= 1<<20 {
				if _, err := w.tmp.Write(buf); err != nil {
					return fmt.Errorf("spool: write %s: %w", w.tmp.Name(), err)
				}
				buf = buf[:0]
			}
		}
		off += int64(len(b)) * recordBytes
		w.bufs[ch] = b[:0]
	}
	if _, err := w.tmp.Write(buf); err != nil {
		return fmt.Errorf("spool: write %s: %w", w.tmp.Name(), err)
	}
	w.stats.TempBytes += off - w.tmpSize
	w.tmpSize = off
	w.runs = append(w.runs, parts)
	w.buffered = 0
	return nil
}

func appendRecord(b []byte, s sample) []byte {
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.u))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.v))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.w))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(real(s.vis)))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(imag(s.vis)))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(s.wt))
	return b
}

func decodeRecord(b []byte) sample {
	return sample{
		u:   math.Float64frombits(binary.LittleEndian.Uint64(b[0:])),
		v:   math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
		w:   math.Float64frombits(binary.LittleEndian.Uint64(b[16:])),
		vis: complex(math.Float32frombits(binary.LittleEndian.Uint32(b[24:])), math.Float32frombits(binary.LittleEndian.Uint32(b[28:]))),
		wt:  math.Float32frombits(binary.LittleEndian.Uint32(b[32:])),
	}
}

// Abort removes the temporary file and leaves no spool behind.
func (w *Writer) Abort() {
	if w.tmp != nil {
		w.tmp.Close()
		os.Remove(w.tmp.Name())
		w.tmp = nil
	}
	os.Remove(filepath.Join(w.dir, samplesName))
}

// Finish sorts every channel's samples into Morton order of (u, v), writes samples.dat, then the
// manifest with key, and removes the temporary runs. The spool is complete only once Finish
// returns nil.
func (w *Writer) Finish(ctx context.Context, key Key) (err error) {
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()
	if err := w.flush(); err != nil {
		return err
	}
	man := Manifest{Version: Version, Key: key, Channels: make([]Block, w.nchan)}
	var off int64
	for ch := range man.Channels {
		man.Channels[ch] = Block{Offset: off, Count: w.counts[ch]}
		off = alignUp(off + blockBytes(w.counts[ch]))
	}
	path := filepath.Join(w.dir, samplesName)
	out, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer out.Close()
	if err := out.Truncate(off); err != nil {
		return fmt.Errorf("spool: size %s: %w", path, err)
	}

	var (
		mu       sync.Mutex
		firstErr error
		next     int
		wg       sync.WaitGroup
	)
	for range w.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s []sample
			var buf []byte
			for {
				mu.Lock()
				if firstErr != nil || next >= w.nchan {
					mu.Unlock()
					return
				}
				ch := next
				next++
				mu.Unlock()
				if err := ctx.Err(); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				var blk Block
				var err error
				s, buf, blk, err = w.writeChannel(out, ch, man.Channels[ch], s, buf)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				man.Channels[ch] = blk
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("spool: sync %s: %w", path, err)
	}
	for _, b := range man.Channels {
		man.Stats.SamplesWritten += b.Count
	}
	man.Stats.RowsRead = w.stats.RowsRead
	man.Stats.SamplesFlagged = w.stats.SamplesFlagged
	man.Stats.TempBytes = w.stats.TempBytes
	man.Stats.InputBytesRead = w.stats.InputBytesRead
	if err := writeManifest(w.dir, &man); err != nil {
		return err
	}
	w.tmp.Close()
	os.Remove(w.tmp.Name())
	w.tmp = nil
	return nil
}

// SetInputBytesRead records the number of input bytes the caller read, for the manifest's stats.
func (w *Writer) SetInputBytesRead(n int64) { w.stats.InputBytesRead = n }

// writeChannel gathers channel ch from every run, sorts it and writes its block.
func (w *Writer) writeChannel(out *os.File, ch int, blk Block, s []sample, buf []byte) ([]sample, []byte, Block, error) {
	s = s[:0]
	for _, run := range w.runs {
		p := run[ch]
		if p.n == 0 {
			continue
		}
		need := int(p.n * recordBytes)
		if cap(buf) < need {
			buf = make([]byte, need)
		}
		buf = buf[:need]
		if _, err := w.tmp.ReadAt(buf, p.off); err != nil {
			return s, buf, blk, fmt.Errorf("spool: read %s: %w", w.tmp.Name(), err)
		}
		for i := 0; i < need; i += recordBytes {
			s = append(s, decodeRecord(buf[i:]))
		}
	}
	sortMorton(s)
	n := len(s)
	need := int(blockBytes(int64(n)))
	if cap(buf) < need {
		buf = make([]byte, need)
	}
	buf = buf[:need]
	u, v, ww := buf[0:8*n], buf[8*n:16*n], buf[16*n:24*n]
	vis, wt := buf[24*n:32*n], buf[32*n:36*n]
	var sumw float64
	for i, x := range s {
		binary.LittleEndian.PutUint64(u[8*i:], math.Float64bits(x.u))
		binary.LittleEndian.PutUint64(v[8*i:], math.Float64bits(x.v))
		binary.LittleEndian.PutUint64(ww[8*i:], math.Float64bits(x.w))
		binary.LittleEndian.PutUint32(vis[8*i:], math.Float32bits(real(x.vis)))
		binary.LittleEndian.PutUint32(vis[8*i+4:], math.Float32bits(imag(x.vis)))
		binary.LittleEndian.PutUint32(wt[4*i:], math.Float32bits(x.wt))
		sumw += float64(x.wt)
	}
	if _, err := out.WriteAt(buf, blk.Offset); err != nil {
		return s, buf, blk, fmt.Errorf("spool: write %s: %w", out.Name(), err)
	}
	blk.XXHash = xxhash.Sum64(buf)
	blk.SumWeight = sumw
	return s, buf, blk, nil
}

// sortMorton orders samples by the Morton (Z-order) key of (u, v) quantised to 16 bits each over
// the channel's own extent. Ties keep their input order, so the result is deterministic.
func sortMorton(s []sample) {
	if len(s) < 2 {
		return
	}
	var umax float64
	for _, x := range s {
		umax = max(umax, math.Abs(x.u), math.Abs(x.v))
	}
	if umax == 0 {
		return
	}
	scale := 32767.5 / umax
	type keyed struct {
		k uint32
		i int32
	}
	ks := make([]keyed, len(s))
	for i, x := range s {
		qu := uint32(min(65535, math.Floor((x.u+umax)*scale)))
		qv := uint32(min(65535, math.Floor((x.v+umax)*scale)))
		ks[i] = keyed{interleave(qu) | interleave(qv)<<1, int32(i)}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		switch {
		case a.k < b.k:
			return -1
		case a.k > b.k:
			return 1
		}
		return 0
	})
	sorted := make([]sample, len(s))
	for i, k := range ks {
		sorted[i] = s[k.i]
	}
	copy(s, sorted)
}

// interleave spreads the low 16 bits of x to the even bits of the result.
func interleave(x uint32) uint32 {
	x &= 0xffff
	x = (x | x<<8) & 0x00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f
	x = (x | x<<2) & 0x33333333
	x = (x | x<<1) & 0x55555555
	return x
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
