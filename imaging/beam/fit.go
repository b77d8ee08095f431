package beam

import (
	"errors"
	"fmt"
	"math"

	"github.com/cubeimg/cubeimg/imaging"
)

// DefaultCutoff is tclean's default psfcutoff.
const DefaultCutoff = 0.35

const (
	lobeRadius   = 20 // half-size of the main-lobe search patch (41 x 41)
	maxAttempts  = 50 // psfcutoff retries, each dividing the cutoff by 1.5
	minFitPoints = 6  // fewer main-lobe pixels than this fail the attempt
	fwhmFactor   = 4 * math.Ln2
)

// ErrFit is wrapped by FitPSF's errors.
var ErrFit = errors.New("beam: PSF fit failed")

// FitResult is a restoring beam fitted to a PSF.
type FitResult struct {
	Beam     Gaussian
	Cutoff   float64 // the psfcutoff of the successful attempt
	Attempts int     // attempts made (1 when the first cutoff worked)
	Points   int     // main-lobe points fitted
}

// FitPSF fits an elliptical Gaussian of peak 1 to the main lobe of psf (geometry g, peak near
// the phase centre) after CASA's tclean (ALGORITHMS.md 1.4): find the peak (> 1e-7, in the inner
// quarter) and normalise to it; walk out from the peak along rows through a 41 x 41 patch
// collecting the main-lobe pixels above cutoff (a row's walk stops where the value falls below
// cutoff after being above it, which keeps sidelobes out); fit them by Levenberg-Marquardt. If
// that fails (fewer than 6 pixels, no convergence, or not an ellipse) the cutoff is divided by
// 1.5 and the fit retried, up to 50 times. cutoff 0 means DefaultCutoff; it must be in
// [0.01, 0.99].
//
// One deliberate difference from CASA: CASA resamples the main lobe's box by bicubic
// interpolation to about 3001 points before fitting. That interpolation biases the fitted axes
// by 0.1% to 1% at 3 to 6 pixels per beam (measured on analytic Gaussians), so the pixels are
// fitted as they are; an exact Gaussian PSF is then recovered exactly.
func FitPSF(psf []float32, g imaging.Geometry, cutoff float64) (FitResult, error) {
	if len(psf) != g.Pixels() {
		panic("beam: PSF length does not match the geometry")
	}
	if cutoff == 0 {
		cutoff = DefaultCutoff
	}
	if !(cutoff >= 0.01 && cutoff <= 0.99) {
		return FitResult{}, fmt.Errorf("%w: psfcutoff %g not in [0.01, 0.99]", ErrFit, cutoff)
	}
	img := plane{nx: g.Nx, ny: g.Ny, v: make([]float64, len(psf))}
	for i, v := range psf {
		img.v[i] = float64(v)
	}
	px, py, peak := img.peak()
	if !(peak > 1e-7) || math.IsInf(peak, 0) {
		return FitResult{}, fmt.Errorf("%w: PSF peak %g is not positive", ErrFit, peak)
	}
	if px < g.Nx/4 || px >= g.Nx-g.Nx/4 || py < g.Ny/4 || py >= g.Ny-g.Ny/4 {
		return FitResult{}, fmt.Errorf("%w: PSF peak at pixel (%d, %d) is outside the inner quarter", ErrFit, px, py)
	}
	for i := range img.v {
		img.v[i] /= peak
	}
	var lastErr error
	c := cutoff
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		b, n, err := fitOnce(&img, px, py, g.CellX, g.CellY, c)
		if err == nil {
			return FitResult{Beam: b, Cutoff: c, Attempts: attempt, Points: n}, nil
		}
		lastErr = err
		c /= 1.5
	}
	return FitResult{}, fmt.Errorf("%w after %d attempts from psfcutoff %g: %v", ErrFit, maxAttempts, cutoff, lastErr)
}

// plane is a float64 image, pixel (x, y) at y*nx+x.
type plane struct {
	nx, ny int
	v      []float64
}

func (p *plane) at(x, y int) float64 { return p.v[y*p.nx+x] }

// peak returns the first largest pixel in y-major order.
func (p *plane) peak() (int, int, float64) {
	best, bi := math.Inf(-1), 0
	for i, v := range p.v {
		if v > best {
			best, bi = v, i
		}
	}
	return bi % p.nx, bi / p.nx, best
}

// point is a main-lobe sample: offset from the peak in pixels of its plane, and value.
type point struct {
	dx, dy, v float64
}

