package mswrite

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Stokes / correlation types of the POLARIZATION table's CORR_TYPE (casacore Stokes::StokesTypes).
const (
	CorrRR int32 = 5
	CorrRL int32 = 6
	CorrLR int32 = 7
	CorrLL int32 = 8
	CorrXX int32 = 9
	CorrXY int32 = 10
	CorrYX int32 = 11
	CorrYY int32 = 12
)

// Frequency frames of SPECTRAL_WINDOW MEAS_FREQ_REF (casacore MFrequency::Types).
const (
	FreqREST int32 = 0
	FreqLSRK int32 = 1
	FreqLSRD int32 = 2
	FreqBARY int32 = 3
	FreqGEO  int32 = 4
	FreqTOPO int32 = 5
)

// Antenna is one row of the ANTENNA table.
type Antenna struct {
	Name     string     // e.g. "DA41"
	Station  string     // pad name, e.g. "A001"
	Position [3]float64 // ITRF X, Y, Z in metres
	Diameter float64    // dish diameter in metres
	Mount    string     // "" means "ALT-AZ"
}

// SpectralWindow is the single SPECTRAL_WINDOW row.
type SpectralWindow struct {
	Name        string
	ChanFreq    []float64 // channel centre frequencies in Hz
	ChanWidth   float64   // channel width in Hz (negative for a decreasing axis)
	MeasFreqRef int32     // frame of ChanFreq: FreqTOPO, FreqLSRK, ...
}

// Field is one row of the FIELD table (and of SOURCE when MSSpec.RestFrequency is set).
type Field struct {
	Name    string
	RA, Dec float64 // J2000 phase centre in radians
}

// Observation is the single OBSERVATION row.
type Observation struct {
	Telescope string // TELESCOPE_NAME, e.g. "ALMA"
	Observer  string
	Project   string
	TimeRange [2]float64 // MJD seconds (UTC)
}

// MSSpec describes a MeasurementSet with one spectral window, one polarization setup and one
// data description: the subtables' content and the MAIN table's layout.
type MSSpec struct {
	Antennas       []Antenna
	SpectralWindow SpectralWindow
	Fields         []Field
	CorrTypes      []int32 // e.g. {CorrXX, CorrYY}
	Observation    Observation
	// RestFrequency (Hz) and Transition, when set, fill the SOURCE table (one row per field).
	RestFrequency float64
	Transition    string
	// History is written as one HISTORY row (the command that made the MS).
	History string
	// Application names the program in HISTORY and PROCESSOR (e.g. "cubeimg simulate").
	Application string
	// WeightSpectrum adds the WEIGHT_SPECTRUM column.
	WeightSpectrum bool
	// BigEndian writes big-endian data files.
	BigEndian bool
	// DataBucketBytes is the target bucket size of the DATA, FLAG and WEIGHT_SPECTRUM data
	// managers; 0 means 1 MiB.
	DataBucketBytes int
}

// MS writes a MeasurementSet: the subtables are written by CreateMS, MAIN rows are streamed with
// Append, and Close finishes MAIN.
type MS struct {
	path  string
	main  *Table
	nchan int
	ncorr int
	spec  MSSpec
}

// MainRows holds n rows of the MAIN table. Slices left nil get their defaults: zeros for the
// ID columns (ARRAY_ID, DATA_DESC_ID, FEED1/2, FIELD_ID, OBSERVATION_ID, PROCESSOR_ID,
// STATE_ID), TIME_CENTROID = TIME, EXPOSURE = INTERVAL, false flags, unit WEIGHT/SIGMA, zero
// DATA, WEIGHT_SPECTRUM = WEIGHT per channel.
type MainRows struct {
	N          int
	Time       []float64 // MJD seconds (UTC), centre of the integration
	Interval   []float64 // seconds
	Exposure   []float64
	Antenna1   []int32
	Antenna2   []int32
	FieldID    []int32
	ScanNumber []int32
	UVW        []float64 // 3 per row, metres, J2000: uvw(ANTENNA2) - uvw(ANTENNA1)
	// Data is nchan*ncorr per row, correlation fastest: Data[(r*nchan+ch)*ncorr+corr].
	Data           []complex64
	Flag           []bool    // as Data
	FlagRow        []bool    // 1 per row
	Weight         []float32 // ncorr per row
	Sigma          []float32 // ncorr per row
	WeightSpectrum []float32 // as Data (only with MSSpec.WeightSpectrum)
}

