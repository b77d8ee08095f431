package beam

import (
	"errors"
	"fmt"
	"math"
)

// Common returns the smallest beam that every beam of beams can be deconvolved from, with the
// semantics of casacore's ImageBeamSet::getCommonBeam (ALGORITHMS.md 1.4):
//
//   - null beams (all zero) are ignored; if every remaining beam is identical it is returned;
//   - start from the largest-area beam (the first one on ties); if every other beam can be
//     deconvolved from it (CanDeconvolve), it is the answer;
//   - otherwise take the last beam that cannot (the "problem" beam) and build the smallest
//     ellipse enclosing both: rotate so the largest beam's major axis is along x, scale the axes
//     so that it becomes a circle of the same area, enclose the transformed problem beam with
//     the ellipse of its major axis and the circle's radius, and transform back; inflate it by
//     0.1% until both beams deconvolve from it; replace the largest beam by it and start again.
//
// Common does not reject outliers: one bad beam inflates the result (restore.CommonBeam adds a
// rejection rule). It returns an error when no beam is valid.
func Common(beams []Gaussian) (Gaussian, error) {
	set := make([]Gaussian, 0, len(beams))
	for i, b := range beams {
		if b.IsNull() {
			continue
		}
		if !b.Valid() {
			return Gaussian{}, fmt.Errorf("beam: common beam: beam %d (%v) is not a valid beam", i, b)
		}
		set = append(set, b)
	}
	if len(set) == 0 {
		return Gaussian{}, errors.New("beam: common beam: no beam, or all beams are null")
	}
	// Each pass either returns or replaces the largest beam by one enclosing a further beam; a
	// set of n beams needs at most n passes. The bound guards against a numerical loop.
	for pass := 0; pass <= 2*len(set)+8; pass++ {
		allSame := true
		for _, b := range set[1:] {
			if b != set[0] {
				allSame = false
				break
			}
		}
		if allSame {
			return set[0], nil
		}
		imax := 0
		for i, b := range set {
			if b.Area() > set[imax].Area() {
				imax = i
			}
		}
		maxBeam := set[imax]
		problem, found := Gaussian{}, false
		for _, b := range set {
			if b == maxBeam {
				continue
			}
			if _, err := Deconvolve(maxBeam, b); err != nil {
				problem, found = b, true
			}
		}
		if !found {
			return maxBeam, nil
		}
		set[imax] = enclosing(maxBeam, problem)
	}
	return Gaussian{}, errors.New("beam: common beam: no convergence")
}

// enclosing returns casacore's enclosing ellipse of a (the larger-area beam) and b, inflated until
// both deconvolve from it.
func enclosing(a, b Gaussian) Gaussian {
	// Angle of b's major axis from a's major axis.
	t := b.PA - a.PA
	var c Gaussian
	if math.Abs(t) == math.Pi/2 {
		// Right angles are handled explicitly in casacore.
		if a.Major >= b.Major {
			c = Gaussian{Major: a.Major, Minor: b.Major, PA: a.PA}
		} else {
			c = Gaussian{Major: b.Major, Minor: a.Major, PA: b.PA}
		}
		return c
	}
	// Scale x (a's major axis) by p and y by q so that a becomes a circle of radius r.
	r := math.Sqrt(a.Major * a.Minor)
	p, q := r/a.Major, r/a.Minor
	bMaj, _, bAng := scaleEllipse(b.Major, b.Minor, t, p, q)
	cMaj, cMin, cAng := scaleEllipse(bMaj, r, bAng, 1/p, 1/q)
	c = Gaussian{Major: cMaj, Minor: cMin, PA: NormalizePA(cAng + a.PA)}
	for i := 0; i < 100000; i++ {
		_, ea := Deconvolve(c, a)
		_, eb := Deconvolve(c, b)
		if ea == nil && eb == nil {
			break
		}
		c.Major *= 1.001
		c.Minor *= 1.001
	}
	return c
}

// scaleEllipse returns the axes (major >= minor) and the angle of the ellipse with axes (major,
// minor) whose major axis is at angle ang from x, after scaling x by p and y by q. The ellipse is
// the quadratic form r' Q r = 1 with Q = R diag(1/major^2, 1/minor^2) R'; scaling gives
// Q' = S^-1 Q S^-1, whose eigenvalues are 1/axis^2.
func scaleEllipse(major, minor, ang, p, q float64) (float64, float64, float64) {
	s, c := math.Sincos(ang)
	u, v := 1/(major*major), 1/(minor*minor)
	qxx := (u*c*c + v*s*s) / (p * p)
	qyy := (u*s*s + v*c*c) / (q * q)
	qxy := (u - v) * s * c / (p * q)
	tr := qxx + qyy
	d := math.Hypot(qxx-qyy, 2*qxy)
	lmin, lmax := 0.5*(tr-d), 0.5*(tr+d)
	// 0.5 atan2(2 qxy, qxx - qyy) is the direction of the eigenvector of the larger eigenvalue;
	// the major axis is along the other one.
	angle := 0.5*math.Atan2(2*qxy, qxx-qyy) + math.Pi/2
	return 1 / math.Sqrt(lmin), 1 / math.Sqrt(lmax), NormalizePA(angle)
}