// lobe walks out from (px, py) along rows up to nrow pixels in each direction and returns the
// pixels above cutoff in the main lobe.
func (p *plane) lobe(px, py, nrow int, cutoff float64) (pts []point) {
	maxPts := (2*nrow + 1) * (2*nrow + 1)
	// Rows py, py-1, ..., py-nrow, then py+1, ..., py+nrow; in each, columns px, px-1, ... then
	// px+1, ...: the walk along a row ends where the value drops below cutoff after being above.
	for _, dir := range [2]int{-1, 1} {
		jstart := 0
		if dir == 1 {
			jstart = 1
		}
		for j := jstart; j <= nrow; j++ {
			y := py + dir*j
			if y < 0 || y >= p.ny {
				break
			}
			for _, idir := range [2]int{-1, 1} {
				istart := 0
				if idir == 1 {
					istart = 1
				}
				inLobe := p.at(px, y) > cutoff
				for i := istart; i <= nrow; i++ {
					if len(pts) >= maxPts {
						return pts
					}
					x := px + idir*i
					if x < 0 || x >= p.nx {
						break
					}
					v := p.at(x, y)
					if inLobe && v < cutoff {
						break
					}
					if v > cutoff {
						inLobe = true
						pts = append(pts, point{float64(x - px), float64(y - py), v})
					}
				}
			}
		}
	}
	return pts
}

// fitOnce is one attempt at one cutoff: the main-lobe pixels found by the row walk, fitted.
func fitOnce(img *plane, px, py int, cellX, cellY, cutoff float64) (Gaussian, int, error) {
	pts := img.lobe(px, py, lobeRadius, cutoff)
	if len(pts) < minFitPoints {
		return Gaussian{}, len(pts), fmt.Errorf("%d main-lobe pixels above psfcutoff %g", len(pts), cutoff)
	}
	// Offsets in radians east and north of the peak (x grows westwards).
	for i := range pts {
		pts[i].dx *= -cellX
		pts[i].dy *= cellY
	}
	b, err := fitGaussian(pts, math.Sqrt(cellX*cellY))
	return b, len(pts), err
}

// fitGaussian fits exp(-(A e^2 + B e n + C n^2)) (peak 1 at the origin) to the points (e east,
// n north, radians) by Levenberg-Marquardt from a log-linear start, and returns the beam.
func fitGaussian(pts []point, cell float64) (Gaussian, error) {
	// Work in pixel units to keep the normal equations well scaled.
	s := cell
	q, err := logLinearStart(pts, s)
	if err != nil {
		return Gaussian{}, err
	}
	q, err = fitQuadratic(pts, s, q)
	if err != nil {
		return Gaussian{}, err
	}
	return beamFromQuadratic(q, s)
}

// fitQuadratic minimises the sum over pts of (exp(-(A e^2 + B e n + C n^2)) - v)^2, e and n in
// units of s, by Levenberg-Marquardt from q = (A, B, C), and returns the minimum found.
func fitQuadratic(pts []point, s float64, q [3]float64) ([3]float64, error) {
	cost := func(q [3]float64) float64 {
		var c float64
		for _, p := range pts {
			e, n := p.dx/s, p.dy/s
			r := math.Exp(-(q[0]*e*e + q[1]*e*n + q[2]*n*n)) - p.v
			c += r * r
		}
		return c
	}
	lambda := 1e-3
	best := cost(q)
	converged := false
	for it := 0; it < 200; it++ {
		var jtj [3][3]float64
		var jtr [3]float64
		for _, p := range pts {
			e, n := p.dx/s, p.dy/s
			f := math.Exp(-(q[0]*e*e + q[1]*e*n + q[2]*n*n))
			jac := [3]float64{-e * e * f, -e * n * f, -n * n * f}
			r := f - p.v
			for a := 0; a < 3; a++ {
				jtr[a] += jac[a] * r
				for b := 0; b < 3; b++ {
					jtj[a][b] += jac[a] * jac[b]
				}
			}
		}
		for {
			m := jtj
			for a := 0; a < 3; a++ {
				m[a][a] *= 1 + lambda
			}
			d, ok := solve3(m, [3]float64{-jtr[0], -jtr[1], -jtr[2]})
			if !ok {
				return q, fmt.Errorf("singular normal equations")
			}
			cand := [3]float64{q[0] + d[0], q[1] + d[1], q[2] + d[2]}
			if c := cost(cand); c < best {
				rel := (best - c) / math.Max(best, 1e-300)
				q, best = cand, c
				lambda = math.Max(lambda/10, 1e-12)
				if rel < 1e-12 {
					converged = true
				}
				break
			}
			lambda *= 10
			if lambda > 1e12 {
				converged = true // no further decrease: at the minimum
				break
			}
		}
		if converged {
			break
		}
	}
	return q, nil
}

// logLinearStart fits ln v = -(A e^2 + B e n + C n^2) by least squares (e, n in units of s).
func logLinearStart(pts []point, s float64) ([3]float64, error) {
	var m [3][3]float64
	var r [3]float64
	for _, p := range pts {
		if p.v <= 0 {
			continue
		}
		e, n := p.dx/s, p.dy/s
		x := [3]float64{e * e, e * n, n * n}
		y := -math.Log(p.v)
		for a := 0; a < 3; a++ {
			r[a] += x[a] * y
			for b := 0; b < 3; b++ {
				m[a][b] += x[a] * x[b]
			}
		}
	}
	q, ok := solve3(m, r)
	if !ok {
		return q, fmt.Errorf("degenerate main lobe (points on a line)")
	}
	return q, nil
}

