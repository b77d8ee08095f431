package spectral

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func mustMap(t *testing.T, a *Axis, interp Interpolation, freqs []float64) []Contribution {
	t.Helper()
	out, err := NewMapper(a, interp).Map(nil, freqs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameContribs(t *testing.T, name string, got, want []Contribution) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d contributions %+v, want %d %+v", name, len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Out != w.Out || g.Lo != w.Lo || g.Hi != w.Hi || math.Abs(g.WLo-w.WLo) > 1e-12 ||
			math.Abs(g.WHi-w.WHi) > 1e-12 || math.Abs(g.Freq-w.Freq) > 1e-6 {
			t.Errorf("%s: contribution %d = %+v, want %+v", name, i, g, w)
		}
	}
}

// Hand-computed cases of tclean's linear rule on ten 1 MHz data channels at 100..109 MHz.
func TestMapper_LinearHandComputed(t *testing.T) {
	asc, desc := tenChannels(false), tenChannels(true)
	axis := func(spec Spec) *Axis { return mustAxis(t, spec, asc, Reference{}) }

	// r = 3, aligned: sub-samples at 103, 104, 105 MHz are data channels 3, 4, 5 exactly.
	a := axis(Spec{NChan: 1, Start: "104MHz", Width: "3MHz"})
	// A single output channel falls back to nearest: data 103..105 MHz (pixels -0.33..0.33).
	sameContribs(t, "single output channel", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 3, 3, 1, 0, 103e6}, {0, 4, 4, 1, 0, 104e6}, {0, 5, 5, 1, 0, 105e6}})
	a = axis(Spec{NChan: 2, Start: "104MHz", Width: "3MHz"})
	sameContribs(t, "r=3 aligned", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 3, 3, 1, 0, 103e6}, {0, 4, 4, 1, 0, 104e6}, {0, 5, 5, 1, 0, 105e6},
		{1, 6, 6, 1, 0, 106e6}, {1, 7, 7, 1, 0, 107e6}, {1, 8, 8, 1, 0, 108e6}})

	// r = 3, half a data channel off: each sub-sample halfway between two data channels.
	a = axis(Spec{NChan: 2, Start: "104.5MHz", Width: "3MHz"})
	sameContribs(t, "r=3 offset", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 3, 4, 0.5, 0.5, 103.5e6}, {0, 4, 5, 0.5, 0.5, 104.5e6}, {0, 5, 6, 0.5, 0.5, 105.5e6},
		{1, 6, 7, 0.5, 0.5, 106.5e6}, {1, 7, 8, 0.5, 0.5, 107.5e6}, {1, 8, 9, 0.5, 0.5, 108.5e6}})

	// r = 2.5: floor(r) = 2 sub-samples of 1.25 MHz centred in the 2.5 MHz channel at 104 MHz:
	// 104 - 1.25 + 0.625 = 103.375 MHz and 104.625 MHz.
	a = axis(Spec{NChan: 2, Start: "104MHz", Width: "2.5MHz"})
	sameContribs(t, "r=2.5", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 3, 4, 0.625, 0.375, 103.375e6}, {0, 4, 5, 0.375, 0.625, 104.625e6},
		{1, 5, 6, 0.125, 0.875, 105.875e6}, {1, 7, 8, 0.875, 0.125, 107.125e6}})

	// r = 0.5: one sample at each channel centre, V = V_j + (V_j+1 - V_j)(nu - nu_j)/(nu_j+1 - nu_j).
	a = axis(Spec{NChan: 3, Start: "104.25MHz", Width: "0.5MHz"})
	sameContribs(t, "r=0.5", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 4, 5, 0.75, 0.25, 104.25e6}, {1, 4, 5, 0.25, 0.75, 104.75e6}, {2, 5, 6, 0.75, 0.25, 105.25e6}})

	// The same offset case with descending data channels: indices count from 109 MHz.
	a = axis(Spec{NChan: 2, Start: "104.5MHz", Width: "3MHz"})
	sameContribs(t, "r=3 offset, descending data", mustMap(t, a, Linear, desc.Freq), []Contribution{
		{0, 5, 6, 0.5, 0.5, 103.5e6}, {0, 4, 5, 0.5, 0.5, 104.5e6}, {0, 3, 4, 0.5, 0.5, 105.5e6},
		{1, 2, 3, 0.5, 0.5, 106.5e6}, {1, 1, 2, 0.5, 0.5, 107.5e6}, {1, 0, 1, 0.5, 0.5, 108.5e6}})

	// Descending output axis: sub-samples follow the axis order (high to low frequency).
	a = axis(Spec{NChan: 2, Start: "107.5MHz", Width: "-3MHz"})
	sameContribs(t, "descending axis", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 8, 9, 0.5, 0.5, 108.5e6}, {0, 7, 8, 0.5, 0.5, 107.5e6}, {0, 6, 7, 0.5, 0.5, 106.5e6},
		{1, 5, 6, 0.5, 0.5, 105.5e6}, {1, 4, 5, 0.5, 0.5, 104.5e6}, {1, 3, 4, 0.5, 0.5, 103.5e6}})

	// Edges: sub-samples outside 100..109 MHz are dropped (tclean flags them).
	a = axis(Spec{NChan: 4, Start: "100MHz", Width: "3MHz"})
	sameContribs(t, "edges", mustMap(t, a, Linear, asc.Freq), []Contribution{
		{0, 0, 0, 1, 0, 100e6}, {0, 1, 1, 1, 0, 101e6},
		{1, 2, 2, 1, 0, 102e6}, {1, 3, 3, 1, 0, 103e6}, {1, 4, 4, 1, 0, 104e6},
		{2, 5, 5, 1, 0, 105e6}, {2, 6, 6, 1, 0, 106e6}, {2, 7, 7, 1, 0, 107e6},
		{3, 8, 8, 1, 0, 108e6}, {3, 9, 9, 1, 0, 109e6}})
}

