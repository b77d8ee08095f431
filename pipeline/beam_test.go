package pipeline

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/beam"
	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/vis/spool"
)

// A heavily flagged channel (only baselines under 120 m) has a much larger beam: the common
// restoring beam rejects and names it instead of growing to it, and every other channel's beam
// deconvolves from the common beam.
func TestRun_CommonBeamRejectsBadChannel(t *testing.T) {
	dir := t.TempDir()
	const bad = 2
	ms, _ := simulateMS(t, dir, simOptions{nchan: 6, duration: 120, sigma: -1, flagBeyond: map[int]float64{bad: 120}})
	p := smallParams(ms, filepath.Join(dir, "cb"))
	p.Restoringbeam = "common"
	p.NiterScope = "channel"
	var log recordingProgress
	if err := Run(context.Background(), p, &log, discardWriter{}); err != nil {
		t.Fatal(err)
	}
	recs := channelRecords(t, cubePath(p.ImageName))
	var common beam.Gaussian
	var fitted []beam.Gaussian
	for c, r := range recs {
		var ci channelInfo
		if err := json.Unmarshal(r.Info, &ci); err != nil {
			t.Fatal(err)
		}
		fitted = append(fitted, ci.Prep.Beam.beam())
		if c == 0 {
			common = ci.Clean.Restore.Beam.beam()
		}
		if rb := ci.Clean.Restore.Beam.beam(); rb != common {
			t.Errorf("channel %d restored with %+v, channel 0 with %+v", c, rb, common)
		}
		if got := ci.Clean.Restore.CommonRejected; got != (c == bad) {
			t.Errorf("channel %d: rejected from the common beam %v, want %v", c, got, c == bad)
		}
	}
	if fitted[bad].Area() < 2*fitted[0].Area() {
		t.Fatalf("the flagged channel's beam %+v is not much larger than channel 0's %+v: the test needs a bad channel", fitted[bad], fitted[0])
	}
	for c, f := range fitted {
		if c != bad && !beam.CanDeconvolve(common, f) {
			t.Errorf("channel %d's beam %+v does not deconvolve from the common beam %+v", c, f, common)
		}
	}
	if common.Area() > 1.2*fitted[0].Area() {
		t.Errorf("common beam area %.3g is inflated (channel 0's %.3g)", common.Area(), fitted[0].Area())
	}
	named := false
	for _, l := range log.lines {
		if strings.Contains(l, "channel 2 rejected from the common beam") {
			named = true
		}
	}
	if !named {
		t.Errorf("the run did not name channel %d as rejected; it logged:\n%s", bad, strings.Join(log.lines, "\n"))
	}
}

// --beam-fit wsclean records, for every channel, beam.FitPSFBox of the channel's stored PSF
// seeded with 1 / its longest baseline (checked against WSClean itself in imaging/gridder), and
// --beam-fit casa beam.FitPSF's main-lobe beam; the two differ.
func TestRun_BeamFitWSClean(t *testing.T) {
	dir := t.TempDir()
	ms, _ := simulateMS(t, dir, simOptions{nchan: 2, duration: 120, sigma: -1})
	beams := map[string][]beam.Gaussian{}
	for _, rule := range []string{"casa", "wsclean"} {
		p := smallParams(ms, filepath.Join(dir, rule))
		p.Imsize = [2]int{128, 128}
		p.Niter = 0
		p.BeamFit = rule
		if err := Run(context.Background(), p, Discard, discardWriter{}); err != nil {
			t.Fatal(err)
		}
		st, err := openStoreRO(cubePath(p.ImageName))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := spool.Open(spoolPath(p.ImageName))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := st.Channels()
		if err != nil {
			t.Fatal(err)
		}
		g := imaging.Geometry{Nx: p.Imsize[0], Ny: p.Imsize[1], CellX: p.Cell[0], CellY: p.Cell[1]}
		for c, r := range recs {
			var ci channelInfo
			if err := json.Unmarshal(r.Info, &ci); err != nil {
				t.Fatal(err)
			}
			got := ci.Prep.Beam.beam()
			pl, err := st.Plane(context.Background(), extPSF, c, store.Read)
			if err != nil {
				t.Fatal(err)
			}
			psf := append([]float32(nil), pl.Float32s()...)
			pl.Release()
			var want beam.FitResult
			if rule == "wsclean" {
				var s spool.Samples
				if err := sp.Read(c, &s); err != nil {
					t.Fatal(err)
				}
				est := beam.TheoreticalBeam(&imaging.Samples{U: s.U, V: s.V, W: s.W, Vis: s.Vis, Weight: s.Weight})
				want, err = beam.FitPSFBox(psf, g, est, 10)
			} else {
				want, err = beam.FitPSF(psf, g, p.Psfcutoff)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want.Beam {
				t.Errorf("%s channel %d: recorded beam %+v, fit of the stored PSF %+v", rule, c, got, want.Beam)
			}
			beams[rule] = append(beams[rule], got)
		}
		sp.Close()
		st.Close()
	}
	for c := range beams["casa"] {
		a, b := beams["casa"][c], beams["wsclean"][c]
		if math.Abs(b.Major/a.Major-1) < 1e-3 && math.Abs(b.Minor/a.Minor-1) < 1e-3 {
			t.Errorf("channel %d: the two rules gave the same beam %+v", c, a)
		}
		t.Logf("channel %d: casa %.4f\" x %.4f\" PA %.2f, wsclean %.4f\" x %.4f\" PA %.2f", c,
			a.Major/arcsecRad, a.Minor/arcsecRad, a.PA*180/math.Pi, b.Major/arcsecRad, b.Minor/arcsecRad, b.PA*180/math.Pi)
	}
}
