package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLayout_BaselineRanges(t *testing.T) {
	for _, tc := range []struct {
		config     string
		maxB, minB float64
	}{
		{ConfigCompact, 500.2, 15.3},
		{ConfigExtended, 2516.9, 15.3},
	} {
		pads, err := Layout(tc.config)
		if err != nil {
			t.Fatal(err)
		}
		if len(pads) != 43 {
			t.Errorf("%s: %d pads, want 43", tc.config, len(pads))
		}
		maxB, minB := baselineRange(pads)
		if math.Abs(maxB-tc.maxB) > 0.01 || math.Abs(minB-tc.minB) > 0.01 {
			t.Errorf("%s: baselines %.3f-%.3f m, want %.1f-%.1f m", tc.config, minB, maxB, tc.minB, tc.maxB)
		}
	}
	if _, err := Layout("C-43"); err == nil || !strings.Contains(err.Error(), `"C-43"`) {
		t.Errorf("unknown configuration: error %v", err)
	}
}

// TestUVW_AgreesWithCasacoreMeasures compares per-antenna J2000 UVW with casacore's dm.to_uvw
// for several epochs and directions: the stated tolerance is 1 arcsec of rotation, i.e.
// |delta uvw| <= 4.85e-6 |b| (+0.1 mm).
func TestUVW_AgreesWithCasacoreMeasures(t *testing.T) {
	needCasacore(t)
	pads, err := Layout(ConfigExtended)
	if err != nil {
		t.Fatal(err)
	}
	ref := ALMASite.ITRF(0, 0, 0)
	var ants [][3]float64
	for _, p := range pads {
		ants = append(ants, ALMASite.ITRF(p.East, p.North, p.Up))
	}
	times := []float64{MJDSeconds(2024, 3, 1, 7200), MJDSeconds(2024, 9, 14, 50000), MJDSeconds(2019, 6, 1, 0), MJDSeconds(2030, 12, 31, 80000)}
	for _, dir := range [][2]float64{{83.8, -5.4}, {201.365, -43.019}, {10.68, 41.27}, {300, -80}, {150, 2.2}} {
		ra, dec := dir[0]*deg, dir[1]*deg
		req, _ := json.Marshal(map[string]any{"ref": ref, "antennas": ants, "times": times, "ra": ra, "dec": dec})
		var res struct{ UVW [][][3]float64 }
		runPython(t, "casacore_uvw.py", req, &res)
		for ti, tm := range times {
			m := UVWMatrix(tm, ra, dec)
			for i, a := range ants {
				d := [3]float64{a[0] - ref[0], a[1] - ref[1], a[2] - ref[2]}
				u := m.Apply(d)
				c := res.UVW[ti][i]
				e := math.Sqrt(sq(u[0]-c[0]) + sq(u[1]-c[1]) + sq(u[2]-c[2]))
				b := math.Sqrt(sq(d[0]) + sq(d[1]) + sq(d[2]))
				if e > 4.85e-6*b+1e-4 {
					t.Errorf("ra %g dec %g time %.0f antenna %d: uvw %v, casacore %v: differ by %.4f m (%.2f arcsec)", dir[0], dir[1], tm, i, u, c, e, e/b/arcsec)
				}
			}
		}
	}
}

func TestSite_ITRFMatchesWGS84Geometry(t *testing.T) {
	// The ITRF position must be at the site height above the ellipsoid and the local axes orthonormal.
	o := ALMASite.ITRF(0, 0, 0)
	up := ALMASite.ITRF(0, 0, 100)
	east := ALMASite.ITRF(100, 0, 0)
	north := ALMASite.ITRF(0, 100, 0)
	for name, p := range map[string][3]float64{"up": up, "east": east, "north": north} {
		if d := math.Sqrt(sq(p[0]-o[0]) + sq(p[1]-o[1]) + sq(p[2]-o[2])); math.Abs(d-100) > 1e-6 {
			t.Errorf("%s offset of 100 m is %.9f m", name, d)
		}
	}
	// The east axis is horizontal in longitude: Z unchanged.
	if math.Abs(east[2]-o[2]) > 1e-6 {
		t.Errorf("east offset changes Z by %g m", east[2]-o[2])
	}
	// Longitude of the site from X, Y.
	if lon := math.Atan2(o[1], o[0]); math.Abs(lon-ALMASite.Longitude) > 1e-12 {
		t.Errorf("longitude %.12f, want %.12f", lon, ALMASite.Longitude)
	}
}

