package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
)

func runListobs(t *testing.T, args ...string) string {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"listobs"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("listobs %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestListobs_VLA(t *testing.T) {
	path := shareddata.Path(t, "data/real/vla_simple_casaformatsio/simple.ms")
	var s obsSummary
	if err := json.Unmarshal([]byte(runListobs(t, path, "--json")), &s); err != nil {
		t.Fatal(err)
	}
	// Golden values from INFO.json (python-casacore).
	if s.Rows != 20 || s.Telescope != "EVLA" || s.Integrations != 4 || s.FlaggedFraction != 0 {
		t.Errorf("rows %d telescope %q integrations %d flagged %v", s.Rows, s.Telescope, s.Integrations, s.FlaggedFraction)
	}
	if len(s.Fields) != 3 || s.Fields[1].Name != "J0102+5824" || s.Fields[1].Rows != 20 || s.Fields[0].Rows != 0 {
		t.Errorf("fields %+v", s.Fields)
	}
	if math.Abs(s.Fields[0].RARad-0.426245723) > 1e-9 || s.Fields[0].Frame != "J2000" {
		t.Errorf("field 0: %+v", s.Fields[0])
	}
	if len(s.SpectralWindows) != 2 || s.SpectralWindows[1].NumChan != 4 || s.SpectralWindows[1].ChanWidthHz != 31250 ||
		s.SpectralWindows[0].Chan0Hz != 1030151958.010646 || strings.Join(s.SpectralWindows[0].Corrs, " ") != "RR LL" ||
		s.SpectralWindows[0].Rows != 10 || s.SpectralWindows[0].Frame != "TOPO" {
		t.Errorf("spectral windows %+v", s.SpectralWindows)
	}
	if len(s.Antennas) != 4 || s.Antennas[0].Name != "ea05" || s.Antennas[0].Diameter != 25 {
		t.Errorf("antennas %+v", s.Antennas)
	}
	// The VLA is at longitude -107.6 deg, latitude +34.1 deg.
	if a := s.Antennas[0]; math.Abs(a.LonDeg+107.6) > 0.1 || math.Abs(a.LatDeg-34.08) > 0.1 {
		t.Errorf("antenna 0 at %v, %v deg", a.LonDeg, a.LatDeg)
	}
	if s.TimeStartMJDSec > 5130138222.5 || s.TimeEndMJDSec < 5130138237.5 {
		t.Errorf("time range %v..%v", s.TimeStartMJDSec, s.TimeEndMJDSec)
	}
	text := runListobs(t, path)
	for _, want := range []string{"Data records: 20", "J0102+5824", "EVLA_L#A0C0#1", "ea08", "RR  LL"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}
}

func TestListobs_UVFITSAndDangling(t *testing.T) {
	path := shareddata.Path(t, "data/real/vlba_mojave_uvfits/mojave.uvfits")
	var s obsSummary
	if err := json.Unmarshal([]byte(runListobs(t, path, "--json")), &s); err != nil {
		t.Fatal(err)
	}
	// INFO.json: 3150 groups x 2 IFs, 94.38% of the weights positive.
	if s.Rows != 6300 || s.Format != "UVFITS" || math.Abs(s.FlaggedFraction-(1-0.9438095238095238)) > 1e-12 || len(s.Antennas) != 10 {
		t.Errorf("rows %d format %s flagged %v antennas %d", s.Rows, s.Format, s.FlaggedFraction, len(s.Antennas))
	}
	alma := shareddata.Path(t, "data/real/alma_X5707_1bl_10chan/X5707_1spw_1scan_10chan_1time_1bl_noatm.ms")
	if err := json.Unmarshal([]byte(runListobs(t, alma, "--json")), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Dangling) != 1 || s.Dangling[0] != "ASDM_CALATMOSPHERE" || len(s.Scans) != 1 || s.Scans[0].Rows != 40 {
		t.Errorf("dangling %v scans %+v", s.Dangling, s.Scans)
	}
}

func TestListobs_NotAnInput(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"listobs", t.TempDir()})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "table.dat") {
		t.Errorf("listobs on an empty directory: %v", err)
	}
}
