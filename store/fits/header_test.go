package fits

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func card(s string) []byte { return []byte(fmt.Sprintf("%-80s", s)) }

func TestParseCard(t *testing.T) {
	cases := []struct {
		in   string
		want Card
	}{
		{"SIMPLE  =                    T / conforms to FITS", Card{"SIMPLE", true, "conforms to FITS"}},
		{"BITPIX  =                  -32", Card{"BITPIX", int64(-32), ""}},
		{"CDELT1  = -1.2777777777777778E-06", Card{"CDELT1", -1.2777777777777778e-06, ""}},
		{"CRVAL3  =  2.305000000000D+11 / Hz", Card{"CRVAL3", 2.305e11, "Hz"}},
		{"BUNIT   = 'Jy/beam '           / Brightness unit", Card{"BUNIT", "Jy/beam", "Brightness unit"}},
		{"OBJECT  = 'O''Brien'", Card{"OBJECT", "O'Brien", ""}},
		{"EMPTY   = ''", Card{"EMPTY", "", ""}},
		{"UNDEF   =                      / no value", Card{"UNDEF", nil, "no value"}},
		{"HISTORY cubeimg wrote this = yes", Card{"HISTORY", nil, "cubeimg wrote this = yes"}},
		{"CPLX    = (1.0, 2.0)", Card{"CPLX", Raw("(1.0, 2.0)"), ""}},
		{"NOEQ      plain text", Card{"NOEQ", nil, "  plain text"}},
	}
	for _, c := range cases {
		got, err := ParseCard(card(c.in))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseCard(%q) = %#v, %v; want %#v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"BAD     = 'unterminated", "BAD     = 12abc", "BAD     = 'x' junk", "BA D    = 1", "BAD     = 1.5.5"} {
		if _, err := ParseCard(card(bad)); !errors.Is(err, ErrHeader) {
			t.Errorf("ParseCard(%q): err %v, want ErrHeader", bad, err)
		}
	}
	if _, err := ParseCard(append(card("X = 1")[:79], 0x01)); !errors.Is(err, ErrHeader) {
		t.Error("control character accepted")
	}
}

func TestHeader_EncodeRead(t *testing.T) {
	h := &Header{}
	h.Set("SIMPLE", true, "")
	h.Set("BITPIX", -32, "")
	h.Set("NAXIS", 0, "")
	h.Set("CDELT1", -1.2777777777777778e-06, "deg")
	h.Set("CRVAL3", 230.5e9, "")
	h.Set("CRPIX1", 513.0, "")
	h.Set("OBJECT", "it's", "")
	h.Add("HISTORY", nil, "made by a test")
	b, err := h.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != BlockSize {
		t.Fatalf("encoded %d bytes, want one block", len(b))
	}
	if !bytes.Contains(b, []byte(fmt.Sprintf("CRPIX1  = %20s", "513.0"))) || !bytes.Contains(b, []byte(fmt.Sprintf("CRVAL3  = %20s", "2.305E+11"))) {
		t.Fatalf("fixed-format numbers not right-justified to column 30:\n%s", b[:400])
	}
	got, n, err := ReadHeader(bytes.NewReader(b))
	if err != nil || n != BlockSize {
		t.Fatal(n, err)
	}
	if !reflect.DeepEqual(got.Cards, h.Cards) {
		t.Fatalf("round trip:\n%#v\n%#v", got.Cards, h.Cards)
	}
	if _, _, err := ReadHeader(strings.NewReader(strings.Repeat(" ", BlockSize))); !errors.Is(err, ErrHeader) {
		t.Fatalf("header without END: %v", err)
	}
}

func TestBinTable_RoundTrip(t *testing.T) {
	cols := []Column{
		{Name: "BMAJ", Unit: "arcsec", Data: []float32{0.1, 0.2, 0.3}},
		{Name: "CHAN", Data: []int32{0, 1, 2}},
		{Name: "W", Data: []float64{1.5, -2, 3e9}},
	}
	b, err := EncodeBinTable("BEAMS", cols, []Card{{Key: "NCHAN", Value: int64(3)}})
	if err != nil {
		t.Fatal(err)
	}
	prim := &Header{}
	prim.Set("SIMPLE", true, "")
	prim.Set("BITPIX", 8, "")
	prim.Set("NAXIS", 0, "")
	ph, _ := prim.Encode()
	file := append(ph, b...)
	hdus, err := ReadHDUs(bytes.NewReader(file), int64(len(file)))
	if err != nil || len(hdus) != 2 {
		t.Fatal(len(hdus), err)
	}
	vals, err := ReadTableColumns(bytes.NewReader(file), hdus[1], "W", "BMAJ", "CHAN")
	if err != nil {
		t.Fatal(err)
	}
	if vals[0][2] != 3e9 || float32(vals[1][1]) != 0.2 || vals[2][2] != 2 {
		t.Fatalf("columns %v", vals)
	}
}

// FuzzReadHeader: any input either fails with ErrHeader or parses into a header whose
// re-encoding parses to the same keywords and values.
func FuzzReadHeader(f *testing.F) {
	h := &Header{}
	h.Set("SIMPLE", true, "")
	h.Set("BITPIX", -32, "")
	h.Set("NAXIS", 3, "")
	h.Set("CTYPE1", "RA---SIN", "")
	h.Set("CDELT1", -1.2777777777777778e-06, "")
	h.Set("CASAMBM", true, "")
	h.Add("HISTORY", nil, "seed")
	seed, _ := h.Encode()
	f.Add(seed)
	f.Add(append(card("X       = 'a''b' / c"), card("END")...))
	if tab, err := EncodeBinTable("BEAMS", []Column{{Name: "BMAJ", Unit: "arcsec", Data: []float32{1}}}, nil); err == nil {
		f.Add(tab[:BlockSize])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data)%CardSize != 0 {
			data = append(data, bytes.Repeat([]byte(" "), CardSize-len(data)%CardSize)...)
		}
		if len(data)%BlockSize != 0 {
			data = append(data, bytes.Repeat([]byte(" "), BlockSize-len(data)%BlockSize)...)
		}
		got, _, err := ReadHeader(bytes.NewReader(data))
		if err != nil {
			return
		}
		enc, err := got.Encode()
		if err != nil {
			return // e.g. a parsed string too long to re-encode after quoting
		}
		again, _, err := ReadHeader(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("re-encoded header does not parse: %v\n%q", err, enc)
		}
		if len(again.Cards) != len(got.Cards) {
			t.Fatalf("%d cards, then %d", len(got.Cards), len(again.Cards))
		}
		for i := range got.Cards {
			a, b := got.Cards[i], again.Cards[i]
			if a.Key != b.Key || !reflect.DeepEqual(a.Value, b.Value) {
				t.Fatalf("card %d: %#v became %#v", i, a, b)
			}
		}
	})
}
