package mswrite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Cell is one cell of a variable-shape array column: Shape in casacore order (first axis
// fastest) and Data a flat slice of the column's element type ([]bool, []int32, []float32,
// []float64, []complex64, []complex128 or []string) with as many elements as the shape holds.
// A Cell with a nil Shape is undefined (casacore's "no array in this cell").
type Cell struct {
	Shape []int
	Data  any
}

// Vector returns a 1-D cell holding data (a slice of the column's element type).
func Vector(data any) Cell {
	return Cell{Shape: []int{max(dataLen(data), 0)}, Data: data}
}

// Options control how a table is written. The zero value writes little-endian data files with
// 32 KiB buckets.
type Options struct {
	// BigEndian writes the data files big-endian (casacore's canonical order) instead of
	// little-endian; table.dat is always big-endian.
	BigEndian bool
	// BucketBytes is the target bucket size, by data manager name; a data manager that is not
	// listed gets DefaultBucketBytes. Buckets hold whole rows, at least one.
	BucketBytes map[string]int
	// Info is written to table.info.
	Info TableInfo
}

// DefaultBucketBytes is the target StandardStMan bucket size when Options does not give one.
const DefaultBucketBytes = 32 << 10

// Table writes one CASA table: rows are appended in column-major chunks and streamed to the
// data files; Close writes table.dat and table.info. A Table is not safe for concurrent use.
type Table struct {
	path     string
	cols     []ColumnDesc
	colIndex map[string]int
	keywords *Record
	order    byteOrder
	info     TableInfo
	managers []*ssm
	colMgr   []int // per column: index into managers
	colSlot  []int // per column: index of the column within its manager
	nrows    int
	err      error // sticky: the first write error
	closed   bool
}

// Create makes the table directory path (which must not exist) and its data files.
func Create(path string, cols []ColumnDesc, opt *Options) (*Table, error) {
	if opt == nil {
		opt = &Options{}
	}
	t := &Table{path: path, colIndex: make(map[string]int), keywords: NewRecord(), info: opt.Info}
	t.order = binary.LittleEndian
	if opt.BigEndian {
		t.order = binary.BigEndian
	}
	for i := range cols {
		c := cols[i]
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("create table %s: %w", path, err)
		}
		if _, dup := t.colIndex[c.Name]; dup {
			return nil, fmt.Errorf("create table %s: column %s defined twice", path, c.Name)
		}
		t.colIndex[c.Name] = i
		c.Keywords = cloneRecord(c.Keywords)
		c.Shape = append([]int(nil), c.Shape...)
		if len(c.Shape) == 0 {
			c.Shape = nil
		}
		t.cols = append(t.cols, c)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		return nil, fmt.Errorf("create table: %w", err)
	}
	// Group the columns by data manager, in order of first use; sequence numbers follow.
	var names []string
	groups := map[string][]*ColumnDesc{}
	t.colMgr = make([]int, len(t.cols))
	t.colSlot = make([]int, len(t.cols))
	for i := range t.cols {
		m := t.cols[i].manager()
		if _, ok := groups[m]; !ok {
			names = append(names, m)
		}
		t.colSlot[i] = len(groups[m])
		groups[m] = append(groups[m], &t.cols[i])
	}
	for seq, m := range names {
		target := DefaultBucketBytes
		if b, ok := opt.BucketBytes[m]; ok && b > 0 {
			target = b
		}
		file := filepath.Join(path, "table.f"+strconv.Itoa(seq))
		s, err := newSSM(m, seq, file, t.order, groups[m], target)
		if err != nil {
			t.abort()
			return nil, fmt.Errorf("create table %s: %w", path, err)
		}
		t.managers = append(t.managers, s)
	}
	for i := range t.cols {
		for k, m := range names {
			if m == t.cols[i].manager() {
				t.colMgr[i] = k
			}
		}
	}
	return t, nil
}

// Path is the table directory.
func (t *Table) Path() string { return t.path }

// Rows is the number of rows appended so far.
func (t *Table) Rows() int { return t.nrows }

// Keywords are the table keywords written at Close; set them with Keywords().Set.
func (t *Table) Keywords() *Record { return t.keywords }

// Append writes n rows. values maps a column name to its data for the n rows:
//   - scalar column: a slice of n values ([]bool, []int32, []float32, []float64, []complex64,
//     []complex128 or []string, by column type);
//   - fixed-shape array column: a flat slice of n*prod(shape) values, cell after cell;
//   - variable-shape array column: []Cell of length n.
//
// Columns missing from values get zeros, empty strings or undefined cells.
func (t *Table) Append(n int, values map[string]any) error {
	if t.closed {
		return fmt.Errorf("append to %s: table is closed", t.path)
	}
	if t.err != nil {
		return t.err
	}
	if n < 0 || int64(t.nrows)+int64(n) > 1<<31-1 {
		return fmt.Errorf("append to %s: %d rows would exceed 2^31-1 rows", t.path, n)
	}
	perMgr := make([][]any, len(t.managers))
	for k, s := range t.managers {
		perMgr[k] = make([]any, len(s.cols))
	}
	for name, v := range values {
		i, ok := t.colIndex[name]
		if !ok {
			return fmt.Errorf("append to %s: no column %s", t.path, name)
		}
		if err := checkColumnData(&t.cols[i], n, v); err != nil {
			return fmt.Errorf("append to %s: column %s: %w", t.path, name, err)
		}
		perMgr[t.colMgr[i]][t.colSlot[i]] = v
	}
	for k, s := range t.managers {
		if err := s.append(n, perMgr[k]); err != nil {
			t.err = fmt.Errorf("append to %s: %w", t.path, err)
			return t.err
		}
	}
	t.nrows += n
	return nil
}

