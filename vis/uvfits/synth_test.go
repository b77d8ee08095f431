package uvfits

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/vis"
)

// fitsHeader renders cards into whole header blocks.
func fitsHeader(cards ...string) []byte {
	var b bytes.Buffer
	for _, c := range append(cards, "END") {
		b.WriteString(fmt.Sprintf("%-80s", c))
	}
	for b.Len()%blockSize != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

func card(key string, v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%-8s= '%-8s'", key, x)
	case bool:
		t := "F"
		if x {
			t = "T"
		}
		return fmt.Sprintf("%-8s= %20s", key, t)
	case int:
		return fmt.Sprintf("%-8s= %20d", key, x)
	default:
		return fmt.Sprintf("%-8s= %20.12E", key, v)
	}
}

func pad(b []byte) []byte {
	for len(b)%blockSize != 0 {
		b = append(b, 0)
	}
	return b
}

// synthFile builds a UVFITS file: 2 IFs x 3 channels x 2 Stokes (RR, LL), BITPIX 16 scaled
// data, ANTENNA1/ANTENNA2 parameters, a two-part date, an FQ table, no AN table.
func synthFile() ([]byte, [][]float64) {
	const nstk, nfreq, nif, ngroup = 2, 3, 2, 3
	h := fitsHeader(
		card("SIMPLE", true), card("BITPIX", 16), card("NAXIS", 6), card("NAXIS1", 0),
		card("NAXIS2", 3), card("NAXIS3", nstk), card("NAXIS4", nfreq), card("NAXIS5", nif),
		card("NAXIS6", 1), card("GROUPS", true), card("PCOUNT", 6), card("GCOUNT", ngroup),
		card("BSCALE", 0.01), card("BZERO", 0.0), card("OBJECT", "SRC"), card("TELESCOP", "TEST"),
		card("CTYPE2", "COMPLEX"), card("CRVAL2", 1.0), card("CTYPE3", "STOKES"), card("CRVAL3", -1.0),
		card("CDELT3", -1.0), card("CRPIX3", 1.0), card("CTYPE4", "FREQ"), card("CRVAL4", 1.4e9),
		card("CDELT4", 1e6), card("CRPIX4", 2.0), card("CTYPE5", "IF"), card("CRVAL5", 1.0),
		card("CTYPE6", "RA"), card("CRVAL6", 180.0),
		card("PTYPE1", "UU---SIN"), card("PSCAL1", 1e-9), card("PZERO1", 0.0),
		card("PTYPE2", "VV---SIN"), card("PSCAL2", 1e-9), card("PZERO2", 0.0),
		card("PTYPE3", "WW---SIN"), card("PSCAL3", 1e-9), card("PZERO3", 0.0),
		card("PTYPE4", "ANTENNA1"), card("PTYPE5", "ANTENNA2"),
		card("PTYPE6", "DATE"), card("PZERO6", 2450000.5),
	)
	// Each group: 6 parameters, then complex(3) x stokes(2) x freq(3) x if(2) int16 values.
	var data []byte
	var want [][]float64 // per group: params then data (scaled)
	be := binary.BigEndian
	for g := 0; g < ngroup; g++ {
		params := []int16{int16(100 + g), int16(-50), int16(7), int16(g + 1), int16(g + 300), int16(0)}
		var vals []float64
		for _, p := range params {
			data = be.AppendUint16(data, uint16(p))
		}
		vals = append(vals, float64(params[0])*1e-9, -50e-9, 7e-9, float64(g+1), float64(g+300), 2450000.5)
		for k := 0; k < nif; k++ {
			for c := 0; c < nfreq; c++ {
				for s := 0; s < nstk; s++ {
					re := int16(g*100 + k*10 + c*2 + s)
					im := int16(-re)
					w := int16(100 + s)
					if g == 1 && c == 2 {
						w = -5 // flagged
					}
					for _, v := range []int16{re, im, w} {
						data = be.AppendUint16(data, uint16(v))
						vals = append(vals, float64(v)*0.01)
					}
				}
			}
		}
		want = append(want, vals)
	}
	fq := fitsHeader(
		card("XTENSION", "BINTABLE"), card("BITPIX", 8), card("NAXIS", 2), card("NAXIS1", 4+16+8),
		card("NAXIS2", 1), card("PCOUNT", 0), card("GCOUNT", 1), card("TFIELDS", 3),
		card("EXTNAME", "AIPS FQ"), card("TTYPE1", "FRQSEL"), card("TFORM1", "1J"),
		card("TTYPE2", "IF FREQ"), card("TFORM2", "2D"), card("TTYPE3", "CH WIDTH"), card("TFORM3", "2E"),
	)
	var row []byte
	row = be.AppendUint32(row, 1)
	row = be.AppendUint64(row, math.Float64bits(0))
	row = be.AppendUint64(row, math.Float64bits(128e6))
	row = be.AppendUint32(row, math.Float32bits(1e6))
	row = be.AppendUint32(row, math.Float32bits(1e6))
	file := append(append(h, pad(data)...), fq...)
	file = append(file, pad(row)...)
	return file, want
}

