package ms

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
)

const systemPython = "/usr/bin/python3"

// pyDumpMS runs testdata/dumpms.py on a MeasurementSet; it skips the test where
// python-casacore is missing.
func pyDumpMS(t testing.TB, ms string) string {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s is absent; skipping comparison with python-casacore", systemPython)
	}
	out := t.TempDir()
	script, _ := filepath.Abs("testdata/dumpms.py")
	msg, err := exec.Command(systemPython, script, ms, out).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		t.Skip("python-casacore (python3-casacore) is not installed; skipping comparison")
	}
	if err != nil {
		t.Fatalf("dumpms.py: %v\n%s", err, msg)
	}
	return out
}

// TestSimSmallMatchesPythonCasacore reads ../shared/data/sim/sim_small.ms (written by
// python-casacore) through the row view and checks every value against python-casacore's.
func TestSimSmallMatchesPythonCasacore(t *testing.T) {
	path := shareddata.Path(t, "data/sim/sim_small.ms")
	dump := pyDumpMS(t, path)
	var rc vis.ReadCounter
	m, err := Open(path, &Options{WrapReaderAt: rc.Wrap})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	var meta struct {
		SPW []struct {
			Name        string   `json:"name"`
			ChanFreq    []string `json:"chan_freq"`
			ChanWidth   []string `json:"chan_width"`
			RefFreq     string   `json:"ref_freq"`
			MeasFreqRef int      `json:"meas_freq_ref"`
		} `json:"spw"`
		CorrType [][]int  `json:"corr_type"`
		DDID     [][2]int `json:"ddid"`
		Field    []struct {
			Name string    `json:"name"`
			Dir  [2]string `json:"dir"`
		} `json:"field"`
		Antenna []struct {
			Name, Station string
			Position      []string `json:"position"`
			Dish          string   `json:"dish"`
		} `json:"antenna"`
		Observation []struct {
			Telescope string    `json:"telescope"`
			TimeRange [2]string `json:"time_range"`
		} `json:"observation"`
	}
	readJSON(t, filepath.Join(dump, "meta.json"), &meta)
	mt := m.Meta()
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if len(mt.SpectralWindows) != len(meta.SPW) {
		t.Fatalf("%d spectral windows, python-casacore %d", len(mt.SpectralWindows), len(meta.SPW))
	}
	for i, s := range meta.SPW {
		g := mt.SpectralWindows[i]
		if g.Name != s.Name || g.MeasFreqRef != s.MeasFreqRef || g.RefFreq != f(s.RefFreq) || len(g.ChanFreq) != len(s.ChanFreq) {
			t.Errorf("spw %d: %+v, python-casacore %+v", i, g, s)
			continue
		}
		for k := range s.ChanFreq {
			if g.ChanFreq[k] != f(s.ChanFreq[k]) || g.ChanWidth[k] != f(s.ChanWidth[k]) {
				t.Errorf("spw %d channel %d: %v %v, python-casacore %s %s", i, k, g.ChanFreq[k], g.ChanWidth[k], s.ChanFreq[k], s.ChanWidth[k])
			}
		}
	}
	for i, ct := range meta.CorrType {
		if fmt.Sprint(mt.Polarizations[i].CorrType) != fmt.Sprint(ct) {
			t.Errorf("polarization %d: %v, python-casacore %v", i, mt.Polarizations[i].CorrType, ct)
		}
	}
	for i, d := range meta.DDID {
		if mt.DataDescs[i].SpwID != d[0] || mt.DataDescs[i].PolID != d[1] {
			t.Errorf("data description %d: %+v, python-casacore %v", i, mt.DataDescs[i], d)
		}
	}
	for i, fl := range meta.Field {
		g := mt.Fields[i]
		if g.Name != fl.Name || g.PhaseDir[0] != f(fl.Dir[0]) || g.PhaseDir[1] != f(fl.Dir[1]) || g.Frame != "J2000" {
			t.Errorf("field %d: %+v, python-casacore %+v", i, g, fl)
		}
	}
	if len(mt.Antennas) != len(meta.Antenna) {
		t.Fatalf("%d antennas, python-casacore %d", len(mt.Antennas), len(meta.Antenna))
	}
	for i, a := range meta.Antenna {
		g := mt.Antennas[i]
		if g.Name != a.Name || g.Station != a.Station || g.DishDiameter != f(a.Dish) ||
			g.Position[0] != f(a.Position[0]) || g.Position[1] != f(a.Position[1]) || g.Position[2] != f(a.Position[2]) {
			t.Errorf("antenna %d: %+v, python-casacore %+v", i, g, a)
		}
	}
	for i, o := range meta.Observation {
		g := mt.Observations[i]
		if g.Telescope != o.Telescope || g.TimeRange[0] != f(o.TimeRange[0]) || g.TimeRange[1] != f(o.TimeRange[1]) {
			t.Errorf("observation %d: %+v, python-casacore %+v", i, g, o)
		}
	}

	// MAIN: read everything in chunks through the row view, re-encode as numpy would.
	var main struct {
		NRows   int `json:"nrows"`
		Columns map[string]struct {
			DType string `json:"dtype"`
			Shape []int  `json:"shape"`
		} `json:"columns"`
	}
	readJSON(t, filepath.Join(dump, "main.json"), &main)
	if m.NumRows() != main.NRows {
		t.Fatalf("%d rows, python-casacore %d", m.NumRows(), main.NRows)
	}
	got := map[string]*bytes.Buffer{}
	put := func(name string, v any) {
		b := got[name]
		if b == nil {
			b = &bytes.Buffer{}
			got[name] = b
		}
		if bs, ok := v.([]bool); ok {
			for _, x := range bs {
				if x {
					b.WriteByte(1)
				} else {
					b.WriteByte(0)
				}
			}
			return
		}
		binary.Write(b, binary.LittleEndian, v)
	}
	var c vis.Chunk
	const chunk = 4999
	for row0 := 0; row0 < m.NumRows(); row0 += chunk {
		n := min(chunk, m.NumRows()-row0)
		if err := m.ReadRows(context.Background(), row0, n, &c); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if !c.HasWeightSpectrum[i] {
				t.Fatalf("row %d: no WEIGHT_SPECTRUM", row0+i)
			}
		}
		put("TIME", c.Time)
		put("INTERVAL", c.Interval)
		put("ANTENNA1", c.Ant1)
		put("ANTENNA2", c.Ant2)
		put("FIELD_ID", c.FieldID)
		put("DATA_DESC_ID", c.DataDescID)
		put("FLAG_ROW", c.FlagRow)
		put("UVW", c.UVW)
		put("DATA", c.Data)
		put("FLAG", c.Flag)
		put("WEIGHT", c.Weight)
		put("SIGMA", c.Sigma)
		put("WEIGHT_SPECTRUM", c.WeightSpectrum)
	}
	for name := range main.Columns {
		want, err := os.ReadFile(filepath.Join(dump, name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		g := got[name]
		if g == nil {
			t.Errorf("column %s not read", name)
			continue
		}
		if !bytes.Equal(g.Bytes(), want) {
			t.Errorf("column %s differs from python-casacore (%d vs %d bytes)", name, g.Len(), len(want))
		}
	}
	// Reading the MS once, in chunks, reads each byte at most once.
	if r := rc.Reread(); r != 0 {
		t.Errorf("%d bytes read more than once", r)
	}
	if len(main.Columns) != 13 {
		t.Errorf("python-casacore dumped %d columns, want 13", len(main.Columns))
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