func TestMapper_Nearest(t *testing.T) {
	asc := tenChannels(false)
	// 3 MHz channels at 101, 104, 107 MHz: data 100-102 -> 0, 103-105 -> 1, 106-108 -> 2; 109 MHz
	// (pixel 2.67) rounds to channel 3, which does not exist.
	a := mustAxis(t, Spec{NChan: 3, Start: "101MHz", Width: "3MHz"}, asc, Reference{})
	var want []Contribution
	for j := 0; j < 9; j++ {
		want = append(want, Contribution{j / 3, j, j, 1, 0, asc.Freq[j]})
	}
	sameContribs(t, "nearest r=3", mustMap(t, a, Nearest, asc.Freq), want)

	// Output channels narrower than the data: only channels holding a data frequency get one.
	a = mustAxis(t, Spec{NChan: 4, Start: "104MHz", Width: "0.5MHz"}, asc, Reference{})
	sameContribs(t, "nearest r=0.5", mustMap(t, a, Nearest, asc.Freq), []Contribution{
		{0, 4, 4, 1, 0, 104e6}, {2, 5, 5, 1, 0, 105e6}})

	// Linear with a single data channel falls back to nearest.
	sameContribs(t, "one data channel", mustMap(t, a, Linear, []float64{104.6e6}), []Contribution{{1, 0, 0, 1, 0, 104.6e6}})
}

func TestMapper_Errors(t *testing.T) {
	a := mustAxis(t, Spec{}, tenChannels(false), Reference{})
	if _, err := NewMapper(a, Linear).Map(nil, []float64{1e8, 1.02e8, 1.01e8}); err == nil {
		t.Error("non-monotonic row channels: want an error")
	}
	if out, err := NewMapper(a, Linear).Map(nil, nil); err != nil || len(out) != 0 {
		t.Errorf("empty row: %v %v", out, err)
	}
	for _, s := range []string{"cubic", "spline"} {
		if _, err := ParseInterpolation(s); err == nil {
			t.Errorf("ParseInterpolation(%q): want an error", s)
		}
	}
	if m, err := ParseInterpolation(""); err != nil || m != Linear {
		t.Errorf("default interpolation %v %v, want linear", m, err)
	}
}

