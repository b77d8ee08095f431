package deconv

import (
	"context"
	"encoding/json"
	"math"
	"testing"
)

func params(mod func(*Params)) Params {
	p := DefaultParams()
	p.Niter = 1000
	mod(&p)
	return p
}

func summary(peak float32) PlaneSummary {
	return PlaneSummary{PeakInMask: peak, PeakNoMask: peak, MaskPixels: 100, PSFSidelobe: 0.2}
}

// oneChannel runs a channel controller through rounds with the given summaries, recording iters
// iterations per minor cycle, and returns the stop and the round it came in.
func oneChannel(t *testing.T, p Params, iters int, peaks ...PlaneSummary) (Stop, int) {
	t.Helper()
	p.Scope = ScopeChannel
	c, err := NewController(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	for round, s := range peaks {
		if err := c.Observe(0, s); err != nil {
			t.Fatal(err)
		}
		d, err := c.Decide()
		if err != nil {
			t.Fatal(err)
		}
		if st := c.ChannelStop(0); st != Running {
			return st, round
		}
		if err := c.Record(0, MinorResult{Iterations: iters}); err != nil {
			t.Fatal(err)
		}
		_ = d
	}
	return Running, len(peaks)
}

func TestController_StopRules(t *testing.T) {
	for _, c := range []struct {
		name  string
		p     Params
		iters int
		peaks []PlaneSummary
		stop  Stop
		round int
	}{
		{"niter 0 makes only the dirty image", params(func(p *Params) { p.Niter = 0 }), 0,
			[]PlaneSummary{summary(1)}, StopNiter, 0},
		{"niter reached", params(func(p *Params) { p.Niter = 10 }), 6,
			[]PlaneSummary{summary(1), summary(0.9), summary(0.8)}, StopNiter, 2},
		{"threshold within 1%", params(func(p *Params) { p.Threshold = 0.1 }), 5,
			[]PlaneSummary{summary(1), summary(0.5), summary(0.102), summary(0.1009)}, StopThreshold, 3},
		{"threshold beats niter", params(func(p *Params) { p.Threshold = 0.1; p.Niter = 5 }), 5,
			[]PlaneSummary{summary(1), summary(0.05)}, StopThreshold, 1},
		{"nsigma", params(func(p *Params) { p.NSigma = 3 }), 5,
			[]PlaneSummary{{PeakInMask: 1, PeakNoMask: 1, MaskPixels: 5, RMS: 0.1}, {PeakInMask: 0.301, PeakNoMask: 1, MaskPixels: 5, RMS: 0.1}}, StopNSigma, 1},
		{"no change", params(func(*Params) {}), 5,
			[]PlaneSummary{summary(1), summary(0.5), summary(0.5)}, StopNoChange, 2},
		{"nmajor", params(func(p *Params) { p.NMajor = 2 }), 5,
			[]PlaneSummary{summary(1), summary(0.8), summary(0.6), summary(0.4)}, StopNMajor, 2},
		{"nmajor 0", params(func(p *Params) { p.NMajor = 0 }), 5,
			[]PlaneSummary{summary(1)}, StopNMajor, 0},
		{"empty automask, not flagged: tclean's zero mask", params(func(*Params) {}), 0,
			[]PlaneSummary{{PeakNoMask: 0.3}}, StopZeroMask, 0},
		{"empty automask flagged as noise", params(func(*Params) {}), 0,
			[]PlaneSummary{{PeakNoMask: 0.3, NoiseLimited: true}}, StopNoise, 0},
		{"diverged from previous", params(func(*Params) {}), 5,
			[]PlaneSummary{summary(1), summary(0.8), summary(3.3)}, StopDivergedPrevious, 2},
		{"diverged from minimum", params(func(*Params) {}), 5,
			[]PlaneSummary{summary(1), summary(0.5), summary(1.9), summary(2.1)}, StopDivergedMinimum, 3},
		{"no divergence before iterations", params(func(*Params) {}), 0,
			[]PlaneSummary{summary(1), summary(5)}, StopNoChange, 99},
	} {
		stop, round := oneChannel(t, c.p, c.iters, c.peaks...)
		if c.round == 99 {
			// Zero iterations: the growth is not divergence; nothing stops in two rounds.
			if stop != Running {
				t.Errorf("%s: stopped %v in round %d, want running", c.name, stop, round)
			}
			continue
		}
		if stop != c.stop || round != c.round {
			t.Errorf("%s: %v in round %d, want %v in round %d", c.name, stop, round, c.stop, c.round)
		}
	}
}

func TestController_CycleControls(t *testing.T) {
	p := params(func(p *Params) { p.Niter = 100; p.CycleNiter = 30; p.Threshold = 0.01 })
	c, _ := NewController(p, 3)
	for ch, s := range []PlaneSummary{
		{PeakInMask: 0.5, PeakNoMask: 2, MaskPixels: 10, PSFSidelobe: 0.1},
		{PeakInMask: 0.8, PeakNoMask: 0.9, MaskPixels: 4, PSFSidelobe: 0.3},
		{PeakInMask: 0, PeakNoMask: 5, MaskPixels: 0, PSFSidelobe: 0.9},
	} {
		if err := c.Observe(ch, s); err != nil {
			t.Fatal(err)
		}
	}
	d, err := c.Decide()
	if err != nil {
		t.Fatal(err)
	}
	// Peak in the masks (0.8), largest sidelobe (0.9) clamped to maxpsffraction 0.8.
	if d.Peak != float64(float32(0.8)) || math.Abs(d.Controls.CycleThreshold-0.8*float64(float32(0.8))) > 1e-7 ||
		d.Controls.CycleNiter != 30 || d.Controls.ThresholdReached {
		t.Errorf("decision %+v", d)
	}
	for _, ch := range d.Clean {
		c.Record(ch, MinorResult{Iterations: 30})
	}
	// Round 1: 90 done, cycleniter limited to the 10 left; a small peak gives the threshold.
	for ch := range 3 {
		c.Observe(ch, PlaneSummary{PeakInMask: 0.1, PeakNoMask: 0.1, MaskPixels: 4, PSFSidelobe: 0.01})
	}
	d, _ = c.Decide()
	if d.Controls.CycleNiter != 10 || d.Controls.CycleThreshold != 0.01 || !d.Controls.ThresholdReached {
		t.Errorf("round 1 controls %+v, want cycleniter 10, threshold 0.01 reached", d.Controls)
	}
	if d.MajorDone != 1 {
		t.Errorf("MajorDone %d, want 1", d.MajorDone)
	}
}

// TestController_CubeChannelDivergence: in a cube, one diverging channel stops alone.
func TestController_CubeChannelDivergence(t *testing.T) {
	c, _ := NewController(params(func(*Params) {}), 3)
	peaks := [][3]float32{{1, 1, 1}, {0.5, 0.5, 0.5}, {0.3, 2.5, 0.3}, {0.2, 0, 0.2}}
	for round, pk := range peaks {
		for ch := range 3 {
			if !c.Active(ch) {
				continue
			}
			if err := c.Observe(ch, summary(pk[ch])); err != nil {
				t.Fatal(err)
			}
		}
		d, err := c.Decide()
		if err != nil {
			t.Fatal(err)
		}
		if round == 2 {
			if len(d.Stopped) != 1 || d.Stopped[0] != 1 || c.ChannelStop(1) != StopDivergedPrevious {
				t.Fatalf("round 2: stopped %v, channel 1 %v; want channel 1 diverged from its previous peak", d.Stopped, c.ChannelStop(1))
			}
			if d.Peak != float64(float32(0.3)) {
				t.Errorf("cube peak %v leaves out the stopped channel: want 0.3", d.Peak)
			}
		}
		for _, ch := range d.Clean {
			c.Record(ch, MinorResult{Iterations: 5})
		}
	}
	if c.ChannelStop(0) != Running || c.ChannelStop(2) != Running || c.Done() {
		t.Errorf("channels 0 and 2 must still be cleaning: %v %v", c.ChannelStop(0), c.ChannelStop(2))
	}
	// The protocol: a channel not observed makes Decide fail.
	c.Observe(0, summary(0.1))
	if _, err := c.Decide(); err == nil {
		t.Error("Decide with channel 2 unobserved: want an error")
	}
	// Checkpoint round trip.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Controller
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) {
		t.Errorf("JSON round trip differs:\n%s\n%s", b, b2)
	}
}

