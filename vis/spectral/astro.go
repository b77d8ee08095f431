package spectral

import "math"

// Small vector and rotation helpers, precession and nutation for the apparent direction used by
// the diurnal (TOPO <-> GEO) term.

type vec3 [3]float64

type mat3 [3][3]float64

func (a vec3) dot(b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func (m *mat3) apply(v vec3) vec3 {
	return vec3{
		m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2],
	}
}

func (m *mat3) mul(n *mat3) mat3 {
	var r mat3
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			r[i][j] = m[i][0]*n[0][j] + m[i][1]*n[1][j] + m[i][2]*n[2][j]
		}
	}
	return r
}

// rotX, rotY and rotZ rotate the coordinate frame (not the vector) by angle a about an axis, as
// the R1, R2, R3 of the Explanatory Supplement.
func rotX(a float64) mat3 {
	s, c := math.Sincos(a)
	return mat3{{1, 0, 0}, {0, c, s}, {0, -s, c}}
}

func rotY(a float64) mat3 {
	s, c := math.Sincos(a)
	return mat3{{c, 0, -s}, {0, 1, 0}, {s, 0, c}}
}

func rotZ(a float64) mat3 {
	s, c := math.Sincos(a)
	return mat3{{c, s, 0}, {-s, c, 0}, {0, 0, 1}}
}

func unitVector(lon, lat float64) vec3 {
	sl, cl := math.Sincos(lon)
	sb, cb := math.Sincos(lat)
	return vec3{cb * cl, cb * sl, sb}
}

const arcsec = math.Pi / (180 * 3600)

// precession returns the IAU 1976 (Lieske et al. 1977) precession matrix from the mean equator and
// equinox of J2000 to those of date, T in Julian centuries of TDB from J2000 (casacore's default,
// non-IAU2000 model).
func precession(t float64) mat3 {
	zeta := (2306.2181 + (0.30188+0.017998*t)*t) * t * arcsec
	z := (2306.2181 + (1.09468+0.018203*t)*t) * t * arcsec
	theta := (2004.3109 - (0.42665+0.041833*t)*t) * t * arcsec
	a := rotZ(-z)
	b := rotY(theta)
	c := rotZ(-zeta)
	ab := a.mul(&b)
	return ab.mul(&c)
}

// nutation returns the nutation in longitude and obliquity (radians) and the mean obliquity of
// date, from the five largest terms of the IAU 1980 series (the rest are below 0.1 arcsec, which
// moves the diurnal velocity by less than 0.0003 m/s).
func nutation(t float64) (dpsi, deps, eps0 float64) {
	deg := math.Pi / 180
	lp := (357.52772 + 35999.050340*t) * deg // Sun's mean anomaly
	f := (93.27191 + 483202.017538*t) * deg  // Moon's argument of latitude
	d := (297.85036 + 445267.111480*t) * deg // Moon's mean elongation
	om := (125.04452 - 1934.136261*t) * deg  // longitude of the Moon's ascending node
	dpsi = (-17.1996*math.Sin(om) - 1.3187*math.Sin(2*f-2*d+2*om) - 0.2274*math.Sin(2*f+2*om) +
		0.2062*math.Sin(2*om) + 0.1426*math.Sin(lp)) * arcsec
	deps = (9.2025*math.Cos(om) + 0.5736*math.Cos(2*f-2*d+2*om) + 0.0977*math.Cos(2*f+2*om) -
		0.0895*math.Cos(2*om)) * arcsec
	eps0 = (84381.448 - 46.8150*t) * arcsec
	return dpsi, deps, eps0
}

// galacticToJ2000 rotates galactic unit vectors to J2000 equatorial ones (the matrix casacore's
// MeasData::GALtoJ2000 uses).
var galacticToJ2000 = mat3{
	{-0.0548777621, +0.4941083214, -0.8676666398},
	{-0.8734369591, -0.4448308610, -0.1980741871},
	{-0.4838350026, +0.7469822433, +0.4559837919},
}

// icrsToJ2000 is the IERS 2003 frame bias (dalpha0 = -14.6 mas, xi0 = -16.617 mas, eta0 =
// -6.8192 mas) taking ICRS unit vectors to the mean equator and equinox of J2000, as casacore's
// MeasTable::frameBias00. It moves directions by 23 mas, i.e. up to 0.04 m/s at the CMB dipole's
// 370 km/s.
var icrsToJ2000 = func() mat3 {
	eps0 := 84381.448 * arcsec
	xi0 := -0.041775 * math.Sin(eps0) * arcsec
	eta0 := -0.0068192 * arcsec
	da0 := -0.0146 * arcsec
	a := rotX(-eta0)
	b := rotY(xi0)
	c := rotZ(da0)
	ab := a.mul(&b)
	return ab.mul(&c)
}()