func TestLMToRADec_RoundTrip(t *testing.T) {
	ra0, dec0 := 83.8*deg, -5.4*deg
	// A source due north by 10 arcsec is at the same RA and 10 arcsec higher Dec.
	ra, dec := LMToRADec(0, 10*arcsec, ra0, dec0)
	if math.Abs(ra-ra0) > 1e-15 || math.Abs(dec-dec0-10*arcsec) > 1e-13 {
		t.Errorf("north offset: ra %.15g dec %.15g", ra, dec)
	}
	// East by 10 arcsec increases RA by 10 arcsec / cos(dec) to first order.
	ra, _ = LMToRADec(10*arcsec, 0, ra0, dec0)
	if got, want := (ra-ra0)*math.Cos(dec0)/arcsec, 10.0; math.Abs(got-want) > 1e-6 {
		t.Errorf("east offset: dRA cos(dec) = %.9f arcsec, want %g", got, want)
	}
}

func TestMJDSeconds_KnownDates(t *testing.T) {
	if got := MJDSeconds(1858, 11, 17, 0); got != 0 {
		t.Errorf("MJD epoch: %g", got)
	}
	if got := MJDSeconds(2000, 1, 1, 43200) / 86400; got != 51544.5 {
		t.Errorf("J2000.0: MJD %g, want 51544.5", got)
	}
	if got := MJDSeconds(2024, 3, 1, 0) / 86400; got != 60370 {
		t.Errorf("2024-03-01: MJD %g, want 60370", got)
	}
}

func TestGMST_KnownValue(t *testing.T) {
	// Meeus example 12.a: 1987 April 10, 0h UT: GMST = 13h10m46.3668s.
	got := GMST(MJDSeconds(1987, 4, 10, 0)) / deg / 15
	want := 13 + 10.0/60 + 46.3668/3600
	if math.Abs(got-want)*3600 > 1e-3 {
		t.Errorf("GMST %.7f h, want %.7f h", got, want)
	}
}

func TestChannelFluxes_HandComputed(t *testing.T) {
	freqs := []float64{99e9, 100e9, 101e9, 102e9}
	c := Component{Type: TypePoint, FluxJy: 2, SpectralIndex: -1, Lines: []Line{{PeakJy: 1, CenterHz: 101e9, FWHMHz: 2e9}}}
	got := c.ChannelFluxes(freqs, 100e9)
	for k, nu := range freqs {
		x := (nu - 101e9) / 2e9
		want := 2*100e9/nu + math.Exp(-4*math.Ln2*x*x)
		if math.Abs(got[k]-want) > 1e-15 {
			t.Errorf("channel %d: %.17g, want %.17g", k, got[k], want)
		}
	}
	// At the line centre the line adds its peak; half a FWHM away, half the peak.
	if got[2]-2*100.0/101 != 1 || math.Abs(got[3]-2*100.0/102-0.5) > 1e-15 {
		t.Errorf("line profile: %v", got)
	}
	center := 1.0
	cc := Component{Type: TypePoint, Lines: []Line{{PeakJy: 4, CenterChan: &center, FWHMChan: 2}}}
	if got := cc.ChannelFluxes(freqs, 100e9); got[1] != 4 || math.Abs(got[0]-2) > 1e-15 || math.Abs(got[2]-2) > 1e-15 {
		t.Errorf("channel-based line: %v", got)
	}
}

