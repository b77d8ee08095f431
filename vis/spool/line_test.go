package spool

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/cubeimg/cubeimg/vis/simulate"
	"github.com/cubeimg/cubeimg/vis/spectral"
)

// Simulated data for the channel-mapping tests: 64 channels of 976.5625 kHz around 230.538 GHz,
// a noiseless 1 Jy point source at the phase centre in data channel lineChan only (so every
// visibility is 1 Jy there and 0 elsewhere).
const (
	simCentre = 230.538e9
	simWidth  = 976562.5
	simNChan  = 64
	lineChan  = 40
)

func simFreq(width float64, j float64) float64 {
	return simCentre + (j-float64(simNChan-1)/2)*width
}

// simulateLine writes the MS (width < 0 for descending channels) and returns its path.
func simulateLine(t *testing.T, width float64, frame string) string {
	t.Helper()
	cfg := simulate.DefaultConfig()
	cfg.MS = filepath.Join(t.TempDir(), "line.ms")
	cfg.NChan, cfg.WidthHz, cfg.Frame = simNChan, width, frame
	cfg.DurationS, cfg.IntegrationS = 2*6.048, 6.048
	cfg.SigmaJy, cfg.FlagFrac, cfg.Workers = 0, 0, 2
	flux := make([]float64, simNChan)
	flux[lineChan] = 1
	cfg.Sky = &simulate.SkyModel{Components: []simulate.Component{{Name: "L", Type: simulate.TypePoint, ChannelFluxJy: flux}}}
	if _, err := simulate.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.MS
}

// phaseCentreSpectrum returns the natural-weighted phase-centre value sum(w Re V)/sum(w) per
// output channel (0 for empty channels): with a point source at the phase centre, the spectrum
// of the source on the output axis.
func phaseCentreSpectrum(t *testing.T, sp *Spool) []float64 {
	t.Helper()
	out := make([]float64, sp.NChan())
	var s Samples
	for k := range out {
		if err := sp.Read(k, &s); err != nil {
			t.Fatal(err)
		}
		var sw, sre float64
		for i := range s.Vis {
			sw += float64(s.Weight[i])
			sre += float64(s.Weight[i]) * float64(real(s.Vis[i]))
		}
		if sw > 0 {
			out[k] = sre / sw
		}
	}
	return out
}

type lineCase struct {
	name   string
	spec   spectral.Spec
	nchan  int     // expected number of output channels
	chanK  int     // output channel holding the line
	value  float64 // expected value there (the fraction of the output channel the line fills)
	others float64 // bound on every other channel
	// For linear interpolation, when it differs: the value and the bound on other channels.
	linValue, linOthers float64
	// valueTol is the tolerance on the value (default 1e-6).
	valueTol float64
}

func checkLine(t *testing.T, ms string, c lineCase) {
	for _, interp := range []string{"nearest", "linear"} {
		t.Run(c.name+"/"+interp, func(t *testing.T) {
			sp, _, err := OpenOrBuild(context.Background(), ms, t.TempDir(), &Options{Spec: c.spec, Interpolation: interp})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			spec := phaseCentreSpectrum(t, sp)
			if len(spec) != c.nchan {
				t.Fatalf("%d output channels, want %d", len(spec), c.nchan)
			}
			value, others := c.value, c.others
			if interp == "linear" && c.linValue != 0 {
				value, others = c.linValue, c.linOthers
			}
			best := 0
			for k := range spec {
				if spec[k] > spec[best] {
					best = k
				}
			}
			tol := c.valueTol
			if tol == 0 {
				tol = 1e-6
			}
			if best != c.chanK || (value > 0 && math.Abs(spec[best]-value) > tol) {
				t.Fatalf("line peaks in output channel %d at %.6f Jy, want channel %d at %.6f Jy (spectrum %.4f)", best, spec[best], c.chanK, value, spec)
			}
			for k, v := range spec {
				if k != best && math.Abs(v) > others {
					t.Fatalf("output channel %d holds %.6f Jy, want at most %.3g (spectrum %.4f)", k, v, others, spec)
				}
			}
		})
	}
}

// Optical velocity channels of 2.5 km/s (about 1.9 data channels).
const optDV = 2500.0

func optVel(f float64) float64 { return speedOfLight * (simCentre/f - 1) }

// optChan returns the output channel of an optical axis starting at the velocity of f0 (steps
// of dv) that holds frequency f.
func optChan(f0, f, dv float64) int {
	return int(math.Floor((optVel(f)-optVel(f0))/dv + 0.5))
}

func hz(f float64) string { return fmt.Sprintf("%.6fHz", f) }

// radioVel returns the radio velocity of frequency f for rest frequency simCentre, in m/s.
func radioVel(f float64) string { return fmt.Sprintf("%.9fm/s", speedOfLight*(1-f/simCentre)) }

