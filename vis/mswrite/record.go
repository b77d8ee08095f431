package mswrite

import (
	"fmt"
	"math"
)

// DataType is a casacore data type; the values are casacore's DataType enum, as stored in
// table.dat.
type DataType int32

// The casacore data types a column or keyword can hold.
const (
	TpBool        DataType = 0
	TpUChar       DataType = 2
	TpShort       DataType = 3
	TpInt         DataType = 5
	TpUInt        DataType = 6
	TpFloat       DataType = 7
	TpDouble      DataType = 8
	TpComplex     DataType = 9
	TpDComplex    DataType = 10
	TpString      DataType = 11
	TpTable       DataType = 12
	TpArrayBool   DataType = 13
	TpArrayInt    DataType = 18
	TpArrayUInt   DataType = 19
	TpArrayFloat  DataType = 20
	TpArrayDouble DataType = 21
	TpArrayString DataType = 24
	TpRecord      DataType = 25
	TpInt64       DataType = 29
)

// typeID is casacore's ValType::getTypeStr: the 8-character name used in column class names.
func (t DataType) typeID() string {
	switch t {
	case TpBool:
		return "Bool    "
	case TpInt:
		return "Int     "
	case TpFloat:
		return "float   "
	case TpDouble:
		return "double  "
	case TpComplex:
		return "Complex "
	case TpDComplex:
		return "DComplex"
	case TpString:
		return "String  "
	}
	return "unknown "
}

