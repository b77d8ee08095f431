package vis_test

import (
	"context"
	"math"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/ms"
	"github.com/cubeimg/cubeimg/vis/uvfits"
)

// sample is one row of a data set, keyed by baseline and time.
type sample struct {
	uvw    [3]float64
	data   []complex64
	flag   []bool
	wspec  []float32
	weight []float32
}

type rowKey struct {
	a1, a2 int32
	t      int64 // time in units of 10 ms
}

func readAll(t *testing.T, r vis.Reader) map[rowKey]sample {
	t.Helper()
	out := map[rowKey]sample{}
	var c vis.Chunk
	for row0 := 0; row0 < r.NumRows(); row0 += 50 {
		n := min(50, r.NumRows()-row0)
		if err := r.ReadRows(context.Background(), row0, n, &c); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			k := rowKey{c.Ant1[i], c.Ant2[i], int64(math.Round(c.Time[i] * 100))}
			if _, dup := out[k]; dup {
				t.Fatalf("duplicate row %+v", k)
			}
			s, e := c.Start[i], c.Start[i+1]
			out[k] = sample{
				uvw:    [3]float64{c.UVW[3*i], c.UVW[3*i+1], c.UVW[3*i+2]},
				data:   append([]complex64(nil), c.Data[s:e]...),
				flag:   append([]bool(nil), c.Flag[s:e]...),
				wspec:  append([]float32(nil), c.WeightSpectrum[s:e]...),
				weight: append([]float32(nil), c.Weight[c.WStart[i]:c.WStart[i+1]]...),
			}
		}
	}
	return out
}

// TestPaperMSMatchesUVFITS reads the same PAPER observation as a MeasurementSet and as UVFITS
// (CASA importuvfits made the MS from the UVFITS) and checks that they agree sample for
// sample: visibilities bit for bit, flags, per-channel weights, UVW (metres), antennas and
// times, and the channel frequencies.
func TestPaperMSMatchesUVFITS(t *testing.T) {
	msPath := shareddata.Path(t, "data/real/paper_2014_ms_uvfits/zen.2456865.60537.xy.uvcRREAAM.ms")
	fitsPath := shareddata.Path(t, "data/real/paper_2014_ms_uvfits/zen.2456865.60537.xy.uvcRREAAM.uvfits")
	m, err := ms.Open(msPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	u, err := uvfits.Open(fitsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if m.NumRows() != u.NumRows() {
		t.Fatalf("MS has %d rows, UVFITS %d", m.NumRows(), u.NumRows())
	}
	mf, uf := m.Meta().SpectralWindows[0].ChanFreq, u.Meta().SpectralWindows[0].ChanFreq
	if len(mf) != len(uf) {
		t.Fatalf("MS has %d channels, UVFITS %d", len(mf), len(uf))
	}
	for k := range mf {
		if math.Abs(mf[k]-uf[k]) > 1e-6*mf[k] {
			t.Errorf("channel %d: MS %v Hz, UVFITS %v Hz", k, mf[k], uf[k])
		}
	}
	if a, b := m.Meta().Polarizations[0].CorrType, u.Meta().Polarizations[0].CorrType; len(a) != 1 || len(b) != 1 || a[0] != b[0] {
		t.Errorf("correlations: MS %v, UVFITS %v", a, b)
	}
	ms, uv := readAll(t, m), readAll(t, u)
	if len(ms) != len(uv) {
		t.Fatalf("%d distinct rows in the MS, %d in the UVFITS", len(ms), len(uv))
	}
	compared := 0
	for k, a := range ms {
		b, ok := uv[k]
		if !ok {
			t.Fatalf("MS row %+v has no UVFITS counterpart", k)
		}
		for q := range 3 {
			if d := math.Abs(a.uvw[q] - b.uvw[q]); d > 1e-6*math.Max(1, math.Abs(a.uvw[q])) {
				t.Errorf("%+v uvw[%d]: MS %v m, UVFITS %v m", k, q, a.uvw[q], b.uvw[q])
			}
		}
		if len(a.data) != len(b.data) {
			t.Fatalf("%+v: %d samples vs %d", k, len(a.data), len(b.data))
		}
		for j := range a.data {
			if a.data[j] != b.data[j] || a.flag[j] != b.flag[j] || a.wspec[j] != b.wspec[j] {
				t.Errorf("%+v sample %d: MS %v flag %v weight %v, UVFITS %v flag %v weight %v", k, j, a.data[j], a.flag[j], a.wspec[j], b.data[j], b.flag[j], b.wspec[j])
			}
			compared++
		}
		if math.Abs(float64(a.weight[0]-b.weight[0])) > 1e-5*float64(a.weight[0]) {
			t.Errorf("%+v WEIGHT: MS %v, UVFITS sum of channel weights %v", k, a.weight[0], b.weight[0])
		}
	}
	if compared != 285*11 {
		t.Errorf("compared %d samples, want %d", compared, 285*11)
	}
}
