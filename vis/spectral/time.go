package spectral

import (
	"math"
	"sort"
)

// Time scales. A MeasurementSet's TIME column holds UTC as MJD seconds (seconds since MJD 0).
// The Earth's orbital velocity is evaluated at TDB, the Earth's rotation at UT1. UT1 is taken equal
// to UTC: |UT1-UTC| < 0.9 s moves the diurnal velocity by less than 0.03 m/s, and casacore without
// IERS tables (as Debian's casacore-data installs it) does the same.

const (
	secondsPerDay  = 86400.0
	mjdJ2000       = 51544.5 // MJD of J2000.0 (2000 Jan 1 12h)
	daysPerCentury = 36525.0
	ttMinusTAI     = 32.184 // seconds
)

// leapSeconds lists TAI-UTC (seconds) from the MJD it took effect (IERS Bulletin C). The last
// leap second was at the start of 2017; none has been announced since.
var leapSeconds = []struct {
	mjd         float64
	taiMinusUTC float64
}{
	{41317, 10}, {41499, 11}, {41683, 12}, {42048, 13}, {42413, 14}, {42778, 15}, {43144, 16},
	{43509, 17}, {43874, 18}, {44239, 19}, {44786, 20}, {45151, 21}, {45516, 22}, {46247, 23},
	{47161, 24}, {47892, 25}, {48257, 26}, {48804, 27}, {49169, 28}, {49534, 29}, {50083, 30},
	{50630, 31}, {51179, 32}, {53736, 33}, {54832, 34}, {56109, 35}, {57204, 36}, {57754, 37},
}

// taiMinusUTC returns TAI-UTC in seconds at the UTC MJD. Before 1972 it returns 10 s (the
// pre-1972 "rubber second" offsets of 4-10 s are not modelled; 6 s of time moves the Earth's
// velocity by less than 0.04 m/s).
func taiMinusUTC(mjdUTC float64) float64 {
	i := sort.Search(len(leapSeconds), func(i int) bool { return leapSeconds[i].mjd > mjdUTC })
	if i == 0 {
		return leapSeconds[0].taiMinusUTC
	}
	return leapSeconds[i-1].taiMinusUTC
}

// tdbFromUTC converts UTC (MJD days) to TDB (MJD days): TT = UTC + (TAI-UTC) + 32.184 s, and
// TDB - TT is the annual term 1.657 ms sin(g) (the rest is below 30 us).
func tdbFromUTC(mjdUTC float64) float64 {
	tt := mjdUTC + (taiMinusUTC(mjdUTC)+ttMinusTAI)/secondsPerDay
	g := (357.53 + 0.98560028*(tt-mjdJ2000)) * math.Pi / 180
	return tt + 0.001657*math.Sin(g)/secondsPerDay
}

// gmst returns the Greenwich mean sidereal time in radians at UT1 (MJD days), IAU 1982
// (Aoki et al. 1982): GMST = UT1 + 24110.54841 s + 8640184.812866 s T + 0.093104 s T^2
// - 6.2e-6 s T^3, T in Julian centuries of UT1 from J2000, which is how casacore's
// MeasTable::GMST0 is used (UT1 -> GMST1).
func gmst(mjdUT1 float64) float64 {
	t := (mjdUT1 - mjdJ2000) / daysPerCentury
	_, frac := math.Modf(mjdUT1)
	sec := frac*secondsPerDay + 24110.54841 + t*(8640184.812866+t*(0.093104-t*6.2e-6))
	sec = math.Mod(sec, secondsPerDay)
	if sec < 0 {
		sec += secondsPerDay
	}
	return 2 * math.Pi * sec / secondsPerDay
}

// siderealRatio returns the ratio of sidereal to solar (UT1) time rate, IAU 1982, at UT1 (MJD),
// as casacore's MeasTable::UTtoST.
func siderealRatio(mjdUT1 float64) float64 {
	t := (mjdUT1 - mjdJ2000) / daysPerCentury
	return 1.002737909350795 + t*(5.9006e-11-t*5.9e-15)
}
