package spectral

import (
	"fmt"
	"strings"
)

// Frame is a spectral reference frame, numbered as casacore's MFrequency types (the values of a
// MeasurementSet's SPECTRAL_WINDOW.MEAS_FREQ_REF column).
type Frame int

// The casacore MFrequency frame codes.
const (
	REST      Frame = 0 // rest frequency of the source; not convertible without its radial velocity
	LSRK      Frame = 1 // kinematic local standard of rest (20 km/s towards RA 18h, Dec +30, B1900)
	LSRD      Frame = 2 // dynamical local standard of rest
	BARY      Frame = 3 // solar-system barycentre
	GEO       Frame = 4 // geocentre
	TOPO      Frame = 5 // the observatory
	GALACTO   Frame = 6 // galactic centre
	LGROUP    Frame = 7 // local group
	CMB       Frame = 8 // cosmic microwave background dipole
	Undefined Frame = 64
)

var frameNames = map[Frame]string{
	REST: "REST", LSRK: "LSRK", LSRD: "LSRD", BARY: "BARY", GEO: "GEO", TOPO: "TOPO",
	GALACTO: "GALACTO", LGROUP: "LGROUP", CMB: "CMB", Undefined: "Undefined",
}

// String returns casacore's name of the frame ("LSRK", "TOPO", ...).
func (f Frame) String() string {
	if s, ok := frameNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Frame(%d)", int(f))
}

// ParseFrame parses a frame name as tclean's outframe takes it (case-insensitive; "" gives LSRK,
// tclean's default; "LSR" is casacore's alias of LSRK; "BARY" also as "BARYCENT").
func ParseFrame(s string) (Frame, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch u {
	case "", "LSRK", "LSR":
		return LSRK, nil
	case "LSRD":
		return LSRD, nil
	case "BARY", "BARYCENT":
		return BARY, nil
	case "GEO", "GEOCENTR":
		return GEO, nil
	case "TOPO", "TOPOCENT":
		return TOPO, nil
	case "GALACTO", "GALACTOC":
		return GALACTO, nil
	case "LGROUP", "LOCALGRP":
		return LGROUP, nil
	case "CMB", "CMBDIPOL":
		return CMB, nil
	case "REST":
		return REST, nil
	}
	return 0, fmt.Errorf("spectral: unknown frequency frame %q (want LSRK, TOPO, BARY, GEO, LSRD, GALACTO, LGROUP, CMB or REST)", s)
}

// FrameFromCode checks a MEAS_FREQ_REF code and returns it as a Frame.
func FrameFromCode(code int) (Frame, error) {
	f := Frame(code)
	if _, ok := frameNames[f]; !ok {
		return 0, fmt.Errorf("spectral: unknown MEAS_FREQ_REF code %d", code)
	}
	return f, nil
}

// SpecSys returns the FITS SPECSYS keyword value for the frame (FITS WCS paper III, table 10).
func (f Frame) SpecSys() string {
	switch f {
	case LSRK:
		return "LSRK"
	case LSRD:
		return "LSRD"
	case BARY:
		return "BARYCENT"
	case GEO:
		return "GEOCENTR"
	case TOPO:
		return "TOPOCENT"
	case GALACTO:
		return "GALACTOC"
	case LGROUP:
		return "LOCALGRP"
	case CMB:
		return "CMBDIPOL"
	case REST:
		return "SOURCE"
	}
	return ""
}

// DirFrame is a direction reference frame, numbered as casacore's MDirection types (the codes of a
// FIELD table's PhaseDir_Ref column, or the Ref of PHASE_DIR's MEASINFO).
type DirFrame int

// The direction frames the converter accepts.
const (
	J2000    DirFrame = 0  // mean equator and equinox of J2000 (FK5)
	GALACTIC DirFrame = 8  // galactic longitude and latitude
	ICRS     DirFrame = 21 // International Celestial Reference System (J2000 plus the 23 mas frame bias)
)

var dirFrameNames = map[DirFrame]string{J2000: "J2000", GALACTIC: "GALACTIC", ICRS: "ICRS"}

// String returns casacore's name of the direction frame.
func (d DirFrame) String() string {
	if s, ok := dirFrameNames[d]; ok {
		return s
	}
	return fmt.Sprintf("DirFrame(%d)", int(d))
}

// ParseDirFrame parses a direction frame name ("J2000", "ICRS", "GALACTIC"; case-insensitive).
func ParseDirFrame(s string) (DirFrame, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "J2000":
		return J2000, nil
	case "ICRS":
		return ICRS, nil
	case "GALACTIC":
		return GALACTIC, nil
	}
	return 0, fmt.Errorf("spectral: unsupported direction frame %q (want J2000, ICRS or GALACTIC)", s)
}

// DirFrameFromCode checks an MDirection code and returns it as a DirFrame.
func DirFrameFromCode(code int) (DirFrame, error) {
	d := DirFrame(code)
	if _, ok := dirFrameNames[d]; !ok {
		return 0, fmt.Errorf("spectral: unsupported direction frame code %d (want 0 J2000, 8 GALACTIC or 21 ICRS)", code)
	}
	return d, nil
}

// Direction is a sky direction: longitude and latitude in radians (RA/Dec for J2000 and ICRS).
type Direction struct {
	Lon, Lat float64
	Frame    DirFrame
}
