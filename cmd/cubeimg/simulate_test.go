package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseUnits(t *testing.T) {
	for _, tc := range []struct {
		parse func(string) (float64, error)
		in    string
		want  float64
	}{
		{parseFrequency, "230.538GHz", 230.538e9},
		{parseFrequency, "976.5625kHz", 976562.5},
		{parseFrequency, "-1MHz", -1e6},
		{parseFrequency, "1.5e9", 1.5e9},
		{parseFrequency, "1e3Hz", 1e3},
		{parseDuration, "10m", 600},
		{parseDuration, "600s", 600},
		{parseDuration, "1h", 3600},
		{parseDuration, "90min", 5400},
		{parseDuration, "6.048", 6.048},
		{parseFlux, "4mJy", 4e-3},
		{parseFlux, "0", 0},
		{parseTemperature, "80K", 80},
		{parseHours, "-1.5h", -1.5},
		{parseRA, "83.8deg", 83.8 * math.Pi / 180},
		{parseRA, "05:35:12", (5 + 35.0/60 + 12.0/3600) * 15 * math.Pi / 180},
		{parseRA, "5h35m12s", (5 + 35.0/60 + 12.0/3600) * 15 * math.Pi / 180},
		{parseDec, "-5.4deg", -5.4 * math.Pi / 180},
		{parseDec, "-05:24:00", -5.4 * math.Pi / 180},
		{parseDec, "-5d24m", -5.4 * math.Pi / 180},
		{parseDec, "+41d16m09.0s", (41 + 16.0/60 + 9.0/3600) * math.Pi / 180},
	} {
		got, err := tc.parse(tc.in)
		if err != nil || math.Abs(got-tc.want) > 1e-12*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("parse %q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		parse func(string) (float64, error)
		in    string
	}{
		{parseFrequency, "230GBz"}, {parseFrequency, "GHz"}, {parseFrequency, ""},
		{parseDuration, "0s"}, {parseDuration, "10 parsecs"}, {parseDuration, "-5m"},
		{parseRA, "25:00:00"}, {parseRA, "400deg"}, {parseDec, "-91deg"}, {parseDec, "10:61:00"},
		{parseTemperature, "-3K"}, {parseFlux, "NaN"},
	} {
		if got, err := tc.parse(tc.in); err == nil {
			t.Errorf("parse %q = %v, want an error", tc.in, got)
		}
	}
	if y, m, d, err := parseDate("2024-03-01"); err != nil || y != 2024 || m != 3 || d != 1 {
		t.Errorf("parseDate: %d %d %d %v", y, m, d, err)
	}
	if _, _, _, err := parseDate("2024-13-01"); err == nil {
		t.Errorf("parseDate accepted month 13")
	}
}

func TestSimulateCmd_WritesMSAndTruth(t *testing.T) {
	dir := t.TempDir()
	sky := filepath.Join(dir, "sky.json")
	os.WriteFile(sky, []byte(`{"components": [{"name": "S", "type": "point", "east": 1, "north": 1, "flux_jy": 2}]}`), 0o644)
	out := filepath.Join(dir, "x.ms")
	args := []string{"simulate", "-o", out, "--nchan", "3", "--duration", "1m", "--integration", "6s", "-q",
		"--ra", "05:35:12", "--dec", "-5d24m", "--noise", "0", "--sky", sky, "--config", "extended", "--freq", "100GHz", "--width", "2MHz"}
	root := newRootCmd()
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var truth struct {
		PhaseCenter struct {
			RADeg  float64 `json:"ra_deg"`
			DecDeg float64 `json:"dec_deg"`
		} `json:"phase_center"`
		SPW struct {
			NChan      int       `json:"nchan"`
			ChanFreqHz []float64 `json:"chan_freq_hz"`
		} `json:"spw"`
		Time struct {
			NTime int `json:"ntime"`
		} `json:"time"`
		Array struct {
			Config       string  `json:"config"`
			MaxBaselineM float64 `json:"max_baseline_m"`
		} `json:"array"`
		Components []struct {
			Name string    `json:"name"`
			Flux []float64 `json:"flux"`
		} `json:"components"`
	}
	b, err := os.ReadFile(out + ".truth.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	if math.Abs(truth.PhaseCenter.RADeg-83.8) > 1e-9 || math.Abs(truth.PhaseCenter.DecDeg+5.4) > 1e-9 || truth.SPW.NChan != 3 || truth.Time.NTime != 10 ||
		truth.Array.Config != "extended" || math.Abs(truth.Array.MaxBaselineM-2516.9) > 0.01 {
		t.Errorf("truth: %+v", truth)
	}
	if f := truth.SPW.ChanFreqHz; len(f) != 3 || f[0] != 99.998e9 || f[2] != 100.002e9 {
		t.Errorf("channel frequencies %v", f)
	}
	if len(truth.Components) != 1 || truth.Components[0].Flux[1] != 2 {
		t.Errorf("components %+v", truth.Components)
	}
	for _, f := range []string{"table.dat", "table.f2", "ANTENNA/table.dat", "SPECTRAL_WINDOW/table.dat"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	// A second run refuses to overwrite unless asked.
	root = newRootCmd()
	root.SetArgs(args)
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "exists (use --overwrite)") {
		t.Errorf("second run: error %v", err)
	}
	root = newRootCmd()
	root.SetArgs(append(args, "--overwrite"))
	if err := root.Execute(); err != nil {
		t.Errorf("--overwrite: %v", err)
	}
	root = newRootCmd()
	root.SetArgs([]string{"simulate", "-o", filepath.Join(dir, "y.ms"), "--duration", "10 parsecs"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "--duration") {
		t.Errorf("bad --duration: error %v", err)
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"230.538GHz", "10m", "-05:24:00", "5h35m12.5s", "+41d16m09s", "1e3Hz", "4mJy", "", "::", "1:2:3:4", "1e400GHz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []func(string) (float64, error){parseFrequency, parseDuration, parseFlux, parseTemperature, parseHours, parseRA, parseDec} {
			v, err := p(s)
			if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				t.Errorf("%q parsed to %v", s, v)
			}
		}
		parseDate(s)
	})
}
