package beam

import (
	"errors"
	"math"
	"testing"
)

const arcsec = math.Pi / (180 * 3600)

func radOfDeg(d float64) float64 { return d * math.Pi / 180 }

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// samePA compares position angles modulo pi.
func samePA(a, b, tol float64) bool {
	d := math.Mod(a-b, math.Pi)
	if d < 0 {
		d += math.Pi
	}
	return d < tol || math.Pi-d < tol
}

// TestGaussian_Quadratic_HalfMaximum checks the pixel geometry against the definition: the
// Gaussian falls to one half at FWHM/2 along its major axis (PA east of north: pixel direction
// (-sin PA, cos PA) with cells scaled) and along its minor axis.
func TestGaussian_Quadratic_HalfMaximum(t *testing.T) {
	cx, cy := 0.1*arcsec, 0.15*arcsec
	for _, pa := range []float64{0, 30, 90, -60, 123} {
		g := Gaussian{Major: 1.2 * arcsec, Minor: 0.7 * arcsec, PA: radOfDeg(pa)}
		a, b, c := g.Quadratic(cx, cy)
		eval := func(east, north float64) float64 {
			dx, dy := -east/cx, north/cy
			return math.Exp(-(a*dx*dx + b*dx*dy + c*dy*dy))
		}
		s, co := math.Sincos(g.PA)
		if v := eval(s*g.Major/2, co*g.Major/2); !near(v, 0.5, 1e-12) {
			t.Errorf("PA %v: value at major/2 = %v, want 0.5", pa, v)
		}
		if v := eval(co*g.Minor/2, -s*g.Minor/2); !near(v, 0.5, 1e-12) {
			t.Errorf("PA %v: value at minor/2 = %v, want 0.5", pa, v)
		}
	}
}

func TestFromPixelMoments_RoundTrip(t *testing.T) {
	cx, cy := 0.1*arcsec, 0.13*arcsec
	for _, pa := range []float64{0, 17, 45, 89, -33, 90} {
		g := Gaussian{Major: 1.5 * arcsec, Minor: 0.6 * arcsec, PA: NormalizePA(radOfDeg(pa))}
		sxx, sxy, syy := g.PixelMoments(cx, cy)
		h := FromPixelMoments(sxx, sxy, syy, cx, cy)
		if !near(h.Major, g.Major, 1e-12) || !near(h.Minor, g.Minor, 1e-12) || !samePA(h.PA, g.PA, 1e-9) {
			t.Errorf("round trip of %v gave %v", g, h)
		}
	}
}

// TestConvolve_NumericalMoments checks Convolve against a brute-force convolution of two sampled
// Gaussians on a grid, whose second moments are measured directly.
func TestConvolve_NumericalMoments(t *testing.T) {
	cell := 0.1 * arcsec
	a := Gaussian{Major: 1.0 * arcsec, Minor: 0.5 * arcsec, PA: radOfDeg(20)}
	b := Gaussian{Major: 0.8 * arcsec, Minor: 0.6 * arcsec, PA: radOfDeg(-70)}
	const n = 81
	img := func(g Gaussian) []float64 {
		qa, qb, qc := g.Quadratic(cell, cell)
		out := make([]float64, n*n)
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				dx, dy := float64(x-n/2), float64(y-n/2)
				out[y*n+x] = math.Exp(-(qa*dx*dx + qb*dx*dy + qc*dy*dy))
			}
		}
		return out
	}
	ia, ib := img(a), img(b)
	conv := make([]float64, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := ia[y*n+x]
			if v < 1e-12 {
				continue
			}
			for yy := 0; yy < n; yy++ {
				ty := y + yy - n/2
				if ty < 0 || ty >= n {
					continue
				}
				for xx := 0; xx < n; xx++ {
					tx := x + xx - n/2
					if tx < 0 || tx >= n {
						continue
					}
					conv[ty*n+tx] += v * ib[yy*n+xx]
				}
			}
		}
	}
	var s0, sxx, sxy, syy float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := conv[y*n+x]
			dx, dy := float64(x-n/2), float64(y-n/2)
			s0 += v
			sxx += v * dx * dx
			sxy += v * dx * dy
			syy += v * dy * dy
		}
	}
	want := FromPixelMoments(sxx/s0, sxy/s0, syy/s0, cell, cell)
	got := Convolve(a, b)
	if !near(got.Major, want.Major, 1e-6) || !near(got.Minor, want.Minor, 1e-6) || !samePA(got.PA, want.PA, 1e-6) {
		t.Errorf("Convolve = %v, brute force %v", got, want)
	}
}

