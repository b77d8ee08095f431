package spectral

import (
	"fmt"
	"math"
)

// Frame velocities relative to the solar-system barycentre, m/s, J2000 equatorial (casacore
// MeasTable::velocityLSRK, velocityLSR, velocityLSRGal, velocityLGROUP, velocityCMB).
var (
	// LSRK: 20 km/s towards RA 18h, Dec +30 (B1900), expressed in J2000.
	velocityLSRK = vec3{20000 * 0.0145021, 20000 * -0.865863, 20000 * 0.500071}
	// LSRD: (U, V, W) = (9, 12, 7) km/s (Delhaye 1965).
	velocityLSRD = scaled(math.Sqrt(81+144+49)*1000, vec3{-0.0385568, -0.881138, 0.471285})
	// Galactic rotation at the Sun, 220 km/s, relative to the LSRD.
	velocityGalactic = scaled(220e3, vec3{0.494109, -0.44483, 0.746982})
	// Local group, 308 km/s.
	velocityLGroup = scaled(308e3, vec3{0.593553979227, -0.177954636914, 0.784873124106})
	// CMB dipole, 369.5 km/s.
	velocityCMB = scaled(369.5e3, vec3{-0.97176985257, 0.202393953108, -0.121243727187})
)

func scaled(s float64, v vec3) vec3 { return vec3{s * v[0], s * v[1], s * v[2]} }

// Converter converts frequencies between spectral frames for one observatory, as casacore's
// MFrequency::Convert does (MCFrequency): every hop is the relativistic Doppler factor
// sqrt((1-b)/(1+b)) of the projected velocity b = v.n/c of one frame relative to the next along
// TOPO -> GEO -> BARY -> LSRK (or LSRD, GALACTO, LGROUP, CMB), so a conversion is a single factor
// per (time, direction): nu_to = Factor * nu_from.
//
// The velocities are:
//   - TOPO -> GEO: the observatory's rotation about the Earth's axis, 2 pi r_xy / (sidereal day),
//     towards the east at the local apparent sidereal time (GMST IAU 1982 with UT1 = UTC, plus the
//     equation of the equinoxes), projected on the apparent direction of date (J2000 + annual
//     aberration, IAU 1976 precession, IAU 1980 nutation's largest terms).
//   - GEO -> BARY: the Earth's barycentric velocity from casacore's analytic series (earth.go) at
//     TDB, projected on the J2000 direction.
//   - BARY -> LSRK: 20 km/s towards (RA, Dec)_B1900 = (18h, +30 deg), J2000 vector as casacore's.
//
// A Converter holds no mutable state and is safe for concurrent use.
type Converter struct {
	pos vec3    // ITRF, metres
	lon float64 // east longitude, radians
	rxy float64 // distance from the rotation axis, metres
}

// NewConverter returns a converter for an observatory at the ITRF position (metres, as an MS
// ANTENNA.POSITION). It fails unless the position lies within 6000-7000 km of the geocentre.
func NewConverter(itrf [3]float64) (*Converter, error) {
	p := vec3(itrf)
	r := math.Sqrt(p.dot(p))
	if !(r > 6.0e6 && r < 7.0e6) {
		return nil, fmt.Errorf("spectral: observatory position (%g, %g, %g) m is %.0f m from the geocentre, not on the Earth's surface", p[0], p[1], p[2], r)
	}
	return &Converter{pos: p, lon: math.Atan2(p[1], p[0]), rxy: math.Hypot(p[0], p[1])}, nil
}

// Position returns the observatory's ITRF position in metres.
func (c *Converter) Position() [3]float64 { return c.pos }

// ToLSRK returns the factor mapping a frequency in frame from to LSRK for a source in direction
// dir observed at mjdSec (UTC, MJD seconds as a MeasurementSet's TIME column).
func (c *Converter) ToLSRK(from Frame, dir Direction, mjdSec float64) (float64, error) {
	return c.Factor(from, LSRK, dir, mjdSec)
}

// Factor returns nu_to / nu_from for a source in direction dir observed at mjdSec (UTC, MJD
// seconds). REST and Undefined cannot be converted (REST needs the source's radial velocity).
func (c *Converter) Factor(from, to Frame, dir Direction, mjdSec float64) (float64, error) {
	if from == to {
		if _, err := checkConvertible(from); err != nil {
			return 0, err
		}
		return 1, nil
	}
	if _, err := checkConvertible(from); err != nil {
		return 0, err
	}
	if _, err := checkConvertible(to); err != nil {
		return 0, err
	}
	n, err := j2000Vector(dir)
	if err != nil {
		return 0, err
	}
	st := state{c: c, n: n, mjdUTC: mjdSec / secondsPerDay}
	return st.toBary(from) / st.toBary(to), nil
}

