package spectral

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// tenChannels returns ten 1 MHz LSRK data channels centred at 100..109 MHz (or 109..100 MHz).
func tenChannels(descending bool) Data {
	d := Data{Frame: LSRK}
	for i := 0; i < 10; i++ {
		f := 100e6 + float64(i)*1e6
		if descending {
			f = 109e6 - float64(i)*1e6
		}
		d.Freq = append(d.Freq, f)
		d.Width = append(d.Width, 1e6)
	}
	return d
}

func mustAxis(t *testing.T, spec Spec, data Data, ref Reference) *Axis {
	t.Helper()
	a, err := NewAxis(spec, data, ref)
	if err != nil {
		t.Fatalf("NewAxis(%+v): %v", spec, err)
	}
	return a
}

func checkFreqs(t *testing.T, name string, a *Axis, want []float64, width float64) {
	t.Helper()
	if len(a.Freq) != len(want) {
		t.Fatalf("%s: %d channels %v, want %d %v", name, len(a.Freq), a.Freq, len(want), want)
	}
	for i := range want {
		if math.Abs(a.Freq[i]-want[i]) > 1e-3 || math.Abs(a.Width[i]-width) > 1e-3 {
			t.Fatalf("%s: channel %d at %.3f Hz width %.3f, want %.3f width %.3f (all %v)", name, i, a.Freq[i], a.Width[i], want[i], width, a.Freq)
		}
	}
}

func mhz(v ...float64) []float64 {
	for i := range v {
		v[i] *= 1e6
	}
	return v
}

func TestNewAxis_ChannelMode(t *testing.T) {
	asc, desc := tenChannels(false), tenChannels(true)
	cases := []struct {
		name  string
		spec  Spec
		data  Data
		want  []float64
		width float64
	}{
		{"defaults", Spec{NChan: -1}, asc, mhz(100, 101, 102, 103, 104, 105, 106, 107, 108, 109), 1e6},
		{"start 2 width 3", Spec{Start: "2", Width: "3"}, asc, mhz(103, 106), 3e6},
		{"start 7 width -2", Spec{Start: "7", Width: "-2"}, asc, mhz(106.5, 104.5, 102.5, 100.5), 2e6},
		{"nchan beyond the data", Spec{NChan: 4, Start: "6", Width: "2"}, asc, mhz(106.5, 108.5, 110.5, 112.5), 2e6},
		{"descending defaults", Spec{}, desc, mhz(109, 108, 107, 106, 105, 104, 103, 102, 101, 100), 1e6},
		{"descending start 2 width 3", Spec{Start: "2", Width: "3"}, desc, mhz(106, 103), 3e6},
		{"descending start 9 width -4", Spec{Start: "9", Width: "-4"}, desc, mhz(101.5, 105.5), 4e6},
		{"width only", Spec{Width: "5"}, asc, mhz(102, 107), 5e6},
	}
	for _, c := range cases {
		a := mustAxis(t, c.spec, c.data, Reference{})
		checkFreqs(t, c.name, a, c.want, c.width)
		if a.Kind != KindChannel || a.Frame != LSRK || a.ToLSRK != 1 {
			t.Errorf("%s: kind %v frame %v toLSRK %g", c.name, a.Kind, a.Frame, a.ToLSRK)
		}
	}
}

func TestNewAxis_FrequencyMode(t *testing.T) {
	asc, desc := tenChannels(false), tenChannels(true)
	cases := []struct {
		name  string
		spec  Spec
		data  Data
		want  []float64
		width float64
	}{
		{"start width", Spec{Start: "103MHz", Width: "2MHz"}, asc, mhz(103, 105, 107), 2e6},
		{"negative width", Spec{Start: "103MHz", Width: "-2MHz"}, asc, mhz(103, 101), 2e6},
		{"start only: data width, increasing", Spec{Start: "103MHz"}, asc, mhz(103, 104, 105, 106, 107, 108, 109), 1e6},
		{"width only: from the low edge", Spec{Width: "2MHz"}, asc, mhz(100.5, 102.5, 104.5, 106.5, 108.5), 2e6},
		{"negative width only", Spec{Width: "-2MHz"}, asc, mhz(108.5, 106.5, 104.5, 102.5, 100.5), 2e6},
		{"nchan", Spec{NChan: 3, Start: "0.1045GHz", Width: "500kHz"}, asc, mhz(104.5, 105, 105.5), 0.5e6},
		{"descending data", Spec{Start: "103MHz", Width: "2MHz"}, desc, mhz(103, 105, 107), 2e6},
	}
	for _, c := range cases {
		a := mustAxis(t, c.spec, c.data, Reference{})
		checkFreqs(t, c.name, a, c.want, c.width)
	}
}

