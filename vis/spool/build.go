package spool

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/ms"
	"github.com/cubeimg/cubeimg/vis/spectral"
	"github.com/cubeimg/cubeimg/vis/uvfits"
)

// Options configures Build and OpenOrBuild. nil means the defaults.
type Options struct {
	Selection
	// Spec is the output spectral axis as tclean's nchan, start, width, restfreq, veltype and
	// outframe.
	Spec spectral.Spec
	// Interpolation is tclean's interpolation: "linear" (default) or "nearest".
	Interpolation string
	// MemoryBytes bounds the build's memory: the Writer's buffers plus the row chunks being read
	// (two, so that reading overlaps forming samples) plus an eighth and 16 MiB (at most a
	// quarter) kept for the rest: the Go runtime, garbage between collections. Default 256 MiB.
	MemoryBytes int64
	// ChunkRows, if > 0, fixes the rows per chunk (otherwise derived from MemoryBytes).
	ChunkRows int
	// Progress, if set, is called after each chunk of rows with the rows done so far.
	Progress func(rowsDone, rowsTotal int)
	// WrapReaderAt, if set, wraps every input file read by OpenOrBuild (e.g. vis.ReadCounter.Wrap).
	WrapReaderAt func(path string, r io.ReaderAt) io.ReaderAt
}

func (o *Options) withDefaults() Options {
	var x Options
	if o != nil {
		x = *o
	}
	if x.MemoryBytes <= 0 {
		x.MemoryBytes = 256 << 20
	}
	return x
}

// OpenOrBuild returns the spool of input (a MeasurementSet directory or a UVFITS file) in dir
// for the selection and axis in opts: the spool already there if its key (InputKey and
// SelectionKey) matches, without reading the input's data, else a new one built by Build (built
// is true). A spool in dir with another key is replaced. dir must not lie inside the input.
//
// Processes sharing dir (e.g. the tasks of a Slurm job array) take turns on an advisory lock
// (flock on dir/spool.lock): the first builds, the others wait and then reuse its spool. A
// process that has a spool open keeps reading the old files if another replaces them.
func OpenOrBuild(ctx context.Context, input, dir string, opts *Options) (sp *Spool, built bool, err error) {
	o := opts.withDefaults()
	key, err := MakeKey(input, &o)
	if err != nil {
		return nil, false, err
	}
	if inside(dir, input) {
		return nil, false, fmt.Errorf("spool: the spool directory %s lies inside the input %s", dir, input)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("spool: %w", err)
	}
	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return nil, false, fmt.Errorf("spool: lock %s: %w", dir, err)
	}
	defer unlock()
	// A spool with another key, or damaged, is rebuilt.
	if sp, err := Open(dir); err == nil {
		if sp.Manifest().Key.Equal(key) {
			return sp, false, nil
		}
		sp.Close()
	}
	var nread atomic.Int64
	wrap := func(path string, r io.ReaderAt) io.ReaderAt {
		if o.WrapReaderAt != nil {
			r = o.WrapReaderAt(path, r)
		}
		return &countReaderAt{r: r, n: &nread}
	}
	r, err := OpenInput(input, o.DataColumn, wrap)
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	sp, err = build(ctx, r, dir, key, &o, &nread)
	if err != nil {
		return nil, false, err
	}
	return sp, true, nil
}

// inside reports whether path p is parent or lies below it.
func inside(p, parent string) bool {
	x, err1 := filepath.Abs(p)
	y, err2 := filepath.Abs(parent)
	sep := string(filepath.Separator)
	return err1 == nil && err2 == nil && strings.HasPrefix(x+sep, y+sep)
}

type countReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c *countReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// OpenInput opens a MeasurementSet (a directory) or a UVFITS file (a file) as a vis.Reader.
// dataColumn applies to MeasurementSets; a UVFITS file has only DATA.
func OpenInput(path, dataColumn string, wrap func(string, io.ReaderAt) io.ReaderAt) (vis.Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("spool: input: %w", err)
	}
	if st.IsDir() {
		return ms.Open(path, &ms.Options{DataColumn: dataColumn, WrapReaderAt: wrap})
	}
	switch dataColumn {
	case "", "data", "DATA":
	default:
		return nil, fmt.Errorf("spool: %s is a UVFITS file: it has no %s column", path, dataColumn)
	}
	return uvfits.Open(path, &uvfits.Options{WrapReaderAt: wrap})
}

