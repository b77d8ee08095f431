package beam

import (
	"errors"
	"math"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
)

// TestFitPSFBox_AnalyticGaussians: an exact Gaussian PSF is recovered by WSClean's box rule to
// 1e-4 in the axes and 0.01 deg in PA, whatever the estimate (box growth included), though the
// rule fits one quadrant only.
func TestFitPSFBox_AnalyticGaussians(t *testing.T) {
	const arcsec = math.Pi / 180 / 3600
	cell := 0.1 * arcsec
	g := imaging.Geometry{Nx: 256, Ny: 256, CellX: cell, CellY: cell}
	for _, b := range []Gaussian{
		{Major: 0.8 * arcsec, Minor: 0.5 * arcsec, PA: 30 * deg},
		{Major: 0.8 * arcsec, Minor: 0.5 * arcsec, PA: -60 * deg},
		{Major: 1.1 * arcsec, Minor: 0.4 * arcsec, PA: 89 * deg},
		{Major: 0.6 * arcsec, Minor: 0.59 * arcsec, PA: 0},
	} {
		psf := gaussianImage(g, b)
		for _, est := range []float64{0.3 * arcsec, 0.6 * arcsec, 1.5 * arcsec} {
			r, err := FitPSFBox(psf, g, est, 0)
			if err != nil {
				t.Fatalf("%v, estimate %g\": %v", b, est/arcsec, err)
			}
			got := r.Beam
			if math.Abs(got.Major/b.Major-1) > 1e-4 || math.Abs(got.Minor/b.Minor-1) > 1e-4 || paDiff(got.PA, b.PA) > 0.01*deg {
				t.Errorf("estimate %.1f\": fitted %.5f\" x %.5f\" PA %.3f deg, want %.5f\" x %.5f\" PA %.3f deg (%d fits, %d pixels)",
					est/arcsec, got.Major/arcsec, got.Minor/arcsec, got.PA/deg, b.Major/arcsec, b.Minor/arcsec, b.PA/deg, r.Attempts, r.Points)
			}
			// A small estimate makes a box too small for the fitted beam: it grows.
			if est == 0.3*arcsec && r.Attempts < 2 {
				t.Errorf("estimate 0.3\": %d fits, want the box to grow", r.Attempts)
			}
		}
	}
}

// TestFitPSFBox_OneQuadrant: only the pixels north and west of the centre count, as in WSClean's
// fitter; a change elsewhere leaves the beam bit for bit unchanged, a change there does not.
func TestFitPSFBox_OneQuadrant(t *testing.T) {
	const arcsec = math.Pi / 180 / 3600
	g := imaging.Geometry{Nx: 128, Ny: 128, CellX: 0.1 * arcsec, CellY: 0.1 * arcsec}
	b := Gaussian{Major: 0.8 * arcsec, Minor: 0.5 * arcsec, PA: 30 * deg}
	base, err := FitPSFBox(gaussianImage(g, b), g, 0.7*arcsec, 0)
	if err != nil {
		t.Fatal(err)
	}
	bump := func(dx, dy int) Gaussian {
		psf := gaussianImage(g, b)
		psf[(g.Ny/2+dy)*g.Nx+g.Nx/2+dx] += 0.2
		r, err := FitPSFBox(psf, g, 0.7*arcsec, 0)
		if err != nil {
			t.Fatal(err)
		}
		return r.Beam
	}
	for _, d := range [][2]int{{-3, 2}, {3, -2}, {-3, -2}} {
		if got := bump(d[0], d[1]); got != base.Beam {
			t.Errorf("a bump at (%d, %d) changed the beam: %v -> %v", d[0], d[1], base.Beam, got)
		}
	}
	if got := bump(3, 2); got == base.Beam {
		t.Errorf("a bump at (+3, +2) (north-west) left the beam unchanged")
	}
}

func TestFitPSFBox_Errors(t *testing.T) {
	g := imaging.Geometry{Nx: 64, Ny: 64, CellX: 1e-6, CellY: 1e-6}
	psf := make([]float32, g.Pixels())
	if _, err := FitPSFBox(psf, g, 5e-6, 0); !errors.Is(err, ErrFit) {
		t.Errorf("zero PSF: %v, want ErrFit", err)
	}
	psf[32*64+32] = 1
	for _, est := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := FitPSFBox(psf, g, est, 0); !errors.Is(err, ErrFit) {
			t.Errorf("estimate %g: %v, want ErrFit", est, err)
		}
	}
	if _, err := FitPSFBox(psf, g, 5e-6, 0.5); !errors.Is(err, ErrFit) {
		t.Errorf("box factor 0.5: %v, want ErrFit", err)
	}
}

// TheoreticalBeam: 1 / the longest weighted baseline (u, v, w), ignoring unweighted samples.
func TestTheoreticalBeam(t *testing.T) {
	s := &imaging.Samples{
		U: []float64{3, 0, 1e6}, V: []float64{4, 100, 0}, W: []float64{12, 0, 0},
		Vis: make([]complex64, 3), Weight: []float32{1, 2, 0},
	}
	if got := TheoreticalBeam(s); got != 1.0/100 {
		t.Errorf("TheoreticalBeam = %g, want 0.01 (baseline 100, the 1e6 one unweighted)", got)
	}
}