func TestNewAxis_VelocityMode(t *testing.T) {
	asc := tenChannels(false)
	// Radio: restfreq 105 MHz; 1 MHz is c/105 in radio velocity.
	dv := speedOfLight / 105
	a := mustAxis(t, Spec{Start: "0km/s", Width: formatMS(dv), RestFreq: "105MHz"}, asc, Reference{})
	checkFreqs(t, "radio start width", a, mhz(105, 104, 103, 102, 101, 100), 1e6)
	a = mustAxis(t, Spec{Start: formatMS(-2 * dv), Width: formatMS(-dv), RestFreq: "105MHz"}, asc, Reference{})
	checkFreqs(t, "radio negative width", a, mhz(107, 108, 109), 1e6)
	// Default width: one data channel, velocity increasing (frequency decreasing).
	a = mustAxis(t, Spec{Start: "0m/s", RestFreq: "105MHz", NChan: 3}, asc, Reference{})
	checkFreqs(t, "radio default width", a, mhz(105, 104, 103), 1e6)
	// Default start: anchored at the low-frequency edge, ordered by increasing velocity.
	a = mustAxis(t, Spec{Width: formatMS(2 * dv), RestFreq: "105MHz"}, asc, Reference{})
	checkFreqs(t, "radio default start", a, mhz(108.5, 106.5, 104.5, 102.5, 100.5), 2e6)

	// Optical: channel k at nu0/(1 + (v0 + k dv)/c).
	nu0, v0, dvo := 105e6, -1000e3, 5000e3
	a = mustAxis(t, Spec{Start: "-1000km/s", Width: "5000km/s", RestFreq: "105MHz", VelType: "optical"}, asc, Reference{})
	if a.Linear() {
		t.Error("optical axis reports linear")
	}
	wantN := int(math.Floor((speedOfLight*(nu0/99.5e6-1)-(v0-dvo/2))/dvo + 0.01))
	if a.NChan() != wantN {
		t.Fatalf("optical: %d channels, want %d", a.NChan(), wantN)
	}
	for k, f := range a.Freq {
		v := v0 + float64(k)*dvo
		want := nu0 / (1 + v/speedOfLight)
		wantW := nu0/(1+(v-dvo/2)/speedOfLight) - nu0/(1+(v+dvo/2)/speedOfLight)
		if math.Abs(f-want) > 1e-3 || math.Abs(a.Width[k]-wantW) > 1e-3 {
			t.Errorf("optical channel %d: %.3f Hz width %.3f, want %.3f width %.3f", k, f, a.Width[k], want, wantW)
		}
		if p := a.Pixel(f); math.Abs(p-float64(k)) > 1e-9 {
			t.Errorf("optical Pixel(channel %d) = %g", k, p)
		}
	}
	fa := a.FITS()
	if fa.CType != "VOPT" || fa.CUnit != "m/s" || fa.CRVal != v0 || fa.CDelt != dvo || fa.CRPix != 1 || fa.RestFreq != nu0 {
		t.Errorf("optical FITS %+v", fa)
	}
}

func formatMS(v float64) string { return strconv.FormatFloat(v, 'g', 17, 64) + "m/s" }