// Names of the MAIN table's data managers.
const (
	ManagerData           = "DataStMan"
	ManagerFlag           = "FlagStMan"
	ManagerWeightSpectrum = "WeightSpectrumStMan"
)

func unitsMeasure(c ColumnDesc, measType, ref string, units ...string) ColumnDesc {
	return c.WithUnits(units...).WithMeasure(measType, ref)
}

func epochCol(name, comment string) ColumnDesc {
	return unitsMeasure(Scalar(name, TpDouble, comment), "epoch", "UTC", "s")
}

func dirCol(name, comment string) ColumnDesc {
	return unitsMeasure(VarArray(name, TpDouble, 2, comment), "direction", "J2000", "rad", "rad")
}

// MainColumns is the MAIN table description for nchan channels and ncorr correlations.
func MainColumns(nchan, ncorr int, weightSpectrum bool) []ColumnDesc {
	cols := []ColumnDesc{
		unitsMeasure(FixedArray("UVW", TpDouble, []int{3}, "Vector with uvw coordinates (in meters)"), "uvw", "J2000", "m", "m", "m"),
		FixedArray("FLAG", TpBool, []int{ncorr, nchan}, "The data flags, array of bools with same shape as data").In(ManagerFlag),
		VarArray("FLAG_CATEGORY", TpBool, 3, "The flag category, NUM_CAT flags for each datum").WithKeyword("CATEGORY", []string{}),
		FixedArray("WEIGHT", TpFloat, []int{ncorr}, "Weight for each polarization spectrum"),
		FixedArray("SIGMA", TpFloat, []int{ncorr}, "Estimated rms noise for channel with unity bandpass response"),
		Scalar("ANTENNA1", TpInt, "ID of first antenna in interferometer"),
		Scalar("ANTENNA2", TpInt, "ID of second antenna in interferometer"),
		Scalar("ARRAY_ID", TpInt, "ID of array or subarray"),
		Scalar("DATA_DESC_ID", TpInt, "The data description table index"),
		Scalar("EXPOSURE", TpDouble, "The effective integration time").WithUnits("s"),
		Scalar("FEED1", TpInt, "The feed index for ANTENNA1"),
		Scalar("FEED2", TpInt, "The feed index for ANTENNA2"),
		Scalar("FIELD_ID", TpInt, "Unique id for this pointing"),
		Scalar("FLAG_ROW", TpBool, "Row flag - flag all data in this row if True"),
		Scalar("INTERVAL", TpDouble, "The sampling interval").WithUnits("s"),
		Scalar("OBSERVATION_ID", TpInt, "ID for this observation, index in OBSERVATION table"),
		Scalar("PROCESSOR_ID", TpInt, "Id for backend processor, index in PROCESSOR table"),
		Scalar("SCAN_NUMBER", TpInt, "Sequential scan number from on-line system"),
		Scalar("STATE_ID", TpInt, "ID for this observing state"),
		epochCol("TIME", "Modified Julian Day"),
		epochCol("TIME_CENTROID", "Modified Julian Day"),
		FixedArray("DATA", TpComplex, []int{ncorr, nchan}, "The data column").In(ManagerData),
	}
	if weightSpectrum {
		cols = append(cols, FixedArray("WEIGHT_SPECTRUM", TpFloat, []int{ncorr, nchan}, "Weight for each data point").In(ManagerWeightSpectrum))
	}
	return cols
}

// freqMeasInfo is the MEASINFO of a frequency column whose frame is per row in MEAS_FREQ_REF.
func freqMeasInfo() *Record {
	return NewRecord().Set("type", "frequency").Set("VarRefCol", "MEAS_FREQ_REF").
		Set("TabRefTypes", []string{"REST", "LSRK", "LSRD", "BARY", "GEO", "TOPO", "GALACTO", "LGROUP", "CMB", "Undefined"}).
		Set("TabRefCodes", []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8, 64})
}

