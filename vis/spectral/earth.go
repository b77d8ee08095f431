package spectral

import "math"

// The Earth's velocity relative to the solar-system barycentre, as casacore's measures compute it
// for frequency conversions (Aberration::STANDARD, the default: MeasTable::mulAber, mulSunAber,
// mulEarthAber). The model is a trigonometric series in the mean longitudes of the planets and the
// lunar arguments (Stumpff's series as tabulated for the IAU 1976 system), in units of 1e-8 AU/day,
// in the mean equator and equinox of J2000, argument T = Julian centuries of TDB from J2000. The
// terms are truncated at 1e-8 AU/day = 1.7 cm/s; compared with the JPL ephemeris the series is good
// to a few cm/s, far inside the 1 m/s this package promises. Implementing the same series keeps us
// within millimetres per second of casacore, which is the reference tclean users compare with.

// auPerDay is 1 AU/day in m/s, with casacore's astronomical unit (UnitMap "AU").
const auPerDay = 1.49597870659e11 / secondsPerDay

// speedOfLight in m/s.
const speedOfLight = 299792458.0

// orbitSecularTerm is a term in the mean longitudes of Mercury..Saturn whose six coefficients
// (x sin, x cos, y sin, y cos, z sin, z cos) are quadratics in T.
type orbitSecularTerm struct {
	k [6]int8
	c [6][3]float64
}

// orbitTerm is a term in the mean longitudes of Mercury..Saturn with constant coefficients
// (x sin, x cos, y sin, y cos, z sin, z cos).
type orbitTerm struct {
	k [6]int8
	c [6]float64
}

// sunTerm is a term of the Sun's motion about the barycentre in the mean longitudes of
// Venus..Neptune (x sin, x cos, y sin, y cos, z sin, z cos).
type sunTerm struct {
	k [7]int8
	c [6]float64
}

// moonTerm is a term of the Earth's motion about the Earth-Moon barycentre in the lunar arguments
// (x sin, y cos, z cos).
type moonTerm struct {
	k [5]int8
	c [3]float64
}