// The line lands in the output channel that covers its frequency, for nearest and linear,
// channel, frequency and velocity start/width, ascending and descending data channels.
func TestBuild_LineLandsInTheRightChannel(t *testing.T) {
	for _, dir := range []struct {
		name  string
		width float64
	}{{"ascending", simWidth}, {"descending", -simWidth}} {
		d := dir.width
		ms := simulateLine(t, d, "LSRK")
		f := func(j float64) float64 { return simFreq(d, j) }
		dv := math.Copysign(optDV, d) // optical channels towards the line
		t.Run(dir.name, func(t *testing.T) {
			cases := []lineCase{
				// 1:1 with the data: the line stays in its channel, alone.
				{"channels-1:1", spectral.Spec{}, simNChan, lineChan, 1, 1e-6, 0, 0, 0},
				// Channel k averages data channels 10+2k and 11+2k, in the data's order.
				{"channel-start-width", spectral.Spec{Start: "10", Width: "2", NChan: 20}, 20, (lineChan - 10) / 2, 0.5, 1e-6, 0, 0, 0},
				// Channels of two data channels whose edges are the data's: k covers 10+2k, 11+2k.
				{"frequency-start-width", spectral.Spec{Start: hz((f(10) + f(11)) / 2), Width: hz(2 * d), NChan: 20}, 20, 15, 0.5, 1e-6, 0, 0, 0},
				// The same channels walked the other way in frequency: k covers 51-2k, 50-2k.
				{"frequency-reversed", spectral.Spec{Start: hz((f(50) + f(51)) / 2), Width: hz(-2 * d), NChan: 20}, 20, 5, 0.5, 1e-6, 0, 0, 0},
				// Radio velocity: start at data channels 50/51, two channels per output channel.
				{"velocity-start-width", spectral.Spec{Start: radioVel((f(50) + f(51)) / 2), Width: fmt.Sprintf("%.9fm/s", speedOfLight*2*d/simCentre),
					RestFreq: "230.538GHz", NChan: 20}, 20, 5, 0.5, 1e-6, 0, 0, 0},
				// Output channels one data channel wide, centred a quarter channel off the data:
				// nearest keeps the line whole in the channel 0.25 from it; linear interpolates it,
				// 0.75 there and 0.25 in the channel 0.75 away (tclean's 1:1 rule).
				{"frequency-quarter-offset", spectral.Spec{Start: hz(f(0.25)), Width: hz(d), NChan: 63}, 63, lineChan, 1, 1e-6, 0.75, 0.25 + 1e-6, 0},
				// Optical velocity, equidistant in velocity: the channel whose velocity range holds
				// the line's optical velocity (computed here from the definition).
				{"optical-velocity", spectral.Spec{Start: fmt.Sprintf("%.9fm/s", optVel(f(50.5))), Width: fmt.Sprintf("%.9fm/s", dv),
					RestFreq: "230.538GHz", VelType: "optical", NChan: 20}, 20, optChan(f(50.5), f(lineChan), dv), 0, 0.5 + 1e-6, 0, 0, 0},
			}
			for _, c := range cases {
				checkLine(t, ms, c)
			}
		})
	}
}

// Topocentric data onto an LSRK axis: each row is Doppler-tracked, so the line lands in the LSRK
// channel of its TOPO frequency times the TOPO -> LSRK factor (about 1e-4 here: 20 channels).
func TestBuild_LineDopplerTracked(t *testing.T) {
	ms := simulateLine(t, simWidth, "TOPO")
	r, err := OpenInput(ms, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Meta()
	pos, _, ok := ObservatoryPosition(m)
	r.Close()
	if !ok {
		t.Fatal("no observatory position")
	}
	conv, err := spectral.NewConverter(pos)
	if err != nil {
		t.Fatal(err)
	}
	tmid := (m.Observations[0].TimeRange[0] + m.Observations[0].TimeRange[1]) / 2
	k, err := conv.ToLSRK(spectral.TOPO, spectral.Direction{Lon: m.Fields[0].PhaseDir[0], Lat: m.Fields[0].PhaseDir[1]}, tmid)
	if err != nil {
		t.Fatal(err)
	}
	f := func(j float64) float64 { return simFreq(simWidth, j) }
	if shift := math.Abs(k-1) * f(lineChan) / simWidth; shift < 6 {
		t.Fatalf("the TOPO -> LSRK shift is only %.1f channels: the test would not notice a missing conversion", shift)
	}
	// LSRK channels of two (converted) data channels: k covers the LSRK images of 10+2k, 11+2k.
	// The factor changes by 1e-9 between the two integrations and the middle (3e-5 of a channel),
	// which linear interpolation shows.
	checkLine(t, ms, lineCase{"topo-to-lsrk", spectral.Spec{Start: hz(f(10.5) * k), Width: hz(2 * simWidth * k), NChan: 20},
		20, 15, 0.5, 1e-6, 0.5, 1e-4, 1e-4})
}
