package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/automask"
	"github.com/cubeimg/cubeimg/imaging/beam"
	"github.com/cubeimg/cubeimg/imaging/deconv"
	"github.com/cubeimg/cubeimg/imaging/fft"
	"github.com/cubeimg/cubeimg/imaging/gridder"
	"github.com/cubeimg/cubeimg/imaging/restore"
	"github.com/cubeimg/cubeimg/imaging/weighting"
	"github.com/cubeimg/cubeimg/internal/faultpoint"
	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
	"github.com/cubeimg/cubeimg/vis/spool"
)

// Extension names of the cube store.
const (
	extImage    = store.ExtImage
	extPSF      = store.ExtPSF
	extResidual = store.ExtResidual
	extModel    = store.ExtModel
	extPB       = store.ExtPB
	extMask     = store.ExtMask
	extPBCor    = "image.pbcor"
)

// engine holds what every channel of a run shares. Its fields are set before the workers start
// and read-only afterwards.
type engine struct {
	p       *Params
	geom    imaging.Geometry
	gplan   *gridder.Plan
	gopts   gridder.Options // gplan's options
	wparams weighting.Params
	dparams deconv.Params
	// am is nil unless --usemask auto-multithresh.
	am *automask.Params
	st *store.Store
	sp *spool.Spool
	// freqs are the output channels' frequencies (Hz), for the primary beam.
	freqs []float64
	// dish is the primary-beam model; nil writes a pb of ones.
	dish   *restore.Dish
	budget *tiles.Budget
	// threads is the number of goroutines one channel may use (FFT, gridding, Hogbom, smoothing).
	threads int
	// fftImpl is the FFT implementation ("go" or "fftw").
	fftImpl string
	// density, when perchanweightdensity is off, is the density grid of every channel's samples.
	density *weighting.Density
	// userMask reads --mask planes (nil unless --usemask user).
	userMask *userMask
	// preps holds every channel's phase-A record (nil where missing), set before phase B.
	preps []*prepRecord
	// common is the common beam of the cube (the automask's beam, and the restoring beam with
	// --restoringbeam common), set before phase B.
	common restore.Common
	// explicit is the --restoringbeam beam when one was given.
	explicit *beam.Gaussian
	// cleaned holds the CLEAN records of channels whose CLEAN finished in an earlier run but
	// which were not committed (nil elsewhere); cubeDone says that run's cube-scope iteration
	// control finished (run parameters' marker).
	cleaned  []*cleanRecord
	cubeDone bool
	// faults is the crash-test fault point ($CUBEIMG_FAULT), nil in normal runs.
	faults *faultpoint.Set
}

// prepRecord is phase A's result for one channel: what the PSF gave.
type prepRecord struct {
	Samples  int64   `json:"samples"`
	SumWt    float64 `json:"sumwt"`
	Beam     gauss   `json:"beam"`
	Cutoff   float64 `json:"psfcutoff"`
	Attempts int     `json:"fit_attempts"`
	Sidelobe float64 `json:"psf_sidelobe"`
	// Empty is set when the channel has no unflagged samples: its planes stay zero.
	Empty bool `json:"empty,omitempty"`
	// FitError holds the beam fit's error when it failed.
	FitError string `json:"fit_error,omitempty"`
}

// gauss is a beam in radians as stored in channel records.
type gauss struct {
	Major float64 `json:"major_rad"`
	Minor float64 `json:"minor_rad"`
	PA    float64 `json:"pa_rad"`
}

func toGauss(g beam.Gaussian) gauss { return gauss{g.Major, g.Minor, g.PA} }
func (g gauss) beam() beam.Gaussian { return beam.Gaussian{Major: g.Major, Minor: g.Minor, PA: g.PA} }
func (g gauss) valid() bool         { return g.Major > 0 && g.Minor > 0 }
func arcsec(rad float64) float64    { return rad * 180 / math.Pi * 3600 }
func storeBeam(g beam.Gaussian) store.Beam {
	if !(g.Major > 0) {
		return store.Beam{}
	}
	return store.Beam{Major: arcsec(g.Major), Minor: arcsec(g.Minor), PA: g.PA * 180 / math.Pi}
}