// TestEngine_MatchesDirectEvaluation compares the phase and Gaussian-amplitude recurrences over
// 300 channels with a direct evaluation of the convention per channel.
func TestEngine_MatchesDirectEvaluation(t *testing.T) {
	nchan := 300
	freqs := make([]float64, nchan)
	for k := range freqs {
		freqs[k] = 230e9 + float64(k)*0.5e6
	}
	sky := &SkyModel{Components: []Component{
		{Name: "a", Type: TypePoint, East: 7.5, North: -3, FluxJy: 1.3, SpectralIndex: 2},
		{Name: "b", Type: TypePoint, East: -20, North: 40, FluxJy: 0.2},
		{Name: "g", Type: TypeGaussian, East: 3, North: 1, MajorArcsec: 0.05, MinorArcsec: 0.02, PADeg: -20, FluxJy: 0.7},
	}}
	e := newEngine(sky, freqs, freqs[nchan/2])
	vis := make([]complex128, nchan)
	u, v, w := 2400.0, -1300.0, 150.0
	e.model(u, v, w, vis)
	for k, nu := range freqs {
		var want complex128
		for _, c := range sky.Components {
			l, m := c.East*arcsec, c.North*arcsec
			n := math.Sqrt(1 - l*l - m*m)
			s := c.FluxJy * math.Pow(nu/freqs[nchan/2], c.SpectralIndex)
			if c.Type == TypeGaussian {
				pa := c.PADeg * deg
				um, un := (u*math.Sin(pa)+v*math.Cos(pa))*nu/speedOfLight, (u*math.Cos(pa)-v*math.Sin(pa))*nu/speedOfLight
				a, b := c.MajorArcsec*arcsec, c.MinorArcsec*arcsec
				s *= math.Exp(-math.Pi * math.Pi / (4 * math.Ln2) * (a*a*um*um + b*b*un*un))
			}
			want += complex(s, 0) * cmplx.Exp(complex(0, 2*math.Pi*(u*l+v*m+w*(n-1))*nu/speedOfLight))
		}
		if d := cmplx.Abs(vis[k] - want); d > 1e-12 {
			t.Fatalf("channel %d: %v, direct %v (|diff| %g)", k, vis[k], want, d)
		}
	}
}

// TestEngine_GaussianMatchesNumericalFourierTransform checks the analytic elliptical Gaussian
// visibility against a direct Fourier sum of its sampled brightness.
func TestEngine_GaussianMatchesNumericalFourierTransform(t *testing.T) {
	nu := 100e9
	comp := Component{Name: "g", Type: TypeGaussian, MajorArcsec: 3, MinorArcsec: 1.5, PADeg: 30, FluxJy: 1}
	e := newEngine(&SkyModel{Components: []Component{comp}}, []float64{nu}, nu)
	// Brightness on a grid of 0.05 arcsec, +-12 arcsec.
	const step = 0.05
	const half = 240
	pa := comp.PADeg * deg
	type px struct{ l, m, b float64 }
	var pix []px
	var sum float64
	for i := -half; i <= half; i++ {
		for j := -half; j <= half; j++ {
			l, m := float64(i)*step*arcsec, float64(j)*step*arcsec
			xmaj := l*math.Sin(pa) + m*math.Cos(pa)
			xmin := l*math.Cos(pa) - m*math.Sin(pa)
			b := math.Exp(-4 * math.Ln2 * (sq(xmaj/(comp.MajorArcsec*arcsec)) + sq(xmin/(comp.MinorArcsec*arcsec))))
			pix = append(pix, px{l, m, b})
			sum += b
		}
	}
	vis := make([]complex128, 1)
	for _, uv := range [][2]float64{{0, 0}, {30, 0}, {0, 30}, {25, -20}, {-10, 45}} {
		u, v := uv[0], uv[1] // metres: 30 m at 100 GHz = 1e4 wavelengths
		var want complex128
		for _, p := range pix {
			want += complex(p.b/sum, 0) * cmplx.Exp(complex(0, 2*math.Pi*(u*p.l+v*p.m)*nu/speedOfLight))
		}
		e.model(u, v, 0, vis)
		if d := cmplx.Abs(vis[0] - want); d > 1e-6 {
			t.Errorf("uv (%g, %g) m: analytic %v, numerical %v (|diff| %g)", u, v, vis[0], want, d)
		}
	}
}

