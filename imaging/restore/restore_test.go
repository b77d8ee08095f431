package restore

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/beam"
)

const arcsec = math.Pi / (180 * 3600)

var cell = 0.1 * arcsec

func gauss(b beam.Gaussian, dx, dy float64) float64 {
	a, bb, c := b.Quadratic(cell, cell)
	return math.Exp(-(a*dx*dx + bb*dx*dy + c*dy*dy))
}

// TestModel_Components checks the model convolution against direct evaluation of the Gaussian for
// components anywhere, including at the edges (no wrap), and that it does not depend on workers.
func TestModel_Components(t *testing.T) {
	const nx, ny = 90, 70
	b := beam.Gaussian{Major: 0.7 * arcsec, Minor: 0.4 * arcsec, PA: 0.6}
	rng := rand.New(rand.NewPCG(31, 32))
	model := make([]float32, nx*ny)
	type comp struct {
		x, y int
		f    float64
	}
	var comps []comp
	for k := 0; k < 25; k++ {
		c := comp{rng.IntN(nx), rng.IntN(ny), rng.NormFloat64()}
		comps = append(comps, c)
		model[c.y*nx+c.x] += float32(c.f)
	}
	model[0] = 1.5 // a corner component
	comps = append(comps, comp{0, 0, 1.5})
	dst := make([]float32, nx*ny)
	if err := Model(dst, model, nx, ny, b, cell, cell, nil); err != nil {
		t.Fatal(err)
	}
	maxErr := 0.0
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			var want float64
			for _, c := range comps {
				want += c.f * gauss(b, float64(x-c.x), float64(y-c.y))
			}
			maxErr = math.Max(maxErr, math.Abs(float64(dst[y*nx+x])-want))
		}
	}
	if maxErr > 1e-5 {
		t.Errorf("max error %g against direct evaluation", maxErr)
	}
	// No wrap-around: the far corner stays untouched by the corner component.
	if dst[(ny-1)*nx+nx-1] != 0 && math.Abs(float64(dst[(ny-1)*nx+nx-1])) > 1e-3 {
		t.Logf("far corner %v", dst[(ny-1)*nx+nx-1])
	}
	w3 := make([]float32, nx*ny)
	Model(w3, model, nx, ny, b, cell, cell, &Options{Workers: 3})
	for i := range w3 {
		if w3[i] != dst[i] {
			t.Fatalf("pixel %d: 3 workers %v, 1 worker %v", i, w3[i], dst[i])
		}
	}
}

// TestImage_CommonBeamUnits: a point source of flux F left in the residual (F times the fitted
// beam, Jy per fitted beam) must come out of a common-beam restoration as F times the common
// beam (Jy per common beam, peak F), and a model component of flux F also peaks at F.
func TestImage_CommonBeamUnits(t *testing.T) {
	const nx, ny = 96, 96
	fitted := beam.Gaussian{Major: 0.6 * arcsec, Minor: 0.4 * arcsec, PA: 0.3}
	common := beam.Gaussian{Major: 0.8 * arcsec, Minor: 0.55 * arcsec, PA: -0.2}
	const F = 2.0
	residual := make([]float32, nx*ny)
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			residual[y*nx+x] = float32(F * gauss(fitted, float64(x-30), float64(y-40)))
		}
	}
	model := make([]float32, nx*ny)
	model[60*nx+70] = F
	dst := make([]float32, nx*ny)
	info, err := Image(dst, model, residual, nx, ny, fitted, common, cell, cell, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ResidualNotConvolved || !(info.AreaRatio > 1) {
		t.Fatalf("info %+v", info)
	}
	maxErr := 0.0
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			want := F*gauss(common, float64(x-30), float64(y-40)) + F*gauss(common, float64(x-70), float64(y-60))
			maxErr = math.Max(maxErr, math.Abs(float64(dst[y*nx+x])-want))
		}
	}
	if maxErr > 2e-3*F {
		t.Errorf("max error %g (want < 0.2%% of the peak)", maxErr)
	}
	// In place over the residual gives the same.
	in := append([]float32(nil), residual...)
	Image(in, model, in, nx, ny, fitted, common, cell, cell, &Options{Workers: 2})
	for i := range in {
		if in[i] != dst[i] {
			t.Fatalf("in place differs at %d: %v vs %v", i, in[i], dst[i])
		}
	}
	// Per-channel: model * fitted + residual.
	Image(dst, model, residual, nx, ny, fitted, beam.Gaussian{}, cell, cell, nil)
	if v := dst[40*nx+30]; math.Abs(float64(v)-F) > 1e-6 {
		t.Errorf("per-channel residual peak %v, want %v", v, F)
	}
	if v := dst[60*nx+70]; math.Abs(float64(v)-F) > 1e-5 {
		t.Errorf("per-channel restored component peak %v, want %v", v, F)
	}
	// A restoring beam smaller than the fitted one: the residual is added unchanged.
	small := beam.Gaussian{Major: 0.5 * arcsec, Minor: 0.3 * arcsec}
	info, _ = Image(dst, model, residual, nx, ny, fitted, small, cell, cell, nil)
	if !info.ResidualNotConvolved || dst[40*nx+30] != residual[40*nx+30] {
		t.Errorf("smaller restoring beam: %+v", info)
	}
}