// fundamentalArgs: a0 + a1 T (radians) for the mean longitudes of Mercury, Venus, the Earth-Moon
// barycentre, Mars, Jupiter, Saturn, Uranus, Neptune, then the lunar arguments (Moon's mean
// longitude, D, l, l', F).
var fundamentalArgs = [13][2]float64{
	{4.4026088, 2608.7903142},
	{3.1761467, 1021.3285546},
	{1.7534703, 628.3075849},
	{6.2034809, 334.0612431},
	{0.5995465, 52.9690965},
	{0.8740168, 21.3299095},
	{5.4812939, 7.4781599},
	{5.3118863, 3.8133036},
	{3.8103444, 8399.6847337},
	{5.1984667, 7771.3771486},
	{2.3555559, 8328.6914289},
	{6.2400601, 628.3019553},
	{1.6279052, 8433.4661601},
}
var orbitSecular = [3]orbitSecularTerm{
	{k: [6]int8{0, 0, 1, 0, 0, 0}, c: [6][3]float64{{-1719919, -2, 0}, {-25, 0, 0}, {25, -13, -1}, {1578094, 156, 0}, {10, 32, 1}, {684187, -358, 0}}},
	{k: [6]int8{0, 0, 2, 0, 0, 0}, c: [6][3]float64{{6434, 141, 0}, {28007, -107, -1}, {25697, -95, -1}, {-5904, -130, 0}, {11141, -48, 0}, {-2559, -55, 0}}},
	{k: [6]int8{0, 0, 3, 0, 0, 0}, c: [6][3]float64{{486, -5, 0}, {-236, -4, 0}, {-216, -4, 0}, {-446, 5, 0}, {-94, -2, 0}, {-193, 2, 0}}},
}
var orbitPeriodic = [77]orbitTerm{
	{[6]int8{0, 0, 2, 0, -1, 0}, [6]float64{31, 1, 1, -28, 0, -12}},
	{[6]int8{0, 0, 3, -8, 3, 0}, [6]float64{8, -28, 25, 8, 11, 3}},
	{[6]int8{0, 0, 5, -8, 3, 0}, [6]float64{8, -28, -25, -8, -11, -3}},
	{[6]int8{0, 1, 0, 0, 0, 0}, [6]float64{-25, 0, 0, 23, 0, 10}},
	{[6]int8{0, 2, -1, 0, 0, 0}, [6]float64{21, 0, 0, -19, 0, -8}},
	{[6]int8{0, 0, 1, 0, -2, 0}, [6]float64{16, 0, 0, 15, 1, 7}},
	{[6]int8{0, 0, 1, 0, 1, 0}, [6]float64{11, -1, -1, -10, -1, -5}},
	{[6]int8{0, 2, -2, 0, 0, 0}, [6]float64{0, -11, -10, 0, -4, 0}},
	{[6]int8{0, 0, 1, 0, -1, 0}, [6]float64{-11, -2, -2, 9, -1, 4}},
	{[6]int8{0, 0, 4, 0, 0, 0}, [6]float64{-7, -8, -8, 6, -3, 3}},
	{[6]int8{0, 0, 3, 0, -2, 0}, [6]float64{-10, 0, 0, 9, 0, 4}},
	{[6]int8{0, 1, -2, 0, 0, 0}, [6]float64{-9, 0, 0, -9, 0, -4}},
	{[6]int8{0, 2, -3, 0, 0, 0}, [6]float64{-9, 0, 0, -8, 0, -4}},
	{[6]int8{0, 2, -4, 0, 0, 0}, [6]float64{0, -9, 8, 0, 3, 0}},
	{[6]int8{0, 0, 3, -2, 0, 0}, [6]float64{8, 0, 0, -8, 0, -3}},
	{[6]int8{0, 8, -12, 0, 0, 0}, [6]float64{-4, -7, -6, 4, -3, 2}},
	{[6]int8{0, 8, -14, 0, 0, 0}, [6]float64{-4, -7, 6, -4, 3, -2}},
	{[6]int8{0, 0, 0, 2, 0, 0}, [6]float64{-6, -5, -4, 5, -2, 2}},
	{[6]int8{0, 3, -4, 0, 0, 0}, [6]float64{-1, -1, -2, -7, 1, -4}},
	{[6]int8{0, 0, 2, 0, -2, 0}, [6]float64{4, -6, -5, -4, -2, -2}},
	{[6]int8{0, 3, -3, 0, 0, 0}, [6]float64{0, -7, -6, 0, -3, 0}},
	{[6]int8{0, 0, 2, -2, 0, 0}, [6]float64{5, -5, -4, -5, -2, -2}},
	{[6]int8{0, 3, -6, 0, 0, 0}, [6]float64{4, -1, 1, 4, 0, 2}},
	{[6]int8{0, 0, 0, 0, 1, 0}, [6]float64{-4, 0, 0, 3, 0, 1}},
	{[6]int8{0, 0, 9, -16, 4, 5}, [6]float64{-1, -3, -3, 1, -1, 0}},
	{[6]int8{0, 0, 7, -16, 4, 5}, [6]float64{-1, -3, 3, -1, 1, 0}},
	{[6]int8{0, 0, 1, 0, -3, 0}, [6]float64{3, 1, 0, 3, 0, 1}},
	{[6]int8{0, 0, 2, 0, -3, 0}, [6]float64{3, -1, -1, 1, 0, 1}},
	{[6]int8{0, 4, -5, 0, 0, 0}, [6]float64{-2, 0, 0, -3, 0, -1}},
	{[6]int8{0, 0, 1, -4, 0, 0}, [6]float64{1, -2, 2, 1, 1, 1}},
	{[6]int8{0, 0, 3, 0, -3, 0}, [6]float64{-2, -1, 0, 2, 0, 1}},
	{[6]int8{0, 0, 3, -4, 0, 0}, [6]float64{1, -2, -2, -1, -1, 0}},
	{[6]int8{0, 3, -2, 0, 0, 0}, [6]float64{2, 0, 0, -2, 0, -1}},
	{[6]int8{0, 0, 4, -4, 0, 0}, [6]float64{2, -1, -1, -2, 0, -1}},
	{[6]int8{0, 0, 2, 0, 0, -1}, [6]float64{2, 0, 0, -2, 0, -1}},
	{[6]int8{0, 0, 3, -3, 0, 0}, [6]float64{2, -1, -1, -1, 0, -1}},
	{[6]int8{0, 0, 3, 0, -1, 0}, [6]float64{0, -2, -1, 0, -1, 0}},
	{[6]int8{0, 0, 1, 0, 0, 1}, [6]float64{0, -1, -1, 0, -1, 0}},
	{[6]int8{0, 0, 0, 0, 2, 0}, [6]float64{-1, -1, -1, 1, -1, 0}},
	{[6]int8{0, 0, 2, -1, 0, 0}, [6]float64{1, 0, 0, -1, 0, -1}},
	{[6]int8{0, 0, 1, 0, 0, -1}, [6]float64{0, -1, -1, 0, -1, 0}},
	{[6]int8{0, 5, -6, 0, 0, 0}, [6]float64{-2, 0, 0, -1, 0, 0}},
	{[6]int8{0, 0, 1, -3, 0, 0}, [6]float64{1, -1, 1, 1, 0, 0}},
	{[6]int8{0, 3, -6, 4, 0, 0}, [6]float64{-1, 1, 1, 1, 0, 0}},
	{[6]int8{0, 3, -8, 4, 0, 0}, [6]float64{-1, 1, -1, -1, 0, 0}},
	{[6]int8{0, 0, 4, -5, 0, 0}, [6]float64{1, -1, -1, 0, 0, 0}},
	{[6]int8{0, 1, 1, 0, 0, 0}, [6]float64{0, 1, 1, 0, 0, 0}},
	{[6]int8{0, 3, -5, 0, 0, 0}, [6]float64{0, -1, 1, 0, 0, 0}},
	{[6]int8{0, 6, -7, 0, 0, 0}, [6]float64{-1, 0, 0, -1, 0, 0}},
	{[6]int8{0, 10, -9, 0, 0, 0}, [6]float64{1, 0, 0, -1, 0, 0}},
	{[6]int8{0, 0, 2, -8, 3, 0}, [6]float64{1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 6, -8, 3, 0}, [6]float64{-1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 1, -2, 0, 0}, [6]float64{1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 9, -15, 0, 0}, [6]float64{-1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 1, 0, -2, 5}, [6]float64{1, 0, 0, -1, 0, 0}},
	{[6]int8{0, 0, 1, 0, 2, -5}, [6]float64{-1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 1, 0, 0, -2}, [6]float64{1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 0, 1, 0, 0}, [6]float64{-1, 0, 0, 1, 0, 0}},
	{[6]int8{0, 0, 7, -15, 0, 0}, [6]float64{-1, 0, 0, -1, 0, 0}},
	{[6]int8{0, 2, 0, 0, 0, 0}, [6]float64{0, -1, -1, 0, 0, 0}},
	{[6]int8{0, 0, 2, 0, 2, -5}, [6]float64{0, 1, 1, 0, 0, 0}},
	{[6]int8{2, 0, -2, 0, 0, 0}, [6]float64{0, 1, -1, 0, 0, 0}},
	{[6]int8{0, 0, 9, -19, 0, 3}, [6]float64{0, 1, -1, 0, 0, 0}},
	{[6]int8{0, 0, 11, -19, 0, 3}, [6]float64{0, 1, 1, 0, 0, 0}},
	{[6]int8{0, 0, 2, -5, 0, 0}, [6]float64{0, -1, 1, 0, 0, 0}},
	{[6]int8{0, 5, -9, 0, 0, 0}, [6]float64{0, 1, -1, 0, 0, 0}},
	{[6]int8{0, 11, -10, 0, 0, 0}, [6]float64{1, 0, 0, 0, 0, 0}},
	{[6]int8{0, 4, -4, 0, 0, 0}, [6]float64{0, 1, 0, 0, 0, 0}},
	{[6]int8{0, 0, 2, 0, -4, 0}, [6]float64{1, 0, 0, 0, 0, 0}},
	{[6]int8{0, 0, 5, -6, 0, 0}, [6]float64{0, -1, 0, 0, 0, 0}},
	{[6]int8{0, 5, -5, 0, 0, 0}, [6]float64{0, 1, 0, 0, 0, 0}},
	{[6]int8{0, 0, 4, 0, -3, 0}, [6]float64{-1, 0, 0, 0, 0, 0}},
	{[6]int8{0, 4, -6, 0, 0, 0}, [6]float64{0, -1, 0, 0, 0, 0}},
	{[6]int8{0, 5, -7, 0, 0, 0}, [6]float64{0, 0, 1, 0, 0, 0}},
	{[6]int8{0, 0, 4, 0, -2, 0}, [6]float64{0, 0, 1, 0, 0, 0}},
	{[6]int8{0, 0, 3, 0, -4, 0}, [6]float64{0, 0, 0, 1, 0, 0}},
	{[6]int8{0, 7, -8, 0, 0, 0}, [6]float64{0, 0, 0, -1, 0, 0}},
}
var sunTerms = [17]sunTerm{
	{[7]int8{0, 0, 0, 1, 0, 0, 0}, [6]float64{719, 0, 6, -660, -15, -283}},
	{[7]int8{0, 0, 0, 0, 1, 0, 0}, [6]float64{159, 0, 2, -147, -6, -61}},
	{[7]int8{0, 0, 0, 2, 0, 0, 0}, [6]float64{34, -9, -8, -31, -4, -13}},
	{[7]int8{0, 0, 0, 0, 0, 1, 0}, [6]float64{17, 0, 0, -16, 0, -7}},
	{[7]int8{0, 0, 0, 0, 0, 0, 1}, [6]float64{16, 0, 1, -15, -3, -6}},
	{[7]int8{0, 0, 0, 0, 2, 0, 0}, [6]float64{0, -9, -8, 0, -3, 1}},
	{[7]int8{1, 0, 0, 0, 0, 0, 0}, [6]float64{6, 0, 0, -6, 0, -2}},
	{[7]int8{0, 1, 0, 0, 0, 0, 0}, [6]float64{5, 0, 0, -5, 0, -2}},
	{[7]int8{0, 0, 0, 3, 0, 0, 0}, [6]float64{2, -1, -1, -2, 0, -1}},
	{[7]int8{0, 0, 0, 1, -5, 0, 0}, [6]float64{-2, 0, 0, -2, 0, -1}},
	{[7]int8{0, 0, 0, 3, -5, 0, 0}, [6]float64{-2, 0, 0, 2, 0, 1}},
	{[7]int8{1, 0, 0, 0, 0, 0, -2}, [6]float64{-1, 0, 0, -1, 0, 0}},
	{[7]int8{0, 0, 0, 0, 3, 0, 0}, [6]float64{-1, 0, 0, 1, 0, 0}},
	{[7]int8{0, 0, 0, 2, -6, 0, 0}, [6]float64{1, 0, 0, 1, 0, 0}},
	{[7]int8{0, 0, 0, 2, -4, 0, 0}, [6]float64{1, 0, 0, -1, 0, 0}},
	{[7]int8{0, 0, 0, 0, 0, 2, 0}, [6]float64{-1, 0, 0, 1, 0, 0}},
	{[7]int8{0, 0, 0, 1, 0, 0, -2}, [6]float64{1, 0, 0, 0, 0, 0}},
}
var moonTerms = [17]moonTerm{
	{[5]int8{1, 0, 0, 0, 0}, [3]float64{715, -656, -285}},
	{[5]int8{0, 0, 0, 0, 1}, [3]float64{0, 26, -59}},
	{[5]int8{1, 0, 1, 0, 0}, [3]float64{39, -36, -16}},
	{[5]int8{1, 2, -1, 0, 0}, [3]float64{8, -7, -3}},
	{[5]int8{1, -2, 0, 0, 0}, [3]float64{5, -5, -2}},
	{[5]int8{1, 2, 0, 0, 0}, [3]float64{4, -4, -2}},
	{[5]int8{0, 0, 1, 0, 1}, [3]float64{0, 1, -3}},
	{[5]int8{1, -2, 1, 0, 0}, [3]float64{-2, 2, 1}},
	{[5]int8{1, 0, 2, 0, 0}, [3]float64{2, -2, -1}},
	{[5]int8{0, 2, 0, 0, -1}, [3]float64{0, 1, -2}},
	{[5]int8{1, 0, 0, 0, -2}, [3]float64{-1, 1, 1}},
	{[5]int8{1, 0, 0, 1, 0}, [3]float64{-1, 1, 0}},
	{[5]int8{1, 0, 0, -1, 0}, [3]float64{1, -1, 0}},
	{[5]int8{1, 4, -2, 0, 0}, [3]float64{1, -1, 0}},
	{[5]int8{1, -2, 2, 0, 0}, [3]float64{-1, 1, 0}},
	{[5]int8{1, 2, 1, 0, 0}, [3]float64{1, 0, 0}},
	{[5]int8{0, 2, -1, 0, 1}, [3]float64{0, 0, -1}},
}