// cleanRecord is phase B's result for one channel, kept in its committed record.
type cleanRecord struct {
	Stop       string  `json:"stop"`
	StopCode   int     `json:"stop_code"`
	Iterations int     `json:"iterations"`
	Majors     int     `json:"major_cycles"`
	Flux       float64 `json:"model_flux"`
	PeakRes    float32 `json:"peak_residual"`
	MaskPixels int     `json:"mask_pixels"`
	// Automask is the channel's auto-multithresh state.
	Automask *automask.State `json:"automask,omitempty"`
	Restore  *restoreRecord  `json:"restore,omitempty"`
}

type restoreRecord struct {
	Beam                 gauss   `json:"beam"`
	AreaRatio            float64 `json:"area_ratio"`
	ResidualNotConvolved bool    `json:"residual_not_convolved,omitempty"`
	CommonRejected       bool    `json:"common_rejected,omitempty"`
}

// channelInfo is the opaque per-channel JSON the pipeline keeps in the store.
type channelInfo struct {
	Prep  *prepRecord  `json:"prep,omitempty"`
	Clean *cleanRecord `json:"clean,omitempty"`
}

func decodeInfo(raw json.RawMessage) (channelInfo, error) {
	var ci channelInfo
	if len(raw) == 0 || string(raw) == "null" {
		return ci, nil
	}
	err := json.Unmarshal(raw, &ci)
	return ci, err
}

// worker holds one channel's working buffers; a run has as many workers as channels in flight.
// Its fixed buffers are taken from the budget when it is made and given back by close.
type worker struct {
	e       *engine
	fft     fft.Plan2D
	grid    []complex64
	density []float32
	am      *automask.Scratch
	held    int64

	// loaded is the channel whose samples and imaging weights are in smp and wt (-1: none).
	loaded int
	smp    spool.Samples
	wt     []float32
	mvis   []complex64
	// sampleHeld is the budget held for smp, wt and mvis.
	sampleHeld int64
}

// fixedBytes is the memory a worker holds for its whole life.
func (e *engine) fixedBytes() int64 {
	n := int64(e.gplan.GridLen()) * 8
	if e.p.Weighting != "natural" && e.density == nil {
		n += int64(weighting.DensityLen(e.geom)) * 4
	}
	if e.am != nil {
		n += automask.ScratchBytes(e.geom.Nx, e.geom.Ny) + int64(e.geom.Pixels())*4
	}
	return n
}

// sampleBytesPer is the memory per loaded sample: the spool's 36 bytes, the imaging weight, the
// model visibility and the gridder's tile index (8 bytes while it grids).
const sampleBytesPer = 36 + 4 + 8 + 8

func (e *engine) newWorker(ctx context.Context) (*worker, error) {
	held := e.fixedBytes()
	if err := e.budget.Acquire(ctx, held); err != nil {
		return nil, fmt.Errorf("memory for a channel worker (%s): %w", tiles.FormatSize(held), err)
	}
	w := &worker{e: e, held: held, loaded: -1}
	nu, nv := e.gplan.GridSize()
	f, err := fft.NewPadded(nu, nv, &fft.Options{Threads: e.threads, Impl: e.fftImpl, Effort: fft.EffortEstimate, WisdomFile: "-"})
	if err != nil {
		e.budget.Release(held)
		return nil, fmt.Errorf("FFT plan %d x %d: %w", nu, nv, err)
	}
	w.fft = f
	w.grid = make([]complex64, e.gplan.GridLen())
	if e.p.Weighting != "natural" && e.density == nil {
		w.density = make([]float32, weighting.DensityLen(e.geom))
	}
	if e.am != nil {
		w.am = automask.NewScratch(e.geom.Nx, e.geom.Ny)
	}
	return w, nil
}

func (w *worker) close() {
	w.unload()
	if w.fft != nil {
		w.fft.Close()
	}
	w.grid, w.density, w.am = nil, nil, nil
	w.e.budget.Release(w.held)
	w.held = 0
}

// unload gives back the samples' memory.
func (w *worker) unload() {
	w.smp = spool.Samples{}
	w.wt, w.mvis = nil, nil
	w.loaded = -1
	if w.sampleHeld > 0 {
		w.e.budget.Release(w.sampleHeld)
		w.sampleHeld = 0
	}
}

