package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/restore"
	"github.com/cubeimg/cubeimg/internal/faultpoint"
	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/spectral"
	"github.com/cubeimg/cubeimg/vis/spool"
)

// runInput is the input side of a run: the spool and what the cube's coordinates need.
type runInput struct {
	sp    *spool.Spool
	plan  *spool.PlanInfo
	axis  *spectral.Axis
	freqs []float64 // output channel frequencies in the axis frame (Hz)
	// spectral is the store's description of the axis.
	spectral store.Spectral
	dish     *restore.Dish
	// built is set when this run built the spool (false: an earlier run's was reused).
	built bool
}

func (in *runInput) close() {
	if in.sp != nil {
		in.sp.Close()
	}
}

// spoolMemory is the memory the spool build may use: half the budget, at most 512 MiB.
func spoolMemory(limit int64) int64 { return min(limit/2, 512<<20) }

// openInput reads the visibilities into the spool NAME.spool, or reuses it when an earlier run
// built it from the same input and selection.
func openInput(ctx context.Context, p *Params, budget *tiles.Budget, prog Progress, faults *faultpoint.Set) (*runInput, error) {
	mem := spoolMemory(p.MaxResident)
	if err := budget.Acquire(ctx, mem); err != nil {
		return nil, fmt.Errorf("memory for the spool build: %w", err)
	}
	defer budget.Release(mem)
	field := p.Field
	if field == "" {
		field = p.Phasecenter
	}
	opts := &spool.Options{
		Selection: spool.Selection{Field: field, Spw: p.Spw, DataColumn: strings.ToLower(p.Datacolumn)},
		Spec: spectral.Spec{NChan: p.Nchan, Start: p.Start, Width: p.Width, RestFreq: p.Restfreq,
			VelType: p.Veltype, OutFrame: p.Outframe},
		Interpolation: p.Interpolation,
		MemoryBytes:   mem,
	}
	var tr Tracker
	var last int64
	opts.Progress = func(done, total int) {
		if tr == nil {
			tr = prog.Start("spool", int64(total))
		}
		tr.Add(int64(done) - last)
		last = int64(done)
		faults.Hit("spool")
	}
	start := time.Now()
	var sp *spool.Spool
	var built bool
	var err error
	if p.SkipCommitted {
		sp, err = openTaskSpool(p, opts)
	} else {
		sp, built, err = spool.OpenOrBuild(ctx, p.Vis, spoolPath(p.ImageName), opts)
	}
	if tr != nil {
		tr.Finish()
	}
	if err != nil {
		return nil, err
	}
	in := &runInput{sp: sp, built: built}
	if built {
		prog.Logf("spool %s built in %s: %d samples", sp.Dir(), time.Since(start).Round(time.Millisecond), sp.Manifest().Stats.SamplesWritten)
	} else {
		prog.Logf("spool %s reused (same input and selection)", sp.Dir())
	}
	if in.plan, err = sp.Plan(); err != nil {
		in.close()
		return nil, err
	}
	if in.axis, err = sp.Axis(); err != nil {
		in.close()
		return nil, err
	}
	in.freqs = in.axis.Freq
	fa := in.axis.FITS()
	in.spectral = store.Spectral{RestFreq: fa.RestFreq, Frame: fa.SpecSys}
	if fa.CType == "FREQ" && in.axis.Linear() {
		in.spectral.CRVal, in.spectral.CDelt, in.spectral.CRPix = fa.CRVal, fa.CDelt, fa.CRPix
	} else {
		in.spectral.Freqs = append([]float64(nil), in.freqs...)
	}
	in.dish, err = pbModel(p.Telescope, in.plan.Telescope)
	if err != nil {
		in.close()
		return nil, err
	}
	if in.dish == nil {
		prog.Logf("no primary-beam model for telescope %q: the pb extension is 1 everywhere (set --telescope ALMA12m or ALMA7m)", in.plan.Telescope)
	}
	return in, nil
}

// openTaskSpool opens the spool of a cluster task (--skip-committed): the one its prepare step
// built, with the same selection, whatever happened to the input files since (opening an MS with
// casacore rewrites its table.lock, which changes the input's key). A task never builds the
// spool: the job's tasks would all rebuild it at once, under each other's feet.
func openTaskSpool(p *Params, opts *spool.Options) (*spool.Spool, error) {
	dir := spoolPath(p.ImageName)
	sp, err := spool.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: a --skip-committed task uses the spool of the prepare step (--prepare-only); run it first", err)
	}
	have := sp.Manifest().Key
	if !have.Equal(spool.Key{Input: have.Input, Selection: spool.SelectionKey(opts)}) {
		sp.Close()
		return nil, fmt.Errorf("%s was built for another selection or spectral axis than this task's flags: run the prepare step (--prepare-only) with the same flags", dir)
	}
	return sp, nil
}

// pbModel picks the primary-beam model: --telescope, else from the input's telescope name.
func pbModel(flag, telescope string) (*restore.Dish, error) {
	name := flag
	if name == "" {
		switch strings.ToUpper(strings.TrimSpace(telescope)) {
		case "ALMA":
			name = "ALMA12m"
		case "ACA":
			name = "ALMA7m"
		default:
			return nil, nil
		}
	}
	d, err := restore.DishByName(name)
	if err != nil {
		return nil, fmt.Errorf("--telescope: %w", err)
	}
	return &d, nil
}

// celestial is the store's RA/Dec WCS: SIN projection about the phase centre at pixel
// (nx/2, ny/2), RA increasing to the left.
func (in *runInput) celestial(g imaging.Geometry) store.Celestial {
	deg := 180 / math.Pi
	c := store.Celestial{
		Projection: "SIN",
		CRVal:      [2]float64{math.Mod(in.plan.PhaseCentre[0]*deg+360, 360), in.plan.PhaseCentre[1] * deg},
		CRPix:      [2]float64{float64(g.Nx/2) + 1, float64(g.Ny/2) + 1},
		CDelt:      [2]float64{-g.CellX * deg, g.CellY * deg},
		Telescope:  in.plan.Telescope,
	}
	switch strings.ToUpper(in.plan.PhaseCentreFrame) {
	case "ICRS":
		c.RADesys = "ICRS"
	default:
		c.RADesys, c.Equinox = "FK5", 2000
	}
	if in.plan.RefTime > 0 {
		c.DateObs = time.Unix(0, 0).UTC().Add(time.Duration(vis.MJDSecondsToUnix(in.plan.RefTime) * float64(time.Second))).Format("2006-01-02T15:04:05.000")
	}
	return c
}
