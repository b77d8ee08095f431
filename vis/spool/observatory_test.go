package spool

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"testing"

	"github.com/cubeimg/cubeimg/vis"
)

// The embedded table, converted from WGS84, gives casacore's ITRF positions to 1 mm.
func TestObservatories_MatchCasacore(t *testing.T) {
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s not found: skipping the comparison with python-casacore", systemPython)
	}
	out, err := exec.Command(systemPython, "testdata/observatories.py").Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		t.Skip("python-casacore (python3-casacore) is not installed: skipping the comparison")
	}
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string][3]float64
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref) != len(observatories) {
		t.Errorf("casacore lists %d observatories, the table %d", len(ref), len(observatories))
	}
	for name, want := range ref {
		got, src, ok := ObservatoryPosition(&vis.Meta{Observations: []vis.Observation{{Telescope: name}}})
		if !ok {
			t.Errorf("%s: not found", name)
			continue
		}
		d := math.Sqrt((got[0]-want[0])*(got[0]-want[0]) + (got[1]-want[1])*(got[1]-want[1]) + (got[2]-want[2])*(got[2]-want[2]))
		if d > 1e-3 {
			t.Errorf("%s (%s): %v, casacore %v: %.3g m apart", name, src, got, want, d)
		}
	}
}

func TestObservatoryPosition_Fallbacks(t *testing.T) {
	ant := [3]float64{-1601185.4, -5041977.5, 3554875.9}
	m := &vis.Meta{Observations: []vis.Observation{{Telescope: "EVLA"}}, Antennas: []vis.Antenna{{Name: "ea01", Position: ant}, {Position: [3]float64{1, 2, 3}}}}
	if p, src, ok := ObservatoryPosition(m); !ok || p != ant || src != "antenna 0 (ea01)" {
		t.Errorf("unknown telescope: %v %q %v, want the first antenna", p, src, ok)
	}
	m = &vis.Meta{ArrayPosition: []float64{4, 5, 6}}
	if p, src, ok := ObservatoryPosition(m); !ok || p != [3]float64{4, 5, 6} || src != "array position" {
		t.Errorf("no antennas: %v %q %v, want the array position", p, src, ok)
	}
	if _, _, ok := ObservatoryPosition(&vis.Meta{}); ok {
		t.Error("nothing known: want ok false")
	}
	if _, src, _ := ObservatoryPosition(&vis.Meta{Observations: []vis.Observation{{Telescope: "alma"}}}); src != "observatory ALMA" {
		t.Errorf("case-insensitive name: %q", src)
	}
}