// load reads channel c's samples from the spool and computes their imaging weights, unless they
// are already loaded. The returned Samples share the worker's buffers.
func (w *worker) load(ctx context.Context, c int) (*imaging.Samples, error) {
	if w.loaded == c {
		return w.samples(), nil
	}
	w.unload()
	n := w.e.sp.Count(c)
	need := n*sampleBytesPer + w.e.sp.ReadScratchBytes(c)
	if need > 0 {
		if err := w.e.budget.Acquire(ctx, need); err != nil {
			return nil, fmt.Errorf("memory for channel %d's %d samples: %w", c, n, err)
		}
		w.sampleHeld = need
	}
	if err := w.e.sp.Read(c, &w.smp); err != nil {
		if errors.Is(err, spool.ErrChecksum) {
			return nil, fmt.Errorf("%w: the spool %s is damaged (a crash of the machine while it was written?); remove it and run again with --resume to rebuild it", err, w.e.sp.Dir())
		}
		return nil, err
	}
	w.wt = make([]float32, n)
	w.mvis = make([]complex64, n)
	s := w.samples()
	if err := w.weigh(s); err != nil {
		return nil, fmt.Errorf("weights of channel %d: %w", c, err)
	}
	w.loaded = c
	return s, nil
}

func (w *worker) samples() *imaging.Samples {
	return &imaging.Samples{U: w.smp.U, V: w.smp.V, W: w.smp.W, Vis: w.smp.Vis, Weight: w.smp.Weight}
}

func (w *worker) weigh(s *imaging.Samples) error {
	e := w.e
	if e.p.Weighting == "natural" || e.density == nil {
		return weighting.Compute(w.wt, s, e.geom, w.density, e.wparams)
	}
	return weighting.Apply(w.wt, s, e.density, e.wparams)
}

// prepare runs phase A for channel c: weights, PSF (written to the store), beam fit, sidelobe
// level. It records the result in the channel's record (in progress).
func (w *worker) prepare(ctx context.Context, c int) (*prepRecord, error) {
	e := w.e
	rec := &prepRecord{Samples: e.sp.Count(c)}
	psf, err := e.st.Plane(ctx, extPSF, c, store.Write)
	if err != nil {
		return nil, err
	}
	defer psf.Release()
	pix := psf.Float32s()
	if rec.Samples == 0 {
		clear(pix)
		rec.Empty = true
	} else {
		s, err := w.load(ctx, c)
		if err != nil {
			return nil, err
		}
		stats, err := e.gplan.PSF(pix, w.grid, w.fft, s, w.wt)
		if errors.Is(err, gridder.ErrNoData) {
			clear(pix)
			rec.Empty = true
		} else if err != nil {
			return nil, fmt.Errorf("PSF of channel %d: %w", c, err)
		} else {
			rec.SumWt = stats.SumWeights
			e.faults.Hit("psf")
			fit, err := fitBeam(pix, e.geom, e.p, s)
			if err != nil {
				rec.FitError = err.Error()
			} else {
				rec.Beam, rec.Cutoff, rec.Attempts = toGauss(fit.Beam), fit.Cutoff, fit.Attempts
				rec.Sidelobe = float64(deconv.PSFSidelobe(pix, e.geom.Nx, e.geom.Ny, fit.Beam, e.geom.CellX, e.geom.CellY))
			}
		}
	}
	if err := psf.Release(); err != nil {
		return nil, err
	}
	info, _ := json.Marshal(channelInfo{Prep: rec})
	if err := e.st.BeginChannel(c, info); err != nil {
		return nil, err
	}
	return rec, nil
}

// chanState is one channel's phase-B state between rounds (kept in memory by the scheduler).
type chanState struct {
	c       int
	prep    *prepRecord
	am      automask.State
	majors  int
	iters   int
	flux    float64
	summary deconv.PlaneSummary
	// observed is set once summary holds a summary of this run.
	observed bool
	// peak is the final peak residual of a channel restored from an earlier run's record.
	peak float32
}

