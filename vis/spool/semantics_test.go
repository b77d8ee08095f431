package spool

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/spectral"
)

// memRow is one row of a memReader.
type memRow struct {
	time           float64
	a1, a2         int32
	field, ddid    int32
	uvw            [3]float64
	flagRow        bool
	data           []complex64 // nchan*ncorr, correlation fastest
	flag           []bool      // nil: none
	weight         []float32   // ncorr
	weightSpectrum []float32   // nil: the row has none
}

// memReader is a vis.Reader over rows held in memory: data sets of any shape for the tests.
type memReader struct {
	meta  vis.Meta
	rows  []memRow
	reads int // ReadRows calls
}

func (r *memReader) Meta() *vis.Meta { return &r.meta }
func (r *memReader) NumRows() int    { return len(r.rows) }
func (r *memReader) Close() error    { return nil }

func (r *memReader) ReadRows(ctx context.Context, row0, n int, c *vis.Chunk) error {
	r.reads++
	c.Reset(row0, n)
	for i := range n {
		x := &r.rows[row0+i]
		c.Time[i], c.Interval[i], c.Ant1[i], c.Ant2[i] = x.time, 1, x.a1, x.a2
		c.FieldID[i], c.DataDescID[i], c.FlagRow[i] = x.field, x.ddid, x.flagRow
		copy(c.UVW[3*i:], x.uvw[:])
	}
	if err := c.SetShapes(&r.meta, true, true); err != nil {
		return err
	}
	for i := range n {
		x := &r.rows[row0+i]
		s, e := c.Start[i], c.Start[i+1]
		copy(c.Data[s:e], x.data)
		clear(c.Flag[s:e])
		copy(c.Flag[s:e], x.flag)
		copy(c.Weight[c.WStart[i]:], x.weight)
		c.HasWeightSpectrum[i] = x.weightSpectrum != nil
		clear(c.WeightSpectrum[s:e])
		copy(c.WeightSpectrum[s:e], x.weightSpectrum)
	}
	return nil
}

// testMeta is an LSRK data set with spectral windows of the given channel frequencies (1 MHz
// wide), polarization 0 = YY XY YX XX, polarization 1 = XY YX, three fields (0 and 2 at one
// phase centre, 1 elsewhere) and three antennas 100 m apart at the VLA.
func testMeta(spws ...[]float64) vis.Meta {
	m := vis.Meta{Path: "mem", Format: "MS", DataColumn: "DATA"}
	for i, f := range spws {
		w := make([]float64, len(f))
		for k := range w {
			w[k] = 1e6
		}
		m.SpectralWindows = append(m.SpectralWindows, vis.SpectralWindow{ChanFreq: f, ChanWidth: w, MeasFreqRef: 1, Frame: "LSRK"})
		m.DataDescs = append(m.DataDescs, vis.DataDesc{SpwID: i, PolID: 0})
	}
	m.Polarizations = []vis.Polarization{{CorrType: []int{12, 10, 11, 9}}, {CorrType: []int{10, 11}}}
	m.Fields = []vis.Field{{Name: "A", PhaseDir: [2]float64{1, 0.5}, Frame: "J2000"},
		{Name: "B", PhaseDir: [2]float64{1.1, 0.5}, Frame: "J2000"},
		{Name: "A2", PhaseDir: [2]float64{1, 0.5}, Frame: "J2000"}}
	vla := [3]float64{-1601185.4, -5041977.5, 3554875.9}
	for i := range 3 {
		p := vla
		p[0] += 100 * float64(i)
		m.Antennas = append(m.Antennas, vis.Antenna{Name: string(rune('a' + i)), Position: p})
	}
	m.Observations = []vis.Observation{{Telescope: "VLA"}}
	return m
}

func freqs(f0 float64, n int) []float64 {
	f := make([]float64, n)
	for i := range f {
		f[i] = f0 + float64(i)*1e6
	}
	return f
}

// cell returns a 4-correlation cell (YY XY YX XX) with XX = xx(ch), YY = yy(ch), cross hands 99.
func cell(nchan int, xx, yy func(ch int) complex64) []complex64 {
	d := make([]complex64, 4*nchan)
	for ch := range nchan {
		d[4*ch], d[4*ch+1], d[4*ch+2], d[4*ch+3] = yy(ch), 99, 99, xx(ch)
	}
	return d
}

