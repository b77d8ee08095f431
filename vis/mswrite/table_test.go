package mswrite

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// canonical turns one element of a column value into a comparable form: bool, int64, float64,
// [2]float64 (complex) or string.
func canonical(v any, i int) any {
	switch x := v.(type) {
	case []bool:
		return x[i]
	case []int32:
		return int64(x[i])
	case []float32:
		return float64(x[i])
	case []float64:
		return x[i]
	case []complex64:
		return [2]float64{float64(real(x[i])), float64(imag(x[i]))}
	case []complex128:
		return [2]float64{real(x[i]), imag(x[i])}
	case []string:
		return x[i]
	}
	panic(fmt.Sprintf("canonical: %T", v))
}

// canonicalJSON decodes one JSON element of a column of type typ into the form canonical gives.
func canonicalJSON(t *testing.T, typ DataType, raw any) any {
	t.Helper()
	num := func(v any) float64 {
		n, ok := v.(json.Number)
		if !ok {
			t.Fatalf("want a number, got %#v", v)
		}
		f, err := n.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	switch typ {
	case TpBool, TpString:
		return raw
	case TpInt:
		n, err := raw.(json.Number).Int64()
		if err != nil {
			t.Fatal(err)
		}
		return n
	case TpFloat, TpDouble:
		return num(raw)
	case TpComplex, TpDComplex:
		p := raw.([]any)
		return [2]float64{num(p[0]), num(p[1])}
	}
	t.Fatalf("type %v", typ)
	return nil
}

type arrayCell struct {
	Shape []int
	Data  []any
}

// expectedCell is row r of the value handed to Append for column c, in canonical form.
func expectedCell(c *ColumnDesc, v any, r int) any {
	switch {
	case v == nil && !c.Array:
		switch c.Type {
		case TpBool:
			return false
		case TpInt:
			return int64(0)
		case TpFloat, TpDouble:
			return 0.0
		case TpComplex, TpDComplex:
			return [2]float64{}
		case TpString:
			return ""
		}
	case v == nil && c.Shape != nil:
		zero := expectedCell(&ColumnDesc{Type: c.Type}, nil, 0)
		d := make([]any, c.cellSize())
		for i := range d {
			d[i] = zero
		}
		return arrayCell{Shape: c.Shape, Data: d}
	case v == nil:
		return nil // undefined
	case !c.Array:
		return canonical(v, r)
	case c.Shape != nil:
		n := c.cellSize()
		d := make([]any, n)
		for i := range d {
			d[i] = canonical(v, r*n+i)
		}
		return arrayCell{Shape: c.Shape, Data: d}
	default:
		cell := v.([]Cell)[r]
		if cell.Shape == nil {
			return nil
		}
		d := make([]any, dataLen(cell.Data))
		for i := range d {
			d[i] = canonical(cell.Data, i)
		}
		return arrayCell{Shape: cell.Shape, Data: d}
	}
	return nil
}

// gotCell decodes row value raw of column c as dump_table.py printed it.
func gotCell(t *testing.T, c *ColumnDesc, raw json.RawMessage) any {
	t.Helper()
	dec := func(b []byte, v any) {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(v); err != nil {
			t.Fatalf("column %s: decode %s: %v", c.Name, b, err)
		}
	}
	if !c.Array {
		var v any
		dec(raw, &v)
		return canonicalJSON(t, c.Type, v)
	}
	if string(raw) == "null" {
		return nil
	}
	var pc pyCell
	dec(raw, &pc)
	var flat []any
	dec(pc.Data, &flat)
	out := arrayCell{Shape: pc.Shape, Data: make([]any, len(flat))}
	for i, e := range flat {
		out.Data[i] = canonicalJSON(t, c.Type, e)
	}
	return out
}

// checkAgainstCasacore reads the table with python-casacore and compares every cell of every
// column with the values that were appended (chunks[k] are the values of the k-th Append call,
// of chunkRows[k] rows).
func checkAgainstCasacore(t *testing.T, path string, cols []ColumnDesc, chunks []map[string]any, chunkRows []int) *pyTable {
	t.Helper()
	d := dumpTables(t, path)[path]
	checkDump(t, d, path, cols, chunks, chunkRows)
	return d
}

// checkDump compares a python-casacore dump with the appended values.
func checkDump(t *testing.T, d *pyTable, path string, cols []ColumnDesc, chunks []map[string]any, chunkRows []int) {
	t.Helper()
	total := 0
	for _, n := range chunkRows {
		total += n
	}
	if d.Nrows != total {
		t.Fatalf("%s: casacore sees %d rows, wrote %d", path, d.Nrows, total)
	}
	for ci := range cols {
		c := &cols[ci]
		pc, ok := d.Columns[c.Name]
		if !ok {
			t.Fatalf("%s: casacore does not see column %s", path, c.Name)
		}
		row := 0
		nbad := 0
		for k, vals := range chunks {
			for r := 0; r < chunkRows[k]; r++ {
				want := expectedCell(c, vals[c.Name], r)
				got := gotCell(t, c, pc.Values[row])
				if !reflect.DeepEqual(want, got) {
					if nbad < 5 {
						t.Errorf("%s column %s row %d: casacore reads %v, wrote %v", path, c.Name, row, got, want)
					}
					nbad++
				}
				row++
			}
		}
		if nbad > 0 {
			t.Errorf("%s column %s: %d of %d cells differ", path, c.Name, nbad, total)
		}
	}
}

// allKindsColumns covers every column kind the writer supports, split over three data managers.
func allKindsColumns() []ColumnDesc {
	return []ColumnDesc{
		Scalar("I", TpInt, "an int"),
		Scalar("F32", TpFloat, ""),
		Scalar("D", TpDouble, "").WithUnits("s").WithMeasure("epoch", "UTC"),
		Scalar("B", TpBool, ""),
		Scalar("C", TpComplex, ""),
		Scalar("DC", TpDComplex, ""),
		Scalar("S", TpString, "strings of every length"),
		FixedArray("UVW", TpDouble, []int{3}, "").WithUnits("m", "m", "m").WithMeasure("uvw", "J2000"),
		FixedArray("DATA", TpComplex, []int{2, 5}, "").In("DataMan"),
		FixedArray("FLAG", TpBool, []int{2, 5}, "").In("FlagMan"),
		FixedArray("WS", TpFloat, []int{2, 5}, "").In("DataMan"),
		FixedArray("IA", TpInt, []int{2, 2}, ""),
		VarArray("VF", TpFloat, 1, ""),
		VarArray("VD", TpDouble, 2, ""),
		VarArray("VI", TpInt, -1, ""),
		VarArray("VB", TpBool, -1, ""),
		VarArray("VC", TpComplex, 2, ""),
		VarArray("VS", TpString, -1, ""),
		Scalar("UNSET", TpInt, "never given: zeros"),
		VarArray("UNDEF", TpDouble, 1, "never given: undefined cells"),
	}
}

func randString(rng *rand.Rand, maxLen int) string {
	n := rng.IntN(maxLen + 1)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

func randShape(rng *rand.Rand, ndim int) []int {
	if ndim < 0 {
		ndim = 1 + rng.IntN(3)
	}
	s := make([]int, ndim)
	for i := range s {
		s[i] = rng.IntN(4) // zero-length axes included
	}
	if ndim == 1 {
		s[0] = rng.IntN(7)
	}
	return s
}

func product(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// allKindsChunk makes n rows of random values for allKindsColumns.
func allKindsChunk(rng *rand.Rand, n int, strMax int) map[string]any {
	ints := make([]int32, n)
	f32 := make([]float32, n)
	d := make([]float64, n)
	b := make([]bool, n)
	c := make([]complex64, n)
	dc := make([]complex128, n)
	s := make([]string, n)
	uvw := make([]float64, 3*n)
	data := make([]complex64, 10*n)
	flag := make([]bool, 10*n)
	ws := make([]float32, 10*n)
	ia := make([]int32, 4*n)
	var vf, vd, vi, vb, vc, vs []Cell
	for r := 0; r < n; r++ {
		ints[r] = rng.Int32() - 1<<30
		f32[r] = float32(rng.NormFloat64())
		d[r] = rng.NormFloat64() * 1e9
		b[r] = rng.IntN(2) == 1
		c[r] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
		dc[r] = complex(rng.NormFloat64(), rng.NormFloat64())
		s[r] = randString(rng, strMax)
		for i := 0; i < 3; i++ {
			uvw[3*r+i] = rng.NormFloat64() * 1000
		}
		for i := 0; i < 10; i++ {
			data[10*r+i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
			flag[10*r+i] = rng.IntN(3) == 0
			ws[10*r+i] = rng.Float32()
		}
		for i := 0; i < 4; i++ {
			ia[4*r+i] = rng.Int32N(1000)
		}
		undefined := rng.IntN(5) == 0
		cell := func(ndim int, mk func(n int) any) Cell {
			if undefined {
				return Cell{}
			}
			sh := randShape(rng, ndim)
			return Cell{Shape: sh, Data: mk(product(sh))}
		}
		vf = append(vf, cell(1, func(k int) any {
			x := make([]float32, k)
			for i := range x {
				x[i] = rng.Float32()
			}
			return x
		}))
		vd = append(vd, cell(2, func(k int) any {
			x := make([]float64, k)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			return x
		}))
		vi = append(vi, cell(-1, func(k int) any {
			x := make([]int32, k)
			for i := range x {
				x[i] = rng.Int32()
			}
			return x
		}))
		vb = append(vb, cell(-1, func(k int) any {
			x := make([]bool, k)
			for i := range x {
				x[i] = rng.IntN(2) == 0
			}
			return x
		}))
		vc = append(vc, cell(2, func(k int) any {
			x := make([]complex64, k)
			for i := range x {
				x[i] = complex(rng.Float32(), -rng.Float32())
			}
			return x
		}))
		vs = append(vs, cell(-1, func(k int) any {
			x := make([]string, k)
			for i := range x {
				x[i] = randString(rng, strMax)
			}
			return x
		}))
	}
	return map[string]any{
		"I": ints, "F32": f32, "D": d, "B": b, "C": c, "DC": dc, "S": s, "UVW": uvw,
		"DATA": data, "FLAG": flag, "WS": ws, "IA": ia,
		"VF": vf, "VD": vd, "VI": vi, "VB": vb, "VC": vc, "VS": vs,
	}
}

// jsonEqual compares a decoded JSON value with the JSON text want, numbers by value.
func jsonEqual(t *testing.T, what string, got any, want string) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: casacore reads %s, want %s", what, b, want)
	}
}

func TestTable_AllColumnKinds_ReadBackByCasacore(t *testing.T) {
	needCasacore(t)
	for _, tc := range []struct {
		name      string
		bigEndian bool
		bucket    int
		chunks    []int
		strMax    int
	}{
		// Small buckets: many data buckets, a multi-bucket index, strings crossing heap buckets.
		{"little-endian small buckets", false, 200, []int{1, 37, 400, 3}, 300},
		{"big-endian small buckets", true, 200, []int{250, 1}, 300},
		{"little-endian default buckets", false, 0, []int{500}, 40},
		{"empty table", false, 0, nil, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "t.tab")
			cols := allKindsColumns()
			opt := &Options{BigEndian: tc.bigEndian, Info: TableInfo{Type: "Test", SubType: "kinds", Readme: "line 1\nline 2\n"}}
			if tc.bucket > 0 {
				opt.BucketBytes = map[string]int{DefaultManager: tc.bucket, "DataMan": tc.bucket, "FlagMan": tc.bucket}
			}
			tb, err := Create(dir, cols, opt)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, uint64(len(tc.name))))
			var chunks []map[string]any
			for _, n := range tc.chunks {
				ch := allKindsChunk(rng, n, tc.strMax)
				if err := tb.Append(n, ch); err != nil {
					t.Fatal(err)
				}
				chunks = append(chunks, ch)
			}
			tb.Keywords().Set("INT", 7).Set("DBL", 2.5).Set("STR", "hello").
				Set("VEC", []float64{1, 2, 3}).Set("U32", []uint32{0, 64}).
				Set("REC", NewRecord().Set("type", "epoch").Set("Ref", "UTC").Set("n", NewRecord().Set("b", true)))
			tb.Keywords().SetComment("INT", "an int keyword")
			if err := tb.Close(); err != nil {
				t.Fatal(err)
			}
			d := checkAgainstCasacore(t, dir, cols, chunks, tc.chunks)
			jsonEqual(t, "table keywords", d.Keywords,
				`{"DBL":2.5,"INT":7,"REC":{"Ref":"UTC","n":{"b":true},"type":"epoch"},"STR":"hello","U32":[0,64],"VEC":[1,2,3]}`)
			if d.Info["type"] != "Test" || d.Info["subType"] != "kinds" || d.Info["readme"] != "line 1\nline 2\n" {
				t.Errorf("table.info: casacore reads %v", d.Info)
			}
			jsonEqual(t, "UVW keywords", d.Columns["UVW"].Keywords, `{"MEASINFO":{"Ref":"J2000","type":"uvw"},"QuantumUnits":["m","m","m"]}`)
			for _, c := range cols {
				desc := d.Columns[c.Name].Desc
				if desc["valueType"] != c.Type.String() || desc["comment"] != c.Comment {
					t.Errorf("column %s: casacore desc %v", c.Name, desc)
				}
			}
		})
	}
}