func TestSkyModel_ParseAndValidate(t *testing.T) {
	dir := t.TempDir()
	good := `{"components": [
	  {"name": "A", "type": "point", "east": 1, "north": -2, "flux_jy": 0.5, "spectral_index": -0.7},
	  {"name": "B", "type": "gaussian", "east": 0, "north": 0, "major_arcsec": 2, "minor_arcsec": 1, "pa_deg": 10,
	   "flux_jy": 0.1, "lines": [{"peak_jy": 1, "center_chan": 3.5, "fwhm_chan": 2}]}]}`
	p := filepath.Join(dir, "sky.json")
	os.WriteFile(p, []byte(good), 0o644)
	m, err := ReadSkyModel(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(8); err != nil {
		t.Fatal(err)
	}
	if m.Components[1].Lines[0].FWHMChan != 2 || m.Components[0].SpectralIndex != -0.7 {
		t.Errorf("parsed %+v", m)
	}
	for _, bad := range []struct{ json, want string }{
		{`{"components": [{"name": "A", "type": "point", "flux": 1}]}`, `unknown field "flux"`},
		{`{"components": []}`, "no components"},
		{`{"components": [{"name": "A", "type": "disk"}]}`, `type "disk"`},
		{`{"components": [{"name": "A", "type": "gaussian", "major_arcsec": 1, "minor_arcsec": 2}]}`, "major_arcsec >= minor_arcsec"},
		{`{"components": [{"name": "A", "type": "point"}, {"name": "A", "type": "point"}]}`, "appears twice"},
		{`{"components": [{"name": "A", "type": "point", "lines": [{"peak_jy": 1, "center_hz": 1e9}]}]}`, "center_hz and fwhm_hz"},
		{`{"components": [{"name": "A", "type": "point", "channel_flux_jy": [1, 2]}]}`, "2 values for 8 channels"},
	} {
		m, err := ParseSkyModel([]byte(bad.json))
		if err == nil {
			err = m.Validate(8)
		}
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one containing %q", bad.json, err, bad.want)
		}
	}
}

// TestRun_MatchesIndependentModel reads a simulated MS with python-casacore and recomputes the
// visibilities from the truth file with numpy; UVW and hour angles are recomputed by casacore's
// derived-MS functions from the MS's own ANTENNA, FIELD and TIME.
func TestRun_MatchesIndependentModel(t *testing.T) {
	needCasacore(t)
	dir := t.TempDir()
	c := smallConfig(dir)
	c.SigmaJy = 0
	c.FlagFrac = 0.05
	c.HourAngleH = 2
	tr := mustRun(t, c)
	var res map[string]any
	runPython(t, "check_ms.py", nil, &res, c.MS)
	num := func(k string) float64 { return res[k].(float64) }
	if got := int(num("nrows")); got != tr.Rows || got != 903*20 {
		t.Errorf("rows: casacore %d, truth %d, want %d", got, tr.Rows, 903*20)
	}
	if e := num("model_max_abs_err"); e > 2e-7*num("model_max_abs")+1e-7 {
		t.Errorf("DATA differs from the independent model by %g Jy (max |V| %g)", e, num("model_max_abs"))
	}
	if e := num("uvw_max_rel"); e > 5e-6 {
		t.Errorf("UVW differs from casacore's mscal.uvwj2000 by %g of the baseline (%g m)", e, num("uvw_max_diff_m"))
	}
	if d := math.Abs(num("ha_first_h") - tr.Time.Summary["start"].HourAngleH); d > 2e-3 {
		t.Errorf("hour angle of the first row: casacore %.5f h, truth %.5f h", num("ha_first_h"), tr.Time.Summary["start"].HourAngleH)
	}
	if d := math.Abs(num("ha_last_h") - tr.Time.Summary["end"].HourAngleH); d > 2e-3 {
		t.Errorf("hour angle of the last row: casacore %.5f h, truth %.5f h", num("ha_last_h"), tr.Time.Summary["end"].HourAngleH)
	}
	if mid := tr.Time.Summary["mid"].HourAngleH; math.Abs(mid-2) > 0.01 {
		t.Errorf("mid-observation hour angle %.4f h, asked for 2 h", mid)
	}
	if f := num("flag_fraction"); math.Abs(f-0.05) > 0.005 {
		t.Errorf("flagged fraction %g, asked for 0.05", f)
	}
	if res["flag_corr_equal"] != true || res["flag_row_ok"] != true || res["weight_spectrum_ok"] != true {
		t.Errorf("flag/weight consistency: %v", res)
	}
	if float64(tr.Flags.FlaggedSamples) != math.Round(num("flag_fraction")*float64(tr.Rows*c.NChan*2)) {
		t.Errorf("truth counts %d flagged samples, MS has fraction %g", tr.Flags.FlaggedSamples, num("flag_fraction"))
	}
}