// Build reads r once, in row order, and writes the spool of the selection and axis in opts to
// dir with the given key (see MakeKey), replacing any spool there.
//
// For each selected row (selected field, spectral window and time range; cross-correlations
// only, autocorrelations are skipped) it converts the row's channel frequencies to the output
// frame (spectral.RowFactors, cached per time and field), maps them onto the output channels
// (spectral.MapCache, per spectral window and factor) and stores, per contribution, the Stokes I
// sample: V = (p1 + p2)/2 of the two parallel hands (XX/YY, RR/LL, in any correlation order; a
// Stokes I correlation is taken as is), weight the mean of the two hands' WEIGHT_SPECTRUM where
// the row has one, else of their WEIGHT, both interpolated with the contribution's weights;
// u, v, w = UVW * Freq / c at the sample's own frequency in the output frame. A sample is dropped
// (counted in Stats.SamplesFlagged) if FLAG_ROW is set, if either parallel hand of a data
// channel it uses is flagged, if its weight is not positive or if any value is not finite.
//
// A selected data description without a parallel-hand pair, or a row of another phase centre
// when every field is selected, is an error. Memory stays within opts.MemoryBytes whatever the
// input size.
func Build(ctx context.Context, r vis.Reader, dir string, key Key, opts *Options) (*Spool, error) {
	o := opts.withDefaults()
	return build(ctx, r, dir, key, &o, nil)
}