func TestNewAxis_Errors(t *testing.T) {
	asc := tenChannels(false)
	cases := []struct {
		spec Spec
		msg  string
	}{
		{Spec{Start: "5", Width: "1MHz"}, "same unit"},
		{Spec{Start: "1GHz", Width: "1km/s"}, "same unit"},
		{Spec{Start: "10km/s", Width: "1MHz"}, "same unit"},
		{Spec{Start: "0km/s"}, "rest frequency"},
		{Spec{Start: "12"}, "outside"},
		{Spec{Start: "-1"}, "outside"},
		{Spec{Start: "2", Width: "20"}, "no whole output channel"},
		{Spec{Start: "200MHz", Width: "1MHz"}, "no whole channel"},
		{Spec{Width: "20MHz"}, "wider than the data"},
		{Spec{Start: "x"}, "start"},
		{Spec{OutFrame: "LSRX"}, "outframe"},
		{Spec{VelType: "relativistic"}, "veltype"},
		{Spec{OutFrame: "TOPO"}, "observatory position"},
		// 1 m/s at a rest frequency of 1 Hz: 3e-9 Hz channels, equal in float64 (found by fuzzing).
		{Spec{NChan: 17, Width: "1m/s", RestFreq: "1"}, "narrower than"},
	}
	for _, c := range cases {
		if _, err := NewAxis(c.spec, asc, Reference{}); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("NewAxis(%+v) error %v, want one containing %q", c.spec, err, c.msg)
		}
	}
	bad := []Data{
		{},
		{Freq: []float64{1e9, 2e9}, Width: []float64{1}},
		{Freq: []float64{1e9, 1e9}, Width: []float64{1, 1}},
		{Freq: []float64{1e9, 2e9, 1.5e9}, Width: []float64{1, 1, 1}},
		{Freq: []float64{-1e9}, Width: []float64{1}},
		{Freq: []float64{math.NaN()}, Width: []float64{1}},
		{Freq: []float64{1e9}, Width: []float64{0}},
	}
	for _, d := range bad {
		if _, err := NewAxis(Spec{}, d, Reference{}); err == nil {
			t.Errorf("NewAxis with data %+v: want an error", d)
		}
	}
	// TOPO data onto an LSRK axis need a converter.
	topo := tenChannels(false)
	topo.Frame = TOPO
	if _, err := NewAxis(Spec{}, topo, Reference{}); err == nil || !strings.Contains(err.Error(), "observatory") {
		t.Errorf("TOPO data without converter: %v", err)
	}
}

func TestAxis_FITS(t *testing.T) {
	a := mustAxis(t, Spec{Start: "103MHz", Width: "2MHz", RestFreq: "104MHz"}, tenChannels(false), Reference{})
	got := a.FITS()
	want := FITSAxis{CType: "FREQ", CUnit: "Hz", CRVal: 103e6, CDelt: 2e6, CRPix: 1, RestFreq: 104e6, SpecSys: "LSRK"}
	if got != want {
		t.Errorf("FITS() = %+v, want %+v", got, want)
	}
	// Without restfreq: the centre of the data.
	a = mustAxis(t, Spec{}, tenChannels(false), Reference{})
	if a.RestFreq != 104.5e6 {
		t.Errorf("default rest frequency %g, want 104.5 MHz", a.RestFreq)
	}
	// Reconstruct every channel from the header: CRVAL + (k+1-CRPIX)*CDELT.
	f := a.FITS()
	for k, nu := range a.Freq {
		if v := f.CRVal + (float64(k)+1-f.CRPix)*f.CDelt; math.Abs(v-nu) > 1e-6 {
			t.Errorf("channel %d: header gives %g, axis %g", k, v, nu)
		}
	}
}

func TestFracBW_ReferenceJob(t *testing.T) {
	// ALGORITHMS.md: 1000 channels of 0.2441382 MHz from 268.5 GHz give fracBW = 9.07945e-4.
	var data Data
	data.Frame = LSRK
	for i := 0; i < 1000; i++ {
		data.Freq = append(data.Freq, 268.5e9+float64(i)*0.2441382e6)
		data.Width = append(data.Width, 0.2441382e6)
	}
	a := mustAxis(t, Spec{Start: "268.5GHz", Width: "0.2441382MHz", NChan: 1000}, data, Reference{})
	if got := a.FracBW(); math.Abs(got-9.07945e-4) > 5e-10 {
		t.Errorf("FracBW = %.6e, want 9.07945e-4", got)
	}
	if got := FracBW(100, 100); got != 0 {
		t.Errorf("FracBW of one channel = %g", got)
	}
	if got := FracBW(3, 1); got != 1 {
		t.Errorf("FracBW(3, 1) = %g, want 1", got)
	}
}