// TestRun_NoiseMatchesSigma checks the noise statistics against the SIGMA column.
func TestRun_NoiseMatchesSigma(t *testing.T) {
	needCasacore(t)
	dir := t.TempDir()
	c := smallConfig(dir)
	c.FlagFrac = 0
	tr := mustRun(t, c)
	var raw map[string]any
	runPython(t, "check_ms.py", nil, &raw, c.MS)
	res := map[string]float64{}
	for k, v := range raw {
		if f, ok := v.(float64); ok {
			res[k] = f
		}
	}
	// 18060 rows x 8 channels x 2 correlations: the std of a unit normal is known to 0.4%.
	for _, k := range []string{"noise_std_re", "noise_std_im"} {
		if math.Abs(res[k]-1) > 0.01 {
			t.Errorf("%s = %.4f, want 1", k, res[k])
		}
	}
	if math.Abs(res["noise_xx_yy_corr"]) > 0.01 {
		t.Errorf("XX and YY noise correlate: %.4f", res["noise_xx_yy_corr"])
	}
	if res["weight_sigma_max_err"] > 1e-6 {
		t.Errorf("WEIGHT != 1/SIGMA^2 (max error %g)", res["weight_sigma_max_err"])
	}
	// sigma = SEFD / sqrt(2 dnu tau) for the median baseline, SEFD from Tsys = 100 K.
	sefd := SEFD(100, 12, ApertureEfficiency)
	if want := sefd / math.Sqrt(2*976562.5*6.048); math.Abs(tr.Noise.SigmaPerVisMedianJy/want-1) > 0.05 {
		t.Errorf("median sigma %.4f Jy, want about %.4f Jy (10%% SEFD scatter)", tr.Noise.SigmaPerVisMedianJy, want)
	}
	if math.Abs(sefd-3487.5) > 1 {
		t.Errorf("SEFD(100 K, 12 m, 0.70) = %.1f Jy, want 3487.5", sefd)
	}
}

// TestRun_Deterministic: the same seed gives identical files whatever the number of workers; a
// different seed changes the data.
func TestRun_Deterministic(t *testing.T) {
	var dirs []string
	for _, tc := range []struct {
		workers int
		seed    uint64
	}{{1, 5}, {3, 5}, {2, 6}} {
		dir := t.TempDir()
		c := smallConfig(dir)
		c.Workers, c.Seed = tc.workers, tc.seed
		c.DurationS = 5 * 6.048
		mustRun(t, c)
		dirs = append(dirs, c.MS)
	}
	files := []string{"table.dat", "table.f0", "table.f1", "table.f2", "table.f3", "ANTENNA/table.f0", "SPECTRAL_WINDOW/table.f0i"}
	for _, f := range files {
		a, err := os.ReadFile(filepath.Join(dirs[0], f))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dirs[1], f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 3 workers", f)
		}
	}
	ta, _ := os.ReadFile(TruthPath(dirs[0]))
	tb, _ := os.ReadFile(TruthPath(dirs[1]))
	if !bytes.Equal(ta, tb) {
		t.Errorf("truth differs between 1 and 3 workers")
	}
	a, _ := os.ReadFile(filepath.Join(dirs[0], "table.f2")) // DATA
	b, _ := os.ReadFile(filepath.Join(dirs[2], "table.f2"))
	if bytes.Equal(a, b) {
		t.Errorf("seeds 5 and 6 give the same DATA")
	}
}

func TestRun_RejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.NChan = 0 }, "nchan 0"},
		{func(c *Config) { c.DurationS = 1 }, "shorter than one integration"},
		{func(c *Config) { c.Array = "wide" }, `"wide"`},
		{func(c *Config) { c.Frame = "XYZ" }, `frequency frame "XYZ"`},
		{func(c *Config) { c.FlagFrac = 2 }, "flag fraction"},
		{func(c *Config) { c.WidthHz = 1e9; c.NChan = 500 }, "does not fit"},
	} {
		c := smallConfig(dir)
		tc.mut(&c)
		_, err := Run(context.Background(), c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sim.ms")); err == nil {
		t.Errorf("a rejected configuration left an MS behind")
	}
}

func TestRun_Cancelled(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(dir)
	ctx, cancel := context.WithCancel(context.Background())
	c.Progress = func(done, total int) { cancel() }
	if _, err := Run(ctx, c); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("cancelled run: error %v", err)
	}
	if _, err := os.Stat(c.MS); !os.IsNotExist(err) {
		t.Errorf("cancelled run left %s behind (%v)", c.MS, err)
	}
}