func build(ctx context.Context, r vis.Reader, dir string, key Key, o *Options, nread *atomic.Int64) (*Spool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := r.Meta()
	nrows := r.NumRows()
	if nrows == 0 {
		return nil, fmt.Errorf("spool: %s has no rows", m.Path)
	}
	interp, err := spectral.ParseInterpolation(o.Interpolation)
	if err != nil {
		return nil, err
	}

	// Memory: two chunks of rows, the Writer, and an eighth for everything else.
	rowBytes := int64(256)
	for dd := range m.DataDescs {
		if nchan, ncorr, err := m.CellShape(dd); err == nil {
			rowBytes = max(rowBytes, int64(nchan*ncorr)*(8+1+4+8)+int64(ncorr)*8+256)
		}
	}
	// Two chunks are in memory (one read while the other is formed), and the table reader keeps
	// a read window of the raw bytes of the chunk it reads (up to two while it replaces one):
	// four chunks' worth in all.
	chunkRows := o.ChunkRows
	if chunkRows <= 0 {
		chunkRows = int(max(1, o.MemoryBytes/32/rowBytes))
	}
	chunkRows = min(chunkRows, nrows)
	writerBytes := o.MemoryBytes - o.MemoryBytes/8 - min(16<<20, o.MemoryBytes/4) - 4*int64(chunkRows)*rowBytes

	var first vis.Chunk
	if err := r.ReadRows(ctx, 0, chunkRows, &first); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	plan, err := NewPlan(m, o.Selection, o.Spec, interp, first.Time[0], int(first.FieldID[0]))
	if err != nil {
		return nil, fmt.Errorf("spool: %s: %w", m.Path, err)
	}
	proc := newProcessor(plan, o.Selection)
	// No more buffer than the samples can need: rows times the most contributions per row.
	if perRow := proc.maxPerRow(); perRow > 0 {
		need := (int64(nrows)*int64(perRow)*21/20 + int64(2*minRegion*plan.Axis.NChan())) * slotBytes
		writerBytes = min(writerBytes, need+writeBufMax)
	}
	if writerBytes <= 0 {
		return nil, fmt.Errorf("spool: a memory limit of %d bytes leaves nothing for the sample buffers after four chunks of %d rows (two being read and formed, the reader's window of one)", o.MemoryBytes, chunkRows)
	}
	w, err := NewWriter(dir, plan.Axis.NChan(), &WriterOptions{BufferBytes: writerBytes, UVScale: plan.UVScale, RefFreq: plan.Axis.Freq})
	if err != nil {
		return nil, fmt.Errorf("spool: memory limit %d bytes: %w", o.MemoryBytes, err)
	}
	proc.w = w
	fail := func(err error) (*Spool, error) {
		cancel()
		w.Abort()
		return nil, err
	}

	// A reader goroutine fills chunks while this one forms samples.
	type filled struct {
		c   *vis.Chunk
		err error
	}
	pool := make(chan *vis.Chunk, 2)
	pool <- new(vis.Chunk)
	out := make(chan filled, 1)
	go func() {
		defer close(out)
		for row := chunkRows; row < nrows; row += chunkRows {
			var c *vis.Chunk
			select {
			case c = <-pool:
			case <-ctx.Done():
				return
			}
			err := r.ReadRows(ctx, row, min(chunkRows, nrows-row), c)
			select {
			case out <- filled{c, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	drain := func() {
		cancel()
		for range out {
		}
	}
	if err := proc.chunk(&first); err != nil {
		drain()
		return fail(err)
	}
	done := first.N
	if o.Progress != nil {
		o.Progress(done, nrows)
	}
	pool <- &first
	for f := range out {
		if f.err != nil {
			drain()
			return fail(fmt.Errorf("spool: %w", f.err))
		}
		if err := proc.chunk(f.c); err != nil {
			drain()
			return fail(err)
		}
		done += f.c.N
		pool <- f.c
		if o.Progress != nil {
			o.Progress(done, nrows)
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if done != nrows {
		return fail(fmt.Errorf("spool: read %d of %d rows", done, nrows))
	}
	w.CountRows(int64(nrows), proc.selected)
	w.CountFlagged(proc.flagged)
	if nread != nil {
		w.SetInputBytesRead(nread.Load())
	}
	info, err := json.Marshal(plan.Info(o.Selection))
	if err != nil {
		return fail(fmt.Errorf("spool: plan: %w", err))
	}
	if err := w.Finish(ctx, key, info); err != nil {
		return nil, err
	}
	return Open(dir)
}

// processor forms the Stokes I samples of chunks of rows.
type processor struct {
	p        *Plan
	w        *Writer
	rows     *spectral.RowFactors
	maps     *spectral.MapCache
	t0, t1   float64
	timeSel  bool
	selected int64
	flagged  int64
	jobs     []rowJob
}

func newProcessor(p *Plan, sel Selection) *processor {
	pr := &processor{p: p, rows: spectral.NewRowFactors(p.Ref.Conv, p.Axis, p.fieldDirs),
		maps: spectral.NewMapCache(spectral.NewMapper(p.Axis, p.Interp))}
	if sel.TimeRange != [2]float64{} {
		pr.timeSel, pr.t0, pr.t1 = true, sel.TimeRange[0], sel.TimeRange[1]
	}
	return pr
}

// maxPerRow returns the most contributions a row of a selected window has at its nominal
// frequencies (0 if a window cannot be mapped that way).
func (pr *processor) maxPerRow() int {
	mp := spectral.NewMapper(pr.p.Axis, pr.p.Interp)
	n := 0
	for _, s := range pr.p.Spws {
		cs, err := mp.Map(nil, pr.p.Meta.SpectralWindows[s].ChanFreq)
		if err != nil {
			return 0
		}
		n = max(n, len(cs))
	}
	return n
}

// rowJob is a selected, unflagged row of a chunk with its contributions.
type rowJob struct {
	cs         []spectral.Contribution
	data       []complex64
	flag       []bool
	ws         []float32 // nil: use rowW
	rowW       float64
	nc, p1, p2 int
	u, v, w    float64 // UVW / c
	row        uint32  // the row's index in the spool's rows, once it has a sample
	hasRow     bool
}

// groupRows is the most rows formed together: channel by channel over a group of rows sharing
// their contributions, so that each channel's buffer is written in runs of consecutive samples
// (about three times faster than one row at a time across every channel).
const groupRows = 64

func (pr *processor) chunk(c *vis.Chunk) error {
	jobs, err := pr.select_(c)
	if err != nil {
		return err
	}
	for g := 0; g < len(jobs); {
		e := g + 1
		for e < len(jobs) && e-g < groupRows && sameContributions(jobs[e].cs, jobs[g].cs) {
			e++
		}
		if err := pr.form(jobs[g:e]); err != nil {
			return err
		}
		g = e
	}
	return nil
}

func sameContributions(a, b []spectral.Contribution) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// select_ returns the chunk's selected rows that are not flagged as a whole.
func (pr *processor) select_(c *vis.Chunk) ([]rowJob, error) {
	p := pr.p
	m := p.Meta
	const invC = 1 / speedOfLight
	jobs := pr.jobs[:0]
	for i := 0; i < c.N; i++ {
		t := c.Time[i]
		if pr.timeSel && (t < pr.t0 || t > pr.t1) {
			continue
		}
		f := int(c.FieldID[i])
		if f < 0 || f >= len(p.fieldSel) {
			return nil, fmt.Errorf("spool: %s row %d: FIELD_ID %d outside the %d fields", m.Path, c.Row0+i, f, len(p.fieldSel))
		}
		if !p.fieldSel[f] {
			continue
		}
		ddid := int(c.DataDescID[i])
		if ddid < 0 || ddid >= len(p.dd) {
			return nil, fmt.Errorf("spool: %s row %d: DATA_DESC_ID %d outside the %d data descriptions", m.Path, c.Row0+i, ddid, len(p.dd))
		}
		dd := &p.dd[ddid]
		if !dd.selected || c.Ant1[i] == c.Ant2[i] {
			continue
		}
		if !p.fieldOK[f] {
			return nil, fmt.Errorf("spool: %s row %d: field %d (%s) is not at the phase centre of field %d (%s): select one phase centre with field (mosaics are not supported)",
				m.Path, c.Row0+i, f, m.Fields[f].Name, p.PhaseCentreField, m.Fields[p.PhaseCentreField].Name)
		}
		if dd.noPair != "" {
			return nil, fmt.Errorf("spool: %s row %d: cannot form Stokes I: %s", m.Path, c.Row0+i, dd.noPair)
		}
		pr.selected++
		k, err := pr.rows.Factor(p.frames[dd.spw], t, f)
		if err != nil {
			return nil, fmt.Errorf("spool: %s row %d: %w", m.Path, c.Row0+i, err)
		}
		sw := &m.SpectralWindows[dd.spw]
		cs, err := pr.maps.Map(dd.spw, sw.ChanFreq, k)
		if err != nil {
			return nil, fmt.Errorf("spool: %s row %d: %w", m.Path, c.Row0+i, err)
		}
		if c.FlagRow[i] {
			pr.flagged += int64(len(cs))
			continue
		}
		if int(c.NChan[i]) != sw.NumChan() {
			return nil, fmt.Errorf("spool: %s row %d: %d channels, spectral window %d has %d", m.Path, c.Row0+i, c.NChan[i], dd.spw, sw.NumChan())
		}
		s, e := c.Start[i], c.Start[i+1]
		j := rowJob{cs: cs, data: c.Data[s:e], flag: c.Flag[s:e], nc: int(c.NCorr[i]), p1: dd.p1, p2: dd.p2,
			u: c.UVW[3*i] * invC, v: c.UVW[3*i+1] * invC, w: c.UVW[3*i+2] * invC}
		if c.HasWeightSpectrum[i] && len(c.WeightSpectrum) > 0 {
			j.ws = c.WeightSpectrum[s:e]
		}
		wr := c.Weight[c.WStart[i]:c.WStart[i+1]]
		j.rowW = 0.5 * (float64(wr[dd.p1]) + float64(wr[dd.p2]))
		jobs = append(jobs, j)
	}
	pr.jobs = jobs
	return jobs, nil
}

// form adds the samples of rows sharing one contribution list, channel by channel.
func (pr *processor) form(jobs []rowJob) error {
	w := pr.w
	for _, ct := range jobs[0].cs {
		for r := range jobs {
			j := &jobs[r]
			a := ct.Lo * j.nc
			if j.flag[a+j.p1] || j.flag[a+j.p2] {
				pr.flagged++
				continue
			}
			x1, x2 := j.data[a+j.p1], j.data[a+j.p2]
			re := 0.5 * (float64(real(x1)) + float64(real(x2)))
			im := 0.5 * (float64(imag(x1)) + float64(imag(x2)))
			wt := j.rowW
			if j.ws != nil {
				wt = 0.5 * (float64(j.ws[a+j.p1]) + float64(j.ws[a+j.p2]))
			}
			if ct.WHi != 0 {
				b := ct.Hi * j.nc
				if j.flag[b+j.p1] || j.flag[b+j.p2] {
					pr.flagged++
					continue
				}
				y1, y2 := j.data[b+j.p1], j.data[b+j.p2]
				re = ct.WLo*re + ct.WHi*0.5*(float64(real(y1))+float64(real(y2)))
				im = ct.WLo*im + ct.WHi*0.5*(float64(imag(y1))+float64(imag(y2)))
				wh := j.rowW
				if j.ws != nil {
					wh = 0.5 * (float64(j.ws[b+j.p1]) + float64(j.ws[b+j.p2]))
				}
				wt = ct.WLo*wt + ct.WHi*wh
			}
			if !j.hasRow {
				row, err := w.AddRow(j.u, j.v, j.w)
				if err != nil {
					return err
				}
				j.row, j.hasRow = row, true
			}
			if err := w.AddSample(ct.Out, j.row, j.u, j.v, ct.Freq, complex(float32(re), float32(im)), float32(wt)); err != nil {
				return err
			}
		}
	}
	return nil
}
