package casatable

import (
	"encoding/binary"
	"fmt"
)

// CellShape returns the shape of the cell in row (nil for scalar columns) and whether the cell
// holds a value.
func (c *Column) CellShape(row int) ([]int, bool, error) {
	if row < 0 || row >= c.t.nrow {
		return nil, false, c.errorf("", "row %d out of range [0, %d)", row, c.t.nrow)
	}
	if !c.sd.IsArray {
		return nil, true, nil
	}
	acc, err := c.accessor()
	if err != nil {
		return nil, false, err
	}
	return acc.cellShape(row)
}

// ReadScalars decodes rows [row0, row0+len(dst)) of a scalar column into dst, a typed slice of
// the column's type ([]int32 for int, []float64 for double, []string ...; see Field).
func (c *Column) ReadScalars(row0 int, dst any) error {
	if c.sd.IsArray {
		return c.errorf("", "ReadScalars on an array column")
	}
	n := sliceLen(dst)
	if n < 0 {
		return c.errorf("", "destination %T is not a value slice", dst)
	}
	offs := make([]int, n+1)
	for i := range offs {
		offs[i] = i
	}
	return c.ReadCells(row0, offs, dst, nil)
}

// ReadCells decodes the cells of rows [row0, row0+len(offs)-1) into dst, a typed slice of the
// column's type: row i's values, in casacore order (first axis fastest), go to
// dst[offs[i]:offs[i+1]], whose length must equal the number of values in the row's cell
// (an error says which row does not match). For a scalar column every row has one value.
// Rows whose cell is undefined are marked false in defined (if not nil; else they are an
// error) and leave their part of dst unchanged.
func (c *Column) ReadCells(row0 int, offs []int, dst any, defined []bool) error {
	n := len(offs) - 1
	if n < 0 {
		return c.errorf("", "ReadCells needs at least one offset")
	}
	if row0 < 0 || n > c.t.nrow-row0 {
		return c.errorf("", "rows [%d, %d) out of range [0, %d)", row0, row0+n, c.t.nrow)
	}
	if defined != nil && len(defined) < n {
		return c.errorf("", "defined has %d entries for %d rows", len(defined), n)
	}
	e, ok := elemType(dst)
	if !ok || !compatible(c.sd.Type, e) {
		return c.errorf("", "cannot read %v values into %T", c.sd.Type, dst)
	}
	for i := 0; i < n; i++ {
		if offs[i] < 0 || offs[i+1] < offs[i] {
			return c.errorf("", "offsets decrease at row %d", row0+i)
		}
	}
	if offs[n] > sliceLen(dst) {
		return c.errorf("", "offsets need %d values, destination holds %d", offs[n], sliceLen(dst))
	}
	if n == 0 {
		return nil
	}
	acc, err := c.accessor()
	if err != nil {
		return err
	}
	var def []bool
	if defined != nil {
		def = defined[:n]
		for i := range def {
			def[i] = true
		}
	} else {
		def = make([]bool, n)
		for i := range def {
			def[i] = true
		}
	}
	if err := acc.read(row0, offs, dst, def); err != nil {
		return err
	}
	if defined == nil {
		for i, ok := range def {
			if !ok {
				return c.errorf("", "row %d has no value (undefined cell)", row0+i)
			}
		}
	}
	return nil
}

// Get returns the value of one cell: for a scalar column the value as in Field (int32,
// float64, string ...), for an array column an *Array, for a record column a *Record; nil if
// the cell is undefined.
func (c *Column) Get(row int) (any, error) {
	if c.desc.Type == TpRecord {
		return c.getRecord(row)
	}
	if !c.desc.IsArray {
		dst := newSlice(c.desc.Type, 1)
		if dst == nil {
			return nil, c.errorf("", "unsupported type %v", c.desc.Type)
		}
		if err := c.ReadScalars(row, dst); err != nil {
			return nil, err
		}
		return firstOf(dst), nil
	}
	acc, err := c.accessor()
	if err != nil {
		return nil, err
	}
	if g, ok := acc.(cellGetter); ok {
		if row < 0 || row >= c.t.nrow {
			return nil, c.errorf("", "row %d out of range [0, %d)", row, c.t.nrow)
		}
		if v, handled, err := g.get(row); handled {
			if v == nil || err != nil {
				return nil, err
			}
			return v, nil
		}
	}
	shape, ok, err := c.CellShape(row)
	if err != nil || !ok {
		return nil, err
	}
	nel, err := product(shape)
	if err != nil {
		return nil, c.errorf("", "row %d: %v", row, err)
	}
	if nel > maxAipsLen {
		return nil, c.errorf("", "row %d: cell of %d values is too large for Get", row, nel)
	}
	dst := newSlice(c.desc.Type, nel)
	def := []bool{true}
	if err := c.ReadCells(row, []int{0, nel}, dst, def); err != nil {
		return nil, err
	}
	if !def[0] {
		return nil, nil
	}
	return &Array{Shape: shape, Data: dst}, nil
}

func firstOf(s any) any {
	switch v := s.(type) {
	case []bool:
		return v[0]
	case []uint8:
		return v[0]
	case []int16:
		return v[0]
	case []uint16:
		return v[0]
	case []int32:
		return v[0]
	case []uint32:
		return v[0]
	case []int64:
		return v[0]
	case []float32:
		return v[0]
	case []float64:
		return v[0]
	case []complex64:
		return v[0]
	case []complex128:
		return v[0]
	case []string:
		return v[0]
	}
	return nil
}

// product returns the number of elements of a shape, checking for overflow and negatives.
func product(shape []int) (int, error) {
	n := 1
	for _, s := range shape {
		if s < 0 || (s > 0 && n > (1<<40)/s) {
			return 0, fmt.Errorf("invalid shape %v", shape)
		}
		n *= s
	}
	return n, nil
}

// checkCell verifies that row i's slot in dst (offs) holds exactly nel values.
func checkCell(c *Column, row int, offs []int, i int, nel int, shape []int) error {
	if got := offs[i+1] - offs[i]; got != nel {
		return c.errorf("", "row %d has shape %v (%d values), the destination slot holds %d", row, shape, nel, got)
	}
	return nil
}

// getRecord reads a cell of a record column: an AipsIO TableRecord stored as bytes.
func (c *Column) getRecord(row int) (any, error) {
	shape, ok, err := c.CellShape(row)
	if err != nil {
		return nil, err
	}
	if !ok || len(shape) != 1 {
		return &Record{}, nil
	}
	b := make([]byte, shape[0])
	def := []bool{true}
	if err := c.ReadCells(row, []int{0, len(b)}, b, def); err != nil {
		return nil, err
	}
	if !def[0] || len(b) == 0 {
		return &Record{}, nil
	}
	d := newDecoder(b, binary.BigEndian)
	rec := d.record(0)
	if d.err != nil {
		return nil, c.errorf("", "row %d: record: %v", row, d.err)
	}
	return rec, nil
}

// cellGetter is implemented by accessors whose cells carry their own shape (indirect arrays):
// get reads a cell's shape and values in one pass and returns an *Array, or nil for an
// undefined cell. handled is false if the column is better read the generic way.
type cellGetter interface {
	get(row int) (v *Array, handled bool, err error)
}