// cleanRecord returns the channel's record of its CLEAN.
func (cs *chanState) cleanRecord(stopText string, stopCode int, automasked bool) *cleanRecord {
	peak := cs.peak
	if cs.observed {
		peak = cs.summary.Peak()
	}
	cr := &cleanRecord{Stop: stopText, StopCode: stopCode, Iterations: cs.iters, Majors: cs.majors,
		Flux: cs.flux, PeakRes: peak, MaskPixels: cs.summary.MaskPixels}
	if automasked {
		am := cs.am
		cr.Automask = &am
	}
	return cr
}

// planes holds the pinned store planes of one step; release gives them back.
type planes struct {
	list []*store.Plane
}

func (ps *planes) get(ctx context.Context, st *store.Store, ext string, c int, mode store.Mode) (*store.Plane, error) {
	p, err := st.Plane(ctx, ext, c, mode)
	if err != nil {
		return nil, err
	}
	ps.list = append(ps.list, p)
	return p, nil
}

// use names a plane to hold: an extension and a mode.
type use struct {
	ext  string
	mode store.Mode
}

// getAll holds channel c's planes of the extensions named, in order.
func (ps *planes) getAll(ctx context.Context, st *store.Store, c int, uses ...use) ([]*store.Plane, error) {
	out := make([]*store.Plane, len(uses))
	for i, u := range uses {
		p, err := ps.get(ctx, st, u.ext, c, u.mode)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

func (ps *planes) release() error {
	var errs []error
	for _, p := range ps.list {
		if err := p.Release(); err != nil {
			errs = append(errs, err)
		}
	}
	ps.list = nil
	return errors.Join(errs...)
}

// start runs the first step of phase B for channel c: the model is cleared, the dirty image made
// (major cycle 0), the pb written and the mask initialised.
func (w *worker) start(ctx context.Context, cs *chanState) error {
	e := w.e
	c := cs.c
	var ps planes
	defer ps.release()
	pl, err := ps.getAll(ctx, e.st, c, use{extResidual, store.Write}, use{extModel, store.Update},
		use{extPB, store.Write}, use{extMask, store.Update})
	if err != nil {
		return err
	}
	res, model, pb, mask := pl[0], pl[1], pl[2], pl[3]
	zeroPages(model.Float32s())
	if err := w.primaryBeam(pb.Float32s(), c); err != nil {
		return err
	}
	if cs.prep.Empty {
		zeroPages(res.Float32s())
	} else {
		s, err := w.load(ctx, c)
		if err != nil {
			return err
		}
		if _, err := e.gplan.Dirty(res.Float32s(), w.grid, w.fft, s, w.wt); err != nil {
			return fmt.Errorf("dirty image of channel %d: %w", c, err)
		}
		e.faults.Hit("dirty")
	}
	m := mask.Bytes()
	switch e.p.Usemask {
	case "none":
		fillBytes(m, 1)
	case "pb":
		automask.FromPB(m, pb.Float32s(), float32(max(e.p.Pbmask, e.p.Pblimit)))
	case "user":
		if err := e.userMask.plane(m, c); err != nil {
			return err
		}
	default:
		zeroPages(m)
	}
	return ps.release()
}

// zeroPages clears a mapped plane, writing only the 4 KiB pages that hold something: a page
// written with zeros is still a dirty page to write back, and the model and mask planes of a
// new cube are zero already.
func zeroPages[T float32 | byte](s []T) {
	var zero T
	perPage := 4096 / int(unsafe.Sizeof(zero))
	for i := 0; i < len(s); i += perPage {
		seg := s[i:min(i+perPage, len(s))]
		for _, v := range seg {
			if v != 0 {
				clear(seg)
				break
			}
		}
	}
}

func fillBytes(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}

// primaryBeam writes channel c's primary beam (ones when the telescope has no model).
func (w *worker) primaryBeam(dst []float32, c int) error {
	if w.e.dish == nil {
		for i := range dst {
			dst[i] = 1
		}
		return nil
	}
	return restore.PrimaryBeam(dst, w.e.geom, w.e.freqs[c], *w.e.dish)
}

// observe updates channel c's mask (auto-multithresh) and summarises its residual for the
// iteration control. iterDone is the group's iteration count after the last minor cycles.
func (w *worker) observe(ctx context.Context, cs *chanState, iterDone int, thresholdReached bool) error {
	e := w.e
	c := cs.c
	var ps planes
	defer ps.release()
	mode := store.Read
	if e.am != nil {
		mode = store.Update
	}
	pl, err := ps.getAll(ctx, e.st, c, use{extResidual, store.Read}, use{extPB, store.Read}, use{extMask, mode})
	if err != nil {
		return err
	}
	res, pb, mask := pl[0], pl[1], pl[2]
	pbLimit := float32(e.p.Pblimit)
	if e.am != nil && !cs.prep.Empty {
		in := automask.Input{
			Beam: e.common.Beam, CellX: e.geom.CellX, CellY: e.geom.CellY,
			SidelobeLevel: cs.prep.Sidelobe, IterDone: iterDone, ThresholdReached: thresholdReached,
			PBLimit: pbLimit, Workers: e.threads,
		}
		if !in.Beam.Valid() {
			in.Beam = cs.prep.Beam.beam()
		}
		e.faults.Hit("mask")
		pl := automask.Plane{Nx: e.geom.Nx, Ny: e.geom.Ny, Residual: res.Float32s(), Mask: mask.Bytes(), PB: pb.Float32s()}
		if _, err := automask.Update(pl, in, e.am, &cs.am, w.am); err != nil {
			return fmt.Errorf("auto-multithresh of channel %d: %w", c, err)
		}
	}
	var m []uint8
	if e.p.Usemask != "none" {
		m = mask.Bytes()
	}
	cs.summary = deconv.Summarize(deconv.SummaryInput{
		Nx: e.geom.Nx, Ny: e.geom.Ny, Residual: res.Float32s(), Mask: m,
		PB: pb.Float32s(), PBLimit: pbLimit, PSFSidelobe: float32(cs.prep.Sidelobe),
		MaskStatic: e.am == nil, NoiseLimited: cs.am.Flagged,
	}, &e.dparams)
	cs.observed = true
	return ps.release()
}

// clean runs one minor cycle of channel c and, if it found components, a major cycle: the
// model's visibilities are predicted, subtracted from the data and the residual re-imaged.
func (w *worker) clean(ctx context.Context, cs *chanState, mp deconv.MinorParams) (deconv.MinorResult, error) {
	e := w.e
	c := cs.c
	var ps planes
	defer ps.release()
	pl, err := ps.getAll(ctx, e.st, c, use{extResidual, store.Write}, use{extModel, store.Update}, use{extPSF, store.Read})
	if err != nil {
		return deconv.MinorResult{}, err
	}
	res, model, psf := pl[0], pl[1], pl[2]
	var m []uint8
	if e.p.Usemask != "none" {
		mask, err := ps.get(ctx, e.st, extMask, c, store.Read)
		if err != nil {
			return deconv.MinorResult{}, err
		}
		m = mask.Bytes()
	}
	mp.Workers = e.threads
	// A major cycle recomputes the whole residual after every minor cycle that adds components,
	// so the minor cycle updates only the mask's bounding box (same components, same results).
	mp.MaskBoxOnly = true
	e.faults.Hit("minor")
	r, err := deconv.Hogbom(ctx, deconv.Planes{Nx: e.geom.Nx, Ny: e.geom.Ny, Residual: res.Float32s(),
		Model: model.Float32s(), PSF: psf.Float32s(), Mask: m}, mp)
	if err != nil {
		return r, fmt.Errorf("minor cycle of channel %d: %w", c, err)
	}
	cs.iters += r.Iterations
	cs.flux += r.Flux
	if r.Iterations > 0 {
		if err := w.major(ctx, c, model.Float32s(), res.Float32s()); err != nil {
			return r, err
		}
		cs.majors++
	}
	return r, ps.release()
}

// major is a Cotton-Schwab major cycle: residual = dirty image of (data - predicted model).
func (w *worker) major(ctx context.Context, c int, model, residual []float32) error {
	e := w.e
	s, err := w.load(ctx, c)
	if err != nil {
		return err
	}
	if err := e.gplan.Predict(w.mvis, w.grid, w.fft, model, s); err != nil {
		return fmt.Errorf("major cycle of channel %d: predict: %w", c, err)
	}
	for i, v := range s.Vis {
		w.mvis[i] = v - w.mvis[i]
	}
	e.faults.Hit("major")
	rs := *s
	rs.Vis = w.mvis
	if _, err := e.gplan.Dirty(residual, w.grid, w.fft, &rs, w.wt); err != nil {
		return fmt.Errorf("major cycle of channel %d: residual image: %w", c, err)
	}
	return nil
}

// restoringBeam returns channel c's restoring beam and whether it was rejected from the common
// beam.
func (e *engine) restoringBeam(c int, fitted beam.Gaussian) (beam.Gaussian, bool) {
	switch {
	case e.explicit != nil:
		return *e.explicit, false
	case e.p.Restoringbeam == "common":
		for _, r := range e.common.Rejected {
			if r == c {
				return e.common.Beam, true
			}
		}
		return e.common.Beam, false
	default:
		return fitted, false
	}
}

// finish restores channel c and commits it with its record.
func (w *worker) finish(ctx context.Context, cs *chanState, stopText string, stopCode int) error {
	e := w.e
	c := cs.c
	var ps planes
	defer ps.release()
	pl, err := ps.getAll(ctx, e.st, c, use{extImage, store.Write}, use{extModel, store.Read}, use{extResidual, store.Read})
	if err != nil {
		return err
	}
	img, model, res := pl[0], pl[1], pl[2]
	fitted := cs.prep.Beam.beam()
	rb, rejected := e.restoringBeam(c, fitted)
	rr := &restoreRecord{Beam: toGauss(rb), AreaRatio: 1, CommonRejected: rejected}
	if cs.prep.Empty || !cs.prep.Beam.valid() {
		copy(img.Float32s(), res.Float32s())
		rb = beam.Gaussian{}
		rr.Beam = gauss{}
	} else {
		info, err := restore.Image(img.Float32s(), model.Float32s(), res.Float32s(), e.geom.Nx, e.geom.Ny,
			fitted, rb, e.geom.CellX, e.geom.CellY, &restore.Options{Workers: e.threads})
		if err != nil {
			return fmt.Errorf("restore channel %d: %w", c, err)
		}
		rr.AreaRatio, rr.ResidualNotConvolved = info.AreaRatio, info.ResidualNotConvolved
	}
	e.faults.Hit("restore")
	if e.p.Pbcor {
		pl, err := ps.getAll(ctx, e.st, c, use{extPB, store.Read}, use{extPBCor, store.Write})
		if err != nil {
			return err
		}
		pb, pbc := pl[0], pl[1]
		if err := restore.PBCor(pbc.Float32s(), img.Float32s(), pb.Float32s(), float32(e.p.Pblimit)); err != nil {
			return fmt.Errorf("pbcor channel %d: %w", c, err)
		}
	}
	if err := ps.release(); err != nil {
		return err
	}
	cr := cs.cleanRecord(stopText, stopCode, e.am != nil)
	cr.Restore = rr
	info, err := json.Marshal(channelInfo{Prep: cs.prep, Clean: cr})
	if err != nil {
		return err
	}
	w.unload()
	e.faults.Hit("commit")
	return e.st.Commit(ctx, c, store.CommitInfo{Beam: storeBeam(rb), SumWt: cs.prep.SumWt, Info: info})
}

// pool runs f for each item on the workers, in order of the items, and returns the first error.
// Each worker goroutine handles one item at a time.
func pool[T any](ctx context.Context, workers []*worker, items []T, f func(ctx context.Context, w *worker, it T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		next  int
		first error
		wg    sync.WaitGroup
	)
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if first != nil || next >= len(items) {
					mu.Unlock()
					return
				}
				it := items[next]
				next++
				mu.Unlock()
				if err := f(ctx, w, it); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// fitBeam fits channel's restoring beam to its PSF by the rule --beam-fit names: CASA's main-lobe
// fit above psfcutoff, or WSClean's box fit seeded with the theoretical beam 1 / the longest
// baseline (u, v, w) in wavelengths among the channel's samples.
func fitBeam(psf []float32, g imaging.Geometry, p *Params, s *imaging.Samples) (beam.FitResult, error) {
	if p.BeamFit != "wsclean" {
		return beam.FitPSF(psf, g, p.Psfcutoff)
	}
	return beam.FitPSFBox(psf, g, beam.TheoreticalBeam(s), beam.DefaultBoxFactor)
}
