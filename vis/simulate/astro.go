package simulate

import (
	"math"
)

// Time and Earth orientation, enough for UVW at the millimetre level on ALMA baselines.
//
// Model (the approximations are stated here and in the truth file):
//   - Times are UTC in MJD seconds (the MS convention). UT1 = UTC (|UT1-UTC| < 0.9 s gives a
//     rotation error below 13.5 arcsec) and TT = UTC + 69.184 s (valid since 2017).
//   - Greenwich mean sidereal time: IAU 1982 (Meeus, Astronomical Algorithms, eq. 12.4).
//   - Precession: IAU 1976 (Lieske 1977) angles zeta, z, theta.
//   - Nutation: the four largest IAU 1980 terms (Meeus ch. 22: 0.5 arcsec in longitude,
//     0.1 arcsec in obliquity); apparent sidereal time adds the equation of the equinoxes.
//   - Annual aberration as casacore applies it to baselines: the baseline is turned by the small
//     rotation that moves the phase centre from its apparent to its J2000 direction. Earth's
//     velocity from the Sun's low-precision true longitude and the orbit's eccentricity (Meeus
//     ch. 23 and 25: about 0.2 arcsec).
//   - No polar motion, no diurnal aberration (0.3 arcsec at ALMA), no gravitational light
//     deflection, no atmosphere: UVW is the geometric baseline rotated from ITRF into the J2000
//     equatorial frame, b_J2000 = A P^T N^T R3(-GAST) b_ITRF, and projected on the (u, v, w)
//     axes of the J2000 phase centre.
// TestUVW_AgreesWithCasacoreMeasures compares the result with casacore's dm.to_uvw.

const (
	secondsPerDay = 86400.0
	mjdJ2000      = 51544.5 // MJD of J2000.0 (2000-01-01 12:00 TT)
	ttMinusUTC    = 69.184  // seconds, TAI-UTC = 37 s since 2017-01-01
	arcsec        = math.Pi / 180 / 3600
	deg           = math.Pi / 180
)

// Mat3 is a 3x3 matrix, row major (the rotations of the Earth-orientation model).
type Mat3 [3][3]float64

func (a Mat3) mul(b Mat3) Mat3 {
	var c Mat3
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			c[i][j] = a[i][0]*b[0][j] + a[i][1]*b[1][j] + a[i][2]*b[2][j]
		}
	}
	return c
}

func (a Mat3) transpose() Mat3 {
	var t Mat3
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			t[i][j] = a[j][i]
		}
	}
	return t
}

// Apply returns a v.
func (a Mat3) Apply(v [3]float64) [3]float64 {
	return [3]float64{
		a[0][0]*v[0] + a[0][1]*v[1] + a[0][2]*v[2],
		a[1][0]*v[0] + a[1][1]*v[1] + a[1][2]*v[2],
		a[2][0]*v[0] + a[2][1]*v[1] + a[2][2]*v[2],
	}
}

// Frame rotations (rotation of the coordinate axes by angle a, as in the IAU conventions).
func rot1(a float64) Mat3 {
	s, c := math.Sincos(a)
	return Mat3{{1, 0, 0}, {0, c, s}, {0, -s, c}}
}

func rot2(a float64) Mat3 {
	s, c := math.Sincos(a)
	return Mat3{{c, 0, -s}, {0, 1, 0}, {s, 0, c}}
}

func rot3(a float64) Mat3 {
	s, c := math.Sincos(a)
	return Mat3{{c, s, 0}, {-s, c, 0}, {0, 0, 1}}
}

// julianCenturiesTT is T, Julian centuries of TT since J2000.0, for a UTC time in MJD seconds.
func julianCenturiesTT(mjdSec float64) float64 {
	return ((mjdSec+ttMinusUTC)/secondsPerDay - mjdJ2000) / 36525
}

