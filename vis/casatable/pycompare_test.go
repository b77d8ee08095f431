package casatable

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

const systemPython = "/usr/bin/python3"

// pyDump runs testdata/dumptable.py on the tables and returns the output directory of each.
// It skips the test if python-casacore is missing.
func pyDump(t testing.TB, tables ...string) []string {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s is absent; skipping comparison with python-casacore", systemPython)
	}
	out := t.TempDir()
	script, err := filepath.Abs("testdata/dumptable.py")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, append([]string{script, out}, tables...)...)
	msg, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		t.Skip("python-casacore (python3-casacore) is not installed; skipping comparison")
	}
	if err != nil {
		t.Fatalf("dumptable.py: %v\n%s", err, msg)
	}
	dirs := make([]string, len(tables))
	for i := range tables {
		dirs[i] = filepath.Join(out, strconv.Itoa(i))
	}
	return dirs
}

type pyManifest struct {
	NRows   int `json:"nrows"`
	Columns []struct {
		Name  string            `json:"name"`
		Kind  string            `json:"kind"`
		DType string            `json:"dtype"`
		Shape []int             `json:"shape"`
		Cells []json.RawMessage `json:"cells"`
	} `json:"columns"`
}

// compareWithPython checks that every column of the table reads as python-casacore read it.
func compareWithPython(t *testing.T, table, dump string) {
	t.Helper()
	var m pyManifest
	b, err := os.ReadFile(filepath.Join(dump, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(table, nil)
	if err != nil {
		t.Fatalf("open %s: %v", table, err)
	}
	defer tb.Close()
	if tb.NumRows() != m.NRows {
		t.Fatalf("%s: %d rows, python-casacore %d", table, tb.NumRows(), m.NRows)
	}
	if len(tb.Columns()) != len(m.Columns) {
		t.Errorf("%s: %d columns, python-casacore %d", table, len(tb.Columns()), len(m.Columns))
	}
	for _, pc := range m.Columns {
		col, err := tb.Column(pc.Name)
		if err != nil {
			t.Error(err)
			continue
		}
		switch pc.Kind {
		case "raw":
			want, err := os.ReadFile(filepath.Join(dump, pc.Name+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := rawColumn(col, pc.DType, pc.Shape)
			if err != nil {
				t.Errorf("%s: %v", table, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s column %s: values differ from python-casacore (%d vs %d bytes, first difference at byte %d)", table, pc.Name, len(got), len(want), firstDiff(got, want))
			}
		case "cells":
			for row, raw := range pc.Cells {
				if err := compareCell(col, row, raw); err != nil {
					t.Errorf("%s column %s row %d: %v", table, pc.Name, row, err)
					break
				}
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// rawColumn reads a whole column with the Go reader and encodes it as numpy would
// (little-endian, C order with the cell axes reversed, which is casacore order per row).
func rawColumn(col *Column, dtype string, shape []int) ([]byte, error) {
	n := shape[0]
	per := 1
	for _, s := range shape[1:] {
		per *= s
	}
	dst := newSlice(col.Desc().Type, n*per)
	offs := make([]int, n+1)
	for i := range offs {
		offs[i] = i * per
	}
	if err := col.ReadCells(0, offs, dst, nil); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	switch v := dst.(type) {
	case []bool:
		for _, x := range v {
			if x {
				buf.WriteByte(1)
			} else {
				buf.WriteByte(0)
			}
		}
	case []string:
		return nil, fmt.Errorf("string column %s dumped raw", col.Name())
	case []uint8:
		if dtype != "<i2" && dtype != "<u2" {
			return nil, fmt.Errorf("uchar column %s dumped as %s", col.Name(), dtype)
		}
		// python-casacore returns uchar columns as 16-bit integers.
		for _, x := range v {
			binary.Write(&buf, binary.LittleEndian, int16(x))
		}
	default:
		if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// compareCell compares one cell as dumped by python-casacore with Column.Get.
func compareCell(col *Column, row int, raw json.RawMessage) error {
	got, gerr := col.Get(row)
	if string(raw) == "null" {
		if gerr == nil && got != nil {
			return fmt.Errorf("python-casacore finds no value, Go reads %v", got)
		}
		return nil
	}
	if gerr != nil {
		return gerr
	}
	if got == nil {
		return fmt.Errorf("Go finds no value, python-casacore %s", raw)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		return err
	}
	if rec, ok := got.(*Record); ok {
		return sameRecord(rec, want)
	}
	if arr, ok := got.(*Array); ok {
		w, ok := want.(map[string]any)
		if !ok {
			return fmt.Errorf("Go reads an array, python-casacore %s", raw)
		}
		ws, _ := w["shape"].([]any)
		if len(ws) != len(arr.Shape) {
			return fmt.Errorf("shape %v, python-casacore %v", arr.Shape, ws)
		}
		for i := range ws {
			if int(ws[i].(float64)) != arr.Shape[i] {
				return fmt.Errorf("shape %v, python-casacore %v", arr.Shape, ws)
			}
		}
		wd, _ := w["data"].([]any)
		if len(wd) != sliceLen(arr.Data) {
			return fmt.Errorf("%d values, python-casacore %d", sliceLen(arr.Data), len(wd))
		}
		for i := range wd {
			if err := sameValue(elementAt(arr.Data, i), wd[i]); err != nil {
				return fmt.Errorf("value %d: %v", i, err)
			}
		}
		return nil
	}
	return sameValue(got, want)
}

func elementAt(s any, i int) any {
	switch v := s.(type) {
	case []bool:
		return v[i]
	case []uint8:
		return v[i]
	case []int16:
		return v[i]
	case []uint16:
		return v[i]
	case []int32:
		return v[i]
	case []uint32:
		return v[i]
	case []int64:
		return v[i]
	case []float32:
		return v[i]
	case []float64:
		return v[i]
	case []complex64:
		return v[i]
	case []complex128:
		return v[i]
	case []string:
		return v[i]
	}
	return nil
}

// sameValue compares a Go value with its python-casacore JSON encoding.
func sameValue(got any, want any) error {
	pf := func(s any) (float64, error) {
		str, ok := s.(string)
		if !ok {
			return 0, fmt.Errorf("want a float string, have %v", s)
		}
		return strconv.ParseFloat(str, 64)
	}
	eqf := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	switch g := got.(type) {
	case bool:
		if w, ok := want.(bool); !ok || w != g {
			return fmt.Errorf("got %v, want %v", g, want)
		}
		return nil
	case string:
		if w, ok := want.(string); !ok || w != g {
			return fmt.Errorf("got %q, want %q", g, want)
		}
		return nil
	case float32, float64:
		w, err := pf(want)
		if err != nil {
			return err
		}
		gv := toF64(g)
		if !eqf(gv, w) {
			return fmt.Errorf("got %v, want %v", gv, w)
		}
		return nil
	case complex64, complex128:
		wl, ok := want.([]any)
		if !ok || len(wl) != 2 {
			return fmt.Errorf("got %v, want %v", g, want)
		}
		re, err1 := pf(wl[0])
		im, err2 := pf(wl[1])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad complex %v", want)
		}
		var c complex128
		if v, ok := g.(complex64); ok {
			c = complex128(v)
		} else {
			c = g.(complex128)
		}
		if !eqf(real(c), re) || !eqf(imag(c), im) {
			return fmt.Errorf("got %v, want (%v%+vi)", c, re, im)
		}
		return nil
	default:
		w, ok := want.(float64)
		if !ok || toF64(g) != w {
			return fmt.Errorf("got %v, want %v", g, want)
		}
		return nil
	}
}

func toF64(v any) float64 {
	switch x := v.(type) {
	case uint8:
		return float64(x)
	case int16:
		return float64(x)
	case uint16:
		return float64(x)
	case int32:
		return float64(x)
	case uint32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// sameRecord compares a record with python-casacore's {"record": {...}} encoding.
func sameRecord(rec *Record, want any) error {
	w, ok := want.(map[string]any)
	if !ok {
		return fmt.Errorf("Go reads a record, python-casacore %v", want)
	}
	fields, ok := w["record"].(map[string]any)
	if !ok {
		return fmt.Errorf("Go reads a record, python-casacore %v", want)
	}
	if len(fields) != len(rec.Fields) {
		return fmt.Errorf("record has %d fields, python-casacore %d", len(rec.Fields), len(fields))
	}
	for _, f := range rec.Fields {
		wv, ok := fields[f.Name]
		if !ok {
			return fmt.Errorf("field %s not in python-casacore's record", f.Name)
		}
		switch v := f.Value.(type) {
		case *Record:
			if err := sameRecord(v, wv); err != nil {
				return fmt.Errorf("%s: %v", f.Name, err)
			}
		case *Array:
			wm, _ := wv.(map[string]any)
			wd, _ := wm["data"].([]any)
			if len(wd) != sliceLen(v.Data) {
				return fmt.Errorf("%s: %d values, python-casacore %d", f.Name, sliceLen(v.Data), len(wd))
			}
			for i := range wd {
				if err := sameValue(elementAt(v.Data, i), wd[i]); err != nil {
					return fmt.Errorf("%s[%d]: %v", f.Name, i, err)
				}
			}
		case TableRef:
			// python-casacore shows "Table: <path>"
		default:
			if err := sameValue(v, wv); err != nil {
				return fmt.Errorf("%s: %v", f.Name, err)
			}
		}
	}
	return nil
}

// makeTables writes the synthetic tables of testdata/maketables.py into a temporary
// directory and returns their paths; it skips the test if python-casacore is missing.
func makeTables(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s is absent; skipping tables made by python-casacore", systemPython)
	}
	dir := t.TempDir()
	script, err := filepath.Abs("testdata/maketables.py")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := exec.Command(systemPython, script, dir).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		t.Skip("python-casacore (python3-casacore) is not installed; skipping")
	}
	if err != nil {
		t.Fatalf("maketables.py: %v\n%s", err, msg)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, filepath.Join(dir, e.Name()))
	}
	return out
}