// TestTable_TableDat_ByteIdenticalToCasacore writes the same table description with the same
// StandardStMan bucket size through python-casacore and compares table.dat byte for byte.
func TestTable_TableDat_ByteIdenticalToCasacore(t *testing.T) {
	needCasacore(t)
	tmp := t.TempDir()
	cols := []ColumnDesc{
		Scalar("I", TpInt, "an int"),
		Scalar("D", TpDouble, ""),
		Scalar("B", TpBool, ""),
		Scalar("S", TpString, ""),
		FixedArray("UVW", TpDouble, []int{3}, "uvw").WithUnits("m", "m", "m").WithMeasure("uvw", "J2000"),
		FixedArray("C", TpComplex, []int{2, 4}, ""),
		FixedArray("F", TpBool, []int{2, 4}, ""),
		VarArray("V", TpFloat, 1, ""),
		VarArray("VS", TpString, -1, ""),
	}
	goDir := filepath.Join(tmp, "go.tab")
	tb, err := Create(goDir, cols, &Options{BucketBytes: map[string]int{DefaultManager: 932}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Append(3, nil); err != nil {
		t.Fatal(err)
	}
	tb.Keywords().Set("KI", 5)
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	pyDir := filepath.Join(tmp, "py.tab")
	script := `
import sys, numpy as np
from casacore.tables import table, maketabdesc, makescacoldesc, makearrcoldesc
cols = [makescacoldesc("I", 0, comment="an int"), makescacoldesc("D", 0.0),
        makescacoldesc("B", False), makescacoldesc("S", ""),
        makearrcoldesc("UVW", 0.0, ndim=1, shape=[3], options=5, comment="uvw",
                       keywords={"QuantumUnits": ["m","m","m"], "MEASINFO": {"type":"uvw","Ref":"J2000"}}),
        makearrcoldesc("C", 0j, ndim=2, shape=[4,2], valuetype="complex", options=5),
        makearrcoldesc("F", False, ndim=2, shape=[4,2], options=5),
        makearrcoldesc("V", 0.0, ndim=1, valuetype="float"),
        makearrcoldesc("VS", "")]
dm = {"TYPE": "StandardStMan", "NAME": "StandardStMan", "SPEC": {"BUCKETSIZE": 932},
      "COLUMNS": ["I","D","B","S","UVW","C","F","V","VS"]}
t = table(sys.argv[1], maketabdesc(cols), nrow=3, dminfo={"*1": dm}, ack=False)
t.putkeyword("KI", np.int32(5))
t.close()
`
	if out, err := exec.Command(systemPython, "-c", script, pyDir).CombinedOutput(); err != nil {
		t.Fatalf("python-casacore: %v\n%s", err, out)
	}
	goDat, err := os.ReadFile(filepath.Join(goDir, "table.dat"))
	if err != nil {
		t.Fatal(err)
	}
	pyDat, err := os.ReadFile(filepath.Join(pyDir, "table.dat"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(goDat, pyDat) {
		i := 0
		for i < min(len(goDat), len(pyDat)) && goDat[i] == pyDat[i] {
			i++
		}
		t.Fatalf("table.dat differs from casacore's at byte %d (go %d bytes, casacore %d bytes)", i, len(goDat), len(pyDat))
	}
}

func TestTable_ShowtableinfoAccepts(t *testing.T) {
	sti := needShowtableinfo(t)
	dir := filepath.Join(t.TempDir(), "t.tab")
	cols := allKindsColumns()
	tb, err := Create(dir, cols, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Append(20, allKindsChunk(rand.New(rand.NewPCG(3, 4)), 20, 30)); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sti, "in="+dir, "dm=true").CombinedOutput()
	if err != nil {
		t.Fatalf("showtableinfo rejects %s: %v\n%s", dir, err, out)
	}
	for _, want := range []string{"20 rows, 20 columns", "StandardStMan file=table.f0", "file=table.f1", "file=table.f2",
		"UVW   double   shape=[3] unit=[m,m,m] measure=uvw,J2000"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("showtableinfo output lacks %q:\n%s", want, out)
		}
	}
}

// TestAipsWriter_Framing checks the AipsIO object framing against hand-encoded bytes.
func TestAipsWriter_Framing(t *testing.T) {
	w := newAipsWriter(binary.BigEndian)
	w.putStart("Ab", 2)
	w.u32(7)
	w.putStart("C", 1)
	w.boolean(true)
	w.putEnd()
	w.putEnd()
	want := []byte{
		0xbe, 0xbe, 0xbe, 0xbe, // magic
		0, 0, 0, 32, // length of "Ab": from here to the end (4+6+4+4+14)
		0, 0, 0, 2, 'A', 'b', // type
		0, 0, 0, 2, // version
		0, 0, 0, 7, // value
		0, 0, 0, 14, // length of the nested "C" (no magic)
		0, 0, 0, 1, 'C',
		0, 0, 0, 1,
		1,
	}
	if !bytes.Equal(w.buf, want) {
		t.Fatalf("got % x\nwant % x", w.buf, want)
	}
	le := newAipsWriter(binary.LittleEndian)
	le.putStart("X", 1)
	le.putEnd()
	if want := []byte{0xbe, 0xbe, 0xbe, 0xbe, 13, 0, 0, 0, 1, 0, 0, 0, 'X', 1, 0, 0, 0}; !bytes.Equal(le.buf, want) {
		t.Fatalf("little-endian: got % x want % x", le.buf, want)
	}
}

func TestBoolBits_LeastSignificantFirst(t *testing.T) {
	b := make([]byte, 2)
	boolBits(b, 3, []bool{true, false, true, true, true, true, false, true})
	// bits 3,5,6,7,8,10 set.
	if b[0] != 0b11101000 || b[1] != 0b00000101 {
		t.Fatalf("got %08b %08b", b[0], b[1])
	}
}

func TestTable_Append_Errors(t *testing.T) {
	cols := []ColumnDesc{
		Scalar("A", TpInt, ""),
		FixedArray("F", TpFloat, []int{2}, ""),
		VarArray("V", TpDouble, 1, ""),
	}
	tb, err := Create(filepath.Join(t.TempDir(), "e.tab"), cols, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	for _, tc := range []struct {
		vals map[string]any
		want string
	}{
		{map[string]any{"B": []int32{1}}, "no column B"},
		{map[string]any{"A": []float64{1}}, "column A: got []float64, column type is int"},
		{map[string]any{"A": []int32{1, 2}}, "column A: got 2 values, want 1"},
		{map[string]any{"F": []float32{1}}, "column F: got 1 values, want 2"},
		{map[string]any{"V": []float64{1}}, "column V: variable-shape column needs []Cell"},
		{map[string]any{"V": []Cell{{Shape: []int{2}, Data: []float64{1}}}}, "column V: cell 0 holds 1 values for shape [2]"},
		{map[string]any{"V": []Cell{{Shape: []int{1, 1}, Data: []float64{1}}}}, "column V: cell 0 has 2 axes, column has 1"},
		{map[string]any{"V": []Cell{Vector([]float32{1})}}, "column V: cell 0 holds []float32, column type is double"},
	} {
		err := tb.Append(1, tc.vals)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Append(%v): error %v, want one containing %q", tc.vals, err, tc.want)
		}
	}
	if tb.Rows() != 0 {
		t.Errorf("rejected appends added %d rows", tb.Rows())
	}
	if _, err := Create(filepath.Join(t.TempDir(), "d.tab"), []ColumnDesc{Scalar("A", TpInt, ""), Scalar("A", TpInt, "")}, nil); err == nil || !strings.Contains(err.Error(), "column A defined twice") {
		t.Errorf("duplicate column: error %v", err)
	}
	dir := t.TempDir()
	if _, err := Create(dir, cols, nil); err == nil {
		t.Errorf("Create over an existing directory succeeded")
	}
}

func TestRecord_RejectsUnsupportedValue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "k.tab")
	tb, err := Create(dir, []ColumnDesc{Scalar("A", TpInt, "")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tb.Keywords().Set("BAD", map[string]int{})
	if err := tb.Close(); err == nil || !strings.Contains(err.Error(), "keyword BAD") {
		t.Fatalf("Close with an unsupported keyword: error %v", err)
	}
	_ = math.Pi
}
