package ms

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/casatable"
)

// goldenMS is the part of an INFO.json entry (../shared/data/real/*/INFO.json, computed with
// python-casacore 3.5) that describes a MeasurementSet.
type goldenMS struct {
	Kind        string `json:"kind"`
	NRows       int    `json:"nrows"`
	Endian      string `json:"endian"`
	MainColumns map[string]struct {
		ValueType        string `json:"valueType"`
		NDim             *int   `json:"ndim"`
		Shape            []int  `json:"shape"`
		Option           int    `json:"option"`
		DataManagerType  string `json:"dataManagerType"`
		DataManagerGroup string `json:"dataManagerGroup"`
	} `json:"main_columns"`
	MainDMInfo map[string]struct {
		Type    string   `json:"TYPE"`
		Name    string   `json:"NAME"`
		SeqNr   int      `json:"SEQNR"`
		Columns []string `json:"COLUMNS"`
		Spec    struct {
			Hypercubes map[string]struct {
				CubeShape []int `json:"CubeShape"`
				TileShape []int `json:"TileShape"`
			} `json:"HYPERCUBES"`
		} `json:"SPEC"`
	} `json:"main_dminfo"`
	SubtablesPresent  []string `json:"subtables_present"`
	SubtablesDangling []string `json:"subtable_keywords_dangling"`
	Subtables         map[string]struct {
		NRows   int      `json:"nrows"`
		DMTypes []string `json:"dm_types"`
	} `json:"subtables"`
	SPW []struct {
		NumChan     int     `json:"num_chan"`
		First       float64 `json:"chan_freq_first_Hz"`
		Last        float64 `json:"chan_freq_last_Hz"`
		Width       float64 `json:"chan_width_Hz"`
		MeasFreqRef int     `json:"meas_freq_ref"`
		Name        string  `json:"name"`
	} `json:"spw"`
	PolCorrTypes    [][]int `json:"pol_corr_types"`
	DataDescription []struct {
		SPW int `json:"spw"`
		Pol int `json:"pol"`
	} `json:"data_description"`
	Antenna struct {
		NRows        int       `json:"nrows"`
		Names        []string  `json:"names"`
		DishDiameter []float64 `json:"dish_diameter"`
	} `json:"antenna"`
	Field []struct {
		Name     string     `json:"name"`
		PhaseDir [2]float64 `json:"phase_dir_rad"`
	} `json:"field"`
	Telescope   []string `json:"telescope"`
	MainSummary struct {
		NTimes       int        `json:"n_times"`
		TimeMin      float64    `json:"time_min_s"`
		TimeMax      float64    `json:"time_max_s"`
		NBaselines   int        `json:"n_baselines"`
		NAutoRows    int        `json:"n_auto_rows"`
		AntennasUsed []int      `json:"antennas_used"`
		FieldsUsed   []int      `json:"fields_used"`
		UVWSum       [3]float64 `json:"uvw_sum_m"`
	} `json:"main_summary"`
	GoldenPerDDID map[string]goldenDDID `json:"golden_per_ddid"`
}

type goldenDDID struct {
	NRows           int        `json:"nrows"`
	DataShapePerRow []int      `json:"data_shape_per_row"` // numpy order: nchan, ncorr
	FlagFraction    float64    `json:"flag_fraction"`
	NNonFinite      int        `json:"n_nonfinite"`
	SumData         [2]float64 `json:"sum_data_unflagged"`
	SumAbsData      float64    `json:"sum_abs_data_unflagged"`
	SumWeight       float64    `json:"sum_weight"`
	WSRowsDefined   *int       `json:"weight_spectrum_rows_defined"`
	FirstRowSorted  struct {
		Time float64      `json:"time"`
		Ant1 int          `json:"ant1"`
		Ant2 int          `json:"ant2"`
		UVW  [3]float64   `json:"uvw"`
		Data [][2]jsonNum `json:"data_chan0_allpol"`
	} `json:"first_row_sorted"`
}

// jsonNum accepts the bare NaN that python's json writes.
type jsonNum float64

