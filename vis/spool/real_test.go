package spool

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis/spectral"
)

const systemPython = "/usr/bin/python3"

// pySums holds spool_sums.py's per-channel sums.
type pySums struct {
	ChanFreq                []float64 `json:"chan_freq"`
	Count, SumW, SWRe, SWIm []float64
	SWAbs, SWU, SWV, SWW    []float64
	SWUU, SWVV, SWWW        []float64
}

func (p *pySums) UnmarshalJSON(b []byte) error {
	var m map[string][]float64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	p.ChanFreq, p.Count, p.SumW, p.SWRe, p.SWIm = m["chan_freq"], m["count"], m["sumw"], m["swre"], m["swim"]
	p.SWAbs, p.SWU, p.SWV, p.SWW = m["swabs"], m["swu"], m["swv"], m["sww"]
	p.SWUU, p.SWVV, p.SWWW = m["swuu"], m["swvv"], m["swww"]
	return nil
}

// pythonSums runs testdata/spool_sums.py, skipping the test where python-casacore is missing.
func pythonSums(t *testing.T, ms string, spw int) *pySums {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s not found: skipping the comparison with python-casacore", systemPython)
	}
	cmd := exec.Command(systemPython, "testdata/spool_sums.py", ms, strconv.Itoa(spw))
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		t.Skip("python-casacore (python3-casacore) is not installed: skipping the comparison")
	}
	if err != nil {
		t.Fatalf("spool_sums.py %s %d: %v\n%s", ms, spw, err, out)
	}
	var s pySums
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("spool_sums.py output: %v", err)
	}
	return &s
}

// The spool of each real MeasurementSet with parallel hands, on an output axis 1:1 with the data
// channels in the data's own frame (nearest: no interpolation), holds exactly the unflagged
// samples with ALGORITHMS.md 1.2 weights: per-channel sums against python-casacore.
func TestBuild_RealMS_MatchesPythonCasacore(t *testing.T) {
	cases := []struct {
		rel   string
		spw   int
		frame string
	}{
		{"data/real/alma_X5707_1bl_10chan/X5707_1spw_1scan_10chan_1time_1bl_noatm.ms", 0, "TOPO"},
		{"data/real/vla_simple_casaformatsio/simple.ms", 0, "TOPO"},
		{"data/real/vla_simple_casaformatsio/simple.ms", 1, "TOPO"},
		{"data/real/ovro_lwa_downselected/2018-03-21-01_26_33_0004384620257280_000000_downselected.ms", 0, "LSRK"},
		{"data/real/lwasv_adp/test_adp4_0_00300673800807520000_58342_05_00_14.ms", 0, "REST"},
		// Simulated, with flagged samples and flagged rows.
		{"data/sim/sim_small.ms", 0, "LSRK"},
	}
	for _, c := range cases {
		name := filepath.Base(c.rel) + "/spw" + strconv.Itoa(c.spw)
		t.Run(name, func(t *testing.T) {
			path := shareddata.Path(t, c.rel)
			want := pythonSums(t, path, c.spw)
			sp, built, err := OpenOrBuild(context.Background(), path, t.TempDir(), &Options{
				Selection: Selection{Spw: strconv.Itoa(c.spw)}, Spec: spectral.Spec{OutFrame: c.frame},
				Interpolation: "nearest", MemoryBytes: 16 << 20, ChunkRows: 997})
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			if !built {
				t.Fatal("a fresh directory reported a reused spool")
			}
			axis, err := sp.Axis()
			if err != nil {
				t.Fatal(err)
			}
			n := len(want.ChanFreq)
			if axis.NChan() != n {
				t.Fatalf("%d output channels, %d data channels", axis.NChan(), n)
			}
			for k := range n {
				if math.Abs(axis.Freq[k]-want.ChanFreq[k]) > 1e-9*want.ChanFreq[k] {
					t.Fatalf("output channel %d at %.6f Hz, data channel at %.6f Hz", k, axis.Freq[k], want.ChanFreq[k])
				}
			}
			var s Samples
			var total int64
			for k := range n {
				if err := sp.Read(k, &s); err != nil {
					t.Fatal(err)
				}
				var cnt, sw, sre, sim, su, sv, sww, suu, svv, swww float64
				for i := range s.Vis {
					w := float64(s.Weight[i])
					cnt++
					sw += w
					sre += w * float64(real(s.Vis[i]))
					sim += w * float64(imag(s.Vis[i]))
					su += w * s.U[i]
					sv += w * s.V[i]
					sww += w * s.W[i]
					suu += w * s.U[i] * s.U[i]
					svv += w * s.V[i] * s.V[i]
					swww += w * s.W[i] * s.W[i]
				}
				total += int64(s.Len())
				if cnt != want.Count[k] {
					t.Fatalf("channel %d: %g samples, python-casacore %g", k, cnt, want.Count[k])
				}
				if cnt == 0 {
					continue
				}
				check := func(what string, got, exp, tol float64) {
					if math.Abs(got-exp) > tol {
						t.Errorf("channel %d: %s = %.12g, python-casacore %.12g (tolerance %.3g)", k, what, got, exp, tol)
					}
				}
				check("sum w", sw, want.SumW[k], 1e-6*want.SumW[k])
				check("sum w Re V", sre, want.SWRe[k], 1e-6*want.SWAbs[k]+1e-30)
				check("sum w Im V", sim, want.SWIm[k], 1e-6*want.SWAbs[k]+1e-30)
				// u, v, w: the frequency of a TOPO axis is Doppler-tracked row by row, which moves it by
				// less than 1e-6 over these observations.
				for _, q := range []struct {
					name           string
					s1, s2, e1, e2 float64
				}{{"u", su, suu, want.SWU[k], want.SWUU[k]}, {"v", sv, svv, want.SWV[k], want.SWVV[k]}, {"w", sww, swww, want.SWW[k], want.SWWW[k]}} {
					check("sum w "+q.name, q.s1, q.e1, 2e-6*math.Sqrt(want.SumW[k]*q.e2)+1e-9)
					check("sum w "+q.name+"^2", q.s2, q.e2, 4e-6*q.e2+1e-9)
				}
				if got := sp.SumWeight(k); math.Abs(got-sw) > 1e-9*sw {
					t.Errorf("channel %d: manifest sum of weights %g, samples %g", k, got, sw)
				}
			}
			if st := sp.Manifest().Stats; st.SamplesWritten != total {
				t.Errorf("stats: %d samples written, channels hold %d", st.SamplesWritten, total)
			}
			t.Logf("%d channels, %d samples, %d flagged or dropped", n, total, sp.Manifest().Stats.SamplesFlagged)
		})
	}
}