func buildMem(t *testing.T, r vis.Reader, o Options) (*Spool, error) {
	t.Helper()
	if o.ChunkRows == 0 {
		o.ChunkRows = 2
	}
	return Build(context.Background(), r, t.TempDir(), Key{}, &o)
}

func readAll(t *testing.T, sp *Spool) []Samples {
	t.Helper()
	out := make([]Samples, sp.NChan())
	for k := range out {
		if err := sp.Read(k, &out[k]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Stokes I, weights and flags, sample by sample: correlations in the order YY XY YX XX, one hand
// flagged, FLAG_ROW, rows with and without WEIGHT_SPECTRUM, autocorrelations, a NaN and a zero
// weight.
func TestBuild_StokesIWeightsFlags(t *testing.T) {
	const nchan = 4
	m := testMeta(freqs(100e6, nchan))
	xx := func(ch int) complex64 { return complex(float32(ch+1), 1) }
	yy := func(ch int) complex64 { return complex(3, -float32(ch)) }
	uvw := [3]float64{30, -40, 5}
	rows := []memRow{
		// 0: WEIGHT only (XX 2, YY 4: mean 3); YY of channel 1 flagged.
		{time: 5e9, a1: 0, a2: 1, uvw: uvw, data: cell(nchan, xx, yy), weight: []float32{4, 1, 1, 2},
			flag: []bool{false, false, false, false, true, false, false, false, false, false, false, false, false, false, false, false}},
		// 1: autocorrelation: skipped.
		{time: 5e9, a1: 1, a2: 1, data: cell(nchan, xx, yy), weight: []float32{1, 1, 1, 1}},
		// 2: WEIGHT_SPECTRUM (per channel: YY ch+1, XX 2ch+1); a cross hand flagged in channel 2
		// (ignored); XX of channel 3 NaN (dropped).
		{time: 5e9, a1: 0, a2: 2, uvw: uvw, weight: []float32{9, 9, 9, 9},
			data: cell(nchan, func(ch int) complex64 {
				if ch == 3 {
					return complex(float32(math.NaN()), 0)
				}
				return xx(ch)
			}, yy),
			flag:           []bool{false, false, false, false, false, false, false, false, false, true, false, false, false, false, false, false},
			weightSpectrum: []float32{1, 0, 0, 1, 2, 0, 0, 3, 3, 0, 0, 5, 4, 0, 0, 7}},
		// 3: FLAG_ROW.
		{time: 5e9, a1: 1, a2: 2, uvw: uvw, flagRow: true, data: cell(nchan, xx, yy), weight: []float32{1, 1, 1, 1}},
		// 4: zero weight on both hands of every channel: dropped.
		{time: 5e9, a1: 1, a2: 2, uvw: uvw, data: cell(nchan, xx, yy), weight: []float32{0, 1, 1, 0}},
	}
	sp, err := buildMem(t, &memReader{meta: m, rows: rows}, Options{Interpolation: "nearest"})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	got := readAll(t, sp)
	type want struct {
		vis complex64
		wt  float32
	}
	stokes := func(ch int) complex64 { return (xx(ch) + yy(ch)) / 2 }
	exp := [][]want{
		{{stokes(0), 3}, {stokes(0), 1}},
		{{stokes(1), 2.5}}, // row 0 flagged on YY; row 2: (YY 2 + XX 3)/2
		{{stokes(2), 3}, {stokes(2), 4}},
		{{stokes(3), 3}}, // row 2 NaN
	}
	for ch := range nchan {
		if got[ch].Len() != len(exp[ch]) {
			t.Fatalf("channel %d: %d samples, want %d", ch, got[ch].Len(), len(exp[ch]))
		}
		f := 100e6 + float64(ch)*1e6
		for i := range exp[ch] {
			// Both rows have the same uvw, so the Morton order keeps row order.
			if got[ch].Vis[i] != exp[ch][i].vis || got[ch].Weight[i] != exp[ch][i].wt {
				t.Errorf("channel %d sample %d: (%v, %g), want (%v, %g)", ch, i, got[ch].Vis[i], got[ch].Weight[i], exp[ch][i].vis, exp[ch][i].wt)
			}
			for a, g := range []float64{got[ch].U[i], got[ch].V[i], got[ch].W[i]} {
				if w := uvw[a] * f / speedOfLight; math.Abs(g-w) > 1e-12*math.Abs(w) {
					t.Errorf("channel %d sample %d: uvw[%d] = %.15g wavelengths, want %.15g", ch, i, a, g, w)
				}
			}
		}
	}
	st := sp.Manifest().Stats
	// Dropped: 1 flagged hand + 4 FLAG_ROW + 1 NaN + 4 zero weight.
	if st.SamplesFlagged != 10 || st.RowsSelected != 4 || st.RowsRead != 5 {
		t.Errorf("stats %+v: want 10 samples dropped, 4 rows selected of 5", st)
	}
}

// Two spectral windows overlapping in four channels build one axis over both; each window's
// samples go to the channels it covers, both into the overlap.
func TestBuild_OverlappingSpectralWindows(t *testing.T) {
	m := testMeta(freqs(100e6, 8), freqs(104e6, 8))
	var rows []memRow
	for _, d := range []struct {
		ddid int32
		v    complex64
	}{{0, 1}, {1, 3}, {0, 1}, {1, 3}} {
		rows = append(rows, memRow{time: 5e9, a1: 0, a2: 1, ddid: d.ddid, uvw: [3]float64{10, 20, 0}, weight: []float32{1, 1, 1, 1},
			data: cell(8, func(int) complex64 { return d.v }, func(int) complex64 { return d.v })})
	}
	for _, interp := range []string{"nearest", "linear"} {
		sp, err := buildMem(t, &memReader{meta: m, rows: rows}, Options{Selection: Selection{Spw: "0~1"}, Interpolation: interp})
		if err != nil {
			t.Fatal(err)
		}
		axis, err := sp.Axis()
		if err != nil {
			t.Fatal(err)
		}
		if axis.NChan() != 12 || axis.Freq[0] != 100e6 || axis.Freq[11] != 111e6 {
			t.Fatalf("%s: axis of %d channels %g..%g Hz, want 12 channels 100..111 MHz", interp, axis.NChan(), axis.Freq[0], axis.Freq[axis.NChan()-1])
		}
		for k, s := range readAll(t, sp) {
			n, mean := 2, complex64(1)
			switch {
			case k >= 4 && k < 8:
				n, mean = 4, 2
			case k >= 8:
				mean = 3
			}
			var sum complex64
			for _, v := range s.Vis {
				sum += v
			}
			if s.Len() != n || sum/complex(float32(n), 0) != mean {
				t.Errorf("%s: channel %d: %d samples of mean %v, want %d of mean %v", interp, k, s.Len(), sum/complex(float32(s.Len()), 0), n, mean)
			}
		}
		sp.Close()
	}
	// One window alone: its own channels.
	sp, err := buildMem(t, &memReader{meta: m, rows: rows}, Options{Selection: Selection{Spw: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if sp.NChan() != 8 || sp.Count(0) != 2 {
		t.Errorf("spw 1: %d channels, %d samples in channel 0; want 8 and 2", sp.NChan(), sp.Count(0))
	}
	sp.Close()
}

// Field selection: by index or name, rows of other fields skipped; fields of another phase centre
// are an error when selected together, or when every field is selected and their rows appear.
func TestBuild_FieldSelection(t *testing.T) {
	m := testMeta(freqs(100e6, 2))
	row := func(field int32) memRow {
		return memRow{time: 5e9, a1: 0, a2: 1, field: field, uvw: [3]float64{1, 2, 3}, weight: []float32{1, 1, 1, 1},
			data: cell(2, func(int) complex64 { return complex(float32(field), 0) }, func(int) complex64 { return complex(float32(field), 0) })}
	}
	rows := []memRow{row(0), row(2), row(0), row(1), row(1), row(2)}
	for _, c := range []struct {
		field string
		n     int64
		err   string
	}{
		{"0", 2, ""}, {"A", 2, ""}, {"b", 2, ""}, {"0,2", 4, ""}, {"0~2", 0, "mosaics"}, {"", 0, "not at the phase centre"},
		{"7", 0, "outside"}, {"C", 0, "no field named"},
	} {
		sp, err := buildMem(t, &memReader{meta: m, rows: rows}, Options{Selection: Selection{Field: c.field}})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("field %q: err = %v, want %q", c.field, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("field %q: %v", c.field, err)
			continue
		}
		if sp.Count(0) != c.n {
			t.Errorf("field %q: %d samples, want %d", c.field, sp.Count(0), c.n)
		}
		sp.Close()
	}
	// Every field, rows of one phase centre only: fine.
	sp, err := buildMem(t, &memReader{meta: m, rows: []memRow{row(2), row(0), row(2)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := sp.Plan(); sp.Count(1) != 3 || p.PhaseCentreField != 2 {
		t.Errorf("all fields: %d samples, phase centre field %d; want 3 and 2 (the first row's)", sp.Count(1), p.PhaseCentreField)
	}
	sp.Close()
}

// Time range, progress, chunks, and a selected window without parallel hands.
func TestBuild_TimeRangeProgressAndErrors(t *testing.T) {
	m := testMeta(freqs(100e6, 2))
	var rows []memRow
	for i := range 9 {
		rows = append(rows, memRow{time: 5e9 + float64(i), a1: 0, a2: 1, uvw: [3]float64{1, 2, 3}, weight: []float32{1, 1, 1, 1},
			data: cell(2, func(int) complex64 { return 1 }, func(int) complex64 { return 1 })})
	}
	var calls []int
	r := &memReader{meta: m, rows: rows}
	sp, err := buildMem(t, r, Options{Selection: Selection{TimeRange: [2]float64{5e9 + 2, 5e9 + 5}}, ChunkRows: 4,
		Progress: func(done, total int) {
			if total != 9 {
				t.Errorf("progress total %d", total)
			}
			calls = append(calls, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Count(0) != 4 || sp.Count(1) != 4 {
		t.Errorf("time range: %d and %d samples, want 4", sp.Count(0), sp.Count(1))
	}
	sp.Close()
	if len(calls) != 3 || calls[0] != 4 || calls[2] != 9 || r.reads != 3 {
		t.Errorf("progress %v after %d reads, want [4 8 9] after 3", calls, r.reads)
	}
	// A selected data description whose polarization has no parallel hands: rows of it are an
	// error; a data set where none has them fails before reading on.
	m2 := testMeta(freqs(100e6, 2), freqs(100e6, 2))
	m2.DataDescs[1].PolID = 1
	bad := rows[:2:2]
	bad = append(bad, memRow{time: 5e9, a1: 0, a2: 1, ddid: 1, weight: []float32{1, 1}, data: make([]complex64, 4)})
	if _, err := buildMem(t, &memReader{meta: m2, rows: bad}, Options{}); err == nil || !strings.Contains(err.Error(), "no parallel-hand pair") {
		t.Errorf("rows without parallel hands: err = %v", err)
	}
	if _, err := buildMem(t, &memReader{meta: m2, rows: bad}, Options{Selection: Selection{Spw: "1"}}); err == nil || !strings.Contains(err.Error(), "cannot form Stokes I") {
		t.Errorf("window without parallel hands: err = %v", err)
	}
	if _, err := buildMem(t, &memReader{meta: m2, rows: bad}, Options{Selection: Selection{Spw: "0:1~3"}}); err == nil || !strings.Contains(err.Error(), "channel selections") {
		t.Errorf("channel selection: err = %v", err)
	}
	if _, err := buildMem(t, &memReader{meta: m2, rows: bad}, Options{Spec: spectral.Spec{Start: "1", Width: "2GHz"}}); err == nil {
		t.Error("mixed start/width units: want an error")
	}
}

func TestParseTimeRange(t *testing.T) {
	tr, err := ParseTimeRange("2024/03/01/12:00:00~2024/03/01/12:00:30.5")
	if err != nil {
		t.Fatal(err)
	}
	// 2024-03-01 is MJD 60370.
	if tr[0] != 60370.5*86400 || tr[1] != 60370.5*86400+30.5 {
		t.Errorf("got %v", tr)
	}
	for _, s := range []string{"2024/03/01/12:00:00", "x~y", "2024/03/01/12:00:30~2024/03/01/12:00:00"} {
		if _, err := ParseTimeRange(s); err == nil {
			t.Errorf("%q: want an error", s)
		}
	}
}
