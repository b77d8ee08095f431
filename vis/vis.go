package vis

import (
	"context"
	"fmt"
)

// Reader is a visibility data set read in chunks of rows: a MeasurementSet (package ms) or a
// random-groups UVFITS file (package uvfits). A row is one baseline at one time for one data
// description (spectral window and polarization setup); its cell holds nchan x ncorr samples.
//
// ReadRows may be called for any row range, in any order; reading the rows once in order reads
// each byte of the input at most once. A Reader is not safe for concurrent ReadRows calls.
type Reader interface {
	// Meta describes the data set: spectral windows, polarizations, fields, antennas.
	Meta() *Meta
	// NumRows is the number of rows.
	NumRows() int
	// ReadRows reads rows [row0, row0+n) into c, reusing c's slices where they are large
	// enough. Memory grows with n times the largest cell, nothing else.
	ReadRows(ctx context.Context, row0, n int, c *Chunk) error
	// Close releases the files.
	Close() error
}

// Chunk holds the rows [Row0, Row0+N) of a data set. Per-row slices have N entries. Cells
// (nchan x ncorr samples) are stored one after the other: row i's samples are
// Data[Start[i]:Start[i+1]], channel-major with the correlation varying fastest (sample
// (ch, corr) of row i at Start[i] + ch*NCorr[i] + corr), as in a MeasurementSet DATA cell.
// Flag and WeightSpectrum use the same layout; Weight and Sigma hold NCorr[i] values per row at
// WStart[i].
type Chunk struct {
	Row0, N int

	Time       []float64 // MJD seconds (UTC), the middle of the integration (MS TIME)
	Interval   []float64 // integration time, s
	Ant1, Ant2 []int32   // 0-based antenna indices into Meta.Antennas
	FieldID    []int32   // index into Meta.Fields
	DataDescID []int32   // index into Meta.DataDescs
	UVW        []float64 // u, v, w of row i at 3i..3i+2, metres: uvw(Ant2) - uvw(Ant1)
	FlagRow    []bool

	NChan, NCorr []int32 // cell shape of each row
	Start        []int   // N+1 offsets into Data, Flag, WeightSpectrum
	WStart       []int   // N+1 offsets into Weight, Sigma

	Data   []complex64
	Flag   []bool
	Weight []float32 // per correlation
	Sigma  []float32 // per correlation
	// WeightSpectrum holds per-sample weights for the rows where HasWeightSpectrum is true
	// (other rows' part is zero); it is empty if the data set has none.
	WeightSpectrum    []float32
	HasWeightSpectrum []bool
}

// Reset sizes the per-row slices of c for n rows starting at row0, reusing their storage.
func (c *Chunk) Reset(row0, n int) {
	c.Row0, c.N = row0, n
	c.Time = resize(c.Time, n)
	c.Interval = resize(c.Interval, n)
	c.Ant1 = resize(c.Ant1, n)
	c.Ant2 = resize(c.Ant2, n)
	c.FieldID = resize(c.FieldID, n)
	c.DataDescID = resize(c.DataDescID, n)
	c.UVW = resize(c.UVW, 3*n)
	c.FlagRow = resize(c.FlagRow, n)
	c.NChan = resize(c.NChan, n)
	c.NCorr = resize(c.NCorr, n)
	c.Start = resize(c.Start, n+1)
	c.WStart = resize(c.WStart, n+1)
	c.HasWeightSpectrum = resize(c.HasWeightSpectrum, n)
}

// SetShapes fills NChan, NCorr, Start and WStart from each row's data description and sizes
// the sample slices: Flag always; Data, Weight and Sigma if withData; WeightSpectrum if
// withSpectrum (and withData). Slices not wanted are left empty.
func (c *Chunk) SetShapes(m *Meta, withData, withSpectrum bool) error {
	c.Start[0], c.WStart[0] = 0, 0
	for i := 0; i < c.N; i++ {
		nchan, ncorr, err := m.CellShape(int(c.DataDescID[i]))
		if err != nil {
			return fmt.Errorf("row %d: %w", c.Row0+i, err)
		}
		c.NChan[i], c.NCorr[i] = int32(nchan), int32(ncorr)
		c.Start[i+1] = c.Start[i] + nchan*ncorr
		c.WStart[i+1] = c.WStart[i] + ncorr
	}
	ns, nw := c.Start[c.N], c.WStart[c.N]
	c.Flag = resize(c.Flag, ns)
	c.Data, c.Weight, c.Sigma = c.Data[:0], c.Weight[:0], c.Sigma[:0]
	c.WeightSpectrum = c.WeightSpectrum[:0]
	if withData {
		c.Data = resize(c.Data, ns)
		c.Weight = resize(c.Weight, nw)
		c.Sigma = resize(c.Sigma, nw)
		if withSpectrum {
			c.WeightSpectrum = resize(c.WeightSpectrum, ns)
		}
	}
	return nil
}

