package spectral

import (
	"testing"
)

// Benchmarks of the per-row work. Figures are reported as ratios against BenchmarkStokesIRow, the
// minimum the spool does for every row anyway (Stokes I of 3840 channels x 2 correlations).

const benchDataChans = 3840

func benchData() Data {
	d := Data{Frame: TOPO}
	for i := 0; i < benchDataChans; i++ {
		d.Freq = append(d.Freq, 230.0e9+float64(i)*122070.3125)
		d.Width = append(d.Width, 122070.3125)
	}
	return d
}

// BenchmarkStokesIRow is the baseline: (XX+YY)/2 and the weight sum over one row.
func BenchmarkStokesIRow(b *testing.B) {
	vis := make([]complex64, 2*benchDataChans)
	wt := make([]float32, 2*benchDataChans)
	for i := range vis {
		vis[i] = complex(float32(i), 1)
		wt[i] = 1
	}
	out := make([]complex64, benchDataChans)
	outW := make([]float32, benchDataChans)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for c := 0; c < benchDataChans; c++ {
			out[c] = (vis[2*c] + vis[2*c+1]) * 0.5
			outW[c] = wt[2*c] + wt[2*c+1]
		}
	}
}

func BenchmarkConverter_TOPOToLSRK(b *testing.B) {
	conv, err := NewConverter(testSites["ALMA"])
	if err != nil {
		b.Fatal(err)
	}
	dir := Direction{Lon: 1.2, Lat: -0.4}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := conv.ToLSRK(TOPO, dir, 5.0e9+float64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowFactors_SameTime: every row of a timestamp after the first is a cache hit.
func BenchmarkRowFactors_SameTime(b *testing.B) {
	conv, err := NewConverter(testSites["ALMA"])
	if err != nil {
		b.Fatal(err)
	}
	dir := Direction{Lon: 1.2, Lat: -0.4}
	a, err := NewAxis(Spec{}, benchData(), Reference{Conv: conv, Dir: dir, Time: 5e9})
	if err != nil {
		b.Fatal(err)
	}
	rf := NewRowFactors(conv, a, []Direction{dir})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rf.Factor(TOPO, 5e9+float64(i/1000), 0); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMap(b *testing.B, width string, interp Interpolation) {
	conv, err := NewConverter(testSites["ALMA"])
	if err != nil {
		b.Fatal(err)
	}
	dir := Direction{Lon: 1.2, Lat: -0.4}
	data := benchData()
	a, err := NewAxis(Spec{Width: width}, data, Reference{Conv: conv, Dir: dir, Time: 5e9})
	if err != nil {
		b.Fatal(err)
	}
	m := NewMapper(a, interp)
	k, _ := conv.ToLSRK(TOPO, dir, 5e9+3600)
	freqs := make([]float64, len(data.Freq))
	for i, f := range data.Freq {
		freqs[i] = k * f
	}
	var buf []Contribution
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if buf, err = m.Map(buf[:0], freqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "samples/row")
}

// 3840 data channels onto output channels 1, 2.5 and 4 data channels wide.
func BenchmarkMapper_Linear_r1(b *testing.B)   { benchMap(b, "122.0703125kHz", Linear) }
func BenchmarkMapper_Linear_r2_5(b *testing.B) { benchMap(b, "305.17578125kHz", Linear) }
func BenchmarkMapper_Linear_r4(b *testing.B)   { benchMap(b, "488.28125kHz", Linear) }
func BenchmarkMapper_Nearest_r4(b *testing.B)  { benchMap(b, "488.28125kHz", Nearest) }

// BenchmarkMapCache_SameTime: rows of one timestamp (1000 baselines) share one Map.
func BenchmarkMapCache_SameTime(b *testing.B) {
	data := benchData()
	data.Frame = LSRK
	a, err := NewAxis(Spec{Width: "305.17578125kHz"}, data, Reference{})
	if err != nil {
		b.Fatal(err)
	}
	c := NewMapCache(NewMapper(a, Linear))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Map(0, data.Freq, 1+float64(i/1000)*1e-9); err != nil {
			b.Fatal(err)
		}
	}
}
