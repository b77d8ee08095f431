package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/automask"
	"github.com/cubeimg/cubeimg/imaging/beam"
	"github.com/cubeimg/cubeimg/imaging/deconv"
	"github.com/cubeimg/cubeimg/imaging/fft"
	"github.com/cubeimg/cubeimg/imaging/gridder"
	"github.com/cubeimg/cubeimg/imaging/restore"
	"github.com/cubeimg/cubeimg/imaging/weighting"
	"github.com/cubeimg/cubeimg/internal/faultpoint"
	"github.com/cubeimg/cubeimg/internal/units"
	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
)

// TileCacheBytes is the store's resident cap in a run under maxResident: a quarter of the budget,
// at least 64 MiB (mapped file pages, outside the Go heap).
func TileCacheBytes(maxResident int64) int64 { return max(maxResident/4, 64<<20) }

// Paths derived from --imagename.
func cubePath(name string) string  { return name + ".cube" }
func spoolPath(name string) string { return name + ".spool" }

// Run images p.Vis into p.ImageName.cube. Progress goes to prog; the plan and the summary to out.
func Run(ctx context.Context, p *Params, prog Progress, out io.Writer) error {
	return run(ctx, p, prog, out, nil)
}

// DryRun returns the plan of the run p describes, as `cubeimg run --dry-run` prints it, without
// imaging: the spool is built, or reused when it is there (the plan needs every channel's
// samples), and no store is created (an existing one is read with p.Resume). When the run would
// be refused, the plan holds the reason in Refusal and the error says it too.
func DryRun(ctx context.Context, p *Params, prog Progress) (*Plan, error) {
	q := *p
	q.DryRun = true
	var plan *Plan
	err := run(ctx, &q, prog, io.Discard, &plan)
	return plan, err
}