func (n *jsonNum) UnmarshalJSON(b []byte) error {
	switch s := strings.Trim(string(b), `"`); s {
	case "NaN":
		*n = jsonNum(math.NaN())
	case "Infinity":
		*n = jsonNum(math.Inf(1))
	case "-Infinity":
		*n = jsonNum(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = jsonNum(f)
	}
	return nil
}

// readInfo reads a dataset's INFO.json, replacing python's bare NaN so encoding/json accepts it.
func readInfo(t *testing.T, dir string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "INFO.json"))
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.NewReplacer(": NaN", ": \"NaN\"", "[NaN", "[\"NaN\"", " NaN,", " \"NaN\",", " NaN\n", " \"NaN\"\n").Replace(string(b)))
	var out map[string]json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s/INFO.json: %v", dir, err)
	}
	return out
}

func relClose(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300)
}

const relTol = 1e-6

func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	// Values that are exactly zero in the file may come out as tiny rounding residues of
	// sums; compare those absolutely at the scale of float32 precision.
	if want == 0 && math.Abs(got) < 1e-9 {
		return
	}
	if !relClose(got, want, relTol) {
		t.Errorf("%s = %.10g, golden %.10g (rel diff %.2g)", what, got, want, math.Abs(got-want)/math.Abs(want))
	}
}

// TestGoldenMS checks every MeasurementSet in ../shared/data/real against its INFO.json.
func TestGoldenMS(t *testing.T) {
	real := shareddata.Path(t, "data/real")
	dirs, _ := filepath.Glob(filepath.Join(real, "*"))
	n := 0
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "INFO.json")); err != nil {
			continue
		}
		for name, raw := range readInfo(t, dir) {
			var g goldenMS
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if g.Kind != "MS" {
				continue
			}
			n++
			path := filepath.Join(dir, name)
			t.Run(filepath.Base(dir), func(t *testing.T) { checkGolden(t, path, &g) })
		}
	}
	if n < 5 {
		t.Errorf("found %d MeasurementSets with golden values, want 5", n)
	}
}

func checkGolden(t *testing.T, path string, g *goldenMS) {
	var rc vis.ReadCounter
	m, err := Open(path, &Options{WrapReaderAt: rc.Wrap})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	main := m.Main()
	if m.NumRows() != g.NRows {
		t.Errorf("rows %d, golden %d", m.NumRows(), g.NRows)
	}
	if got := map[bool]string{true: "big", false: "little"}[main.BigEndian()]; got != g.Endian {
		t.Errorf("endian %s, golden %s", got, g.Endian)
	}
	// Column descriptions and data managers.
	for name, gc := range g.MainColumns {
		c, err := main.Column(name)
		if err != nil {
			t.Error(err)
			continue
		}
		d := c.Desc()
		if d.Type.String() != gc.ValueType || d.Options != gc.Option || d.DataManagerType != gc.DataManagerType || d.DataManagerGroup != gc.DataManagerGroup {
			t.Errorf("column %s: %v option %d %s/%s, golden %s option %d %s/%s", name, d.Type, d.Options, d.DataManagerType, d.DataManagerGroup, gc.ValueType, gc.Option, gc.DataManagerType, gc.DataManagerGroup)
		}
		if gc.NDim != nil && d.NDim != *gc.NDim {
			t.Errorf("column %s: ndim %d, golden %d", name, d.NDim, *gc.NDim)
		}
		if gc.Shape != nil && fmt.Sprint(d.Shape) != fmt.Sprint(gc.Shape) {
			t.Errorf("column %s: shape %v, golden %v", name, d.Shape, gc.Shape)
		}
	}
	if len(main.Columns()) != len(g.MainColumns) {
		t.Errorf("%d columns, golden %d", len(main.Columns()), len(g.MainColumns))
	}
	dms := map[int]casatable.DataManagerInfo{}
	for _, dm := range main.DataManagers() {
		if dm.Err != nil {
			t.Errorf("data manager %s %d: %v", dm.Type, dm.Seq, dm.Err)
		}
		dms[dm.Seq] = dm
	}
	for key, gd := range g.MainDMInfo {
		dm, ok := dms[gd.SeqNr]
		if !ok {
			t.Errorf("data manager %s (%s seq %d) missing", key, gd.Type, gd.SeqNr)
			continue
		}
		cols := append([]string(nil), dm.Columns...)
		sort.Strings(cols)
		if dm.Type != gd.Type || dm.Name != gd.Name || fmt.Sprint(cols) != fmt.Sprint(gd.Columns) {
			t.Errorf("data manager %d: %s %s %v, golden %s %s %v", gd.SeqNr, dm.Type, dm.Name, dm.Columns, gd.Type, gd.Name, gd.Columns)
		}
		var want []string
		for k := 1; k <= len(gd.Spec.Hypercubes); k++ {
			h := gd.Spec.Hypercubes[fmt.Sprintf("*%d", k)]
			want = append(want, fmt.Sprint(h.CubeShape, h.TileShape))
		}
		var got []string
		for _, h := range dm.Hypercubes {
			got = append(got, fmt.Sprint(h.CubeShape, h.TileShape))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("data manager %d hypercubes %v, golden %v", gd.SeqNr, got, want)
		}
	}
	checkSubtables(t, m, g)
	checkMeta(t, m.Meta(), g)
	checkRows(t, m, g)
	if r := rc.Reread(); r != 0 {
		for p := range rc.Files() {
			if n := rc.FileReread(p); n > 0 {
				t.Errorf("%d bytes of %s were read more than once", n, p)
			}
		}
	}
}

