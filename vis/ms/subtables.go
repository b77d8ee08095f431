package ms

import (
	"fmt"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/casatable"
)

// subReader reads whole columns of a small subtable.
type subReader struct {
	tb  *casatable.Table
	err error
}

func (r *subReader) column(name string, required bool) *casatable.Column {
	if r.err != nil {
		return nil
	}
	if !r.tb.HasColumn(name) {
		if required {
			r.err = fmt.Errorf("table %s has no column %s", r.tb.Path(), name)
		}
		return nil
	}
	c, err := r.tb.Column(name)
	if err != nil {
		r.err = err
	}
	return c
}

func scalars[T any](r *subReader, name string, required bool) []T {
	c := r.column(name, required)
	if c == nil {
		return nil
	}
	out := make([]T, r.tb.NumRows())
	if err := c.ReadScalars(0, out); err != nil {
		r.err = err
		return nil
	}
	return out
}

// arrayCells returns each row's cell of an array column holding T (nil where undefined); kind
// names T in errors.
func arrayCells[T any](r *subReader, name string, required bool, kind string) [][]T {
	c := r.column(name, required)
	if c == nil {
		return nil
	}
	out := make([][]T, r.tb.NumRows())
	for row := range out {
		v, err := c.Get(row)
		if err != nil {
			r.err = err
			return nil
		}
		if a, ok := v.(*casatable.Array); ok {
			d, ok := a.Data.([]T)
			if !ok {
				r.err = fmt.Errorf("table %s column %s holds %T, want %s", r.tb.Path(), name, a.Data, kind)
				return nil
			}
			out[row] = d
		}
	}
	return out
}

// float64Cells returns each row's cell of a double array column (nil where undefined).
func (r *subReader) float64Cells(name string, required bool) [][]float64 {
	return arrayCells[float64](r, name, required, "double")
}

// int32Cells returns each row's cell of an int array column (nil where undefined).
func (r *subReader) int32Cells(name string, required bool) [][]int32 {
	return arrayCells[int32](r, name, required, "int")
}

// measRef returns the fixed reference frame of a measure column (MEASINFO Ref), "" if none.
func measRef(kw *casatable.Record) string {
	s, _ := kw.Sub("MEASINFO").String("Ref")
	return s
}

// measRefs returns the per-row reference frame names of a measure column: the fixed Ref, or
// the names of the codes in its VarRefCol column (TabRefTypes/TabRefCodes).
func (r *subReader) measRefs(name string) []string {
	n := r.tb.NumRows()
	out := make([]string, n)
	c := r.column(name, false)
	if c == nil {
		return out
	}
	mi := c.Desc().Keywords.Sub("MEASINFO")
	if ref, ok := mi.String("Ref"); ok {
		for i := range out {
			out[i] = ref
		}
		return out
	}
	varCol, ok := mi.String("VarRefCol")
	if !ok {
		return out
	}
	codes := scalars[int32](r, varCol, false)
	types := mi.Strings("TabRefTypes")
	tcodes := mi.Ints("TabRefCodes")
	for i := range out {
		if i >= len(codes) {
			break
		}
		for k, tc := range tcodes {
			if tc == int(codes[i]) && k < len(types) {
				out[i] = types[k]
				break
			}
		}
	}
	return out
}

func (m *MS) readSpectralWindows(tb *casatable.Table) error {
	r := &subReader{tb: tb}
	freq := r.float64Cells("CHAN_FREQ", true)
	width := r.float64Cells("CHAN_WIDTH", true)
	numChan := scalars[int32](r, "NUM_CHAN", true)
	ref := scalars[float64](r, "REF_FREQUENCY", false)
	tbw := scalars[float64](r, "TOTAL_BANDWIDTH", false)
	mfr := scalars[int32](r, "MEAS_FREQ_REF", false)
	names := scalars[string](r, "NAME", false)
	if r.err != nil {
		return r.err
	}
	for i := 0; i < tb.NumRows(); i++ {
		s := vis.SpectralWindow{ChanFreq: freq[i], ChanWidth: width[i]}
		if len(s.ChanFreq) != int(numChan[i]) && s.ChanFreq != nil {
			return fmt.Errorf("table %s row %d: NUM_CHAN %d but CHAN_FREQ holds %d channels", tb.Path(), i, numChan[i], len(s.ChanFreq))
		}
		if len(s.ChanWidth) != len(s.ChanFreq) {
			return fmt.Errorf("table %s row %d: CHAN_WIDTH holds %d values for %d channels", tb.Path(), i, len(s.ChanWidth), len(s.ChanFreq))
		}
		if ref != nil {
			s.RefFreq = ref[i]
		}
		if tbw != nil {
			s.TotalBandwidth = tbw[i]
		}
		s.MeasFreqRef = 64
		if mfr != nil {
			s.MeasFreqRef = int(mfr[i])
		}
		s.Frame = vis.FreqFrameName(s.MeasFreqRef)
		if names != nil {
			s.Name = names[i]
		}
		m.meta.SpectralWindows = append(m.meta.SpectralWindows, s)
	}
	return nil
}