// beamFromQuadratic converts exp(-(A e^2 + B e n + C n^2)), e and n in units of s radians, to
// FWHM axes and PA (east of north, in (-pi/2, pi/2]).
func beamFromQuadratic(q [3]float64, s float64) (Gaussian, error) {
	a, b, c := q[0], q[1]/2, q[2]
	tr, det := a+c, a*c-b*b
	disc := math.Sqrt(math.Max(tr*tr/4-det, 0))
	l1, l2 := tr/2-disc, tr/2+disc // l1 <= l2: l1 along the major axis
	if !(l1 > 0) || math.IsInf(l2, 0) {
		return Gaussian{}, fmt.Errorf("fitted quadratic form is not positive definite (%g, %g)", l1, l2)
	}
	// Eigenvector of l1: (b, l1 - a) or (l1 - c, b).
	ve, vn := b, l1-a
	if math.Abs(l1-c) > math.Abs(l1-a) {
		ve, vn = l1-c, b
	}
	if ve == 0 && vn == 0 { // circular
		ve, vn = 0, 1
	}
	pa := math.Atan2(ve, vn)
	for pa > math.Pi/2 {
		pa -= math.Pi
	}
	for pa <= -math.Pi/2 {
		pa += math.Pi
	}
	return Gaussian{
		Major: s * math.Sqrt(fwhmFactor/l1),
		Minor: s * math.Sqrt(fwhmFactor/l2),
		PA:    pa,
	}, nil
}

// solve3 solves m x = r by Gaussian elimination with partial pivoting.
func solve3(m [3][3]float64, r [3]float64) ([3]float64, bool) {
	var scale float64
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			scale = math.Max(scale, math.Abs(m[a][b]))
		}
	}
	if scale == 0 {
		return r, false
	}
	for k := 0; k < 3; k++ {
		p := k
		for i := k + 1; i < 3; i++ {
			if math.Abs(m[i][k]) > math.Abs(m[p][k]) {
				p = i
			}
		}
		if math.Abs(m[p][k]) <= 1e-14*scale {
			return r, false
		}
		m[k], m[p] = m[p], m[k]
		r[k], r[p] = r[p], r[k]
		for i := k + 1; i < 3; i++ {
			f := m[i][k] / m[k][k]
			for j := k; j < 3; j++ {
				m[i][j] -= f * m[k][j]
			}
			r[i] -= f * r[k]
		}
	}
	var x [3]float64
	for k := 2; k >= 0; k-- {
		s := r[k]
		for j := k + 1; j < 3; j++ {
			s -= m[k][j] * x[j]
		}
		x[k] = s / m[k][k]
	}
	return x, true
}

// gaussianAt returns the beam b (peak 1) at offsets e east and n north of its centre, in
// radians.
func gaussianAt(b Gaussian, e, n float64) float64 {
	s, c := math.Sincos(b.PA)
	u := e*s + n*c  // along the major axis
	v := -e*c + n*s // along the minor axis
	return math.Exp(-fwhmFactor * (u*u/(b.Major*b.Major) + v*v/(b.Minor*b.Minor)))
}

// SidelobeLevel returns the PSF sidelobe level S_psf that tclean's cycle control uses
// (ALGORITHMS.md 1.6): max(|min PSF|, max(PSF - G)), with G the beam b (peak 1) centred on the
// phase-centre pixel (Nx/2, Ny/2) and psf normalised to peak 1.
func SidelobeLevel(psf []float32, g imaging.Geometry, b Gaussian) float64 {
	if len(psf) != g.Pixels() {
		panic("beam: PSF length does not match the geometry")
	}
	minV := 0.0
	for _, v := range psf {
		minV = math.Min(minV, float64(v))
	}
	// Inside the box where G > exp(-25), subtract it; outside, PSF - G = PSF.
	cx, cy := g.Nx/2, g.Ny/2
	r := math.Sqrt(25/fwhmFactor) * b.Major
	hx, hy := int(r/g.CellX)+1, int(r/g.CellY)+1
	inBox := func(x, y int) bool { return fitAbs(x-cx) <= hx && fitAbs(y-cy) <= hy }
	maxD := 0.0
	for y := 0; y < g.Ny; y++ {
		for x := 0; x < g.Nx; x++ {
			v := float64(psf[y*g.Nx+x])
			if inBox(x, y) {
				v -= gaussianAt(b, -float64(x-cx)*g.CellX, float64(y-cy)*g.CellY)
			}
			maxD = math.Max(maxD, v)
		}
	}
	return math.Max(math.Abs(minV), maxD)
}

func fitAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
