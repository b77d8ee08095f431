package beam

import (
	"errors"
	"math"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
)

const deg = math.Pi / 180

// gaussianImage draws beam b (peak 1) centred on the phase-centre pixel, written directly from
// the convention: x grows westwards, PA is east of north, FWHM axes.
func gaussianImage(g imaging.Geometry, b Gaussian) []float32 {
	img := make([]float32, g.Pixels())
	sigMaj := b.Major / (2 * math.Sqrt(2*math.Ln2))
	sigMin := b.Minor / (2 * math.Sqrt(2*math.Ln2))
	for y := 0; y < g.Ny; y++ {
		for x := 0; x < g.Nx; x++ {
			east := -float64(x-g.Nx/2) * g.CellX
			north := float64(y-g.Ny/2) * g.CellY
			// Unit vector of the major axis: PA from north towards east.
			along := east*math.Sin(b.PA) + north*math.Cos(b.PA)
			across := east*math.Cos(b.PA) - north*math.Sin(b.PA)
			img[y*g.Nx+x] = float32(math.Exp(-0.5 * (along*along/(sigMaj*sigMaj) + across*across/(sigMin*sigMin))))
		}
	}
	return img
}

func paDiff(a, b float64) float64 {
	d := math.Mod(a-b, math.Pi)
	if d > math.Pi/2 {
		d -= math.Pi
	}
	if d < -math.Pi/2 {
		d += math.Pi
	}
	return math.Abs(d)
}

// TestFitPSF_AnalyticGaussians: elliptical Gaussians are recovered to 0.1% in the axes and
// 0.1 deg in PA.
func TestFitPSF_AnalyticGaussians(t *testing.T) {
	const arcsec = math.Pi / 180 / 3600
	cell := 0.1 * arcsec
	cases := []Gaussian{
		{Major: 0.6 * arcsec, Minor: 0.45 * arcsec, PA: 30 * deg},
		{Major: 0.6 * arcsec, Minor: 0.45 * arcsec, PA: -60 * deg},
		{Major: 0.8 * arcsec, Minor: 0.3 * arcsec, PA: 89.5 * deg},
		{Major: 0.8 * arcsec, Minor: 0.3 * arcsec, PA: -89.5 * deg},
		{Major: 0.5 * arcsec, Minor: 0.49 * arcsec, PA: 10 * deg},
		{Major: 1.2 * arcsec, Minor: 0.7 * arcsec, PA: 0},
		{Major: 0.35 * arcsec, Minor: 0.25 * arcsec, PA: 45 * deg}, // 2.5-3.5 pixels per FWHM
	}
	for _, g := range []imaging.Geometry{
		{Nx: 128, Ny: 128, CellX: cell, CellY: cell},
		{Nx: 96, Ny: 160, CellX: cell, CellY: 1.3 * cell}, // rectangular pixels
	} {
		for _, want := range cases {
			psf := gaussianImage(g, want)
			res, err := FitPSF(psf, g, 0)
			if err != nil {
				t.Fatalf("%+v: %v", want, err)
			}
			got := res.Beam
			dMaj := math.Abs(got.Major/want.Major - 1)
			dMin := math.Abs(got.Minor/want.Minor - 1)
			dPA := paDiff(got.PA, want.PA) / deg
			t.Logf("cell %.2f x %.2f\": want %.3f\" x %.3f\" %.1f deg, got %.4f\" x %.4f\" %.3f deg (%d points, cutoff %.3f): errors %.1e %.1e %.3f deg",
				g.CellX/arcsec, g.CellY/arcsec, want.Major/arcsec, want.Minor/arcsec, want.PA/deg,
				got.Major/arcsec, got.Minor/arcsec, got.PA/deg, res.Points, res.Cutoff, dMaj, dMin, dPA)
			if dMaj > 1e-3 || dMin > 1e-3 || (want.Major/want.Minor > 1.05 && dPA > 0.1) {
				t.Errorf("%+v: fitted %+v", want, got)
			}
			if got.PA <= -math.Pi/2 || got.PA > math.Pi/2 || got.Minor > got.Major {
				t.Errorf("beam not normalised: %+v", got)
			}
		}
	}
}

// TestFitPSF_Retries: a main lobe too small for 12 points above the cutoff makes the fit retry
// at lower cutoffs.
func TestFitPSF_Retries(t *testing.T) {
	g := imaging.Geometry{Nx: 64, Ny: 64, CellX: 1, CellY: 1}
	want := Gaussian{Major: 0.9, Minor: 0.8, PA: 0.3}
	res, err := FitPSF(gaussianImage(g, want), g, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts < 2 || res.Cutoff >= 0.9 {
		t.Errorf("attempts %d cutoff %g: expected retries", res.Attempts, res.Cutoff)
	}
	if math.Abs(res.Beam.Major/want.Major-1) > 0.02 || math.Abs(res.Beam.Minor/want.Minor-1) > 0.02 {
		t.Errorf("fitted %+v, want about %+v", res.Beam, want)
	}
}

func TestFitPSF_Errors(t *testing.T) {
	g := imaging.Geometry{Nx: 64, Ny: 64, CellX: 1, CellY: 1}
	if _, err := FitPSF(make([]float32, g.Pixels()), g, 0); !errors.Is(err, ErrFit) {
		t.Errorf("empty PSF: %v", err)
	}
	psf := make([]float32, g.Pixels())
	psf[3*64+3] = 1
	if _, err := FitPSF(psf, g, 0); !errors.Is(err, ErrFit) {
		t.Errorf("peak in a corner: %v", err)
	}
	if _, err := FitPSF(gaussianImage(g, Gaussian{Major: 5, Minor: 4}), g, 1.2); !errors.Is(err, ErrFit) {
		t.Errorf("cutoff 1.2: %v", err)
	}
}

func TestSidelobeLevel(t *testing.T) {
	g := imaging.Geometry{Nx: 128, Ny: 128, CellX: 1, CellY: 1}
	b := Gaussian{Major: 6, Minor: 4, PA: 0.5}
	psf := gaussianImage(g, b)
	if s := SidelobeLevel(psf, g, b); s > 1e-6 {
		t.Errorf("Gaussian PSF: S_psf = %g, want 0", s)
	}
	psf[10*128+100] = 0.23 // a sidelobe far out
	psf[64*128+80] = -0.12 // a negative one
	if s := SidelobeLevel(psf, g, b); math.Abs(s-0.23) > 1e-6 {
		t.Errorf("S_psf = %g, want 0.23", s)
	}
	psf[10*128+100] = 0
	if s := SidelobeLevel(psf, g, b); math.Abs(s-0.12) > 1e-6 {
		t.Errorf("S_psf = %g, want 0.12 (|min|)", s)
	}
	// A shoulder on the main lobe: PSF above the fitted Gaussian by 0.3 next to the peak.
	psf = gaussianImage(g, b)
	psf[64*128+66] += 0.3
	if s := SidelobeLevel(psf, g, b); math.Abs(s-0.3) > 1e-6 {
		t.Errorf("shoulder: S_psf = %g, want 0.3", s)
	}
}
