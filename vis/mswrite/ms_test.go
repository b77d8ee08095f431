package mswrite

import (
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func testSpec() *MSSpec {
	freqs := make([]float64, 5)
	for k := range freqs {
		freqs[k] = 230e9 + float64(k)*1e6
	}
	return &MSSpec{
		Antennas: []Antenna{
			{Name: "DA41", Station: "P001", Position: [3]float64{2225142.18, -5440307.37, -2481029.85}, Diameter: 12},
			{Name: "DA42", Station: "P002", Position: [3]float64{2225162.18, -5440297.37, -2481039.85}, Diameter: 12},
			{Name: "DV01", Station: "P003", Position: [3]float64{2225102.18, -5440337.37, -2481019.85}, Diameter: 12},
		},
		SpectralWindow: SpectralWindow{Name: "SPW0", ChanFreq: freqs, ChanWidth: 1e6, MeasFreqRef: FreqLSRK},
		Fields:         []Field{{Name: "F0", RA: 1.4626, Dec: -0.0942}},
		CorrTypes:      []int32{CorrXX, CorrYY},
		Observation:    Observation{Telescope: "ALMA", Observer: "me", Project: "p", TimeRange: [2]float64{5.2e9, 5.2e9 + 60}},
		RestFrequency:  230.538e9,
		Transition:     "CO(2-1)",
		History:        "cubeimg simulate -o x.ms --a-rather-long-history-line-that-goes-to-the-heap",
		Application:    "test",
		WeightSpectrum: true,
	}
}

// mainChunk converts MainRows into the column values MS.Append writes.
func mainChunk(r *MainRows, nchan, ncorr int) map[string]any {
	ws := r.WeightSpectrum
	if ws == nil {
		ws = make([]float32, r.N*nchan*ncorr)
		for row := 0; row < r.N; row++ {
			for ch := 0; ch < nchan; ch++ {
				copy(ws[(row*nchan+ch)*ncorr:], r.Weight[row*ncorr:(row+1)*ncorr])
			}
		}
	}
	return map[string]any{
		"UVW": r.UVW, "FLAG": r.Flag, "WEIGHT": r.Weight, "SIGMA": r.Sigma,
		"ANTENNA1": r.Antenna1, "ANTENNA2": r.Antenna2, "EXPOSURE": r.Interval,
		"FIELD_ID": r.FieldID, "FLAG_ROW": r.FlagRow, "INTERVAL": r.Interval,
		"SCAN_NUMBER": r.ScanNumber, "TIME": r.Time, "TIME_CENTROID": r.Time,
		"DATA": r.Data, "WEIGHT_SPECTRUM": ws,
	}
}

func randomMainRows(rng *rand.Rand, n, nchan, ncorr int, t0 float64) *MainRows {
	r := &MainRows{N: n}
	for i := 0; i < n; i++ {
		r.Time = append(r.Time, t0+float64(i/3)*6.048)
		r.Interval = append(r.Interval, 6.048)
		a1, a2 := [3]int32{0, 0, 1}[i%3], [3]int32{1, 2, 2}[i%3]
		r.Antenna1 = append(r.Antenna1, a1)
		r.Antenna2 = append(r.Antenna2, a2)
		r.FieldID = append(r.FieldID, 0)
		r.ScanNumber = append(r.ScanNumber, 1+int32(i/30))
		r.UVW = append(r.UVW, rng.NormFloat64()*100, rng.NormFloat64()*100, rng.NormFloat64()*10)
		for k := 0; k < nchan*ncorr; k++ {
			r.Data = append(r.Data, complex(float32(rng.NormFloat64()), float32(rng.NormFloat64())))
			r.Flag = append(r.Flag, rng.IntN(10) == 0)
		}
		r.FlagRow = append(r.FlagRow, rng.IntN(20) == 0)
		for p := 0; p < ncorr; p++ {
			s := float32(0.5 + rng.Float64())
			r.Sigma = append(r.Sigma, s)
			r.Weight = append(r.Weight, 1/(s*s))
		}
	}
	return r
}

func TestMS_ReadBackByCasacore(t *testing.T) {
	needCasacore(t)
	for _, big := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "test.ms")
		spec := testSpec()
		spec.BigEndian = big
		ms, err := CreateMS(dir, spec)
		if err != nil {
			t.Fatal(err)
		}
		nchan, ncorr := ms.Shape()
		rng := rand.New(rand.NewPCG(7, 8))
		var chunks []map[string]any
		var sizes []int
		for _, n := range []int{90, 7, 200} {
			r := randomMainRows(rng, n, nchan, ncorr, 5.2e9)
			if err := ms.Append(r); err != nil {
				t.Fatal(err)
			}
			chunks = append(chunks, mainChunk(r, nchan, ncorr))
			sizes = append(sizes, n)
		}
		if err := ms.Close(); err != nil {
			t.Fatal(err)
		}
		paths := []string{dir}
		for _, st := range subtableRows(spec) {
			paths = append(paths, filepath.Join(dir, st.name))
		}
		dumps := dumpTables(t, paths...)
		d := dumps[dir]
		checkDump(t, d, dir, MainColumns(nchan, ncorr, true), chunks, sizes)
		if d.Info["type"] != "Measurement Set" {
			t.Errorf("MAIN table.info type %q", d.Info["type"])
		}
		jsonEqual(t, "MS_VERSION", d.Keywords["MS_VERSION"], "2")
		for _, name := range subtableOrder {
			link, _ := d.Keywords[name].(string)
			if want := "Table: " + filepath.Join(dir, name); link != want {
				t.Errorf("MAIN keyword %s = %q, want %q", name, link, want)
			}
		}
		for _, st := range subtableRows(spec) {
			p := filepath.Join(dir, st.name)
			checkDump(t, dumps[p], p, subtableColumns(st.name), []map[string]any{st.vals}, []int{st.rows})
		}
	}
}