func checkConvertible(f Frame) (Frame, error) {
	switch f {
	case LSRK, LSRD, BARY, GEO, TOPO, GALACTO, LGROUP, CMB:
		return f, nil
	case REST:
		return f, fmt.Errorf("spectral: cannot convert frame REST without the source's radial velocity")
	}
	return f, fmt.Errorf("spectral: cannot convert frame %v", f)
}

// j2000Vector returns the unit vector of dir in J2000 equatorial coordinates.
func j2000Vector(dir Direction) (vec3, error) {
	if math.IsNaN(dir.Lon) || math.IsNaN(dir.Lat) || math.IsInf(dir.Lon, 0) || math.IsInf(dir.Lat, 0) {
		return vec3{}, fmt.Errorf("spectral: direction (%g, %g) is not finite", dir.Lon, dir.Lat)
	}
	u := unitVector(dir.Lon, dir.Lat)
	switch dir.Frame {
	case J2000:
		return u, nil
	case ICRS:
		return icrsToJ2000.apply(u), nil
	case GALACTIC:
		return galacticToJ2000.apply(u), nil
	}
	return vec3{}, fmt.Errorf("spectral: unsupported direction frame %v", dir.Frame)
}

// state evaluates, lazily, the velocities one conversion needs.
type state struct {
	c      *Converter
	n      vec3
	mjdUTC float64

	haveEarth bool
	tdb       float64
	earth     vec3 // units of c
}

func doppler(b float64) float64 { return math.Sqrt((1 - b) / (1 + b)) }

func (s *state) earthBeta() vec3 {
	if !s.haveEarth {
		s.tdb = tdbFromUTC(s.mjdUTC)
		s.earth = earthVelocity(s.tdb)
		s.haveEarth = true
	}
	return s.earth
}

// toBary returns nu_BARY / nu_f.
func (s *state) toBary(f Frame) float64 {
	switch f {
	case BARY:
		return 1
	case GEO:
		return doppler(s.earthBeta().dot(s.n))
	case TOPO:
		return doppler(s.diurnalBeta()) * doppler(s.earthBeta().dot(s.n))
	case LSRK:
		return 1 / doppler(velocityLSRK.dot(s.n)/speedOfLight)
	case LSRD:
		return 1 / doppler(velocityLSRD.dot(s.n)/speedOfLight)
	case GALACTO:
		return 1 / (doppler(velocityLSRD.dot(s.n)/speedOfLight) * doppler(velocityGalactic.dot(s.n)/speedOfLight))
	case LGROUP:
		return 1 / doppler(velocityLGroup.dot(s.n)/speedOfLight)
	case CMB:
		return 1 / doppler(velocityCMB.dot(s.n)/speedOfLight)
	}
	return math.NaN() // unreachable: frames are checked by Factor
}

// diurnalBeta returns the observatory's rotational velocity (units of c) projected on the apparent
// direction of the source.
func (s *state) diurnalBeta() float64 {
	beta := s.earthBeta()
	t := (s.tdb - mjdJ2000) / daysPerCentury
	// Annual aberration (first order): the apparent direction leans towards the Earth's motion.
	nb := s.n.dot(beta)
	app := vec3{s.n[0] + beta[0] - nb*s.n[0], s.n[1] + beta[1] - nb*s.n[1], s.n[2] + beta[2] - nb*s.n[2]}
	norm := math.Sqrt(app.dot(app))
	app = vec3{app[0] / norm, app[1] / norm, app[2] / norm}
	dpsi, deps, eps0 := nutation(t)
	p := precession(t)
	r1 := rotX(-(eps0 + deps))
	r2 := rotZ(-dpsi)
	r3 := rotX(eps0)
	nm := r1.mul(&r2)
	nm = nm.mul(&r3)
	np := nm.mul(&p)
	nt := np.apply(app)
	last := gmst(s.mjdUTC) + dpsi*math.Cos(eps0+deps) + s.c.lon
	speed := 2 * math.Pi * s.c.rxy / secondsPerDay * siderealRatio(s.mjdUTC) / speedOfLight
	sl, cl := math.Sincos(last)
	return speed * (-sl*nt[0] + cl*nt[1])
}