// TOPO data onto an LSRK axis: channels are the data channels converted at the reference time; a
// TOPO axis keeps the TOPO frequencies and records the conversion to LSRK.
func TestNewAxis_FrameConversionAtReference(t *testing.T) {
	conv, err := NewConverter(testSites["ALMA"])
	if err != nil {
		t.Fatal(err)
	}
	ref := Reference{Conv: conv, Dir: Direction{Lon: 1.2, Lat: -0.4}, Time: 58503.8 * secondsPerDay}
	data := tenChannels(false)
	data.Frame = TOPO
	k, err := conv.Factor(TOPO, LSRK, ref.Dir, ref.Time)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(k-1) < 1e-5 {
		t.Fatalf("TOPO->LSRK factor %g is implausibly close to 1", k)
	}
	a := mustAxis(t, Spec{Start: "1", Width: "2"}, data, ref)
	checkFreqs(t, "LSRK from TOPO", a, []float64{101.5e6 * k, 103.5e6 * k, 105.5e6 * k, 107.5e6 * k}, 2e6*k)
	if a.ToLSRK != 1 || a.Frame != LSRK {
		t.Errorf("LSRK axis: frame %v ToLSRK %g", a.Frame, a.ToLSRK)
	}
	a = mustAxis(t, Spec{Start: "1", Width: "2", OutFrame: "topo"}, data, ref)
	checkFreqs(t, "TOPO axis", a, mhz(101.5, 103.5, 105.5, 107.5), 2e6)
	if a.Frame != TOPO || a.ToLSRK != k || a.FITS().SpecSys != "TOPOCENT" {
		t.Errorf("TOPO axis: frame %v ToLSRK %g (want %g) SPECSYS %s", a.Frame, a.ToLSRK, k, a.FITS().SpecSys)
	}
	// REST data: no conversion, a REST axis.
	rest := tenChannels(false)
	rest.Frame = REST
	a = mustAxis(t, Spec{}, rest, Reference{})
	if a.Frame != REST || a.Freq[0] != 100e6 {
		t.Errorf("REST data: frame %v first %g", a.Frame, a.Freq[0])
	}
}

// FuzzNewAxis: any start/width/restfreq/veltype strings give an axis whose channels are finite,
// positive and consistent with Pixel, or an error; never a panic or an unbounded allocation.
func FuzzNewAxis(f *testing.F) {
	f.Add("", "", "", "", -1)
	f.Add("5", "-2", "", "radio", -1)
	f.Add("230.5GHz", "976.5625kHz", "", "", 10)
	f.Add("-10km/s", "0.5km/s", "230.538GHz", "optical", 0)
	f.Add("1Hz", "1Hz", "", "", 0)
	f.Add("0km/s", "-299792km/s", "1GHz", "optical", 3)
	data := lineData(true)
	data.Frame = LSRK
	f.Fuzz(func(t *testing.T, start, width, rest, vel string, nchan int) {
		a, err := NewAxis(Spec{NChan: nchan, Start: start, Width: width, RestFreq: rest, VelType: vel}, data, Reference{})
		if err != nil {
			return
		}
		if a.NChan() < 1 || a.NChan() > MaxChannels || len(a.Width) != a.NChan() {
			t.Fatalf("%d channels, %d widths", a.NChan(), len(a.Width))
		}
		for k, nu := range a.Freq {
			if !(nu > 0) || math.IsInf(nu, 0) || !(a.Width[k] > 0) || math.IsInf(a.Width[k], 0) {
				t.Fatalf("channel %d: %g Hz, width %g", k, nu, a.Width[k])
			}
		}
		if k := a.NChan() / 2; math.Abs(a.Pixel(a.Freq[k])-float64(k)) > 1e-6*float64(a.NChan()) {
			t.Fatalf("Pixel(Freq[%d]) = %g", k, a.Pixel(a.Freq[k]))
		}
		out, err := NewMapper(a, Linear).Map(nil, data.Freq)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out {
			if c.Out < 0 || c.Out >= a.NChan() || c.Lo < 0 || c.Hi >= len(data.Freq) {
				t.Fatalf("contribution %+v out of range", c)
			}
		}
	})
}