// Contributions of every data channel to an output channel sum to the output channel's share: a
// linear-rule row whose data are all 1 gives exactly 1 in every sample.
func TestMapper_WeightsSumToOne(t *testing.T) {
	var data Data
	data.Frame = LSRK
	for i := 0; i < 300; i++ {
		data.Freq = append(data.Freq, 230e9+float64(i)*488281.25)
		data.Width = append(data.Width, 488281.25)
	}
	for _, w := range []string{"0.3MHz", "1MHz", "1.7MHz", "-2.2MHz"} {
		a := mustAxis(t, Spec{Width: w}, data, Reference{})
		shifted := make([]float64, len(data.Freq))
		for i, f := range data.Freq {
			shifted[i] = f * (1 + 3.1e-5)
		}
		out := mustMap(t, a, Linear, shifted)
		if len(out) == 0 {
			t.Fatalf("width %s: no contributions", w)
		}
		for _, c := range out {
			if math.Abs(c.WLo+c.WHi-1) > 1e-12 || c.WLo < 0 || c.WHi < 0 || c.Out < 0 || c.Out >= a.NChan() {
				t.Fatalf("width %s: bad contribution %+v", w, c)
			}
			// The sample frequency lies between its data channels.
			lo, hi := shifted[c.Lo], shifted[c.Hi]
			if c.Freq < math.Min(lo, hi)-1e-3 || c.Freq > math.Max(lo, hi)+1e-3 {
				t.Fatalf("width %s: sample at %g outside its channels %g, %g", w, c.Freq, lo, hi)
			}
			// And inside its output channel.
			if math.Abs(c.Freq-a.Freq[c.Out]) > a.Width[c.Out]/2+1e-3 {
				t.Fatalf("width %s: sample at %g outside output channel %d (%g +- %g)", w, c.Freq, c.Out, a.Freq[c.Out], a.Width[c.Out]/2)
			}
		}
	}
}

func TestMapCache(t *testing.T) {
	asc := tenChannels(false)
	a := mustAxis(t, Spec{NChan: 2, Start: "104.5MHz", Width: "3MHz"}, asc, Reference{})
	m := NewMapper(a, Linear)
	c := NewMapCache(m)
	for _, factor := range []float64{1, 1.001, 1} {
		got, err := c.Map(0, asc.Freq, factor)
		if err != nil {
			t.Fatal(err)
		}
		freqs := make([]float64, len(asc.Freq))
		for i, f := range asc.Freq {
			freqs[i] = f * factor
		}
		sameContribs(t, "cached", got, mustMap(t, a, Linear, freqs))
	}
	if len(c.entries) != 2 {
		t.Errorf("%d cache entries, want 2", len(c.entries))
	}
	if _, err := c.Map(1, []float64{1e8, 1e8}, 1); err == nil {
		t.Error("repeated channel frequencies: want an error")
	}
}

// bruteLinear is Map's linear rule written as every sub-sample of every output channel, with
// no shortcut: the reference for channels much wider than the data's.
func bruteLinear(a *Axis, freqs []float64) []Contribution {
	fmin, fmax := math.Min(freqs[0], freqs[len(freqs)-1]), math.Max(freqs[0], freqs[len(freqs)-1])
	nsub := max(1, int(math.Floor(math.Abs(a.Freq[1]-a.Freq[0])/math.Abs(freqs[1]-freqs[0]))))
	var out []Contribution
	for k := range a.Freq {
		w := a.Width[k]
		lowEdge, dir := a.Freq[k]-w/2, 1.0
		if !a.ascending {
			lowEdge, dir = a.Freq[k]+w/2, -1.0
		}
		for i := 0; i < nsub; i++ {
			f := lowEdge + dir*(float64(i)+0.5)*w/float64(nsub)
			if nsub == 1 {
				f = a.Freq[k]
			}
			out = appendSample(out, k, f, freqs, fmin, fmax)
		}
	}
	return out
}

// Output channels 10 to 100000 times wider than the data's, partly or wholly beyond the data,
// ascending and descending: Map visits only the sub-samples inside the data and gives exactly
// the full loop's contributions. (A 2 PHz channel over 1 MHz data channels, found by fuzzing,
// took 29 s when every sub-sample was visited.)
func TestMapper_WideChannelsMatchFullLoop(t *testing.T) {
	for _, desc := range []bool{false, true} {
		data := tenChannels(desc)
		for _, spec := range []Spec{
			{NChan: 3, Start: "104MHz", Width: "10MHz"},
			{NChan: 2, Start: "99MHz", Width: "7.3MHz"},
			{NChan: 2, Start: "150MHz", Width: "-100MHz"},
			{NChan: 2, Start: "50GHz", Width: "100GHz"},
		} {
			a := mustAxis(t, spec, data, Reference{})
			got := mustMap(t, a, Linear, data.Freq)
			sameContribs(t, fmt.Sprintf("%+v desc=%v", spec, desc), got, bruteLinear(a, data.Freq))
		}
	}
	a := mustAxis(t, Spec{NChan: 2, Width: "2000000070000000Hz"}, tenChannels(false), Reference{})
	start := time.Now()
	mustMap(t, a, Linear, tenChannels(false).Freq)
	if d := time.Since(start); d > time.Second {
		t.Errorf("a 2 PHz output channel took %v to map", d)
	}
}
