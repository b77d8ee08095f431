package casatable

import "fmt"

// DataType is casacore's DataType enumeration (casa/Utilities/DataType.h); the numbers are
// written into table files and must not change.
type DataType int32

// The casacore data types. Array types are the scalar type plus the array flag in casacore's
// numbering; column descriptions always carry the scalar type.
const (
	TpBool DataType = iota
	TpChar
	TpUChar
	TpShort
	TpUShort
	TpInt
	TpUInt
	TpFloat
	TpDouble
	TpComplex
	TpDComplex
	TpString
	TpTable
	TpArrayBool
	TpArrayChar
	TpArrayUChar
	TpArrayShort
	TpArrayUShort
	TpArrayInt
	TpArrayUInt
	TpArrayFloat
	TpArrayDouble
	TpArrayComplex
	TpArrayDComplex
	TpArrayString
	TpRecord
	TpOther
	TpQuantity
	TpArrayQuantity
	TpInt64
	TpArrayInt64
)

var typeNames = map[DataType]string{
	TpBool: "boolean", TpChar: "char", TpUChar: "uchar", TpShort: "short", TpUShort: "ushort",
	TpInt: "int", TpUInt: "uint", TpFloat: "float", TpDouble: "double", TpComplex: "complex",
	TpDComplex: "dcomplex", TpString: "string", TpTable: "table", TpRecord: "record",
	TpInt64: "int64", TpOther: "other", TpQuantity: "quantity",
}

// String returns the value type name python-casacore uses ("int", "double", "complex" ...),
// with "[]" appended for array types.
func (t DataType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	if e, ok := t.elem(); ok {
		return typeNames[e] + "[]"
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// elem returns the scalar type of an array type.
func (t DataType) elem() (DataType, bool) {
	switch t {
	case TpArrayBool:
		return TpBool, true
	case TpArrayChar:
		return TpChar, true
	case TpArrayUChar:
		return TpUChar, true
	case TpArrayShort:
		return TpShort, true
	case TpArrayUShort:
		return TpUShort, true
	case TpArrayInt:
		return TpInt, true
	case TpArrayUInt:
		return TpUInt, true
	case TpArrayFloat:
		return TpFloat, true
	case TpArrayDouble:
		return TpDouble, true
	case TpArrayComplex:
		return TpComplex, true
	case TpArrayDComplex:
		return TpDComplex, true
	case TpArrayString:
		return TpString, true
	case TpArrayInt64:
		return TpInt64, true
	}
	return 0, false
}

// size is the number of bytes one value takes in a storage manager's canonical format; 0 for
// strings (variable) and for bools, which storage managers store as bits.
func (t DataType) size() int {
	switch t {
	case TpChar, TpUChar:
		return 1
	case TpShort, TpUShort:
		return 2
	case TpInt, TpUInt, TpFloat:
		return 4
	case TpDouble, TpInt64, TpComplex:
		return 8
	case TpDComplex:
		return 16
	}
	return 0
}

// isNumeric reports whether values of t are fixed-size numbers (not bool, string or record).
func (t DataType) isNumeric() bool { return t.size() > 0 }