func (m *MS) readPolarizations(tb *casatable.Table) error {
	r := &subReader{tb: tb}
	ct := r.int32Cells("CORR_TYPE", true)
	nc := scalars[int32](r, "NUM_CORR", true)
	if r.err != nil {
		return r.err
	}
	for i := 0; i < tb.NumRows(); i++ {
		if len(ct[i]) != int(nc[i]) {
			return fmt.Errorf("table %s row %d: NUM_CORR %d but CORR_TYPE holds %d values", tb.Path(), i, nc[i], len(ct[i]))
		}
		p := vis.Polarization{CorrType: make([]int, len(ct[i]))}
		for k, v := range ct[i] {
			p.CorrType[k] = int(v)
		}
		m.meta.Polarizations = append(m.meta.Polarizations, p)
	}
	return nil
}

func (m *MS) readDataDescs(tb *casatable.Table) error {
	r := &subReader{tb: tb}
	spw := scalars[int32](r, "SPECTRAL_WINDOW_ID", true)
	pol := scalars[int32](r, "POLARIZATION_ID", true)
	if r.err != nil {
		return r.err
	}
	for i := range spw {
		if int(spw[i]) >= len(m.meta.SpectralWindows) || spw[i] < 0 || int(pol[i]) >= len(m.meta.Polarizations) || pol[i] < 0 {
			return fmt.Errorf("table %s row %d: spectral window %d / polarization %d do not exist", tb.Path(), i, spw[i], pol[i])
		}
		m.meta.DataDescs = append(m.meta.DataDescs, vis.DataDesc{SpwID: int(spw[i]), PolID: int(pol[i])})
	}
	return nil
}

func (m *MS) readFields(tb *casatable.Table) error {
	r := &subReader{tb: tb}
	names := scalars[string](r, "NAME", false)
	codes := scalars[string](r, "CODE", false)
	src := scalars[int32](r, "SOURCE_ID", false)
	dirs := r.float64Cells("PHASE_DIR", true)
	frames := r.measRefs("PHASE_DIR")
	if r.err != nil {
		return r.err
	}
	for i := 0; i < tb.NumRows(); i++ {
		f := vis.Field{Frame: frames[i]}
		if names != nil {
			f.Name = names[i]
		}
		if codes != nil {
			f.Code = codes[i]
		}
		if src != nil {
			f.SourceID = int(src[i])
		}
		if len(dirs[i]) < 2 {
			return fmt.Errorf("table %s row %d: PHASE_DIR holds %d values", tb.Path(), i, len(dirs[i]))
		}
		// PHASE_DIR is [2, NUM_POLY+1]: the first pair is the direction at the field's TIME.
		f.PhaseDir = [2]float64{dirs[i][0], dirs[i][1]}
		m.meta.Fields = append(m.meta.Fields, f)
	}
	return nil
}

func (m *MS) readAntennas(tb *casatable.Table) error {
	r := &subReader{tb: tb}
	names := scalars[string](r, "NAME", false)
	stations := scalars[string](r, "STATION", false)
	dish := scalars[float64](r, "DISH_DIAMETER", false)
	pos := r.float64Cells("POSITION", true)
	frames := r.measRefs("POSITION")
	if r.err != nil {
		return r.err
	}
	if c, err := tb.Column("POSITION"); err == nil {
		if ap, ok := c.Desc().Keywords.Get("ARRAY_POSITION").(*casatable.Array); ok {
			if d, ok := ap.Data.([]float64); ok && len(d) == 3 {
				m.meta.ArrayPosition = d
			}
		}
	}
	for i := 0; i < tb.NumRows(); i++ {
		a := vis.Antenna{Frame: frames[i]}
		if names != nil {
			a.Name = names[i]
		}
		if stations != nil {
			a.Station = stations[i]
		}
		if dish != nil {
			a.DishDiameter = dish[i]
		}
		if len(pos[i]) == 3 {
			a.Position = [3]float64{pos[i][0], pos[i][1], pos[i][2]}
		} else if pos[i] != nil {
			return fmt.Errorf("table %s row %d: POSITION holds %d values", tb.Path(), i, len(pos[i]))
		}
		m.meta.Antennas = append(m.meta.Antennas, a)
	}
	return nil
}

func (m *MS) readObservations(tb *casatable.Table) error {
	r := &subReader{tb: tb}
	tel := scalars[string](r, "TELESCOPE_NAME", false)
	obs := scalars[string](r, "OBSERVER", false)
	proj := scalars[string](r, "PROJECT", false)
	tr := r.float64Cells("TIME_RANGE", false)
	if r.err != nil {
		return r.err
	}
	for i := 0; i < tb.NumRows(); i++ {
		var o vis.Observation
		if tel != nil {
			o.Telescope = tel[i]
		}
		if obs != nil {
			o.Observer = obs[i]
		}
		if proj != nil {
			o.Project = proj[i]
		}
		if tr != nil && len(tr[i]) == 2 {
			o.TimeRange = [2]float64{tr[i][0], tr[i][1]}
		}
		m.meta.Observations = append(m.meta.Observations, o)
	}
	return nil
}