// run is Run; with planOut set, a dry run also hands its plan over.
func run(ctx context.Context, p *Params, prog Progress, out io.Writer, planOut **Plan) (err error) {
	if err := p.Validate(); err != nil {
		return err
	}
	faults, err := faultpoint.FromEnv()
	if err != nil {
		return err
	}
	rp := newReporter(p)
	budget := tiles.NewBudget(p.MaxResident)
	var outputBytes int64
	defer func() {
		if p.Report == "" {
			return
		}
		r := rp.finish(budget.Peak(), outputBytes, err)
		if werr := r.write(p.Report); werr != nil && err == nil {
			err = werr
		}
	}()

	// 1. Input and spool: the visibilities read once into channel-major order.
	rp.begin("spool")
	in, err := openInput(ctx, p, budget, prog, faults)
	if err != nil {
		return err
	}
	defer in.close()

	// 2. Geometry, gridding plan and the imaging packages' parameters.
	e, err := newEngine(p, in, budget)
	if err != nil {
		return err
	}
	e.faults = faults
	nchan := len(in.freqs)
	chans, err := ParseChannels(p.Channels, nchan)
	if err != nil {
		return err
	}

	// 3. The store: created, or reopened with --resume. A dry run creates nothing and opens an
	// existing cube read-only.
	cube := cubePath(p.ImageName)
	sopts := &store.Options{Budget: budget, ResidentCap: TileCacheBytes(p.MaxResident), ReadOnly: p.DryRun}
	var st *store.Store
	created := true
	var records []*store.ChannelRecord
	if _, serr := os.Stat(cube); p.DryRun && errors.Is(serr, os.ErrNotExist) {
		for c := range nchan {
			records = append(records, &store.ChannelRecord{Channel: c, State: store.Empty})
		}
	} else {
		st, created, err = openCube(p, in, e, cube, sopts)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := st.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
		if records, err = st.Channels(); err != nil {
			return err
		}
	}
	e.st = st
	e.preps = make([]*prepRecord, nchan)
	e.cleaned = make([]*cleanRecord, nchan)
	var prepTodo []int
	hasClean := make([]bool, nchan)
	for c, r := range records {
		ci, err := decodeInfo(r.Info)
		if err != nil {
			return fmt.Errorf("%s: channel %d record: %w", cube, c, err)
		}
		if ci.Prep != nil && !created {
			e.preps[c] = ci.Prep
		} else {
			prepTodo = append(prepTodo, c)
		}
		hasClean[c] = ci.Clean != nil
		// A requeued cluster task (--skip-committed) continues its channels as a full --resume
		// does; other runs of selected channels re-image them.
		if ci.Clean != nil && r.State == store.InProgress && (p.Channels == "" || p.SkipCommitted) {
			e.cleaned[c] = ci.Clean
		}
	}
	if p.SkipCommitted && len(prepTodo) > 0 {
		// A cluster task must not write other tasks' channels, as phase A would.
		return fmt.Errorf("%s: channels %s have no PSF record: run the prepare step (--prepare-only) before --skip-committed tasks", cube, FormatChannels(prepTodo))
	}
	var todo []int
	skipped := 0
	for _, c := range chans {
		if records[c].State == store.Committed && (p.Channels == "" || p.SkipCommitted) {
			skipped++
			continue
		}
		todo = append(todo, c)
	}

	// 4. The plan: memory per channel, workers, disk, time.
	counts := make([]int64, 0, len(todo))
	for _, c := range todo {
		// The spool's merge scratch counts as samples of the channel for the plan.
		counts = append(counts, in.sp.Count(c)+(in.sp.ReadScratchBytes(c)+sampleBytesPer-1)/sampleBytesPer)
	}
	pinned := 3*int64(e.geom.Pixels())*4 + int64(e.geom.Pixels())
	if p.Pbcor {
		pinned += 2 * int64(e.geom.Pixels()) * 4
	}
	nu, nv := e.gplan.GridSize()
	plan := makePlan(p, e.geom.Nx, e.geom.Ny, nchan, nu, nv, e.gplan.Support(), e.fixedBytes(), pinned, in.sp.RowsBytes(), counts, 0, e.fftImpl)
	// The spool is on disk already (built or reused above): report its size, and need no more.
	if n, err := in.sp.DiskBytes(); err == nil {
		plan.SpoolBytes = n
	}
	plan.DiskNeeded = plan.FITSBytes
	if created {
		plan.DiskNeeded += plan.StoreBytes
	}
	plan.DiskFree = freeDisk(filepath.Dir(cube))
	if plan.DiskFree > 0 && plan.DiskNeeded > plan.DiskFree && plan.Refusal == "" {
		plan.Refusal = fmt.Sprintf("the run needs %s of disk, %s is free beside %s", tiles.FormatSize(plan.DiskNeeded), tiles.FormatSize(plan.DiskFree), cube)
	}
	rp.r.Plan = plan
	if p.DryRun {
		if planOut != nil {
			*planOut = plan
		}
		plan.Print(out)
		if plan.Refusal != "" {
			return errors.New(plan.Refusal)
		}
		return nil
	}
	if plan.Refusal != "" {
		plan.Print(out)
		return errors.New(plan.Refusal)
	}
	plan.Print(out)
	e.threads = plan.ThreadsPerWorker
	// Every stage of a channel uses the plan's threads per channel; each gives the same numbers
	// for any thread count (the gridder's tiles go in fixed phases, the FFT's rows and columns
	// are independent), so the cube does not depend on the workers or the cores.
	gopts := e.gopts
	gopts.Threads = e.threads
	if e.gplan, err = gridder.NewPlan(e.geom, &gopts); err != nil {
		return fmt.Errorf("gridder: %w", err)
	}

	// The spool's rows (u/c, v/c, w/c per row) are held once for every channel's reads.
	if rb := in.sp.RowsBytes(); rb > 0 {
		if err := budget.Acquire(ctx, rb); err != nil {
			return fmt.Errorf("memory for the spool's %d rows: %w", in.sp.Manifest().Rows, err)
		}
		defer budget.Release(rb)
	}
	workers := make([]*worker, 0, plan.Workers)
	defer func() {
		for _, w := range workers {
			w.close()
		}
	}()
	for range plan.Workers {
		w, err := e.newWorker(ctx)
		if err != nil {
			return err
		}
		workers = append(workers, w)
	}

	// 5. Phase A: PSF and beam of every channel of the cube (all are needed for the common beam).
	rp.begin("psf")
	if err := e.prepareChannels(ctx, workers, prepTodo, prog); err != nil {
		return err
	}
	if err := e.cubeBeams(prog); err != nil {
		return err
	}
	if p.PrepareOnly {
		prog.Logf("%s prepared: spool, PSFs and beams of %d channels; image channels with --channels a:b --resume", cube, nchan)
		return nil
	}

	// 6. Phase B: dirty image, CLEAN, restore, commit.
	rp.begin("clean")
	if skipped > 0 {
		prog.Logf("%d channel(s) already committed in %s are kept", skipped, cube)
	}
	for _, c := range todo {
		// Reopen a committed channel, and drop from the record a CLEAN result this run redoes:
		// a record holds a CLEAN result only while the planes hold it.
		if records[c].State == store.Committed || (hasClean[c] && e.cleaned[c] == nil) {
			if err := e.dropClean(c); err != nil {
				return err
			}
		}
	}
	if err := e.cleanChannels(ctx, workers, todo, prog); err != nil {
		return err
	}
	for _, w := range workers {
		w.close()
	}
	workers = nil

	// 7. FITS export.
	var fitsPaths []string
	if p.Fits {
		rp.begin("fits")
		fitsPaths, err = exportFITS(ctx, st, p.ImageName, prog)
		if err != nil {
			return err
		}
	}
	rp.begin("summary")
	summary, err := summarise(st, rp)
	if err != nil {
		return err
	}
	fmt.Fprint(out, summary)
	outputBytes = dirBytes(append([]string{cube}, fitsPaths...)...)
	rp.r.Channels.Imaged = len(todo)
	rp.r.Channels.Skipped = skipped
	return nil
}