// subtableColumns are the MeasurementSet v2 subtable descriptions (required columns, plus
// SOURCE's REST_FREQUENCY, TRANSITION and SYSVEL).
func subtableColumns(name string) []ColumnDesc {
	switch name {
	case "ANTENNA":
		return []ColumnDesc{
			unitsMeasure(FixedArray("OFFSET", TpDouble, []int{3}, "Axes offset of mount to FEED REFERENCE point"), "position", "ITRF", "m", "m", "m"),
			unitsMeasure(FixedArray("POSITION", TpDouble, []int{3}, "Antenna X,Y,Z phase reference position"), "position", "ITRF", "m", "m", "m"),
			Scalar("TYPE", TpString, "Antenna type (e.g. SPACE-BASED)"),
			Scalar("DISH_DIAMETER", TpDouble, "Physical diameter of dish").WithUnits("m"),
			Scalar("FLAG_ROW", TpBool, "Flag for this row"),
			Scalar("MOUNT", TpString, "Mount type e.g. alt-az, equatorial, etc."),
			Scalar("NAME", TpString, "Antenna name, e.g. VLA22, CA03"),
			Scalar("STATION", TpString, "Station (antenna pad) name"),
		}
	case "DATA_DESCRIPTION":
		return []ColumnDesc{
			Scalar("FLAG_ROW", TpBool, "Flag this row"),
			Scalar("POLARIZATION_ID", TpInt, "Pointer to polarization table"),
			Scalar("SPECTRAL_WINDOW_ID", TpInt, "Pointer to spectralwindow table"),
		}
	case "FEED":
		return []ColumnDesc{
			unitsMeasure(FixedArray("POSITION", TpDouble, []int{3}, "Position of feed relative to feed reference position"), "position", "ITRF", "m", "m", "m"),
			dirCol("BEAM_OFFSET", "Beam position offset (on sky but in antennareference frame)"),
			VarArray("POLARIZATION_TYPE", TpString, 1, "Type of polarization to which a given RECEPTOR responds"),
			VarArray("POL_RESPONSE", TpComplex, 2, "D-matrix i.e. leakage between two receptors"),
			VarArray("RECEPTOR_ANGLE", TpDouble, 1, "The reference angle for polarization").WithUnits("rad"),
			Scalar("ANTENNA_ID", TpInt, "ID of antenna in this array"),
			Scalar("BEAM_ID", TpInt, "Id for BEAM model"),
			Scalar("FEED_ID", TpInt, "Feed id"),
			Scalar("INTERVAL", TpDouble, "Interval for which this set of parameters is accurate").WithUnits("s"),
			Scalar("NUM_RECEPTORS", TpInt, "Number of receptors on this feed (probably 1 or 2)"),
			Scalar("SPECTRAL_WINDOW_ID", TpInt, "ID for this spectral window setup"),
			epochCol("TIME", "Midpoint of time for which this set of parameters is accurate"),
		}
	case "FIELD":
		return []ColumnDesc{
			dirCol("DELAY_DIR", "Direction of delay center (e.g. RA, DEC)as polynomial in time."),
			dirCol("PHASE_DIR", "Direction of phase center (e.g. RA, DEC)."),
			dirCol("REFERENCE_DIR", "Direction of REFERENCE center (e.g. RA, DEC).as polynomial in time."),
			Scalar("CODE", TpString, "Special characteristics of field, e.g. Bandpass calibrator"),
			Scalar("FLAG_ROW", TpBool, "Row Flag"),
			Scalar("NAME", TpString, "Name of this field"),
			Scalar("NUM_POLY", TpInt, "Polynomial order of _DIR columns"),
			Scalar("SOURCE_ID", TpInt, "Source id"),
			epochCol("TIME", "Time origin for direction and rate"),
		}
	case "FLAG_CMD":
		return []ColumnDesc{
			Scalar("APPLIED", TpBool, "True if flag has been applied to main table"),
			Scalar("COMMAND", TpString, "Flagging command"),
			Scalar("INTERVAL", TpDouble, "Time interval for which this flag is valid").WithUnits("s"),
			Scalar("LEVEL", TpInt, "Flag level - revision level "),
			Scalar("REASON", TpString, "Flag reason"),
			Scalar("SEVERITY", TpInt, "Severity code (0-10) "),
			epochCol("TIME", "Midpoint of interval for which this flag is valid"),
			Scalar("TYPE", TpString, "Type of flag (FLAG or UNFLAG)"),
		}
	case "HISTORY":
		return []ColumnDesc{
			VarArray("APP_PARAMS", TpString, 1, "Application parameters"),
			VarArray("CLI_COMMAND", TpString, 1, "CLI command sequence"),
			Scalar("APPLICATION", TpString, "Application name"),
			Scalar("MESSAGE", TpString, "Log message"),
			Scalar("OBJECT_ID", TpInt, "Originating ObjectID"),
			Scalar("OBSERVATION_ID", TpInt, "Observation id (index in OBSERVATION table)"),
			Scalar("ORIGIN", TpString, "(Source code) origin from which message originated"),
			Scalar("PRIORITY", TpString, "Message priority"),
			epochCol("TIME", "Timestamp of message"),
		}
	case "OBSERVATION":
		return []ColumnDesc{
			unitsMeasure(FixedArray("TIME_RANGE", TpDouble, []int{2}, "Start and end of observation"), "epoch", "UTC", "s"),
			VarArray("LOG", TpString, 1, "Observing log"),
			VarArray("SCHEDULE", TpString, 1, "Observing schedule"),
			Scalar("FLAG_ROW", TpBool, "Row flag"),
			Scalar("OBSERVER", TpString, "Name of observer(s)"),
			Scalar("PROJECT", TpString, "Project identification string"),
			epochCol("RELEASE_DATE", "Release date when data becomes public"),
			Scalar("SCHEDULE_TYPE", TpString, "Observing schedule type"),
			Scalar("TELESCOPE_NAME", TpString, "Telescope Name (e.g. WSRT, VLBA)"),
		}
	case "POINTING":
		return []ColumnDesc{
			dirCol("DIRECTION", "Antenna pointing direction as polynomial in time"),
			Scalar("ANTENNA_ID", TpInt, "Antenna Id"),
			Scalar("INTERVAL", TpDouble, "Time interval").WithUnits("s"),
			Scalar("NAME", TpString, "Pointing position name"),
			Scalar("NUM_POLY", TpInt, "Series order"),
			unitsMeasure(VarArray("TARGET", TpDouble, -1, "target direction as polynomial in time"), "direction", "J2000", "rad", "rad"),
			epochCol("TIME", "Time interval midpoint"),
			epochCol("TIME_ORIGIN", "Time origin for direction"),
			Scalar("TRACKING", TpBool, "Tracking flag - True if on position"),
		}
	case "POLARIZATION":
		return []ColumnDesc{
			VarArray("CORR_TYPE", TpInt, 1, "The polarization type for each correlation product, as a Stokes enum."),
			VarArray("CORR_PRODUCT", TpInt, 2, "Indices describing receptors of feed going into correlation"),
			Scalar("FLAG_ROW", TpBool, "Row flag"),
			Scalar("NUM_CORR", TpInt, "Number of correlation products"),
		}
	case "PROCESSOR":
		return []ColumnDesc{
			Scalar("FLAG_ROW", TpBool, "Row flag"),
			Scalar("MODE_ID", TpInt, "Processor mode id"),
			Scalar("TYPE", TpString, "Processor type"),
			Scalar("TYPE_ID", TpInt, "Processor type id"),
			Scalar("SUB_TYPE", TpString, "Processor sub type"),
		}
	case "SPECTRAL_WINDOW":
		return []ColumnDesc{
			Scalar("MEAS_FREQ_REF", TpInt, "Frequency Measure reference"),
			VarArray("CHAN_FREQ", TpDouble, 1, "Center frequencies for each channel in the data matrix").
				WithUnits("Hz").WithKeyword("MEASINFO", freqMeasInfo()),
			Scalar("REF_FREQUENCY", TpDouble, "The reference frequency").WithUnits("Hz").WithKeyword("MEASINFO", freqMeasInfo()),
			VarArray("CHAN_WIDTH", TpDouble, 1, "Channel width for each channel").WithUnits("Hz"),
			VarArray("EFFECTIVE_BW", TpDouble, 1, "Effective noise bandwidth of each channel").WithUnits("Hz"),
			VarArray("RESOLUTION", TpDouble, 1, "The effective noise bandwidth for each channel").WithUnits("Hz"),
			Scalar("FLAG_ROW", TpBool, "Row flag"),
			Scalar("FREQ_GROUP", TpInt, "Frequency group"),
			Scalar("FREQ_GROUP_NAME", TpString, "Frequency group name"),
			Scalar("IF_CONV_CHAIN", TpInt, "The IF conversion chain number"),
			Scalar("NAME", TpString, "Spectral window name"),
			Scalar("NET_SIDEBAND", TpInt, "Net sideband"),
			Scalar("NUM_CHAN", TpInt, "Number of spectral channels"),
			Scalar("TOTAL_BANDWIDTH", TpDouble, "The total bandwidth for this window").WithUnits("Hz"),
		}
	case "STATE":
		return []ColumnDesc{
			Scalar("CAL", TpDouble, "Noise calibration temperature").WithUnits("K"),
			Scalar("FLAG_ROW", TpBool, "Row flag"),
			Scalar("LOAD", TpDouble, "Load temperature").WithUnits("K"),
			Scalar("OBS_MODE", TpString, "Observing mode, e.g., OFF_SPECTRUM"),
			Scalar("REF", TpBool, "True for a reference observation"),
			Scalar("SIG", TpBool, "True for a source observation"),
			Scalar("SUB_SCAN", TpInt, "Sub scan number, relative to scan number"),
		}
	case "SOURCE":
		return []ColumnDesc{
			unitsMeasure(FixedArray("DIRECTION", TpDouble, []int{2}, "Direction (e.g. RA, DEC)."), "direction", "J2000", "rad", "rad"),
			FixedArray("PROPER_MOTION", TpDouble, []int{2}, "Proper motion").WithUnits("rad/s"),
			Scalar("CALIBRATION_GROUP", TpInt, "Number of grouping for calibration purpose."),
			Scalar("CODE", TpString, "Special characteristics of source, e.g. Bandpass calibrator"),
			Scalar("INTERVAL", TpDouble, "Interval of time for which this set of parameters is accurate").WithUnits("s"),
			Scalar("NAME", TpString, "Name of source as given during observations"),
			Scalar("NUM_LINES", TpInt, "Number of spectral lines"),
			Scalar("SOURCE_ID", TpInt, "Source id"),
			Scalar("SPECTRAL_WINDOW_ID", TpInt, "ID for this spectral window setup"),
			epochCol("TIME", "Midpoint of time for which this set of parameters is accurate."),
			unitsMeasure(VarArray("REST_FREQUENCY", TpDouble, 1, "Line rest frequency"), "frequency", "LSRK", "Hz"),
			VarArray("TRANSITION", TpString, 1, "Line Transition name"),
			unitsMeasure(VarArray("SYSVEL", TpDouble, 1, "Systemic velocity at reference"), "radialvelocity", "LSRK", "m/s"),
		}
	}
	return nil
}

