package beam

import (
	"fmt"
	"math"

	"github.com/cubeimg/cubeimg/imaging"
)

// DefaultBoxFactor is WSClean's default -beam-fitting-size: the fitting box is this many
// theoretical beams wide.
const DefaultBoxFactor = 10

// TheoreticalBeam returns WSClean's theoretical beam of the samples, the seed of FitPSFBox:
// 1 / the longest baseline sqrt(u^2 + v^2 + w^2), in wavelengths, among samples of positive
// weight, in radians (+Inf when there is none).
func TheoreticalBeam(s *imaging.Samples) float64 {
	var maxB float64
	for i := range s.U {
		if s.Weight[i] > 0 {
			maxB = max(maxB, math.Sqrt(s.U[i]*s.U[i]+s.V[i]*s.V[i]+s.W[i]*s.W[i]))
		}
	}
	return 1 / maxB
}

// FitPSFBox fits a restoring beam by WSClean's rule (its GaussianFitter's
// Fit2DGaussianCentred, which WSClean 3 uses for the beam it writes), so that a cube can be
// restored with the beam WSClean would give it: an elliptical Gaussian of peak 1 centred on
// pixel (nx/2, ny/2) is fitted by least squares to the PSF's pixels, sidelobes included, in a
// centred square box of side ceil(boxFactor x estimate) pixels rounded up to even (at least
// boxFactor, at most the image); estimate is the theoretical beam in radians (WSClean: 1 / the
// longest baseline in wavelengths), divided by the mean cell. Where 0.8 boxFactor fitted majors do
// not fit inside the box, the box grows to boxFactor fitted majors and the fit is repeated, up to
// five fits in all. boxFactor 0 means DefaultBoxFactor.
//
// WSClean's fitter computes a pixel's offset from the centre as (unsigned index - centre), which
// wraps to a huge number for pixels before the centre: its model is 0 there whatever the
// parameters, so only the pixels at or beyond the centre in both x and y (the north-west quadrant
// of the box; by the PSF's point symmetry also the south-east one) constrain its fit. FitPSFBox
// fits that quadrant, which reproduces WSClean 3.1's BMAJ, BMIN and BPA to 4 digits
// (TestAgainstWSClean in imaging/gridder). On an ALMA PSF the result is about 2% wider than
// FitPSF's main-lobe fit, and its PA can differ by several degrees (the quadrant sees the
// sidelobes on one diagonal only).
//
// The PSF is normalised to its value at the centre pixel. The PA is east of north, with pixel x
// growing westwards as everywhere in this module.
func FitPSFBox(psf []float32, g imaging.Geometry, estimate, boxFactor float64) (FitResult, error) {
	if len(psf) != g.Pixels() {
		panic("beam: PSF length does not match the geometry")
	}
	if boxFactor == 0 {
		boxFactor = DefaultBoxFactor
	}
	cell := (g.CellX + g.CellY) / 2
	if !(boxFactor >= 1) || math.IsInf(boxFactor, 0) {
		return FitResult{}, fmt.Errorf("%w: box factor %g is not >= 1", ErrFit, boxFactor)
	}
	if !(estimate > 0) || math.IsInf(estimate, 0) || !(cell > 0) {
		return FitResult{}, fmt.Errorf("%w: theoretical beam %g rad or cell %g rad is not positive", ErrFit, estimate, cell)
	}
	cx, cy := g.Nx/2, g.Ny/2
	peak := float64(psf[cy*g.Nx+cx])
	if !(peak > 1e-7) || math.IsInf(peak, 0) {
		return FitResult{}, fmt.Errorf("%w: PSF value %g at the centre pixel is not positive", ErrFit, peak)
	}
	boxSide := func(beamPx float64) int {
		n := int(math.Max(math.Ceil(boxFactor), math.Ceil(beamPx*boxFactor)))
		if n%2 != 0 {
			n++
		}
		return n
	}
	est := estimate / cell // pixels
	side := boxSide(est)
	var b Gaussian
	var pts []point
	fits := 0
	for {
		bw, bh := min(side, g.Nx), min(side, g.Ny)
		pts = pts[:0]
		x0, y0 := (g.Nx-bw)/2, (g.Ny-bh)/2
		// Only x >= cx, y >= cy constrain WSClean's fit (see the doc comment).
		for y := max(y0, cy); y < (g.Ny+bh)/2; y++ {
			for x := max(x0, cx); x < x0+bw; x++ {
				v := float64(psf[y*g.Nx+x]) / peak
				if math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				// Offsets east and north in pixels (x grows westwards).
				pts = append(pts, point{dx: -float64(x - cx), dy: float64(y - cy), v: v})
			}
		}
		if len(pts) < 3 {
			return FitResult{}, fmt.Errorf("%w: %d pixels in the fitting box", ErrFit, len(pts))
		}
		// Start from a circular beam of the estimate's FWHM, as WSClean does.
		a := fwhmFactor / (est * est)
		q, err := fitQuadratic(pts, 1, [3]float64{a, 0, a})
		if err != nil {
			return FitResult{}, fmt.Errorf("%w: %v", ErrFit, err)
		}
		bp, err := beamFromQuadratic(q, 1)
		if err != nil {
			return FitResult{}, fmt.Errorf("%w: %v", ErrFit, err)
		}
		fits++
		b = bp
		large := (b.Major*boxFactor*0.8 < float64(bw) || bw >= g.Nx) && (b.Major*boxFactor*0.8 < float64(bh) || bh >= g.Ny)
		if large || fits == 5 {
			break
		}
		side = boxSide(b.Major)
		est = math.Max(b.Major, est)
	}
	b.Major *= cell
	b.Minor *= cell
	return FitResult{Beam: b, Attempts: fits, Points: len(pts)}, nil
}