func TestSynthetic_ScaledIntsAntennaParamsIFs(t *testing.T) {
	file, want := synthFile()
	u, err := NewReader(bytes.NewReader(file), int64(len(file)), "synth.uvfits")
	if err != nil {
		t.Fatal(err)
	}
	m := u.Meta()
	if len(m.SpectralWindows) != 2 || m.SpectralWindows[1].ChanFreq[0] != 1.4e9-1e6+128e6 || m.SpectralWindows[0].ChanFreq[2] != 1.4e9+1e6 {
		t.Fatalf("spectral windows %+v", m.SpectralWindows)
	}
	if fmt.Sprint(m.Polarizations[0].CorrType) != "[5 8]" {
		t.Errorf("correlations %v, want [5 8] (RR LL)", m.Polarizations[0].CorrType)
	}
	if len(m.Antennas) != 0 || m.Fields[0].Name != "SRC" || math.Abs(m.Fields[0].PhaseDir[0]-math.Pi) > 1e-12 {
		t.Errorf("antennas %v field %+v", m.Antennas, m.Fields[0])
	}
	if u.NumRows() != 6 {
		t.Fatalf("%d rows, want 6", u.NumRows())
	}
	var c vis.Chunk
	// Odd chunk boundaries split groups between their IFs.
	for _, ch := range [][2]int{{0, 1}, {1, 2}, {3, 3}} {
		if err := u.ReadRows(context.Background(), ch[0], ch[1], &c); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < ch[1]; i++ {
			row := ch[0] + i
			g, k := row/2, row%2
			w := want[g]
			if c.DataDescID[i] != int32(k) || c.Ant1[i] != int32(g) || c.Ant2[i] != int32(g+299) {
				t.Errorf("row %d: ddid %d antennas %d-%d", row, c.DataDescID[i], c.Ant1[i], c.Ant2[i])
			}
			if math.Abs(c.UVW[3*i]-w[0]*speedOfLight) > 1e-6 || math.Abs(c.UVW[3*i+1]+50e-9*speedOfLight) > 1e-6 {
				t.Errorf("row %d: uvw %v", row, c.UVW[3*i:3*i+3])
			}
			if math.Abs(c.Time[i]-(2450000.5-2400000.5)*86400) > 1e-3 {
				t.Errorf("row %d: time %v", row, c.Time[i])
			}
			for ch := 0; ch < 3; ch++ {
				for s := 0; s < 2; s++ {
					base := 6 + 3*(s+2*(ch+3*k))
					j := c.Start[i] + ch*2 + s
					if got := complex128(c.Data[j]); math.Abs(real(got)-w[base]) > 1e-6 || math.Abs(imag(got)-w[base+1]) > 1e-6 {
						t.Errorf("row %d ch %d stokes %d: %v, want %v%+vi", row, ch, s, got, w[base], w[base+1])
					}
					if c.Flag[j] != (w[base+2] <= 0) || math.Abs(float64(c.WeightSpectrum[j])-math.Abs(w[base+2])) > 1e-6 {
						t.Errorf("row %d ch %d stokes %d: flag %v weight %v, want weight %v", row, ch, s, c.Flag[j], c.WeightSpectrum[j], w[base+2])
					}
				}
			}
		}
	}
}

func TestSynthetic_BaselineEncodings(t *testing.T) {
	u := &File{iBaseline: 0, params: []param{{scale: 1}}}
	for _, tc := range []struct {
		b      float64
		a1, a2 int
	}{{258, 0, 1}, {263.01, 0, 6}, {65536 + 2048*300 + 5, 299, 4}} {
		a1, a2, err := u.antennas(func(int) float64 { return tc.b })
		if err != nil || a1 != tc.a1 || a2 != tc.a2 {
			t.Errorf("BASELINE %v: %d-%d %v, want %d-%d", tc.b, a1, a2, err, tc.a1, tc.a2)
		}
	}
}

func TestSynthetic_TruncatedAndCorrupted(t *testing.T) {
	file, _ := synthFile()
	for _, n := range []int{0, 100, blockSize, blockSize + 10, len(file) - blockSize - 1} {
		if _, err := NewReader(bytes.NewReader(file[:n]), int64(n), "cut.uvfits"); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	bad := bytes.Replace(file, []byte("COMPLEX "), []byte("BOGUS   "), 1)
	if _, err := NewReader(bytes.NewReader(bad), int64(len(bad)), "bad.uvfits"); err == nil || !strings.Contains(err.Error(), "COMPLEX") {
		t.Errorf("missing COMPLEX axis: %v", err)
	}
}