// Bytes is the memory the chunk's slices hold (their capacity), for budgeting.
func (c *Chunk) Bytes() int64 {
	return int64(cap(c.Time)+cap(c.Interval)+cap(c.UVW))*8 +
		int64(cap(c.Ant1)+cap(c.Ant2)+cap(c.FieldID)+cap(c.DataDescID)+cap(c.NChan)+cap(c.NCorr))*4 +
		int64(cap(c.Start)+cap(c.WStart))*8 + int64(cap(c.FlagRow)+cap(c.HasWeightSpectrum)) +
		int64(cap(c.Data))*8 + int64(cap(c.Flag)) + int64(cap(c.Weight)+cap(c.Sigma)+cap(c.WeightSpectrum))*4
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Meta describes a visibility data set, as read from a MeasurementSet's subtables or a UVFITS
// file's header and tables.
type Meta struct {
	Path       string
	Format     string // "MS" or "UVFITS"
	DataColumn string // the column read as Data (MS), "DATA" for UVFITS
	NumRows    int
	UVWFrame   string // reference frame of UVW as labelled in the file (e.g. "J2000")

	Observations    []Observation
	Fields          []Field
	SpectralWindows []SpectralWindow
	Polarizations   []Polarization
	DataDescs       []DataDesc
	Antennas        []Antenna
	// ArrayPosition is the observatory's ITRF position (m) if the file states one; see
	// ObservatoryPosition.
	ArrayPosition []float64
}

// Observation is a row of an MS OBSERVATION table.
type Observation struct {
	Telescope string
	Observer  string
	Project   string
	TimeRange [2]float64 // MJD seconds; may be [0, 0] if the writer left it unset
}

// Field is a pointing/phase centre.
type Field struct {
	Name     string
	Code     string
	PhaseDir [2]float64 // longitude (RA), latitude (Dec), radians
	Frame    string     // direction reference, e.g. "J2000", "ICRS"
	SourceID int
}

// SpectralWindow is one spectral window; frequencies in Hz.
type SpectralWindow struct {
	Name           string
	ChanFreq       []float64
	ChanWidth      []float64
	RefFreq        float64
	TotalBandwidth float64
	MeasFreqRef    int    // casacore MFrequency code: 0 REST, 1 LSRK, ..., 5 TOPO ...
	Frame          string // its name, e.g. "TOPO"
}

// NumChan is the number of channels.
func (s *SpectralWindow) NumChan() int { return len(s.ChanFreq) }

// Polarization is a correlation setup.
type Polarization struct {
	CorrType []int // casacore Stokes codes (see CorrName), in cell order
}

// NumCorr is the number of correlations.
func (p *Polarization) NumCorr() int { return len(p.CorrType) }

// DataDesc pairs a spectral window and a polarization setup.
type DataDesc struct {
	SpwID, PolID int
}

// Antenna is one antenna (station).
type Antenna struct {
	Name         string
	Station      string
	Position     [3]float64 // ITRF (geocentric X, Y, Z), metres
	Frame        string     // "ITRF" in practice
	DishDiameter float64    // metres
}

// CellShape returns the number of channels and correlations of rows of data description ddid.
func (m *Meta) CellShape(ddid int) (nchan, ncorr int, err error) {
	if ddid < 0 || ddid >= len(m.DataDescs) {
		return 0, 0, fmt.Errorf("data description %d does not exist (%d defined)", ddid, len(m.DataDescs))
	}
	dd := m.DataDescs[ddid]
	if dd.SpwID < 0 || dd.SpwID >= len(m.SpectralWindows) {
		return 0, 0, fmt.Errorf("data description %d: spectral window %d does not exist", ddid, dd.SpwID)
	}
	if dd.PolID < 0 || dd.PolID >= len(m.Polarizations) {
		return 0, 0, fmt.Errorf("data description %d: polarization %d does not exist", ddid, dd.PolID)
	}
	return m.SpectralWindows[dd.SpwID].NumChan(), m.Polarizations[dd.PolID].NumCorr(), nil
}

// ObservatoryPosition returns the array's ITRF position in metres: ArrayPosition if the file
// states it, else the mean of the antenna positions. ok is false if neither is known.
func (m *Meta) ObservatoryPosition() (pos [3]float64, ok bool) {
	if len(m.ArrayPosition) == 3 {
		return [3]float64{m.ArrayPosition[0], m.ArrayPosition[1], m.ArrayPosition[2]}, true
	}
	n := 0
	for _, a := range m.Antennas {
		if a.Position == [3]float64{} {
			continue
		}
		for k := range 3 {
			pos[k] += a.Position[k]
		}
		n++
	}
	if n == 0 {
		return pos, false
	}
	for k := range 3 {
		pos[k] /= float64(n)
	}
	return pos, true
}

// Telescope returns the first observation's telescope name, "" if none.
func (m *Meta) Telescope() string {
	if len(m.Observations) > 0 {
		return m.Observations[0].Telescope
	}
	return ""
}

var corrNames = []string{"Undefined", "I", "Q", "U", "V", "RR", "RL", "LR", "LL", "XX", "XY", "YX", "YY",
	"RX", "RY", "LX", "LY", "XR", "XL", "YR", "YL", "PP", "PQ", "QP", "QQ", "RCircular", "LCircular",
	"Linear", "Ptotal", "Plinear", "PFtotal", "PFlinear", "Pangle"}

// CorrName returns the name of a casacore Stokes code (5 = "RR", 9 = "XX" ...).
func CorrName(code int) string {
	if code >= 0 && code < len(corrNames) {
		return corrNames[code]
	}
	return fmt.Sprintf("Stokes(%d)", code)
}

var freqFrames = map[int]string{0: "REST", 1: "LSRK", 2: "LSRD", 3: "BARY", 4: "GEO", 5: "TOPO",
	6: "GALACTO", 7: "LGROUP", 8: "CMB", 64: "Undefined"}

// FreqFrameName returns the name of a casacore MFrequency code (5 = "TOPO").
func FreqFrameName(code int) string {
	if s, ok := freqFrames[code]; ok {
		return s
	}
	return fmt.Sprintf("MFrequency(%d)", code)
}

// MJDSecondsToUnix converts MeasurementSet time (MJD seconds, UTC) to Unix seconds.
func MJDSecondsToUnix(t float64) float64 { return t - 40587*86400 }

// IsParallelHand reports whether a Stokes code is a parallel-hand correlation (RR, LL, XX, YY,
// PP, QQ) or Stokes I.
func IsParallelHand(code int) bool {
	switch code {
	case 1, 5, 8, 9, 12, 21, 24:
		return true
	}
	return false
}