// subtableOrder is the order of the subtable links in the MAIN table keywords.
var subtableOrder = []string{"ANTENNA", "DATA_DESCRIPTION", "FEED", "FLAG_CMD", "FIELD", "HISTORY",
	"OBSERVATION", "POINTING", "POLARIZATION", "PROCESSOR", "SPECTRAL_WINDOW", "STATE", "SOURCE"}

func (s *MSSpec) validate() error {
	switch {
	case len(s.Antennas) == 0:
		return errors.New("no antennas")
	case len(s.SpectralWindow.ChanFreq) == 0:
		return errors.New("spectral window has no channels")
	case len(s.Fields) == 0:
		return errors.New("no fields")
	case len(s.CorrTypes) == 0:
		return errors.New("no correlation types")
	}
	for _, c := range s.CorrTypes {
		if c < CorrRR || c > CorrYY {
			return fmt.Errorf("correlation type %d is not one of RR..LL or XX..YY", c)
		}
	}
	return nil
}

// CreateMS creates the MeasurementSet directory path (which must not exist) and writes all its
// subtables. MAIN rows follow with Append.
func CreateMS(path string, spec *MSSpec) (*MS, error) {
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("create MS %s: %w", path, err)
	}
	nchan, ncorr := len(spec.SpectralWindow.ChanFreq), len(spec.CorrTypes)
	bucket := spec.DataBucketBytes
	if bucket <= 0 {
		bucket = 1 << 20
	}
	main, err := Create(path, MainColumns(nchan, ncorr, spec.WeightSpectrum), &Options{
		BigEndian: spec.BigEndian,
		BucketBytes: map[string]int{DefaultManager: 64 << 10, ManagerData: bucket, ManagerFlag: bucket / 8,
			ManagerWeightSpectrum: bucket / 2},
		Info: TableInfo{Type: "Measurement Set", Readme: "This is a MeasurementSet Table holding measurements from a Telescope\n"},
	})
	if err != nil {
		return nil, err
	}
	m := &MS{path: path, main: main, nchan: nchan, ncorr: ncorr, spec: *spec}
	if err := m.writeSubtables(); err != nil {
		m.Abort()
		return nil, fmt.Errorf("create MS %s: %w", path, err)
	}
	kw := main.Keywords()
	kw.Set("MS_VERSION", float32(2)).SetComment("MS_VERSION", "MS version number, i.e., 2.0")
	for _, name := range subtableOrder {
		if name == "SOURCE" && spec.RestFrequency == 0 {
			continue
		}
		kw.Set(name, TableLink(name))
	}
	return m, nil
}