// deltaChannel is a channel with a delta-function PSF and one source of the given flux: each
// Hogbom iteration removes exactly gain of what is left, so the iteration counts are known.
func deltaChannel(n int, flux float32) Planes {
	pl := Planes{Nx: n, Ny: n, Residual: make([]float32, n*n), Model: make([]float32, n*n), PSF: make([]float32, n*n)}
	pl.PSF[n/2*n+n/2] = 1
	pl.Residual[5*n+7] = flux
	return pl
}

// runRounds cleans the channels with the controllers (one for the cube, or one per channel),
// with exact major cycles (the residual is already exact for a delta PSF) and returns the total
// number of components and each channel's stop.
func runRounds(t *testing.T, p Params, fluxes []float32) (int, []Stop) {
	t.Helper()
	chans := make([]Planes, len(fluxes))
	for i, f := range fluxes {
		chans[i] = deltaChannel(16, f)
	}
	var ctrls []*Controller
	idx := func(ch int) (*Controller, int) {
		if p.Scope == ScopeCube {
			return ctrls[0], ch
		}
		return ctrls[ch], 0
	}
	if p.Scope == ScopeCube {
		c, err := NewController(p, len(fluxes))
		if err != nil {
			t.Fatal(err)
		}
		ctrls = append(ctrls, c)
	} else {
		for range fluxes {
			c, err := NewController(p, 1)
			if err != nil {
				t.Fatal(err)
			}
			ctrls = append(ctrls, c)
		}
	}
	for round := 0; round < 100; round++ {
		for ch, pl := range chans {
			c, k := idx(ch)
			if c.Active(k) {
				s := Summarize(SummaryInput{Nx: pl.Nx, Ny: pl.Ny, Residual: pl.Residual}, &p)
				if err := c.Observe(k, s); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, c := range ctrls {
			if c.Done() {
				continue
			}
			d, err := c.Decide()
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range d.Clean {
				ch := k
				if p.Scope == ScopeChannel {
					for i := range ctrls {
						if ctrls[i] == c {
							ch = i
						}
					}
				}
				r, err := Hogbom(context.Background(), chans[ch], c.MinorParams(k, d))
				if err != nil {
					t.Fatal(err)
				}
				c.Record(k, r)
			}
		}
	}
	// All of a channel's components fall on its one source pixel, so count them from the
	// reported iterations, checked against the model flux: F (1 - 0.9^k).
	total := 0
	stops := make([]Stop, len(fluxes))
	for ch := range chans {
		c, k := idx(ch)
		stops[ch] = c.ChannelStop(k)
		iters := c.Channels[k].IterDone
		want := float64(fluxes[ch]) * (1 - math.Pow(0.9, float64(iters)))
		if got := float64(chans[ch].Model[5*16+7]); math.Abs(got-want) > 1e-5*float64(fluxes[ch]) {
			t.Errorf("channel %d: model flux %v after %d iterations, want %v", ch, got, iters, want)
		}
		total += iters
	}
	return total, stops
}

// TestController_NiterScopes counts the components of three channels (sources of 1, 2 and 4 Jy,
// delta PSF, gain 0.1, niter 40, S_psf 0 so the cycle threshold is 5% of the peak):
//
// cube: round 0, the cube peak 4 gives cycle threshold 0.2 and every channel may do 40: the
// channels do 16, 22 and 29 iterations (0.9^k F <= 0.2), 67 in all; round 1 stops on niter
// (tclean's overshoot: each channel's limit is what was left of niter at the start of the cycle).
//
// channel: each channel has niter 40 and its own peak: 29 iterations to 5% of its peak in
// round 0, then the 11 left of its niter in round 1, then it stops on niter: 120 in all.
func TestController_NiterScopes(t *testing.T) {
	p := DefaultParams()
	p.Niter, p.Threshold = 40, 0.001
	total, stops := runRounds(t, p, []float32{1, 2, 4})
	if total != 67 {
		t.Errorf("cube scope: %d components, want 16+22+29 = 67", total)
	}
	for ch, s := range stops {
		if s != StopNiter {
			t.Errorf("cube scope: channel %d stopped %v, want niter", ch, s)
		}
	}
	p.Scope = ScopeChannel
	total, stops = runRounds(t, p, []float32{1, 2, 4})
	if total != 120 {
		t.Errorf("channel scope: %d components, want 3 x 40 = 120", total)
	}
	for ch, s := range stops {
		if s != StopNiter {
			t.Errorf("channel scope: channel %d stopped %v, want niter", ch, s)
		}
	}
}