// newEngine converts the parameters for the imaging packages and makes the gridding plan.
func newEngine(p *Params, in *runInput, budget *tiles.Budget) (*engine, error) {
	e := &engine{p: p, sp: in.sp, freqs: in.freqs, budget: budget, threads: runtime.GOMAXPROCS(0)}
	e.geom = imaging.Geometry{Nx: p.Imsize[0], Ny: p.Imsize[1], CellX: p.Cell[0], CellY: p.Cell[1]}
	kern, err := gridder.ParseKernel(p.Kernel)
	if err != nil {
		return nil, fmt.Errorf("--kernel: %w", err)
	}
	var nvis int64
	for c := range in.freqs {
		nvis = max(nvis, in.sp.Count(c))
	}
	e.gopts = gridder.Options{Kernel: kern, Epsilon: p.GridderEps, NVis: int(nvis)}
	e.gplan, err = gridder.NewPlan(e.geom, &e.gopts)
	if err != nil {
		return nil, fmt.Errorf("gridder: %w", err)
	}
	// The pure-Go FFT is the default: measured here it is as fast as FFTW or faster (README),
	// and it gives the same numbers in every process and for any thread count.
	e.fftImpl = fft.ImplGo
	if p.FFT == fft.ImplFFTW {
		if !fft.FFTWAvailable() {
			return nil, fmt.Errorf("--fft fftw: this cubeimg was built without FFTW (make build with libfftw3-dev installed)")
		}
		e.fftImpl = fft.ImplFFTW
	} else if p.FFT != "" && p.FFT != fft.ImplGo {
		return nil, fmt.Errorf("--fft %q: want go or fftw", p.FFT)
	}

	scheme, err := weighting.ParseScheme(p.Weighting)
	if err != nil {
		return nil, fmt.Errorf("--weighting: %w", err)
	}
	rule, err := weighting.ParseDensityRule(p.WeightingDensity)
	if err != nil {
		return nil, fmt.Errorf("--weighting-density: %w", err)
	}
	e.wparams = weighting.Params{Scheme: scheme, Robust: p.Robust, NPixels: p.Npixels, Rule: rule}
	if scheme == weighting.BriggsBWTaper {
		e.wparams.FracBW = p.Fracbw
		if e.wparams.FracBW == 0 {
			e.wparams.FracBW = weighting.FracBW(in.freqs[0], in.freqs[len(in.freqs)-1])
		}
		if !(e.wparams.FracBW > 0) {
			return nil, fmt.Errorf("--weighting briggsbwtaper: the cube's fractional bandwidth is 0 (one channel?); give --fracbw")
		}
	}
	if len(p.Uvtaper) > 0 {
		t, err := parseTaper(p.Uvtaper)
		if err != nil {
			return nil, err
		}
		e.wparams.Taper = t
	}
	if err := e.wparams.Validate(); err != nil {
		return nil, fmt.Errorf("weighting: %w", err)
	}

	dp := deconv.DefaultParams()
	dp.Niter, dp.CycleNiter, dp.CycleFactor = p.Niter, p.Cycleniter, p.Cyclefactor
	dp.MinPSFFraction, dp.MaxPSFFraction = p.Minpsffraction, p.Maxpsffraction
	dp.Threshold, dp.NSigma, dp.NMajor, dp.Gain = p.Threshold, p.Nsigma, p.Nmajor, p.Gain
	if dp.Scope, err = deconv.ParseScope(p.NiterScope); err != nil {
		return nil, fmt.Errorf("--niter-scope: %w", err)
	}
	dp.FastNoise = p.Automask.Fastnoise
	dp.Automask = p.Usemask == "auto-multithresh"
	if err := dp.Validate(); err != nil {
		return nil, err
	}
	e.dparams = dp
	if p.Usemask == "auto-multithresh" {
		am := automask.Params{
			SidelobeThreshold: p.Automask.Sidelobethreshold, NoiseThreshold: p.Automask.Noisethreshold,
			LowNoiseThreshold: p.Automask.Lownoisethreshold, NegativeThreshold: p.Automask.Negativethreshold,
			SmoothFactor: p.Automask.Smoothfactor, MinBeamFrac: p.Automask.Minbeamfrac,
			CutThreshold: p.Automask.Cutthreshold, GrowIterations: p.Automask.Growiterations,
			DoGrowPrune: p.Automask.Dogrowprune, MinPercentChange: p.Automask.Minpercentchange,
			FastNoise: p.Automask.Fastnoise, PBMask: p.Pbmask,
		}
		if err := am.Validate(); err != nil {
			return nil, fmt.Errorf("auto-multithresh: %w", err)
		}
		e.am = &am
	}
	if p.Restoringbeam != "" && p.Restoringbeam != "common" {
		b, err := parseBeam(p.Restoringbeam)
		if err != nil {
			return nil, err
		}
		e.explicit = &b
	}
	e.dish = in.dish
	return e, nil
}

