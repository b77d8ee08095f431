package mswrite

import (
	"fmt"
)

// DefaultManager is the name of the StandardStMan instance that holds columns whose
// ColumnDesc.Manager is empty.
const DefaultManager = "StandardStMan"

// ColumnDesc describes one column of a table.
type ColumnDesc struct {
	Name    string
	Comment string
	Type    DataType // TpBool, TpInt, TpFloat, TpDouble, TpComplex, TpDComplex or TpString
	// Array is false for a scalar column.
	Array bool
	// Ndim is the dimensionality of an array column's cells; -1 allows any. Ignored when Shape
	// is set.
	Ndim int
	// Shape is the fixed cell shape of an array column in casacore order (first axis fastest);
	// nil for variable-shape cells. Fixed-shape columns are stored directly in the buckets;
	// variable-shape ones in the indirect-array file (or the string heap for strings).
	Shape []int
	// Keywords are the column keywords (QuantumUnits, MEASINFO, ...); nil for none.
	Keywords *Record
	// Manager names the StandardStMan instance (one data file each) that stores the column;
	// "" means DefaultManager.
	Manager string
}

// Scalar returns the description of a scalar column.
func Scalar(name string, t DataType, comment string) ColumnDesc {
	return ColumnDesc{Name: name, Type: t, Comment: comment}
}

// FixedArray returns the description of an array column whose cells all have the given shape
// (casacore order).
func FixedArray(name string, t DataType, shape []int, comment string) ColumnDesc {
	return ColumnDesc{Name: name, Type: t, Array: true, Ndim: len(shape), Shape: append([]int(nil), shape...), Comment: comment}
}

// VarArray returns the description of an array column with cells of ndim dimensions (-1: any)
// whose shape may differ per row.
func VarArray(name string, t DataType, ndim int, comment string) ColumnDesc {
	return ColumnDesc{Name: name, Type: t, Array: true, Ndim: ndim, Comment: comment}
}

// WithUnits returns c with a QuantumUnits keyword (one unit per axis value, as casacore's
// TableQuantumDesc writes it).
func (c ColumnDesc) WithUnits(units ...string) ColumnDesc {
	c.Keywords = cloneRecord(c.Keywords).Set("QuantumUnits", append([]string(nil), units...))
	return c
}

// WithMeasure returns c with a MEASINFO keyword {type, Ref} (casacore's TableMeasDesc), so that
// casacore's measures columns interpret the values, e.g. ("epoch", "UTC") or ("direction",
// "J2000").
func (c ColumnDesc) WithMeasure(measType, ref string) ColumnDesc {
	c.Keywords = cloneRecord(c.Keywords).Set("MEASINFO", NewRecord().Set("type", measType).Set("Ref", ref))
	return c
}

// WithKeyword returns c with the keyword name set to value.
func (c ColumnDesc) WithKeyword(name string, value any) ColumnDesc {
	c.Keywords = cloneRecord(c.Keywords).Set(name, value)
	return c
}

// In returns c stored by the StandardStMan instance named manager.
func (c ColumnDesc) In(manager string) ColumnDesc {
	c.Manager = manager
	return c
}

func cloneRecord(r *Record) *Record {
	out := NewRecord()
	if r != nil {
		out.fields = append(out.fields, r.fields...)
	}
	return out
}

func (c *ColumnDesc) manager() string {
	if c.Manager == "" {
		return DefaultManager
	}
	return c.Manager
}

func (c *ColumnDesc) ndim() int {
	if c.Shape != nil {
		return len(c.Shape)
	}
	return c.Ndim
}

// cellSize is the number of elements of a fixed-shape cell (1 for scalars).
func (c *ColumnDesc) cellSize() int {
	n := 1
	for _, s := range c.Shape {
		n *= s
	}
	return n
}

// direct reports whether the cells are stored in the buckets (scalars and fixed-shape arrays).
func (c *ColumnDesc) direct() bool { return !c.Array || c.Shape != nil }

func (c *ColumnDesc) validate() error {
	switch c.Type {
	case TpBool, TpInt, TpFloat, TpDouble, TpComplex, TpDComplex, TpString:
	default:
		return fmt.Errorf("column %s: unsupported data type %v", c.Name, c.Type)
	}
	if c.Name == "" {
		return fmt.Errorf("column with empty name")
	}
	if !c.Array && c.Shape != nil {
		return fmt.Errorf("column %s: a scalar column has no shape", c.Name)
	}
	if c.Array && c.Shape != nil {
		if len(c.Shape) == 0 {
			return fmt.Errorf("column %s: fixed shape has no axes", c.Name)
		}
		for _, s := range c.Shape {
			if s <= 0 {
				return fmt.Errorf("column %s: fixed shape %v has a non-positive axis", c.Name, c.Shape)
			}
		}
		if c.Type == TpString {
			return fmt.Errorf("column %s: fixed-shape string arrays are not supported; use a variable-shape column", c.Name)
		}
	}
	if c.Array && c.Shape == nil && (c.Ndim == 0 || c.Ndim < -1) {
		return fmt.Errorf("column %s: array column needs Ndim > 0 or -1", c.Name)
	}
	if err := c.Keywords.validate(); err != nil {
		return fmt.Errorf("column %s: %w", c.Name, err)
	}
	return nil
}

// className is the casacore column description class stored in table.dat.
func (c *ColumnDesc) className() string {
	if c.Array {
		return "ArrayColumnDesc<" + c.Type.typeID()
	}
	return "ScalarColumnDesc<" + c.Type.typeID()
}

// putColumnDesc writes a ColumnDesc as casacore's ColumnDesc::putFile does.
func (w *aipsWriter) putColumnDesc(c *ColumnDesc) {
	w.u32(1) // ColumnDesc version
	w.str(c.className())
	w.u32(1) // BaseColumnDesc version
	w.str(c.Name)
	w.str(c.Comment)
	w.str("StandardStMan") // data manager type
	w.str(c.manager())     // data manager group
	w.i32(int32(c.Type))
	option := int32(0)
	if c.Array && c.Shape != nil {
		option = 5 // ColumnDesc::Direct | ColumnDesc::FixedShape
	}
	w.i32(option)
	if c.Array {
		w.i32(int32(c.ndim()))
		w.iposition(c.Shape)
	} else {
		w.i32(0)
	}
	w.u32(0) // maximum string length: unlimited
	w.putTableRecord(c.Keywords)
	w.u32(1) // putDesc version
	if c.Array {
		w.boolean(false) // obsolete "has default" switch
		return
	}
	switch c.Type { // default value
	case TpBool:
		w.boolean(false)
	case TpInt, TpFloat:
		w.u32(0)
	case TpDouble, TpComplex:
		w.i64(0)
	case TpDComplex:
		w.i64(0)
		w.i64(0)
	case TpString:
		w.str("")
	}
}

// TableInfo is the content of table.info.
type TableInfo struct {
	Type    string // e.g. "Measurement Set"
	SubType string
	Readme  string
}

func (ti TableInfo) bytes() []byte {
	return []byte("Type = " + ti.Type + "\nSubType = " + ti.SubType + "\n\n" + ti.Readme)
}