func checkSubtables(t *testing.T, m *MS, g *goldenMS) {
	var present, dangling []string
	for _, s := range m.Subtables() {
		if s.Exists {
			present = append(present, s.Name)
		} else {
			dangling = append(dangling, s.Name)
		}
	}
	sort.Strings(present)
	sort.Strings(dangling)
	if fmt.Sprint(present) != fmt.Sprint(g.SubtablesPresent) || fmt.Sprint(dangling) != fmt.Sprint(g.SubtablesDangling) {
		t.Errorf("subtables %v dangling %v, golden %v dangling %v", present, dangling, g.SubtablesPresent, g.SubtablesDangling)
	}
	for name, gs := range g.Subtables {
		tb, err := casatable.Open(filepath.Join(m.Path(), name), nil)
		if err != nil {
			t.Error(err)
			continue
		}
		types := map[string]bool{}
		for _, dm := range tb.DataManagers() {
			types[dm.Type] = true
		}
		var got []string
		for k := range types {
			got = append(got, k)
		}
		sort.Strings(got)
		if tb.NumRows() != gs.NRows || fmt.Sprint(got) != fmt.Sprint(gs.DMTypes) {
			t.Errorf("subtable %s: %d rows %v, golden %d rows %v", name, tb.NumRows(), got, gs.NRows, gs.DMTypes)
		}
		tb.Close()
	}
}

func checkMeta(t *testing.T, meta *vis.Meta, g *goldenMS) {
	if len(meta.SpectralWindows) != len(g.SPW) {
		t.Fatalf("%d spectral windows, golden %d", len(meta.SpectralWindows), len(g.SPW))
	}
	for i, gs := range g.SPW {
		s := meta.SpectralWindows[i]
		if s.NumChan() != gs.NumChan || s.MeasFreqRef != gs.MeasFreqRef || s.Name != gs.Name {
			t.Errorf("spw %d: %d ch ref %d %q, golden %d ch ref %d %q", i, s.NumChan(), s.MeasFreqRef, s.Name, gs.NumChan, gs.MeasFreqRef, gs.Name)
			continue
		}
		checkClose(t, fmt.Sprintf("spw %d first frequency", i), s.ChanFreq[0], gs.First)
		checkClose(t, fmt.Sprintf("spw %d last frequency", i), s.ChanFreq[s.NumChan()-1], gs.Last)
		checkClose(t, fmt.Sprintf("spw %d channel width", i), s.ChanWidth[0], gs.Width)
	}
	var pol [][]int
	for _, p := range meta.Polarizations {
		pol = append(pol, p.CorrType)
	}
	if fmt.Sprint(pol) != fmt.Sprint(g.PolCorrTypes) {
		t.Errorf("correlations %v, golden %v", pol, g.PolCorrTypes)
	}
	if len(meta.DataDescs) != len(g.DataDescription) {
		t.Errorf("%d data descriptions, golden %d", len(meta.DataDescs), len(g.DataDescription))
	}
	for i, gd := range g.DataDescription {
		if i < len(meta.DataDescs) && (meta.DataDescs[i].SpwID != gd.SPW || meta.DataDescs[i].PolID != gd.Pol) {
			t.Errorf("data description %d: %+v, golden %+v", i, meta.DataDescs[i], gd)
		}
	}
	if len(meta.Antennas) != g.Antenna.NRows {
		t.Errorf("%d antennas, golden %d", len(meta.Antennas), g.Antenna.NRows)
	}
	for i, a := range meta.Antennas {
		if i < len(g.Antenna.Names) && (a.Name != g.Antenna.Names[i] || a.DishDiameter != g.Antenna.DishDiameter[i]) {
			t.Errorf("antenna %d: %s %g m, golden %s %g m", i, a.Name, a.DishDiameter, g.Antenna.Names[i], g.Antenna.DishDiameter[i])
		}
		if a.Frame != "ITRF" || a.Position == [3]float64{} {
			t.Errorf("antenna %d: position %v in %q", i, a.Position, a.Frame)
		}
	}
	if _, ok := meta.ObservatoryPosition(); !ok {
		t.Error("no observatory position")
	}
	if len(meta.Fields) != len(g.Field) {
		t.Fatalf("%d fields, golden %d", len(meta.Fields), len(g.Field))
	}
	for i, gf := range g.Field {
		f := meta.Fields[i]
		// The frames as python-casacore's measures report them (not in INFO.json).
		frame := "J2000"
		if tel := g.Telescope; len(tel) > 0 && tel[0] == "ALMA" {
			frame = "ICRS"
		}
		if f.Name != gf.Name || f.Frame != frame {
			t.Errorf("field %d: %q %s, golden %q %s", i, f.Name, f.Frame, gf.Name, frame)
		}
		checkClose(t, fmt.Sprintf("field %d RA", i), f.PhaseDir[0], gf.PhaseDir[0])
		checkClose(t, fmt.Sprintf("field %d Dec", i), f.PhaseDir[1], gf.PhaseDir[1])
	}
	var tel []string
	for _, o := range meta.Observations {
		tel = append(tel, o.Telescope)
	}
	if fmt.Sprint(tel) != fmt.Sprint(g.Telescope) {
		t.Errorf("telescopes %v, golden %v", tel, g.Telescope)
	}
}