// TestMS_SubtableContent checks, by hand, the subtable values that imagers and listobs rely on.
func TestMS_SubtableContent(t *testing.T) {
	spec := testSpec()
	byName := map[string]subtable{}
	for _, st := range subtableRows(spec) {
		byName[st.name] = st
	}
	for _, name := range subtableOrder {
		if _, ok := byName[name]; !ok {
			t.Errorf("no %s subtable", name)
		}
	}
	pol := byName["POLARIZATION"].vals
	if got := pol["CORR_PRODUCT"].([]Cell)[0]; !equalInts(got.Shape, []int{2, 2}) || !equalInt32(got.Data.([]int32), []int32{0, 0, 1, 1}) {
		t.Errorf("CORR_PRODUCT for XX,YY = %v", got)
	}
	if got := pol["CORR_TYPE"].([]Cell)[0].Data.([]int32); !equalInt32(got, []int32{9, 12}) {
		t.Errorf("CORR_TYPE = %v", got)
	}
	spw := byName["SPECTRAL_WINDOW"].vals
	if got := spw["TOTAL_BANDWIDTH"].([]float64)[0]; got != 5e6 {
		t.Errorf("TOTAL_BANDWIDTH = %g, want 5e6", got)
	}
	if got := spw["MEAS_FREQ_REF"].([]int32)[0]; got != FreqLSRK {
		t.Errorf("MEAS_FREQ_REF = %d", got)
	}
	f := byName["FIELD"].vals["PHASE_DIR"].([]Cell)[0]
	if !equalInts(f.Shape, []int{2, 1}) || f.Data.([]float64)[0] != 1.4626 || f.Data.([]float64)[1] != -0.0942 {
		t.Errorf("PHASE_DIR = %v", f)
	}
	feed := byName["FEED"].vals["POLARIZATION_TYPE"].([]Cell)
	if len(feed) != 3 || strings.Join(feed[0].Data.([]string), "") != "XY" {
		t.Errorf("FEED POLARIZATION_TYPE = %v", feed)
	}
	if got := byName["SOURCE"].vals["REST_FREQUENCY"].([]Cell)[0].Data.([]float64)[0]; got != 230.538e9 {
		t.Errorf("REST_FREQUENCY = %g", got)
	}
	spec.CorrTypes = []int32{CorrRR, CorrRL, CorrLR, CorrLL}
	for _, st := range subtableRows(spec) {
		if st.name == "POLARIZATION" {
			if got := st.vals["CORR_PRODUCT"].([]Cell)[0].Data.([]int32); !equalInt32(got, []int32{0, 0, 0, 1, 1, 0, 1, 1}) {
				t.Errorf("CORR_PRODUCT for RR,RL,LR,LL = %v", got)
			}
		}
		if st.name == "FEED" && strings.Join(st.vals["POLARIZATION_TYPE"].([]Cell)[0].Data.([]string), "") != "RL" {
			t.Errorf("circular FEED POLARIZATION_TYPE = %v", st.vals["POLARIZATION_TYPE"])
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalInt32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMS_CasacoreMeasurementSetTools opens the MS with casacore's MeasurementSet machinery: the
// TaQL derived-MS functions recompute UVW from ANTENNA, FIELD and TIME (through the MEASINFO
// keywords) and select by baseline name, and showtableinfo lists it.
func TestMS_CasacoreMeasurementSetTools(t *testing.T) {
	needCasacore(t)
	sti := needShowtableinfo(t)
	dir := filepath.Join(t.TempDir(), "tools.ms")
	spec := testSpec()
	ms, err := CreateMS(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	nchan, ncorr := ms.Shape()
	r := randomMainRows(rand.New(rand.NewPCG(1, 1)), 30, nchan, ncorr, 5.2e9)
	if err := ms.Append(r); err != nil {
		t.Fatal(err)
	}
	if err := ms.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sti, "in="+dir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "30 rows, 23 columns") {
		t.Fatalf("showtableinfo: %v\n%s", err, out)
	}
	script := `
import sys
from casacore.tables import taql
ms = sys.argv[1]
t = taql("select from $ms where mscal.baseline('DA41&DV01')")
print(t.nrows())
t = taql("select mscal.ant1name() as A from $ms")
print(t.getcol("A")[0])
`
	out, err = exec.Command(systemPython, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("casacore MS selection: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) < 2 || lines[len(lines)-2] != "10" || lines[len(lines)-1] != "DA41" {
		t.Errorf("baseline DA41&DV01 selects %q rows (want 10), ANTENNA1 name of row 0 %q (want DA41)\n%s", lines[len(lines)-2], lines[len(lines)-1], out)
	}
	_ = math.Pi
}