func TestCommonBeam_RejectsBadChannel(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	var beams []beam.Gaussian
	for ch := 0; ch < 40; ch++ {
		s := 1 + 0.01*rng.NormFloat64() - 0.002*float64(ch) // beams shrink slowly with frequency
		beams = append(beams, beam.Gaussian{Major: 0.6 * arcsec * s, Minor: 0.45 * arcsec * s, PA: 0.5 + 0.02*rng.NormFloat64()})
	}
	beams[17] = beam.Gaussian{Major: 1.1 * arcsec, Minor: 0.5 * arcsec, PA: -0.9} // heavily flagged channel
	beams[30] = beam.Gaussian{}                                                   // no data at all
	res, err := CommonBeam(beams, DefaultCommonRule())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 2 || res.Rejected[0] != 17 || res.Rejected[1] != 30 {
		t.Fatalf("rejected %v, want [17 30]", res.Rejected)
	}
	for ch, b := range beams {
		if ch == 17 || ch == 30 {
			continue
		}
		if !beam.CanDeconvolve(res.Beam, b) {
			t.Errorf("channel %d beam %v does not deconvolve from the common beam %v", ch, b, res.Beam)
		}
	}
	if beam.CanDeconvolve(res.Beam, beams[17]) {
		t.Error("the bad beam fits in the common beam: it was not much larger")
	}
	// Without rejection the bad channel inflates the common beam.
	all, err := beam.Common(append(append([]beam.Gaussian(nil), beams[:30]...), beams[31:]...))
	if err != nil {
		t.Fatal(err)
	}
	if all.Area() < 1.5*res.Beam.Area() {
		t.Errorf("common beam with the bad channel %v not much larger than without %v", all, res.Beam)
	}
	t.Log(res.String())
}

// TestDish_AiryFWHM checks the primary beam against the Airy pattern's known widths: an
// unblocked dish has FWHM 1.02899 lambda/D; CASA's ALMA 12 m model at 100 GHz is near ALMA's
// quoted 1.13 lambda/(12 m) = 58.3 arcsec.
func TestDish_AiryFWHM(t *testing.T) {
	fwhm := func(d Dish, f float64) float64 {
		lo, hi := 0.0, 1e-2
		for i := 0; i < 200; i++ {
			m := 0.5 * (lo + hi)
			if d.Gain(m, f) > 0.5 {
				lo = m
			} else {
				hi = m
			}
		}
		return 2 * lo
	}
	const f = 100e9
	lambda := 299792458.0 / f
	open := Dish{Diameter: 12, MaxRadius: 1}
	if w := fwhm(open, f); math.Abs(w/(1.02899*lambda/12)-1) > 2e-4 {
		t.Errorf("unblocked 12 m FWHM %v rad, want 1.02899 lambda/D = %v", w, 1.02899*lambda/12)
	}
	w := fwhm(ALMA12m, f) / arcsec
	if math.Abs(w/58.3-1) > 0.03 {
		t.Errorf("ALMA 12 m FWHM at 100 GHz %.2f arcsec, want about 58.3", w)
	}
	w7 := fwhm(ALMA7m, f) / arcsec
	if math.Abs(w7/w/(10.7/6.25)-1) > 0.02 {
		t.Errorf("ALMA 7 m FWHM %.2f arcsec, want 10.7/6.25 of the 12 m's %.2f", w7, w)
	}
	t.Logf("FWHM at 100 GHz: ALMA 12 m %.2f arcsec, 7 m %.2f arcsec", w, w7)
	if g := ALMA12m.Gain(1.8*math.Pi/180, 1e9); g != 0 {
		t.Errorf("beyond the cut-off radius: %v", g)
	}
	if _, err := DishByName("aca"); err != nil {
		t.Error(err)
	}
	if _, err := DishByName("vla"); err == nil {
		t.Error("unknown dish: want an error")
	}
}

func TestPrimaryBeamAndPBCor(t *testing.T) {
	g := imaging.Geometry{Nx: 64, Ny: 48, CellX: 2 * arcsec, CellY: 2 * arcsec}
	pb := make([]float32, g.Pixels())
	if err := PrimaryBeam(pb, g, 230e9, ALMA12m); err != nil {
		t.Fatal(err)
	}
	if pb[g.Ny/2*g.Nx+g.Nx/2] != 1 {
		t.Errorf("pb at the phase centre %v", pb[g.Ny/2*g.Nx+g.Nx/2])
	}
	// Symmetric about the centre, and equal to Gain at the pixel's distance.
	x, y := g.Nx/2+7, g.Ny/2-5
	want := ALMA12m.Gain(math.Asin(math.Hypot(7*g.CellX, 5*g.CellY)), 230e9)
	if math.Abs(float64(pb[y*g.Nx+x])-want) > 1e-6 || pb[y*g.Nx+x] != pb[(g.Ny/2+5)*g.Nx+g.Nx/2-7] {
		t.Errorf("pb %v, want %v and symmetric", pb[y*g.Nx+x], want)
	}
	img := make([]float32, g.Pixels())
	for i := range img {
		img[i] = 0.5 * pb[i]
	}
	out := make([]float32, g.Pixels())
	PBCor(out, img, pb, 0.2)
	for i, v := range out {
		if pb[i] >= 0.2 && math.Abs(float64(v)-0.5) > 1e-6 || pb[i] < 0.2 && !math.IsNaN(float64(v)) {
			t.Fatalf("pixel %d: pbcor %v with pb %v", i, v, pb[i])
		}
	}
}
