package spool

import (
	"math"
	"strings"

	"github.com/cubeimg/cubeimg/vis"
)

// observatories is casacore's geodetic/Observatories table as Debian's casacore-data ships it
// (VS_DATE 2016/11/01): name, WGS84 east longitude and latitude in degrees, height in metres.
var observatories = []struct {
	name             string
	lon, lat, height float64
}{
	{"RATAN-600", 41.586683, 43.826167, 968}, {"FAST", 106.856583, 25.652917, 854},
	{"ARECIBO", -66.75278, 18.34417, 238}, {"CSO", -155.476, 19.8225, 4069},
	{"Effelsberg", 6.8828, 50.5247, 346}, {"LMT", -97.314722, 18.985833, 4568},
	{"P2500", 33.19, 45.19, 2}, {"Galenki", 131.757, 44.0161, 97},
	{"Suffa", 68.45, 39.62, 2323}, {"GBT", -79.8397, 38.4331, 806},
	{"Lovell", -2.30715, 53.23625, 86}, {"Ooty", 76.66616, 11.383404, 2137},
	{"UTR-2", 36.9361, 49.6381, 153}, {"SRT", 9.245197, 39.493044, 589},
	{"QTT", 89.682497, 43.601119, 1759}, {"ATA", -121.47, 40.817, 1018},
	{"ALMA", -67.75333, -23.01917, 5024}, {"ATCA", 149.550278, -30.312778, 209},
	{"ASKAP", 116.637, -26.696, 372}, {"CHIME", -119.624, 49.321, 550},
	{"CARMA", -118.142, 37.2804, 2198}, {"GMRT", 74.049742, 19.096517, 660},
	{"KVN", 126.943056, 37.562222, 45}, {"LOFAR", 6.86889, 52.90889, 6},
	{"MeerKAT", 21.411, -30.721, 1054}, {"LLAMA", -66.474724, -24.191944, 4779},
	{"MWA", 116.671, -26.7033, 380}, {"MOST", 149.4241, -35.3707, 737},
	{"NOEMA", 5.907917, 44.633889, 2549}, {"OMT", 0.0371, 52.1636, 20},
	{"PaST", 86.716, 42.9242, 2652}, {"SKA", 116.631289, -26.697025, 375},
	{"SMA", -155.477972, 19.824278, 4079}, {"VLA", -107.618283, 34.078749, 2123},
	{"VLBA", -155.4553, 19.8011, 3726}, {"WSRT", 6.603333, 52.914722, 19},
	{"ARO", -78.073042, 45.955503, 234}, {"MRAO", 0.0326, 52.1674, 21},
	{"OSO", 11.917778, 57.393056, 5}, {"DRAO", -119.624, 49.321, 550},
}

// wgs84ToITRF converts geodetic WGS84 coordinates (degrees, metres) to geocentric ITRF X, Y, Z
// in metres.
func wgs84ToITRF(lonDeg, latDeg, height float64) [3]float64 {
	const a, f = 6378137.0, 1 / 298.257223563
	e2 := f * (2 - f)
	lon, lat := lonDeg*math.Pi/180, latDeg*math.Pi/180
	sl, cl := math.Sincos(lat)
	n := a / math.Sqrt(1-e2*sl*sl)
	so, co := math.Sincos(lon)
	return [3]float64{(n + height) * cl * co, (n + height) * cl * so, (n*(1-e2) + height) * sl}
}

// ObservatoryPosition returns the observatory position tclean uses for frame conversion (ITRF,
// metres) and where it came from: casacore's Observatories entry for the telescope name
// (OBSERVATION.TELESCOPE_NAME, compared case-insensitively), else the first antenna's position,
// else the file's array position (UVFITS ARRAYX/Y/Z). ok is false if none is known.
//
// The table is the one Debian's casacore-data ships; names it lacks (e.g. EVLA, OVRO_MMA, PAPER,
// LWASV) take the first antenna, as tclean does with a table that lacks them. The first antenna
// is within the array, so the difference is a fraction of the array size: 10 km moves the
// diurnal velocity by at most 0.7 m/s.
func ObservatoryPosition(m *vis.Meta) (pos [3]float64, source string, ok bool) {
	name := strings.TrimSpace(m.Telescope())
	for _, o := range observatories {
		if name != "" && strings.EqualFold(o.name, name) {
			return wgs84ToITRF(o.lon, o.lat, o.height), "observatory " + o.name, true
		}
	}
	if len(m.Antennas) > 0 && m.Antennas[0].Position != [3]float64{} {
		return m.Antennas[0].Position, "antenna 0 (" + m.Antennas[0].Name + ")", true
	}
	if len(m.ArrayPosition) == 3 {
		return [3]float64{m.ArrayPosition[0], m.ArrayPosition[1], m.ArrayPosition[2]}, "array position", true
	}
	return pos, "", false
}