// Path is the MeasurementSet directory.
func (m *MS) Path() string { return m.path }

// Rows is the number of MAIN rows appended so far.
func (m *MS) Rows() int { return m.main.Rows() }

// Shape returns the number of channels and correlations of a DATA cell.
func (m *MS) Shape() (nchan, ncorr int) { return m.nchan, m.ncorr }

// Append writes rows to MAIN.
func (m *MS) Append(r *MainRows) error {
	n := r.N
	if r.Time == nil || r.Antenna1 == nil || r.Antenna2 == nil || r.UVW == nil {
		return fmt.Errorf("append to %s: TIME, ANTENNA1, ANTENNA2 and UVW are required", m.path)
	}
	vals := map[string]any{
		"TIME":     r.Time,
		"ANTENNA1": r.Antenna1,
		"ANTENNA2": r.Antenna2,
		"UVW":      r.UVW,
	}
	vals["TIME_CENTROID"] = r.Time
	put := func(name string, v any, isNil bool) {
		if !isNil {
			vals[name] = v
		}
	}
	put("INTERVAL", r.Interval, r.Interval == nil)
	if r.Exposure != nil {
		vals["EXPOSURE"] = r.Exposure
	} else if r.Interval != nil {
		vals["EXPOSURE"] = r.Interval
	}
	put("FIELD_ID", r.FieldID, r.FieldID == nil)
	put("SCAN_NUMBER", r.ScanNumber, r.ScanNumber == nil)
	put("DATA", r.Data, r.Data == nil)
	put("FLAG", r.Flag, r.Flag == nil)
	put("FLAG_ROW", r.FlagRow, r.FlagRow == nil)
	ones := func(k int) []float32 {
		x := make([]float32, k)
		for i := range x {
			x[i] = 1
		}
		return x
	}
	if r.Weight != nil {
		vals["WEIGHT"] = r.Weight
	} else {
		vals["WEIGHT"] = ones(n * m.ncorr)
	}
	if r.Sigma != nil {
		vals["SIGMA"] = r.Sigma
	} else {
		vals["SIGMA"] = ones(n * m.ncorr)
	}
	if m.spec.WeightSpectrum {
		if r.WeightSpectrum != nil {
			vals["WEIGHT_SPECTRUM"] = r.WeightSpectrum
		} else if w, ok := vals["WEIGHT"].([]float32); ok && len(w) == n*m.ncorr {
			ws := make([]float32, n*m.nchan*m.ncorr)
			for row := 0; row < n; row++ {
				for ch := 0; ch < m.nchan; ch++ {
					copy(ws[(row*m.nchan+ch)*m.ncorr:], w[row*m.ncorr:(row+1)*m.ncorr])
				}
			}
			vals["WEIGHT_SPECTRUM"] = ws
		}
	} else if r.WeightSpectrum != nil {
		return fmt.Errorf("append to %s: WEIGHT_SPECTRUM given but the MS has no such column", m.path)
	}
	return m.main.Append(n, vals)
}