// GMST is the Greenwich mean sidereal time in radians (IAU 1982, UT1 = UTC) for a UTC time in
// MJD seconds.
func GMST(mjdSec float64) float64 {
	d := mjdSec/secondsPerDay - mjdJ2000 // days of UT1 since J2000.0
	t := d / 36525
	g := 280.46061837 + 360.98564736629*d + 0.000387933*t*t - t*t*t/38710000
	g = math.Mod(g, 360)
	if g < 0 {
		g += 360
	}
	return g * deg
}

// nutation returns the nutation in longitude and obliquity and the mean obliquity, in radians.
func nutation(t float64) (dpsi, deps, eps0 float64) {
	om := (125.04452 - 1934.136261*t) * deg
	l := (280.4665 + 36000.7698*t) * deg
	lp := (218.3165 + 481267.8813*t) * deg
	dpsi = (-17.20*math.Sin(om) - 1.32*math.Sin(2*l) - 0.23*math.Sin(2*lp) + 0.21*math.Sin(2*om)) * arcsec
	deps = (9.20*math.Cos(om) + 0.57*math.Cos(2*l) + 0.10*math.Cos(2*lp) - 0.09*math.Cos(2*om)) * arcsec
	eps0 = (23*3600 + 26*60 + 21.448 - 46.8150*t - 0.00059*t*t + 0.001813*t*t*t) * arcsec
	return dpsi, deps, eps0
}

// precession is the IAU 1976 matrix from J2000 mean equatorial coordinates to those of date.
func precession(t float64) Mat3 {
	zeta := (2306.2181*t + 0.30188*t*t + 0.017998*t*t*t) * arcsec
	z := (2306.2181*t + 1.09468*t*t + 0.018203*t*t*t) * arcsec
	theta := (2004.3109*t - 0.42665*t*t - 0.041833*t*t*t) * arcsec
	return rot3(-z).mul(rot2(theta)).mul(rot3(-zeta))
}

// celestialToTerrestrial returns the matrix taking J2000 equatorial vectors to ITRF (no polar
// motion): R3(GAST) N P. Its transpose takes ITRF to J2000.
func celestialToTerrestrial(mjdSec float64) Mat3 {
	t := julianCenturiesTT(mjdSec)
	dpsi, deps, eps0 := nutation(t)
	eps := eps0 + deps
	n := rot1(-eps).mul(rot3(-dpsi)).mul(rot1(eps0))
	gast := GMST(mjdSec) + dpsi*math.Cos(eps)
	return rot3(gast).mul(n).mul(precession(t))
}

// aberrationBeta is Earth's orbital velocity over c in J2000 equatorial coordinates (annual
// aberration, constant kappa = 20.49552 arcsec).
func aberrationBeta(t float64) [3]float64 {
	const kappa = 20.49552 * arcsec
	l0 := 280.46646 + 36000.76983*t + 0.0003032*t*t
	m := (357.52911 + 35999.05029*t - 0.0001537*t*t) * deg
	c := (1.914602-0.004817*t-0.000014*t*t)*math.Sin(m) + (0.019993-0.000101*t)*math.Sin(2*m) + 0.000289*math.Sin(3*m)
	sun := (l0 + c) * deg
	e := 0.016708634 - 0.000042037*t
	peri := (102.93735 + 1.71946*t) * deg
	bx := kappa * (math.Sin(sun) - e*math.Sin(peri))
	by := kappa * (-math.Cos(sun) + e*math.Cos(peri))
	const eps = 23.4392911 * deg // J2000 obliquity
	return [3]float64{bx, by * math.Cos(eps), by * math.Sin(eps)}
}