// parseTaper reads tclean's uvtaper: ["bmaj"] or ["bmaj", "bmin", "bpa"], image-plane FWHM.
func parseTaper(s []string) (*weighting.Taper, error) {
	b, err := parseBeam(strings.Join(s, ","))
	if err != nil {
		return nil, fmt.Errorf("--uvtaper: %w", err)
	}
	return &weighting.Taper{Major: b.Major, Minor: b.Minor, PA: b.PA}, nil
}

// parseBeam reads 'bmaj[,bmin[,bpa]]' with units (bmin defaults to bmaj, bpa to 0deg).
func parseBeam(s string) (beam.Gaussian, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 3 || strings.TrimSpace(s) == "" {
		return beam.Gaussian{}, fmt.Errorf("--restoringbeam %q: want bmaj[,bmin[,bpa]] such as 0.5arcsec,0.4arcsec,30deg", s)
	}
	var b beam.Gaussian
	var err error
	if b.Major, err = units.ParseAngle(parts[0], "arcsec"); err != nil {
		return b, fmt.Errorf("beam %q: %w", s, err)
	}
	b.Minor = b.Major
	if len(parts) > 1 {
		if b.Minor, err = units.ParseAngle(parts[1], "arcsec"); err != nil {
			return b, fmt.Errorf("beam %q: %w", s, err)
		}
	}
	if len(parts) > 2 {
		if b.PA, err = units.ParseAngle(parts[2], "deg"); err != nil {
			return b, fmt.Errorf("beam %q: %w", s, err)
		}
	}
	if !(b.Major > 0 && b.Minor > 0) || b.Minor > b.Major {
		return b, fmt.Errorf("beam %q: need bmaj >= bmin > 0", s)
	}
	return b, nil
}

// cubeBeams computes the common beam from every channel's fitted beam (used by auto-multithresh
// and by --restoringbeam common) and reports the channels it rejects.
func (e *engine) cubeBeams(prog Progress) error {
	var beams []beam.Gaussian
	var index []int
	for c, pr := range e.preps {
		if pr == nil {
			return fmt.Errorf("channel %d has no PSF record", c)
		}
		if pr.Empty || !pr.Beam.valid() {
			continue
		}
		beams = append(beams, pr.Beam.beam())
		index = append(index, c)
	}
	if len(beams) == 0 {
		prog.Logf("no channel has a fitted beam (no data?)")
		return nil
	}
	com, err := restore.CommonBeam(beams, restore.DefaultCommonRule())
	if err != nil {
		return fmt.Errorf("common beam: %w", err)
	}
	for i, r := range com.Rejected {
		com.Rejected[i] = index[r]
	}
	e.common = com
	if e.p.Restoringbeam == "common" {
		prog.Logf("common beam %.4g\" x %.4g\" PA %.1f deg", arcsec(com.Beam.Major), arcsec(com.Beam.Minor), com.Beam.PA*180/math.Pi)
		for _, c := range com.Rejected {
			pr := e.preps[c]
			prog.Logf("channel %d rejected from the common beam: its beam %.4g\" x %.4g\" is an outlier (area more than %.3g x the median)",
				c, arcsec(pr.Beam.Major), arcsec(pr.Beam.Minor), com.AreaLimit/com.MedianArea)
		}
	}
	return nil
}

