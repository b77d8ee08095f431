package simulate

import (
	"fmt"
	"math"
)

// Site is the array reference position on the WGS84 ellipsoid.
type Site struct {
	Name      string
	Longitude float64 // radians, east positive
	Latitude  float64 // radians, geodetic
	Height    float64 // metres above the ellipsoid
}

// ALMASite is the position of casacore's "ALMA" observatory entry (measures data, WGS84):
// longitude -67.75333 deg, latitude -23.01917 deg, height 5024 m.
var ALMASite = Site{Name: "ALMA", Longitude: -1.1825186876902498, Latitude: -0.4017603075763031, Height: 5024}

// Pad is an antenna position in the local tangent plane of the site, in metres.
type Pad struct {
	Name            string
	East, North, Up float64
}

// Configuration names accepted by Layout.
const (
	ConfigCompact  = "compact"
	ConfigExtended = "extended"
)

// Layout facts. The layouts are synthetic, not the real ALMA pad positions: 43 pads (as in
// ALMA's 12-m configurations) on a golden-angle (Vogel) spiral, pad i at azimuth i x 137.508 deg;
// a uniform-density core (radius 15.3 m x sqrt(i) for i <= 20) and, beyond it, radii growing
// geometrically to the outermost pad, whose radius is set so that the longest baseline equals that
// of ALMA Cycle 10 configuration C-3 (500.2 m, "compact") or C-6 (2516.9 m, "extended"), values
// from the ALMA Cycle 10 Proposer's Guide configuration table. The shortest baseline is 15.3 m
// (ALMA's shortest 12-m baselines are about 15 m). The ground is a plane tilted by 0.2% towards
// the east and -0.1% towards the north (the Up coordinate), so baselines are not coplanar.
const (
	layoutAntennas    = 43
	coreSpacing       = 15.3
	corePads          = 20
	compactMaxBase    = 500.2
	extendedMaxBase   = 2516.9
	goldenAngle       = 2.399963229728653 // pi (3 - sqrt 5)
	slopeEast         = 0.002
	slopeNorth        = -0.001
	DishDiameter      = 12.0 // metres
	layoutDescription = "synthetic ALMA-like layout (cubeimg vis/simulate/layout.go): 43 pads on a golden-angle spiral, " +
		"uniform core of radius 15.3 m x sqrt(i) for i <= 20 then geometric radii, scaled so the longest baseline equals " +
		"ALMA Cycle 10 C-3 (500.2 m, compact) or C-6 (2516.9 m, extended); shortest baseline 15.3 m; not the real pad positions"
)

// Layout returns the 43 pads of a configuration ("compact" or "extended").
func Layout(config string) ([]Pad, error) {
	var bmax float64
	var prefix string
	switch config {
	case ConfigCompact:
		bmax, prefix = compactMaxBase, "C"
	case ConfigExtended:
		bmax, prefix = extendedMaxBase, "E"
	default:
		return nil, fmt.Errorf("unknown array configuration %q (want %s or %s)", config, ConfigCompact, ConfigExtended)
	}
	// Bisect on the outermost radius until the longest baseline is bmax.
	lo, hi := coreSpacing*math.Sqrt(corePads), bmax
	for i := 0; i < 200; i++ {
		mid := 0.5 * (lo + hi)
		if b, _ := baselineRange(spiralPads(mid, prefix)); b > bmax {
			hi = mid
		} else {
			lo = mid
		}
	}
	return spiralPads(lo, prefix), nil
}

// spiralPads builds the layout for an outermost pad radius rOut.
func spiralPads(rOut float64, prefix string) []Pad {
	pads := make([]Pad, layoutAntennas)
	rCore := coreSpacing * math.Sqrt(corePads)
	q := math.Pow(rOut/rCore, 1/float64(layoutAntennas-1-corePads))
	for i := range pads {
		r := coreSpacing * math.Sqrt(float64(i))
		if i > corePads {
			r = rCore * math.Pow(q, float64(i-corePads))
		}
		s, c := math.Sincos(float64(i) * goldenAngle)
		e, n := r*s, r*c
		pads[i] = Pad{Name: fmt.Sprintf("%s%03d", prefix, i+1), East: e, North: n, Up: slopeEast*e + slopeNorth*n}
	}
	return pads
}

// baselineRange returns the longest and shortest baseline (3-D) between pads.
func baselineRange(p []Pad) (maxB, minB float64) {
	minB = math.Inf(1)
	for i := range p {
		for j := i + 1; j < len(p); j++ {
			d := math.Sqrt(sq(p[i].East-p[j].East) + sq(p[i].North-p[j].North) + sq(p[i].Up-p[j].Up))
			maxB = math.Max(maxB, d)
			minB = math.Min(minB, d)
		}
	}
	return maxB, minB
}

func sq(x float64) float64 { return x * x }

// ITRF converts a position in the site's local tangent plane (east, north, up in metres) to
// ITRF X, Y, Z on the WGS84 ellipsoid.
func (s Site) ITRF(east, north, up float64) [3]float64 {
	const a = 6378137.0
	const f = 1 / 298.257223563
	e2 := f * (2 - f)
	sl, cl := math.Sincos(s.Latitude)
	so, co := math.Sincos(s.Longitude)
	nrad := a / math.Sqrt(1-e2*sl*sl)
	x0 := (nrad + s.Height) * cl * co
	y0 := (nrad + s.Height) * cl * so
	z0 := (nrad*(1-e2) + s.Height) * sl
	return [3]float64{
		x0 - so*east - sl*co*north + cl*co*up,
		y0 + co*east - sl*so*north + cl*so*up,
		z0 + cl*north + sl*up,
	}
}