// Close finishes MAIN. After a failed Append the MS is incomplete and Close returns that error.
func (m *MS) Close() error { return m.main.Close() }

// Abort closes the files and removes the MeasurementSet directory.
func (m *MS) Abort() error {
	m.main.closed = true
	m.main.abort()
	return os.RemoveAll(m.path)
}

// subtable is the content of one subtable: its name, row count and column values.
type subtable struct {
	name string
	rows int
	vals map[string]any
}

func (m *MS) writeSubtables() error {
	opts := &Options{BigEndian: m.spec.BigEndian, BucketBytes: map[string]int{DefaultManager: 4096}}
	for _, st := range subtableRows(&m.spec) {
		t, err := Create(filepath.Join(m.path, st.name), subtableColumns(st.name), opts)
		if err != nil {
			return err
		}
		if err := t.Append(st.rows, st.vals); err != nil {
			t.Close()
			return err
		}
		if err := t.Close(); err != nil {
			return err
		}
	}
	return nil
}

// subtableRows is the content of every subtable for spec.
func subtableRows(s *MSSpec) []subtable {
	var out []subtable
	nant := len(s.Antennas)
	t0, t1 := s.Observation.TimeRange[0], s.Observation.TimeRange[1]
	tmid, tlen := 0.5*(t0+t1), t1-t0
	app := s.Application
	if app == "" {
		app = "cubeimg"
	}
	write := func(name string, n int, vals map[string]any) {
		out = append(out, subtable{name: name, rows: n, vals: vals})
	}
	fill := func(n int, v int32) []int32 {
		x := make([]int32, n)
		for i := range x {
			x[i] = v
		}
		return x
	}
	fillF := func(n int, v float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = v
		}
		return x
	}
	fillS := func(n int, v string) []string {
		x := make([]string, n)
		for i := range x {
			x[i] = v
		}
		return x
	}

	// ANTENNA
	pos := make([]float64, 3*nant)
	names, stations, mounts := make([]string, nant), make([]string, nant), make([]string, nant)
	diam := make([]float64, nant)
	for i, a := range s.Antennas {
		copy(pos[3*i:], a.Position[:])
		names[i], stations[i], diam[i] = a.Name, a.Station, a.Diameter
		mounts[i] = a.Mount
		if mounts[i] == "" {
			mounts[i] = "ALT-AZ"
		}
	}
	write("ANTENNA", nant, map[string]any{
		"POSITION": pos, "TYPE": fillS(nant, "GROUND-BASED"), "DISH_DIAMETER": diam,
		"MOUNT": mounts, "NAME": names, "STATION": stations,
	})

	// DATA_DESCRIPTION
	write("DATA_DESCRIPTION", 1, nil)

	// FEED: one per antenna, two receptors matching the correlation types.
	ptype := []string{"X", "Y"}
	angle := []float64{-math.Pi / 4, math.Pi / 4}
	if s.CorrTypes[0] >= CorrRR && s.CorrTypes[0] <= CorrLL {
		ptype = []string{"R", "L"}
		angle = []float64{0, 0}
	}
	var beamOff, polType, polResp, recAngle []Cell
	for i := 0; i < nant; i++ {
		beamOff = append(beamOff, Cell{Shape: []int{2, 2}, Data: make([]float64, 4)})
		polType = append(polType, Vector(append([]string(nil), ptype...)))
		polResp = append(polResp, Cell{Shape: []int{2, 2}, Data: []complex64{1, 0, 0, 1}})
		recAngle = append(recAngle, Vector(append([]float64(nil), angle...)))
	}
	antIDs := make([]int32, nant)
	for i := range antIDs {
		antIDs[i] = int32(i)
	}
	write("FEED", nant, map[string]any{
		"BEAM_OFFSET": beamOff, "POLARIZATION_TYPE": polType, "POL_RESPONSE": polResp,
		"RECEPTOR_ANGLE": recAngle, "ANTENNA_ID": antIDs, "BEAM_ID": fill(nant, -1),
		"INTERVAL": fillF(nant, tlen), "NUM_RECEPTORS": fill(nant, 2),
		"SPECTRAL_WINDOW_ID": fill(nant, -1), "TIME": fillF(nant, tmid),
	})

	// FIELD
	nf := len(s.Fields)
	var dirs []Cell
	fnames := make([]string, nf)
	srcIDs := make([]int32, nf)
	for i, f := range s.Fields {
		dirs = append(dirs, Cell{Shape: []int{2, 1}, Data: []float64{f.RA, f.Dec}})
		fnames[i] = f.Name
		srcIDs[i] = int32(i)
		if s.RestFrequency == 0 {
			srcIDs[i] = -1
		}
	}
	write("FIELD", nf, map[string]any{
		"DELAY_DIR": dirs, "PHASE_DIR": dirs, "REFERENCE_DIR": dirs,
		"CODE": fillS(nf, ""), "NAME": fnames, "SOURCE_ID": srcIDs, "TIME": fillF(nf, t0),
	})

	// FLAG_CMD and POINTING: empty.
	write("FLAG_CMD", 0, nil)
	write("POINTING", 0, nil)

	// HISTORY
	nh := 0
	hist := map[string]any{}
	if s.History != "" {
		nh = 1
		hist = map[string]any{
			"APP_PARAMS": []Cell{Vector([]string{""})}, "CLI_COMMAND": []Cell{Vector([]string{s.History})},
			"APPLICATION": []string{app}, "MESSAGE": []string{"created by " + s.History},
			"ORIGIN": []string{app}, "PRIORITY": []string{"NORMAL"}, "TIME": []float64{t0},
		}
	}
	write("HISTORY", nh, hist)

	// OBSERVATION
	o := s.Observation
	write("OBSERVATION", 1, map[string]any{
		"TIME_RANGE": []float64{t0, t1}, "LOG": []Cell{Vector([]string{"simulated"})},
		"SCHEDULE": []Cell{Vector([]string{"simulated"})}, "OBSERVER": []string{o.Observer},
		"PROJECT": []string{o.Project}, "TELESCOPE_NAME": []string{o.Telescope},
		"SCHEDULE_TYPE": []string{""},
	})

	// POLARIZATION
	ncorr := len(s.CorrTypes)
	prod := make([]int32, 0, 2*ncorr)
	for _, c := range s.CorrTypes {
		var a, b int32
		switch c {
		case CorrRR, CorrXX:
			a, b = 0, 0
		case CorrRL, CorrXY:
			a, b = 0, 1
		case CorrLR, CorrYX:
			a, b = 1, 0
		default:
			a, b = 1, 1
		}
		prod = append(prod, a, b)
	}
	write("POLARIZATION", 1, map[string]any{
		"CORR_TYPE":    []Cell{Vector(append([]int32(nil), s.CorrTypes...))},
		"CORR_PRODUCT": []Cell{{Shape: []int{2, ncorr}, Data: prod}},
		"NUM_CORR":     []int32{int32(ncorr)},
	})

	// PROCESSOR
	write("PROCESSOR", 1, map[string]any{
		"TYPE": []string{"CORRELATOR"}, "SUB_TYPE": []string{app}, "TYPE_ID": []int32{-1}, "MODE_ID": []int32{-1},
	})

	// SPECTRAL_WINDOW
	sw := s.SpectralWindow
	nchan := len(sw.ChanFreq)
	widths := fillF(nchan, sw.ChanWidth)
	absW := fillF(nchan, math.Abs(sw.ChanWidth))
	sideband := int32(1)
	if sw.ChanWidth < 0 {
		sideband = -1
	}
	write("SPECTRAL_WINDOW", 1, map[string]any{
		"MEAS_FREQ_REF": []int32{sw.MeasFreqRef}, "CHAN_FREQ": []Cell{Vector(append([]float64(nil), sw.ChanFreq...))},
		"REF_FREQUENCY": []float64{sw.ChanFreq[0]}, "CHAN_WIDTH": []Cell{Vector(widths)},
		"EFFECTIVE_BW": []Cell{Vector(absW)}, "RESOLUTION": []Cell{Vector(absW)},
		"FREQ_GROUP_NAME": []string{""}, "NAME": []string{sw.Name}, "NET_SIDEBAND": []int32{sideband},
		"NUM_CHAN": []int32{int32(nchan)}, "TOTAL_BANDWIDTH": []float64{float64(nchan) * math.Abs(sw.ChanWidth)},
	})

	// STATE
	write("STATE", 1, map[string]any{
		"OBS_MODE": []string{"OBSERVE_TARGET#ON_SOURCE"}, "SIG": []bool{true}, "SUB_SCAN": []int32{1},
	})

	// SOURCE (with the line rest frequency), one row per field.
	if s.RestFrequency != 0 {
		var dir []float64
		var rest, trans, sysvel []Cell
		for _, f := range s.Fields {
			dir = append(dir, f.RA, f.Dec)
			rest = append(rest, Vector([]float64{s.RestFrequency}))
			trans = append(trans, Vector([]string{s.Transition}))
			sysvel = append(sysvel, Vector([]float64{0}))
		}
		write("SOURCE", nf, map[string]any{
			"DIRECTION": dir, "CODE": fillS(nf, ""), "INTERVAL": fillF(nf, tlen), "NAME": fnames,
			"NUM_LINES": fill(nf, 1), "SOURCE_ID": srcIDs, "TIME": fillF(nf, tmid),
			"REST_FREQUENCY": rest, "TRANSITION": trans, "SYSVEL": sysvel,
		})
	}
	return out
}