// String names the type as python-casacore's valueType does.
func (t DataType) String() string {
	switch t {
	case TpBool:
		return "boolean"
	case TpInt:
		return "int"
	case TpFloat:
		return "float"
	case TpDouble:
		return "double"
	case TpComplex:
		return "complex"
	case TpDComplex:
		return "dcomplex"
	case TpString:
		return "string"
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// TableLink is a keyword value that refers to a subtable stored in a directory of that name
// inside the parent table's directory (as an MS refers to its ANTENNA table).
type TableLink string

// Record is an ordered set of keywords (a casacore TableRecord), for table and column keywords.
// Values may be bool, int32 (or int), uint32, int64, float32, float64, complex64, string,
// []bool, []int32, []uint32, []float32, []float64, []string (1-D arrays), *Record or TableLink.
type Record struct {
	fields []recordField
}

type recordField struct {
	name    string
	value   any
	comment string
}

// NewRecord returns an empty record.
func NewRecord() *Record { return &Record{} }

// Set adds the keyword name with the given value, replacing an existing one of that name, and
// returns r so calls can be chained.
func (r *Record) Set(name string, value any) *Record {
	if v, ok := value.(int); ok {
		value = int32(v)
	}
	for i := range r.fields {
		if r.fields[i].name == name {
			r.fields[i].value = value
			return r
		}
	}
	r.fields = append(r.fields, recordField{name: name, value: value})
	return r
}

// SetComment attaches a comment to the existing keyword name.
func (r *Record) SetComment(name, comment string) *Record {
	for i := range r.fields {
		if r.fields[i].name == name {
			r.fields[i].comment = comment
		}
	}
	return r
}

// Get returns the value of keyword name and whether it exists.
func (r *Record) Get(name string) (any, bool) {
	if r == nil {
		return nil, false
	}
	for _, f := range r.fields {
		if f.name == name {
			return f.value, true
		}
	}
	return nil, false
}

// Len is the number of keywords.
func (r *Record) Len() int {
	if r == nil {
		return 0
	}
	return len(r.fields)
}

// validate checks that every value has a supported type.
func (r *Record) validate() error {
	if r == nil {
		return nil
	}
	for _, f := range r.fields {
		if sub, ok := f.value.(*Record); ok {
			if err := sub.validate(); err != nil {
				return fmt.Errorf("keyword %s: %w", f.name, err)
			}
			continue
		}
		if _, err := keywordType(f.value); err != nil {
			return fmt.Errorf("keyword %s: %w", f.name, err)
		}
	}
	return nil
}

func keywordType(v any) (DataType, error) {
	switch v.(type) {
	case bool:
		return TpBool, nil
	case int32:
		return TpInt, nil
	case uint32:
		return TpUInt, nil
	case int64:
		return TpInt64, nil
	case float32:
		return TpFloat, nil
	case float64:
		return TpDouble, nil
	case complex64:
		return TpComplex, nil
	case string:
		return TpString, nil
	case []bool:
		return TpArrayBool, nil
	case []int32:
		return TpArrayInt, nil
	case []uint32:
		return TpArrayUInt, nil
	case []float32:
		return TpArrayFloat, nil
	case []float64:
		return TpArrayDouble, nil
	case []string:
		return TpArrayString, nil
	case *Record:
		return TpRecord, nil
	case TableLink:
		return TpTable, nil
	}
	return 0, fmt.Errorf("unsupported keyword value type %T", v)
}

// putTableRecord writes r as a casacore TableRecord object (a variable-structure record).
// Sub-records are described by an empty RecordDesc and written in full, as casacore does for
// variable records.
func (w *aipsWriter) putTableRecord(r *Record) {
	w.putStart("TableRecord", 1)
	w.putStart("RecordDesc", 2)
	w.i32(int32(r.Len()))
	if r != nil {
		for _, f := range r.fields {
			t, _ := keywordType(f.value)
			w.str(f.name)
			w.i32(int32(t))
			switch t {
			case TpRecord:
				w.putStart("RecordDesc", 2)
				w.i32(0)
				w.putEnd()
			case TpArrayBool, TpArrayInt, TpArrayUInt, TpArrayFloat, TpArrayDouble, TpArrayString:
				w.iposition([]int{-1})
			case TpTable:
				w.str("") // table description name
			}
			w.str(f.comment)
		}
	}
	w.putEnd()
	w.i32(1) // RecordInterface::Variable
	if r != nil {
		for _, f := range r.fields {
			w.putKeywordValue(f.value)
		}
	}
	w.putEnd()
}

func (w *aipsWriter) putKeywordValue(v any) {
	switch x := v.(type) {
	case bool:
		w.boolean(x)
	case int32:
		w.i32(x)
	case uint32:
		w.u32(x)
	case int64:
		w.i64(x)
	case float32:
		w.f32(x)
	case float64:
		w.f64(x)
	case complex64:
		w.f32(real(x))
		w.f32(imag(x))
	case string:
		w.str(x)
	case TableLink:
		w.str("././" + string(x))
	case *Record:
		w.putTableRecord(x)
	case []bool:
		w.arrayHeader("Array<void>", len(x))
		bits := make([]byte, (len(x)+7)/8)
		boolBits(bits, 0, x)
		w.bytes(bits)
		w.putEnd()
	case []int32:
		w.arrayHeader("Array<Int>", len(x))
		for _, e := range x {
			w.i32(e)
		}
		w.putEnd()
	case []uint32:
		w.arrayHeader("Array<uInt>", len(x))
		for _, e := range x {
			w.u32(e)
		}
		w.putEnd()
	case []float32:
		w.arrayHeader("Array<float>", len(x))
		for _, e := range x {
			w.u32(math.Float32bits(e))
		}
		w.putEnd()
	case []float64:
		w.arrayHeader("Array<double>", len(x))
		for _, e := range x {
			w.f64(e)
		}
		w.putEnd()
	case []string:
		w.arrayHeader("Array<String>", len(x))
		for _, e := range x {
			w.str(e)
		}
		w.putEnd()
	}
}

// arrayHeader opens a 1-D casacore Array object (version 3) of n elements and writes the element
// count that precedes the values.
func (w *aipsWriter) arrayHeader(name string, n int) {
	w.putStart(name, 3)
	w.u32(1)
	w.u32(uint32(n))
	w.u32(uint32(n))
}