// earthVelocity returns the Earth's velocity relative to the solar-system barycentre in units of
// the speed of light, J2000 equatorial, at TDB (MJD days).
func earthVelocity(mjdTDB float64) vec3 {
	t := (mjdTDB - mjdJ2000) / daysPerCentury
	var fa [13]float64
	for i, a := range fundamentalArgs {
		fa[i] = a[0] + a[1]*t
	}
	var v [3]float64 // units of 1e-8 AU/day
	add := func(c *[6]float64, arg float64) {
		s, co := math.Sincos(arg)
		v[0] += c[0]*s + c[1]*co
		v[1] += c[2]*s + c[3]*co
		v[2] += c[4]*s + c[5]*co
	}
	for i := range orbitSecular {
		term := &orbitSecular[i]
		var c [6]float64
		for j := range c {
			c[j] = term.c[j][0] + t*(term.c[j][1]+t*term.c[j][2])
		}
		add(&c, argument(term.k[:], fa[0:6]))
	}
	for i := range orbitPeriodic {
		add(&orbitPeriodic[i].c, argument(orbitPeriodic[i].k[:], fa[0:6]))
	}
	for i := range sunTerms {
		add(&sunTerms[i].c, argument(sunTerms[i].k[:], fa[1:8]))
	}
	for i := range moonTerms {
		term := &moonTerms[i]
		s, co := math.Sincos(argument(term.k[:], fa[8:13]))
		v[0] += term.c[0] * s
		v[1] += term.c[1] * co
		v[2] += term.c[2] * co
	}
	scale := 1e-8 * auPerDay / speedOfLight
	return vec3{v[0] * scale, v[1] * scale, v[2] * scale}
}

// argument returns sum_i k[i]*fa[i].
func argument(k []int8, fa []float64) float64 {
	var a float64
	for i, m := range k {
		if m != 0 {
			a += float64(m) * fa[i]
		}
	}
	return a
}
