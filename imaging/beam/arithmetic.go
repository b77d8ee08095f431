package beam

import (
	"errors"
	"fmt"
	"math"
)

// fwhmPerSigma is 2 sqrt(2 ln 2): the FWHM of a Gaussian of unit standard deviation.
var fwhmPerSigma = 2 * math.Sqrt(2*math.Ln2)

// Errors returned by Deconvolve, following casacore's GaussianDeconvolver.
var (
	// ErrPointSource is returned by Deconvolve when the convolved Gaussian is, within casacore's
	// tolerance, no larger than the beam in at least one direction: the source is unresolved
	// (casacore returns true and the beam itself in this case).
	ErrPointSource = errors.New("beam: deconvolved source is a point source")
	// ErrNotDeconvolvable is returned by Deconvolve when the beam is larger than the convolved
	// Gaussian in some direction by more than casacore's tolerance (casacore throws "Source may be
	// only (slightly) resolved in one direction").
	ErrNotDeconvolvable = errors.New("beam: the beam is larger than the convolved Gaussian in some direction")
)

// Valid reports whether g has finite, positive axes with Major >= Minor and a finite PA.
func (g Gaussian) Valid() bool {
	return g.Minor > 0 && g.Major >= g.Minor && !math.IsInf(g.Major, 0) && !math.IsNaN(g.PA) &&
		!math.IsInf(g.PA, 0)
}

// IsNull reports whether g is casacore's null beam (all zero).
func (g Gaussian) IsNull() bool { return g.Major == 0 && g.Minor == 0 && g.PA == 0 }

// Area returns the solid angle of g in steradians: pi * Major * Minor / (4 ln 2). It is the
// integral of the peak-normalised Gaussian, the factor between Jy/pixel and Jy/beam.
func (g Gaussian) Area() float64 { return math.Pi * g.Major * g.Minor / (4 * math.Ln2) }

// PixelArea returns the area of g in pixels of cellX x cellY radians.
func (g Gaussian) PixelArea(cellX, cellY float64) float64 { return g.Area() / (cellX * cellY) }

// String formats g in arcsec and degrees, the units of the store manifest.
func (g Gaussian) String() string {
	const arcsec = 180 * 3600 / math.Pi
	return fmt.Sprintf("%.4g\" x %.4g\" PA %.4g deg", g.Major*arcsec, g.Minor*arcsec, g.PA*180/math.Pi)
}

// NormalizePA returns pa folded into (-pi/2, pi/2], the range of a position angle of an ellipse.
func NormalizePA(pa float64) float64 {
	pa = math.Mod(pa, math.Pi)
	if pa <= -math.Pi/2 {
		pa += math.Pi
	} else if pa > math.Pi/2 {
		pa -= math.Pi
	}
	return pa
}

// sky is a Gaussian as the quadratic moments of its FWHM ellipse on the sky: nn is the squared
// extent along north, ee along east and en the cross term, so that a Gaussian with FWHM axes
// (M, m) and PA theta has nn = M^2 cos^2 + m^2 sin^2, ee = M^2 sin^2 + m^2 cos^2 and
// en = (M^2 - m^2) sin cos. These are casacore's alpha/beta/gamma terms (gamma = -2 en); they add
// under convolution.
type sky struct{ nn, ee, en float64 }

func toSky(g Gaussian) sky {
	s, c := math.Sincos(g.PA)
	M2, m2 := g.Major*g.Major, g.Minor*g.Minor
	return sky{nn: M2*c*c + m2*s*s, ee: M2*s*s + m2*c*c, en: (M2 - m2) * s * c}
}

// fromSky returns the Gaussian of positive-definite moments q.
func fromSky(q sky) Gaussian {
	s := q.nn + q.ee
	t := math.Hypot(q.nn-q.ee, 2*q.en)
	pa := 0.0
	if math.Abs(2*q.en)+math.Abs(q.nn-q.ee) != 0 {
		pa = 0.5 * math.Atan2(2*q.en, q.nn-q.ee)
	}
	return Gaussian{Major: math.Sqrt(0.5 * (s + t)), Minor: math.Sqrt(math.Max(0, 0.5*(s-t))), PA: NormalizePA(pa)}
}