type ddidSums struct {
	nrows, nsamp, nflag, nonFinite int
	sum                            complex128
	sumAbs, sumWeight              float64
	wsRows                         int
	first                          int // row index in all, -1 if none
}

// checkRows reads all rows in chunks of an awkward size and checks the summaries.
func checkRows(t *testing.T, m *MS, g *goldenMS) {
	const chunk = 7
	times := map[float64]bool{}
	baselines := map[[2]int32]bool{}
	ants := map[int]bool{}
	fields := map[int]bool{}
	nauto := 0
	var uvwSum [3]float64
	tmin, tmax := math.Inf(1), math.Inf(-1)
	sums := map[int]*ddidSums{}
	type firstRow struct {
		time       float64
		ant1, ant2 int32
		uvw        [3]float64
		data       []complex64
	}
	firsts := map[int]*firstRow{}
	var c vis.Chunk
	for row0 := 0; row0 < m.NumRows(); row0 += chunk {
		n := min(chunk, m.NumRows()-row0)
		if err := m.ReadRows(context.Background(), row0, n, &c); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			tm := c.Time[i]
			times[tm] = true
			tmin, tmax = math.Min(tmin, tm), math.Max(tmax, tm)
			a1, a2 := c.Ant1[i], c.Ant2[i]
			baselines[[2]int32{a1, a2}] = true
			ants[int(a1)], ants[int(a2)] = true, true
			fields[int(c.FieldID[i])] = true
			if a1 == a2 {
				nauto++
			}
			for k := range 3 {
				uvwSum[k] += c.UVW[3*i+k]
			}
			dd := int(c.DataDescID[i])
			s := sums[dd]
			if s == nil {
				s = &ddidSums{}
				sums[dd] = s
			}
			s.nrows++
			for k := c.Start[i]; k < c.Start[i+1]; k++ {
				s.nsamp++
				v := complex128(c.Data[k])
				finite := !cmplx.IsNaN(v) && !cmplx.IsInf(v)
				if !finite {
					s.nonFinite++
				}
				if c.Flag[k] {
					s.nflag++
				} else if finite {
					s.sum += v
					s.sumAbs += cmplx.Abs(v)
				}
			}
			for k := c.WStart[i]; k < c.WStart[i+1]; k++ {
				s.sumWeight += float64(c.Weight[k])
			}
			if c.HasWeightSpectrum[i] {
				s.wsRows++
			}
			f := firsts[dd]
			if f == nil || tm < f.time || (tm == f.time && (a1 < f.ant1 || (a1 == f.ant1 && a2 < f.ant2))) {
				ncorr := int(c.NCorr[i])
				firsts[dd] = &firstRow{time: tm, ant1: a1, ant2: a2,
					uvw:  [3]float64{c.UVW[3*i], c.UVW[3*i+1], c.UVW[3*i+2]},
					data: append([]complex64(nil), c.Data[c.Start[i]:c.Start[i]+ncorr]...)}
			}
		}
	}
	gs := g.MainSummary
	if len(times) != gs.NTimes || len(baselines) != gs.NBaselines || nauto != gs.NAutoRows {
		t.Errorf("%d times %d baselines %d autos, golden %d %d %d", len(times), len(baselines), nauto, gs.NTimes, gs.NBaselines, gs.NAutoRows)
	}
	checkClose(t, "first time", tmin, gs.TimeMin)
	checkClose(t, "last time", tmax, gs.TimeMax)
	if got := sortedKeys(ants); fmt.Sprint(got) != fmt.Sprint(gs.AntennasUsed) {
		t.Errorf("antennas used %v, golden %v", got, gs.AntennasUsed)
	}
	if got := sortedKeys(fields); fmt.Sprint(got) != fmt.Sprint(gs.FieldsUsed) {
		t.Errorf("fields used %v, golden %v", got, gs.FieldsUsed)
	}
	for k := range 3 {
		checkClose(t, fmt.Sprintf("sum of UVW[%d]", k), uvwSum[k], gs.UVWSum[k])
	}
	for key, gd := range g.GoldenPerDDID {
		var dd int
		fmt.Sscan(key, &dd)
		s := sums[dd]
		if s == nil {
			t.Errorf("data description %d: no rows", dd)
			continue
		}
		nchan, ncorr, _ := m.Meta().CellShape(dd)
		if s.nrows != gd.NRows || nchan != gd.DataShapePerRow[0] || ncorr != gd.DataShapePerRow[1] || s.nonFinite != gd.NNonFinite {
			t.Errorf("ddid %d: %d rows [%d %d] %d non-finite, golden %d %v %d", dd, s.nrows, nchan, ncorr, s.nonFinite, gd.NRows, gd.DataShapePerRow, gd.NNonFinite)
		}
		checkClose(t, fmt.Sprintf("ddid %d flagged fraction", dd), float64(s.nflag)/float64(s.nsamp), gd.FlagFraction)
		checkClose(t, fmt.Sprintf("ddid %d sum(DATA).re", dd), real(s.sum), gd.SumData[0])
		checkClose(t, fmt.Sprintf("ddid %d sum(DATA).im", dd), imag(s.sum), gd.SumData[1])
		checkClose(t, fmt.Sprintf("ddid %d sum|DATA|", dd), s.sumAbs, gd.SumAbsData)
		checkClose(t, fmt.Sprintf("ddid %d sum(WEIGHT)", dd), s.sumWeight, gd.SumWeight)
		if gd.WSRowsDefined != nil && s.wsRows != *gd.WSRowsDefined {
			t.Errorf("ddid %d: WEIGHT_SPECTRUM in %d rows, golden %d", dd, s.wsRows, *gd.WSRowsDefined)
		}
		f, gf := firsts[dd], gd.FirstRowSorted
		if f.time != gf.Time || int(f.ant1) != gf.Ant1 || int(f.ant2) != gf.Ant2 {
			t.Errorf("ddid %d first row: time %v %d-%d, golden %v %d-%d", dd, f.time, f.ant1, f.ant2, gf.Time, gf.Ant1, gf.Ant2)
		}
		for k := range 3 {
			checkClose(t, fmt.Sprintf("ddid %d first row uvw[%d]", dd, k), f.uvw[k], gf.UVW[k])
		}
		if len(f.data) != len(gf.Data) {
			t.Errorf("ddid %d first row: %d correlations, golden %d", dd, len(f.data), len(gf.Data))
			continue
		}
		for k, v := range f.data {
			checkClose(t, fmt.Sprintf("ddid %d first row data[0,%d].re", dd, k), float64(real(v)), float64(gf.Data[k][0]))
			checkClose(t, fmt.Sprintf("ddid %d first row data[0,%d].im", dd, k), float64(imag(v)), float64(gf.Data[k][1]))
		}
	}
	if len(sums) != len(g.GoldenPerDDID) {
		t.Errorf("%d data descriptions used, golden %d", len(sums), len(g.GoldenPerDDID))
	}
}

func sortedKeys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