func TestDeconvolve_InvertsConvolve(t *testing.T) {
	src := Gaussian{Major: 0.9 * arcsec, Minor: 0.4 * arcsec, PA: radOfDeg(35)}
	bm := Gaussian{Major: 1.1 * arcsec, Minor: 0.7 * arcsec, PA: radOfDeg(-10)}
	c := Convolve(src, bm)
	got, err := Deconvolve(c, bm)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.Major, src.Major, 1e-12) || !near(got.Minor, src.Minor, 1e-12) || !samePA(got.PA, src.PA, 1e-9) {
		t.Errorf("Deconvolve(Convolve(s, b), b) = %v, want %v", got, src)
	}
}

// TestDeconvolve_CasacoreTolerance checks casacore's three outcomes with hand-computed moments:
// beam 1"x1" circular, limit 0.1 arcsec^2.
func TestDeconvolve_CasacoreTolerance(t *testing.T) {
	bm := Gaussian{Major: 1 * arcsec, Minor: 1 * arcsec}
	// Same beam: zero-size result, no error (casacore returns false with zero axes).
	if g, err := Deconvolve(bm, bm); err != nil || g.Major != 0 {
		t.Errorf("Deconvolve(b, b) = %v, %v; want zero size and no error", g, err)
	}
	// Slightly smaller in one direction (minor^2 = 0.95: difference -0.05 > -0.1): point source.
	c := Gaussian{Major: 1.5 * arcsec, Minor: math.Sqrt(0.95) * arcsec}
	if _, err := Deconvolve(c, bm); !errors.Is(err, ErrPointSource) {
		t.Errorf("slightly smaller: err = %v, want ErrPointSource", err)
	}
	// Much smaller in one direction (minor^2 = 0.5): not deconvolvable.
	c = Gaussian{Major: 1.5 * arcsec, Minor: math.Sqrt(0.5) * arcsec}
	if _, err := Deconvolve(c, bm); !errors.Is(err, ErrNotDeconvolvable) {
		t.Errorf("much smaller: err = %v, want ErrNotDeconvolvable", err)
	}
	// Larger in both: ok, axes sqrt(1.25) and sqrt(0.21).
	c = Gaussian{Major: 1.5 * arcsec, Minor: 1.1 * arcsec}
	g, err := Deconvolve(c, bm)
	if err != nil || !near(g.Major/arcsec, math.Sqrt(1.25), 1e-12) || !near(g.Minor/arcsec, math.Sqrt(0.21), 1e-12) {
		t.Errorf("Deconvolve = %v, %v; want sqrt(1.25) x sqrt(0.21) arcsec", g, err)
	}
	if !CanDeconvolve(c, bm) || CanDeconvolve(bm, c) {
		t.Error("CanDeconvolve disagrees with Deconvolve")
	}
}

func TestNormalizePA(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 0}, {math.Pi / 2, math.Pi / 2}, {-math.Pi / 2, math.Pi / 2}, {radOfDeg(100), radOfDeg(-80)},
		{radOfDeg(-100), radOfDeg(80)}, {radOfDeg(370), radOfDeg(10)},
	} {
		if got := NormalizePA(c.in); !near(got, c.want, 1e-12) {
			t.Errorf("NormalizePA(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestGaussian_Area(t *testing.T) {
	// Integral of exp(-4 ln2 (x^2/M^2 + y^2/m^2)) = pi M m / (4 ln 2).
	g := Gaussian{Major: 2, Minor: 1}
	if a := g.Area(); !near(a, math.Pi*2/(4*math.Ln2), 1e-15) {
		t.Errorf("Area = %v", a)
	}
}
