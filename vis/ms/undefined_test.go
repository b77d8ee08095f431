package ms

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cubeimg/cubeimg/vis"
)

type expectedRow struct {
	DDID          int          `json:"ddid"`
	Time          float64      `json:"time"`
	Ant1          int32        `json:"ant1"`
	Ant2          int32        `json:"ant2"`
	UVW           []float64    `json:"uvw"`
	FlagRow       bool         `json:"flag_row"`
	DataDefined   bool         `json:"data_defined"`
	FlagDefined   bool         `json:"flag_defined"`
	WeightDefined bool         `json:"weight_defined"`
	WSDefined     bool         `json:"ws_defined"`
	Data          [][2]float64 `json:"data"`
	Corrected     [][2]float64 `json:"corrected"`
	Flag          []bool       `json:"flag"`
	Weight        []float64    `json:"weight"`
	Sigma         []float64    `json:"sigma"`
	WS            []float64    `json:"ws"`
}

// TestReadRows_ShapesAndUndefinedCells reads an MS written by python-casacore whose rows have
// two cell shapes and whose DATA, FLAG, WEIGHT/SIGMA and WEIGHT_SPECTRUM cells are sometimes
// undefined, with DATA and with CORRECTED_DATA, in chunks that cross the shape changes.
func TestReadRows_ShapesAndUndefinedCells(t *testing.T) {
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s is absent; skipping", systemPython)
	}
	dir := t.TempDir()
	path, js := filepath.Join(dir, "t.ms"), filepath.Join(dir, "t.json")
	script, _ := filepath.Abs("testdata/makems.py")
	out, err := exec.Command(systemPython, script, path, js).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		t.Skip("python-casacore (python3-casacore) is not installed; skipping")
	}
	if err != nil {
		t.Fatalf("makems.py: %v\n%s", err, out)
	}
	var want []expectedRow
	readJSON(t, js, &want)
	for _, col := range []string{"DATA", "CORRECTED_DATA"} {
		m, err := Open(path, &Options{DataColumn: col})
		if err != nil {
			t.Fatal(err)
		}
		if m.NumRows() != len(want) || len(m.Meta().DataDescs) != 2 || !m.HasWeightSpectrum() {
			t.Fatalf("%d rows, %d data descriptions", m.NumRows(), len(m.Meta().DataDescs))
		}
		var c vis.Chunk
		for row0 := 0; row0 < m.NumRows(); row0 += 5 {
			n := min(5, m.NumRows()-row0)
			if err := m.ReadRows(context.Background(), row0, n, &c); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < n; i++ {
				checkRow(t, col, row0+i, &c, i, &want[row0+i])
			}
		}
		m.Close()
	}
}

func checkRow(t *testing.T, col string, row int, c *vis.Chunk, i int, w *expectedRow) {
	t.Helper()
	if int(c.DataDescID[i]) != w.DDID || c.Time[i] != w.Time || c.Ant1[i] != w.Ant1 || c.Ant2[i] != w.Ant2 || c.FlagRow[i] != w.FlagRow {
		t.Errorf("row %d: ddid %d time %v %d-%d flagrow %v, want %+v", row, c.DataDescID[i], c.Time[i], c.Ant1[i], c.Ant2[i], c.FlagRow[i], w)
	}
	for k := range 3 {
		if c.UVW[3*i+k] != w.UVW[k] {
			t.Errorf("row %d uvw %v, want %v", row, c.UVW[3*i:3*i+3], w.UVW)
		}
	}
	s, e := c.Start[i], c.Start[i+1]
	if e-s != len(w.Data) || int(c.NChan[i]*c.NCorr[i]) != len(w.Data) {
		t.Fatalf("row %d: %d samples (%dx%d), want %d", row, e-s, c.NChan[i], c.NCorr[i], len(w.Data))
	}
	src := w.Data
	defined := w.DataDefined
	if col == "CORRECTED_DATA" {
		src, defined = w.Corrected, true
	}
	for k := 0; k < e-s; k++ {
		got := c.Data[s+k]
		var wantV complex64
		wantFlag := false
		switch {
		case !defined:
			wantFlag = true
		default:
			wantV = complex(float32(src[k][0]), float32(src[k][1]))
			wantFlag = w.FlagDefined && w.Flag[k]
		}
		if got != wantV || c.Flag[s+k] != wantFlag {
			t.Errorf("%s row %d sample %d: %v flag %v, want %v flag %v", col, row, k, got, c.Flag[s+k], wantV, wantFlag)
		}
		wantWS := float32(0)
		if w.WSDefined {
			wantWS = float32(w.WS[k])
		}
		if c.WeightSpectrum[s+k] != wantWS {
			t.Errorf("row %d sample %d: WEIGHT_SPECTRUM %v, want %v", row, k, c.WeightSpectrum[s+k], wantWS)
		}
	}
	if c.HasWeightSpectrum[i] != w.WSDefined {
		t.Errorf("row %d: HasWeightSpectrum %v, want %v", row, c.HasWeightSpectrum[i], w.WSDefined)
	}
	ws, we := c.WStart[i], c.WStart[i+1]
	for k := 0; k < we-ws; k++ {
		ww, sw := float32(1), float32(1)
		if w.WeightDefined {
			ww, sw = float32(w.Weight[k]), float32(w.Sigma[k])
		}
		if c.Weight[ws+k] != ww || c.Sigma[ws+k] != sw {
			t.Errorf("row %d corr %d: weight %v sigma %v, want %v %v", row, k, c.Weight[ws+k], c.Sigma[ws+k], ww, sw)
		}
	}
}