// aberrationRotation is the rotation that moves the J2000 direction d of the phase centre by the
// deaberration shift (to d - beta_perp), applied to baselines after precession and nutation are
// removed: R = rotation by the vector omega = beta x d (Rodrigues).
func aberrationRotation(t float64, d [3]float64) Mat3 {
	b := aberrationBeta(t)
	w := [3]float64{b[1]*d[2] - b[2]*d[1], b[2]*d[0] - b[0]*d[2], b[0]*d[1] - b[1]*d[0]}
	th := math.Sqrt(w[0]*w[0] + w[1]*w[1] + w[2]*w[2])
	if th == 0 {
		return Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	}
	k := [3]float64{w[0] / th, w[1] / th, w[2] / th}
	s, c := math.Sincos(th)
	var r Mat3
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			r[i][j] = (1 - c) * k[i] * k[j]
			if i == j {
				r[i][j] += c
			}
		}
	}
	r[0][1] -= s * k[2]
	r[0][2] += s * k[1]
	r[1][0] += s * k[2]
	r[1][2] -= s * k[0]
	r[2][0] -= s * k[1]
	r[2][1] += s * k[0]
	return r
}

// uvwBasis is the matrix whose rows are the u, v and w unit vectors of a J2000 phase centre.
func uvwBasis(ra, dec float64) Mat3 {
	sa, ca := math.Sincos(ra)
	sd, cd := math.Sincos(dec)
	return Mat3{
		{-sa, ca, 0},
		{-sd * ca, -sd * sa, cd},
		{cd * ca, cd * sa, sd},
	}
}

// UVWMatrix returns the matrix that maps an ITRF position (metres) to its (u, v, w) in metres in
// the J2000 frame of the phase centre (ra, dec) at UTC time mjdSec (MJD seconds). A row's UVW is
// UVWMatrix * (X_ANTENNA2 - X_ANTENNA1).
func UVWMatrix(mjdSec, ra, dec float64) Mat3 {
	sd, cd := math.Sincos(dec)
	sa, ca := math.Sincos(ra)
	a := aberrationRotation(julianCenturiesTT(mjdSec), [3]float64{cd * ca, cd * sa, sd})
	return uvwBasis(ra, dec).mul(a).mul(celestialToTerrestrial(mjdSec).transpose())
}

// HourAngleElevation returns the local apparent hour angle (radians, in (-pi, pi]) and the
// geometric elevation (radians) of the J2000 direction (ra, dec) seen from site at mjdSec.
func HourAngleElevation(site Site, mjdSec, ra, dec float64) (ha, el float64) {
	sd, cd := math.Sincos(dec)
	sa, ca := math.Sincos(ra)
	s := celestialToTerrestrial(mjdSec).Apply([3]float64{cd * ca, cd * sa, sd})
	ha = math.Remainder(-math.Atan2(s[1], s[0])+site.Longitude, 2*math.Pi)
	decApp := math.Asin(s[2])
	el = math.Asin(math.Sin(site.Latitude)*math.Sin(decApp) + math.Cos(site.Latitude)*math.Cos(decApp)*math.Cos(ha))
	return ha, el
}

// LMToRADec converts direction cosines (l east, m north) about the phase centre (ra0, dec0) to
// RA and Dec (SIN projection), all in radians; RA is in [0, 2 pi).
func LMToRADec(l, m, ra0, dec0 float64) (ra, dec float64) {
	n := math.Sqrt(1 - l*l - m*m)
	s0, c0 := math.Sincos(dec0)
	dec = math.Asin(m*c0 + n*s0)
	ra = ra0 + math.Atan2(l, n*c0-m*s0)
	ra = math.Mod(ra, 2*math.Pi)
	if ra < 0 {
		ra += 2 * math.Pi
	}
	return ra, dec
}

// MJDSeconds converts a UTC calendar date and time of day (seconds) to MJD seconds.
func MJDSeconds(year, month, day int, secOfDay float64) float64 {
	// Days from the civil date (proleptic Gregorian), Fliegel & Van Flandern.
	a := (14 - month) / 12
	y := year + 4800 - a
	m := month + 12*a - 3
	jdn := day + (153*m+2)/5 + 365*y + y/4 - y/100 + y/400 - 32045
	mjd := float64(jdn) - 2400001
	return mjd*secondsPerDay + secOfDay
}