// freeDisk returns the free bytes of the file system holding dir (0 if unknown).
func freeDisk(dir string) int64 {
	var s syscall.Statfs_t
	if err := syscall.Statfs(dir, &s); err != nil {
		return 0
	}
	return int64(s.Bavail) * int64(s.Bsize)
}

// exportFITS writes every extension as NAME.<ext>.fits.
func exportFITS(ctx context.Context, st *store.Store, name string, prog Progress) ([]string, error) {
	var paths []string
	m := st.Manifest()
	tr := prog.Start("fits", int64(len(m.Extensions)))
	defer tr.Finish()
	for _, ext := range m.Extensions {
		path := fmt.Sprintf("%s.%s.fits", name, ext.Name)
		if err := st.ExportFITS(ctx, ext.Name, path, nil); err != nil {
			return paths, err
		}
		paths = append(paths, path)
		tr.Add(1)
	}
	return paths, nil
}

// summarise reads the channel records for the closing summary and the report.
func summarise(st *store.Store, rp *reporter) (string, error) {
	recs, err := st.Channels()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	committed, iters := 0, 0
	stops := map[string]int{}
	for _, r := range recs {
		if r.State == store.Committed {
			committed++
		}
		ci, err := decodeInfo(r.Info)
		if err != nil || ci.Clean == nil {
			continue
		}
		stops[ci.Clean.Stop]++
		iters += ci.Clean.Iterations
	}
	fmt.Fprintf(&b, "%s: %d of %d channels committed, %d CLEAN components;", st.Dir(), committed, len(recs), iters)
	for k, v := range stops {
		fmt.Fprintf(&b, " %s: %d", k, v)
	}
	b.WriteString("\n")
	rp.mu.Lock()
	rp.r.Channels.Stops = stops
	rp.r.Channels.Iterations = iters
	rp.mu.Unlock()
	return b.String(), nil
}

// runParams is what the store's manifest records of a run: what the cube depends on.
type runParams struct {
	Version int     `json:"version"`
	Params  *Params `json:"params"`
	Gridder string  `json:"gridder"`
	// CubeCleaned marks that the cube-scope iteration control of the last run finished and every
	// channel's end state is in its record: a resumed run only restores and commits.
	CubeCleaned bool `json:"cube_cleaned,omitempty"`
}

// markCubeCleaned sets or clears the run parameters' CubeCleaned marker.
func (e *engine) markCubeCleaned(done bool) error {
	if e.p.Channels != "" {
		// A run of selected channels (a cluster task, a re-run) leaves the cube's marker alone:
		// such runs re-image their channels from the start when resumed.
		return nil
	}
	b, err := json.Marshal(runParams{Version: 1, Params: e.p, Gridder: e.gplan.String(), CubeCleaned: done})
	if err != nil {
		return err
	}
	e.cubeDone = done
	return e.st.SetRunParams(b)
}

// cubeCleaned reports whether every channel of chans finished CLEAN in an earlier run whose
// cube-scope iteration control completed. A full run knows it from the manifest's marker. A
// requeued cluster task (--skip-committed) knows it when every channel it has left holds a CLEAN
// result: a group's results are all recorded before any of its channels is committed, and a run
// that redoes a channel's CLEAN first drops its result (dropClean).
func (e *engine) cubeCleaned(chans []int) bool {
	if !e.cubeDone && !e.p.SkipCommitted {
		return false
	}
	for _, c := range chans {
		if e.cleaned[c] == nil {
			return false
		}
	}
	return true
}

// dropClean rewrites channel c's record with its phase-A result only (in progress): the CLEAN
// result of an earlier run is dropped before this run changes the channel's planes.
func (e *engine) dropClean(c int) error {
	info, err := json.Marshal(channelInfo{Prep: e.preps[c]})
	if err != nil {
		return err
	}
	e.cleaned[c] = nil
	return e.st.BeginChannel(c, info)
}