// Convolve returns the Gaussian a convolved with b: their second moments add.
func Convolve(a, b Gaussian) Gaussian {
	qa, qb := toSky(a), toSky(b)
	return fromSky(sky{qa.nn + qb.nn, qa.ee + qb.ee, qa.en + qb.en})
}

// Deconvolve returns the Gaussian s with Convolve(s, beam) == convolved, with casacore's
// GaussianDeconvolver semantics and tolerance: with the moment differences alpha (north), beta
// (east) and the eigenvalues (s +- t)/2, the result is a point source (ErrPointSource) when
// alpha < 0, beta < 0 or s < t and yet (s-t)/2 and both alpha and beta lie within
// 0.1 * (smallest axis of either)^2 of zero; any other negative difference is
// ErrNotDeconvolvable. Identical Gaussians give a zero-size result and no error, as in casacore.
func Deconvolve(convolved, beam Gaussian) (Gaussian, error) {
	qc, qb := toSky(convolved), toSky(beam)
	alpha := qc.nn - qb.nn
	beta := qc.ee - qb.ee
	en := qc.en - qb.en
	s := alpha + beta
	t := math.Hypot(alpha-beta, 2*en)
	limit := math.Min(math.Min(convolved.Major, convolved.Minor), math.Min(beam.Major, beam.Minor))
	limit = 0.1 * limit * limit
	if alpha < 0 || beta < 0 || s < t {
		if 0.5*(s-t) < limit && alpha > -limit && beta > -limit {
			return Gaussian{}, ErrPointSource
		}
		return Gaussian{}, ErrNotDeconvolvable
	}
	return fromSky(sky{alpha, beta, en}), nil
}

// CanDeconvolve reports whether b can be deconvolved from target as casacore's getCommonBeam
// requires: b equals target, or Deconvolve(target, b) succeeds (a point-source result counts as
// a failure, as in casacore).
func CanDeconvolve(target, b Gaussian) bool {
	if b == target {
		return true
	}
	_, err := Deconvolve(target, b)
	return err == nil
}

// PixelMoments returns the covariance of the Gaussian g in pixel units of an image with cells
// cellX x cellY radians (imaging.Geometry): sxx, syy are the variances along x and y in pixels^2
// and sxy the covariance. x runs towards the west (RA decreasing) and y towards the north, so
// the east offset of a pixel step in x is -cellX.
func (g Gaussian) PixelMoments(cellX, cellY float64) (sxx, sxy, syy float64) {
	q := toSky(g)
	k := 1 / (fwhmPerSigma * fwhmPerSigma)
	return q.ee * k / (cellX * cellX), -q.en * k / (cellX * cellY), q.nn * k / (cellY * cellY)
}

// FromPixelMoments is the inverse of PixelMoments: the Gaussian whose pixel covariance is
// (sxx, sxy, syy) in an image of cellX x cellY radians.
func FromPixelMoments(sxx, sxy, syy, cellX, cellY float64) Gaussian {
	k := fwhmPerSigma * fwhmPerSigma
	return fromSky(sky{nn: syy * k * cellY * cellY, ee: sxx * k * cellX * cellX, en: -sxy * k * cellX * cellY})
}

// Quadratic returns the coefficients of the exponent of g, peak-normalised, at a pixel offset
// (dx, dy) from its centre in an image of cellX x cellY radians:
// g(dx, dy) = exp(-(a dx^2 + b dx dy + c dy^2)).
func (g Gaussian) Quadratic(cellX, cellY float64) (a, b, c float64) {
	sxx, sxy, syy := g.PixelMoments(cellX, cellY)
	det := sxx*syy - sxy*sxy
	// The inverse covariance is [[syy, -sxy], [-sxy, sxx]] / det; the exponent is half of r'S^-1 r.
	return syy / (2 * det), -sxy / det, sxx / (2 * det)
}
