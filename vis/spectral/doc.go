// Package spectral defines the output spectral axis of a cube as tclean does (nchan, start and
// width as channels, frequencies or velocities; outframe; interpolation) and converts data
// frequencies between spectral frames (TOPO, GEO, BARY, LSRK, LSRD, GALACTO, LGROUP, CMB) for the
// software Doppler tracking that decides which output channel each visibility goes to.
//
// # Use
//
//	conv, _ := spectral.NewConverter(obsITRF)              // observatory position, metres
//	axis, _ := spectral.NewAxis(spec, data, spectral.Reference{Conv: conv, Dir: phaseCentre, Time: firstRowTime})
//	rows := spectral.NewRowFactors(conv, axis, fieldDirs)  // per (frame, time, field), cached
//	maps := spectral.NewMapCache(spectral.NewMapper(axis, interp))
//	for each row:
//	    k, _ := rows.Factor(spwFrame, row.Time, row.FieldID)
//	    cs, _ := maps.Map(spw, chanFreq, k)                 // []Contribution
//	    for _, c := range cs: V = c.WLo*V[c.Lo] + c.WHi*V[c.Hi] (weights alike, flags OR'd)
//	                          into output channel c.Out, with u,v,w = uvw*c.Freq/c
//
// Axis.FITS gives the header description (CTYPE FREQ, or VOPT for optical velocity axes; CRVAL,
// CDELT, CRPIX, RESTFRQ, SPECSYS) and Axis.FracBW the cube-global fractional bandwidth that
// briggsbwtaper needs. The rules for start/width, defaults and channel order are on NewAxis; the
// interpolation rules (nearest, and linear with tclean's floor(r) sub-channels) on Mapper.
//
// # Frame conversion and its accuracy
//
// The conversion reproduces casacore's measures (MCFrequency with the default models): the
// observatory's rotation (GMST IAU 1982, UT1 = UTC, apparent direction with IAU 1976 precession,
// the main IAU 1980 nutation terms and annual aberration), the Earth's barycentric velocity from
// casacore's analytic series at TDB (leap seconds to 2017), and casacore's LSRK (20 km/s towards
// 18h +30 deg B1900), LSRD, galactic, local-group and CMB vectors. A conversion is one Doppler
// factor per (time, direction).
//
// Measured against python-casacore 3.5 (casacore-data, no IERS tables) by the tests in this
// package, as the frequency ratio expressed as a velocity, c*|ratio/ratio_casacore - 1|:
//
//   - TOPO -> LSRK, six sites (ALMA, VLA, OVRO-LWA, MeerKAT, LOFAR, the equator) x eight epochs
//     1998-2026 x 40 directions: worst 0.0002 m/s.
//   - every other frame pair (GEO, BARY, LSRD, GALACTO, LGROUP, CMB, and back to TOPO), J2000,
//     ICRS and GALACTIC directions: worst 0.0001 m/s.
//   - the rows of the MeasurementSets in ../shared (ALMA, EVLA, OVRO-LWA, PAPER, LWA-SV, and the
//     simulated ALMA set), with the observatory position tclean uses: worst 0.00001 m/s.
//
// The package promises 1 m/s; the tests fail above 0.1 m/s. In absolute terms the Earth-velocity
// series (casacore's) differs from ERFA's epv00 ephemeris by up to 0.2 m/s (1987-2028), and using
// UTC for UT1 moves the diurnal term by up to 0.03 m/s; tclean users share both with casacore.
//
// Not covered: REST-frame data are imaged without conversion (REST needs the source's radial
// velocity); direction frames other than J2000, ICRS and GALACTIC (B1950, APP, AZEL, planets and
// ephemeris objects) are rejected; UTC before 1972 uses TAI-UTC = 10 s; a leap second announced
// after 2017 must be added to the table in time.go.
//
// The observatory position is the caller's: tclean takes the casacore Observatories entry for
// OBSERVATION.TELESCOPE_NAME and, where the name is unknown, the first antenna's position. The
// choice matters: 10 km along an array moves the diurnal velocity by up to 0.7 m/s.
package spectral
