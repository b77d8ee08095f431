package casatable

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Record is a casacore (Table)Record: an ordered list of named, typed fields. Table and column
// keywords, data manager specifications and hypercube values are records.
type Record struct {
	Fields []Field
}

// Field is one record field. Value holds, by Type:
//
//	TpBool bool; TpUChar uint8; TpShort int16; TpInt int32; TpUInt uint32; TpInt64 int64;
//	TpFloat float32; TpDouble float64; TpComplex complex64; TpDComplex complex128;
//	TpString string; array types *Array; TpRecord *Record; TpTable TableRef.
type Field struct {
	Name    string
	Type    DataType
	Value   any
	Comment string
}

// Array is an n-dimensional array value of a record field, in casacore (Fortran) order: the
// first axis varies fastest. Data is a []bool, []uint8, []int16, []int32, []uint32, []int64,
// []float32, []float64, []complex64, []complex128 or []string.
type Array struct {
	Shape []int
	Data  any
}

// TableRef is the value of a table keyword (a subtable link) as written in the file, e.g.
// "././ANTENNA". Resolve it against the parent table's directory with Table.SubtablePath.
type TableRef struct {
	Name string
}

// Field returns the field with the given name.
func (r *Record) Field(name string) (Field, bool) {
	if r == nil {
		return Field{}, false
	}
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Get returns the value of the named field, nil if absent.
func (r *Record) Get(name string) any {
	f, _ := r.Field(name)
	return f.Value
}

// String returns the named string field.
func (r *Record) String(name string) (string, bool) {
	s, ok := r.Get(name).(string)
	return s, ok
}

// Sub returns the named sub-record, nil if absent or not a record.
func (r *Record) Sub(name string) *Record {
	s, _ := r.Get(name).(*Record)
	return s
}

// Strings returns the named field as a list of strings (a string or a string array).
func (r *Record) Strings(name string) []string {
	switch v := r.Get(name).(type) {
	case string:
		return []string{v}
	case *Array:
		s, _ := v.Data.([]string)
		return s
	}
	return nil
}

// Ints returns the named integer field or integer array as []int.
func (r *Record) Ints(name string) []int {
	switch v := r.Get(name).(type) {
	case int32:
		return []int{int(v)}
	case int64:
		return []int{int(v)}
	case uint32:
		return []int{int(v)}
	case *Array:
		switch d := v.Data.(type) {
		case []int32:
			out := make([]int, len(d))
			for i, x := range d {
				out[i] = int(x)
			}
			return out
		case []int64:
			out := make([]int, len(d))
			for i, x := range d {
				out[i] = int(x)
			}
			return out
		case []uint32:
			out := make([]int, len(d))
			for i, x := range d {
				out[i] = int(x)
			}
			return out
		}
	}
	return nil
}

// Float returns a numeric field as float64.
func (r *Record) Float(name string) (float64, bool) {
	switch v := r.Get(name).(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint32:
		return float64(v), true
	case int16:
		return float64(v), true
	case uint8:
		return float64(v), true
	}
	return 0, false
}

// Tables lists the table keywords (subtable links) of the record: name -> link as written.
func (r *Record) Tables() []Field {
	var out []Field
	if r == nil {
		return nil
	}
	for _, f := range r.Fields {
		if f.Type == TpTable {
			out = append(out, f)
		}
	}
	return out
}

// resolveTableRef turns the name stored for a table keyword into a path, as casacore's
// Path::addDirectory does: "././X" is X inside the parent table, "./X" is X beside it, a
// name ending in "/." that matches the end of the parent path is an ancestor, and anything
// else is used as is (absolute, or relative to the working directory).
func resolveTableRef(name, parent string) string {
	t := name
	for len(t) >= 2 && t[0] == '.' && t[1] == '/' {
		t = t[2:]
	}
	if len(t) < len(name) {
		if len(t) == len(name)-2 {
			return filepath.Join(filepath.Dir(parent), t)
		}
		return filepath.Join(parent, t)
	}
	if strings.HasSuffix(t, "/.") {
		tail := "/" + strings.TrimSuffix(t, "/.")
		if strings.HasSuffix(parent, tail) {
			return strings.TrimSuffix(parent, tail)
		}
	}
	return t
}

// recordDesc is a parsed casacore RecordDesc.
type recordDesc struct {
	names    []string
	types    []DataType
	subs     []*recordDesc // for TpRecord fields
	comments []string
}

const maxRecordDepth = 64

func (d *decoder) recordDesc(depth int) *recordDesc {
	if depth > maxRecordDepth {
		d.fail("records nested deeper than %d", maxRecordDepth)
		return nil
	}
	_, vers := d.start("RecordDesc")
	n := int(d.i32())
	if n < 0 || n > (d.limit()-d.pos)/8 {
		d.fail("RecordDesc with %d fields", n)
		return nil
	}
	rd := &recordDesc{}
	for i := 0; i < n && d.err == nil; i++ {
		name := d.str()
		typ := DataType(d.i32())
		var sub *recordDesc
		switch {
		case typ == TpRecord:
			sub = d.recordDesc(depth + 1)
		case typ == TpTable:
			d.str() // the table description name, unused
		default:
			if _, ok := typ.elem(); ok {
				d.iposition() // the fixed shape, if any; values carry their own shape
			} else if !typ.isNumeric() && typ != TpBool && typ != TpString {
				d.fail("record field %q has unsupported type %d", name, int32(typ))
			}
		}
		comment := ""
		if vers > 1 {
			comment = d.str()
		}
		rd.names = append(rd.names, name)
		rd.types = append(rd.types, typ)
		rd.subs = append(rd.subs, sub)
		rd.comments = append(rd.comments, comment)
	}
	d.end()
	return rd
}

// record reads a TableRecord or Record object (the object type is whichever is next).
func (d *decoder) record(depth int) *Record {
	if depth > maxRecordDepth {
		d.fail("records nested deeper than %d", maxRecordDepth)
		return nil
	}
	typ, _ := d.start("TableRecord", "Record", "ScalarKeywordSet", "ArrayKeywordSet", "TableKeywordSet")
	if d.err != nil {
		return nil
	}
	if typ != "TableRecord" && typ != "Record" {
		d.fail("pre-1995 keyword set %q is not supported", typ)
		return nil
	}
	desc := d.recordDesc(depth + 1)
	d.i32() // record type (fixed/variable), unused
	rec := d.recordData(desc, depth)
	d.end()
	return rec
}

func (d *decoder) recordData(desc *recordDesc, depth int) *Record {
	if d.err != nil || desc == nil {
		return nil
	}
	rec := &Record{Fields: make([]Field, 0, len(desc.names))}
	for i, name := range desc.names {
		f := Field{Name: name, Type: desc.types[i], Comment: desc.comments[i]}
		switch t := desc.types[i]; {
		case t == TpRecord:
			if desc.subs[i] == nil || len(desc.subs[i].names) == 0 {
				f.Value = d.record(depth + 1)
			} else {
				f.Value = d.recordData(desc.subs[i], depth+1)
			}
		case t == TpTable:
			f.Value = TableRef{Name: d.str()}
		default:
			f.Value = d.value(t)
		}
		if d.err != nil {
			return nil
		}
		rec.Fields = append(rec.Fields, f)
	}
	return rec
}

// value reads one scalar or array value of type t.
func (d *decoder) value(t DataType) any {
	switch t {
	case TpBool:
		return d.boolean()
	case TpChar, TpUChar:
		return d.u8()
	case TpShort:
		return int16(d.u16())
	case TpUShort:
		return d.u16()
	case TpInt:
		return d.i32()
	case TpUInt:
		return d.u32()
	case TpInt64:
		return d.i64()
	case TpFloat:
		return d.f32()
	case TpDouble:
		return d.f64()
	case TpComplex:
		re := d.f32()
		return complex(re, d.f32())
	case TpDComplex:
		re := d.f64()
		return complex(re, d.f64())
	case TpString:
		return d.str()
	}
	if e, ok := t.elem(); ok {
		return d.array(e)
	}
	d.fail("unsupported value type %d", int32(t))
	return nil
}

// array reads an AipsIO Array object of element type e.
func (d *decoder) array(e DataType) *Array {
	typ := d.peekType()
	if typ != "Array" && !strings.HasPrefix(typ, "Array<") {
		d.fail("found object %q, want Array", typ)
		return nil
	}
	_, vers := d.start()
	ndim := int(d.i32())
	if ndim < 0 || ndim > 64 {
		d.fail("array with %d dimensions", ndim)
		return nil
	}
	if vers < 3 {
		for i := 0; i < ndim; i++ {
			d.i32() // origin, discarded
		}
	}
	shape := make([]int, ndim)
	nel := 1
	for i := range shape {
		shape[i] = int(d.u32())
		if shape[i] > maxAipsLen || (shape[i] > 0 && nel > maxAipsLen/shape[i]) {
			d.fail("array shape %v too large", shape[:i+1])
			return nil
		}
		nel *= shape[i]
	}
	n := int(d.u32())
	if d.err == nil && n != nel {
		d.fail("array has %d values for shape %v", n, shape)
	}
	if d.err != nil {
		return nil
	}
	data, err := d.values(e, n)
	if err != nil {
		d.fail("%v", err)
		return nil
	}
	d.end()
	return &Array{Shape: shape, Data: data}
}

// values reads n AipsIO-encoded values of scalar type e into a new typed slice.
func (d *decoder) values(e DataType, n int) (any, error) {
	if e == TpBool {
		b := d.take((n + 7) / 8)
		if b == nil {
			return nil, d.err
		}
		out := make([]bool, n)
		unpackBits(out, b, 0)
		return out, nil
	}
	if e == TpString {
		if n > d.limit()-d.pos {
			return nil, fmt.Errorf("%d strings in %d bytes", n, d.limit()-d.pos)
		}
		out := make([]string, n)
		for i := range out {
			out[i] = d.str()
		}
		return out, d.err
	}
	sz := e.size()
	if sz == 0 {
		return nil, fmt.Errorf("unsupported array element type %v", e)
	}
	if n > (d.limit()-d.pos)/sz {
		return nil, fmt.Errorf("%d values of %d bytes in %d bytes", n, sz, d.limit()-d.pos)
	}
	b := d.take(n * sz)
	if b == nil {
		return nil, d.err
	}
	out := newSlice(e, n)
	if err := decodeValues(out, 0, b, e, d.order); err != nil {
		return nil, err
	}
	return out, nil
}