// checkColumnData checks the Go type and length of a column's values for n rows.
func checkColumnData(c *ColumnDesc, n int, v any) error {
	if c.Array && c.Shape == nil {
		cells, ok := v.([]Cell)
		if !ok {
			return fmt.Errorf("variable-shape column needs []Cell, got %T", v)
		}
		if len(cells) != n {
			return fmt.Errorf("%d cells for %d rows", len(cells), n)
		}
		for r, cell := range cells {
			if cell.Shape == nil {
				continue
			}
			if c.Ndim > 0 && len(cell.Shape) != c.Ndim {
				return fmt.Errorf("cell %d has %d axes, column has %d", r, len(cell.Shape), c.Ndim)
			}
			if len(cell.Shape) == 0 {
				return fmt.Errorf("cell %d has an empty shape (use a nil shape for an undefined cell)", r)
			}
			size := 1
			for _, d := range cell.Shape {
				if d < 0 {
					return fmt.Errorf("cell %d has negative shape %v", r, cell.Shape)
				}
				size *= d
			}
			typ, ok := sliceType(cell.Data)
			if !ok || typ != c.Type {
				return fmt.Errorf("cell %d holds %T, column type is %v", r, cell.Data, c.Type)
			}
			if dataLen(cell.Data) != size {
				return fmt.Errorf("cell %d holds %d values for shape %v", r, dataLen(cell.Data), cell.Shape)
			}
		}
		return nil
	}
	typ, ok := sliceType(v)
	if !ok || typ != c.Type {
		return fmt.Errorf("got %T, column type is %v", v, c.Type)
	}
	if want := n * c.cellSize(); dataLen(v) != want {
		return fmt.Errorf("got %d values, want %d (%d rows x %d per cell)", dataLen(v), want, n, c.cellSize())
	}
	return nil
}

// Close finishes the data files and writes table.dat and table.info. After a failed Append,
// Close releases the files and returns that error without writing table.dat.
func (t *Table) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if t.err != nil {
		t.abort()
		return t.err
	}
	if err := t.keywords.validate(); err != nil {
		t.abort()
		return fmt.Errorf("close %s: table keywords: %w", t.path, err)
	}
	var errs []error
	for _, s := range t.managers {
		if err := s.close(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := os.WriteFile(filepath.Join(t.path, "table.dat"), t.tableDat(), 0o644); err != nil {
		return fmt.Errorf("close %s: %w", t.path, err)
	}
	if err := os.WriteFile(filepath.Join(t.path, "table.info"), t.info.bytes(), 0o644); err != nil {
		return fmt.Errorf("close %s: %w", t.path, err)
	}
	return nil
}

func (t *Table) abort() {
	for _, s := range t.managers {
		s.abort()
	}
}

// tableDat encodes table.dat as casacore's PlainTable::putFile does.
func (t *Table) tableDat() []byte {
	w := newAipsWriter(binary.BigEndian)
	w.putStart("Table", 2)
	w.u32(uint32(t.nrows))
	if t.order == byteOrder(binary.BigEndian) {
		w.u32(0)
	} else {
		w.u32(1)
	}
	w.str("PlainTable")

	w.putStart("TableDesc", 2)
	w.str("") // description name
	w.str("") // version
	w.str("") // comment
	w.putTableRecord(t.keywords)
	w.putTableRecord(nil) // private keywords
	w.u32(uint32(len(t.cols)))
	for i := range t.cols {
		w.putColumnDesc(&t.cols[i])
	}
	w.putEnd()

	// ColumnSet.
	w.i32(-2) // version
	w.u32(uint32(t.nrows))
	w.u32(uint32(len(t.managers))) // data manager sequence count
	w.u32(uint32(len(t.managers)))
	for _, s := range t.managers {
		w.str("StandardStMan")
		w.u32(uint32(s.seq))
	}
	for i := range t.cols {
		c := &t.cols[i]
		w.u32(2) // PlainColumn version
		w.str(c.Name)
		w.u32(1) // ScalarColumnData / ArrayColumnData version
		w.u32(uint32(t.managers[t.colMgr[i]].seq))
		if c.Array {
			w.boolean(c.Shape != nil)
			if c.Shape != nil {
				w.iposition(c.Shape)
			}
		}
	}
	for _, s := range t.managers {
		blob := s.tableBlob()
		w.u32(uint32(len(blob)))
		w.bytes(blob)
	}
	w.putEnd()
	return w.buf
}