// The natural-weighted phase-centre value sum(w Re V)/sum(w) per channel reproduces
// CENTER_PIXEL_REF.json, and so does the sum of weights.
func TestBuild_RealMS_CenterPixelRef(t *testing.T) {
	for _, c := range []struct{ dir, ms string }{
		{"data/real/alma_X5707_1bl_10chan", "X5707_1spw_1scan_10chan_1time_1bl_noatm.ms"},
		{"data/real/vla_simple_casaformatsio", "simple.ms"},
	} {
		t.Run(c.ms, func(t *testing.T) {
			dir := shareddata.Path(t, c.dir)
			b, err := os.ReadFile(filepath.Join(dir, "CENTER_PIXEL_REF.json"))
			if err != nil {
				t.Fatal(err)
			}
			var ref map[string]map[string]struct {
				I0    []float64 `json:"I0_per_channel"`
				SumWt []float64 `json:"sumwt_per_channel"`
			}
			if err := json.Unmarshal(b, &ref); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, c.ms)
			for ddid, r := range ref[c.ms] {
				// In these sets DATA_DESC_ID d uses spectral window d.
				sp, _, err := OpenOrBuild(context.Background(), path, t.TempDir(), &Options{
					Selection: Selection{Spw: ddid}, Spec: spectral.Spec{OutFrame: "TOPO"}, Interpolation: "nearest"})
				if err != nil {
					t.Fatal(err)
				}
				if sp.NChan() != len(r.I0) {
					t.Fatalf("ddid %s: %d channels, reference %d", ddid, sp.NChan(), len(r.I0))
				}
				var s Samples
				for k := range r.I0 {
					if err := sp.Read(k, &s); err != nil {
						t.Fatal(err)
					}
					var sw, sre float64
					for i := range s.Vis {
						sw += float64(s.Weight[i])
						sre += float64(s.Weight[i]) * float64(real(s.Vis[i]))
					}
					if math.Abs(sw-r.SumWt[k]) > 1e-6*r.SumWt[k] {
						t.Errorf("ddid %s channel %d: sum of weights %.9g, reference %.9g", ddid, k, sw, r.SumWt[k])
					}
					if got := sre / sw; math.Abs(got-r.I0[k]) > 1e-6*math.Abs(r.I0[k])+1e-9 {
						t.Errorf("ddid %s channel %d: phase-centre value %.9g, reference %.9g", ddid, k, got, r.I0[k])
					}
				}
				sp.Close()
			}
		})
	}
}

// A MeasurementSet without a parallel-hand pair cannot give Stokes I: a clear error.
func TestBuild_NoParallelHands(t *testing.T) {
	path := shareddata.Path(t, "data/real/paper_2014_ms_uvfits/zen.2456865.60537.xy.uvcRREAAM.ms")
	dir := t.TempDir()
	_, _, err := OpenOrBuild(context.Background(), path, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "parallel-hand") {
		t.Fatalf("err = %v, want a parallel-hand error", err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNoSpool) {
		t.Fatalf("a failed build left a spool: %v", err)
	}
}