// sameImaging reports whether two runs' parameters give the same PSFs (what phase A depends on),
// so that a resumed run may keep them.
func sameImaging(a, b *Params) bool {
	ka := imagingKey(a)
	kb := imagingKey(b)
	return ka == kb
}

func imagingKey(p *Params) string {
	k := struct {
		Imsize                           [2]int
		Cell                             [2]float64
		Phasecenter                      string
		Nchan                            int
		Start, Width, Outframe, Restfreq string
		Veltype, Interpolation           string
		Field, Spw, Datacolumn           string
		Weighting                        string
		Robust, Fracbw                   float64
		Perchanweightdensity             bool
		Npixels                          int
		WeightingDensity                 string
		Uvtaper                          []string
		GridderEps                       float64
		Kernel                           string
		Psfcutoff                        float64
		BeamFit                          string `json:",omitempty"`
	}{p.Imsize, p.Cell, p.Phasecenter, p.Nchan, p.Start, p.Width, p.Outframe, p.Restfreq, p.Veltype,
		p.Interpolation, p.Field, p.Spw, p.Datacolumn, p.Weighting, p.Robust, p.Fracbw, p.Perchanweightdensity,
		p.Npixels, p.WeightingDensity, p.Uvtaper, p.GridderEps, p.Kernel, p.Psfcutoff, beamFitKey(p.BeamFit)}
	b, _ := json.Marshal(k)
	return string(b)
}

// openCube creates the cube, or opens it for --resume after checking that it was made with the
// same imaging parameters.
func openCube(p *Params, in *runInput, e *engine, path string, opts *store.Options) (*store.Store, bool, error) {
	rp := runParams{Version: 1, Params: p, Gridder: e.gplan.String()}
	rpJSON, err := json.Marshal(rp)
	if err != nil {
		return nil, false, err
	}
	if _, err := os.Stat(path); err == nil {
		if !p.Resume {
			return nil, false, fmt.Errorf("%s exists: add --resume to continue it (or --channels ... --resume to re-image channels), or remove it", path)
		}
		st, err := store.Open(path, opts)
		if err != nil {
			return nil, false, err
		}
		var old runParams
		if err := json.Unmarshal(st.Manifest().RunParams, &old); err != nil || old.Params == nil {
			st.Close()
			return nil, false, fmt.Errorf("%s: no run parameters in its manifest; it was not made by cubeimg run", path)
		}
		if !sameImaging(old.Params, p) {
			st.Close()
			return nil, false, fmt.Errorf("%s was made with different imaging parameters (geometry, spectral axis, selection or weighting); --resume needs the same ones", path)
		}
		m := st.Manifest()
		if m.NX != e.geom.Nx || m.NY != e.geom.Ny || m.NChan != len(in.freqs) {
			st.Close()
			return nil, false, fmt.Errorf("%s is %d x %d x %d, this run makes %d x %d x %d", path, m.NX, m.NY, m.NChan, e.geom.Nx, e.geom.Ny, len(in.freqs))
		}
		rp.CubeCleaned = old.CubeCleaned && p.Channels == ""
		e.cubeDone = rp.CubeCleaned
		if rpJSON, err = json.Marshal(rp); err != nil {
			st.Close()
			return nil, false, err
		}
		if p.Channels == "" && !p.DryRun {
			// Runs of selected channels (cluster tasks running at once) leave the manifest alone.
			if err := st.SetRunParams(rpJSON); err != nil {
				st.Close()
				return nil, false, err
			}
		}
		return st, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	spec := store.Spec{NX: e.geom.Nx, NY: e.geom.Ny, NChan: len(in.freqs), Celestial: in.celestial(e.geom),
		Spectral: in.spectral, RunParams: rpJSON}
	spec.Extensions = store.DefaultExtensions()
	if p.Pbcor {
		spec.Extensions = append(spec.Extensions, store.Extension{Name: extPBCor, DType: store.Float32, BUnit: "Jy/beam"})
	}
	st, err := store.Create(path, spec, opts)
	if err != nil {
		return nil, false, err
	}
	return st, true, nil
}

// beamFitKey is --beam-fit as recorded in the run parameters: empty for the default, so that
// cubes made before the flag existed still resume.
func beamFitKey(s string) string {
	if s == "casa" {
		return ""
	}
	return s
}
