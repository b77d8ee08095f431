package casatable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Options tune how a table is opened. The zero value (or nil) is the default.
type Options struct {
	// WrapReaderAt, if set, wraps every file the table reads (table.dat, the storage
	// managers' files), e.g. to count the bytes read. path is the file's path.
	WrapReaderAt func(path string, r io.ReaderAt) io.ReaderAt
}

// Table is an open CASA table: its description, keywords and columns. A Table reads its files
// lazily and keeps them open until Close. Its methods may be called from several goroutines.
type Table struct {
	path      string
	nrow      int
	bigEndian bool
	tableType string // from table.info, e.g. "Measurement Set"
	subType   string
	desc      TableDesc
	columns   []*Column
	byName    map[string]*Column
	dms       []*dataManager
	files     *files
	opts      Options
	opener    opener
	dmMu      sync.Mutex // guards opening the data managers
}

// TableDesc is a table's description: its name, keywords and columns.
type TableDesc struct {
	Name        string
	Version     string
	Comment     string
	Keywords    *Record
	PrivateKeys *Record // hypercolumn definitions live here
	Columns     []ColumnDesc
}

// ColumnDesc describes one column, as casacore's ColumnDesc.
type ColumnDesc struct {
	Name             string
	Comment          string
	DataManagerType  string
	DataManagerGroup string
	Type             DataType // the scalar value type (for array columns too)
	IsArray          bool
	Options          int   // casacore ColumnDesc option bits: 1 Direct, 2 Undefined, 4 FixedShape
	NDim             int   // array columns: dimensionality, or <= 0 if it may vary
	Shape            []int // fixed cell shape, if declared
	MaxLength        int   // strings: maximum length, 0 = unbounded
	Keywords         *Record
}

// Column option bits (casacore ColumnDesc::Option).
const (
	OptDirect     = 1
	OptUndefined  = 2
	OptFixedShape = 4
)

// Column is one column of an open table.
type Column struct {
	t     *Table
	desc  ColumnDesc
	sd    ColumnDesc // how the storage manager stores it (record columns: uchar arrays)
	dm    *dataManager
	shape []int // the shape of every cell, if fixed (from the column set or the description)
	acc   accessor
}

// dataManager is one storage manager of a table as listed in table.dat.
type dataManager struct {
	typ    string
	name   string // the manager's name (SSM, ISM: from table.dat; tiled: the hypercolumn)
	seq    int
	blob   []byte // the manager's part of table.dat
	cols   []*Column
	impl   any // *ssm, *ism, *tsm, once opened
	err    error
	opened bool
}

// accessor is what a storage manager provides for one column.
type accessor interface {
	// cellShape returns the shape of a row's cell (nil for a scalar column) and whether the
	// cell holds a value.
	cellShape(row int) ([]int, bool, error)
	// read decodes the cells of rows [row0, row0+len(offs)-1): row i's values go to
	// dst[offs[i]:offs[i+1]] (one value per row for scalars), a typed slice of the column's
	// value type. Rows without a value are marked false in defined (if not nil) and their
	// part of dst is left as is.
	read(row0 int, offs []int, dst any, defined []bool) error
}

// Open opens the table in directory path for reading.
func Open(path string, opts *Options) (*Table, error) {
	return openWith(path, opts, osOpener)
}

func openWith(path string, opts *Options, open opener) (*Table, error) {
	t := &Table{path: filepath.Clean(path), opener: open}
	if opts != nil {
		t.opts = *opts
	}
	t.files = &files{open: open, wrap: t.opts.WrapReaderAt}
	if err := t.readTableDat(); err != nil {
		t.files.close()
		return nil, fmt.Errorf("casatable: open table %s: %w", path, err)
	}
	n, ok, err := t.readLockRows()
	if err != nil {
		t.files.close()
		return nil, fmt.Errorf("casatable: open table %s: %w", path, err)
	}
	if ok {
		t.nrow = n
	}
	t.readTableInfo()
	return t, nil
}

// Close closes the table's files.
func (t *Table) Close() error { return t.files.close() }

// Path returns the table's directory.
func (t *Table) Path() string { return t.path }

// NumRows returns the number of rows.
func (t *Table) NumRows() int { return t.nrow }

// BigEndian reports whether the storage managers store data big-endian.
func (t *Table) BigEndian() bool { return t.bigEndian }

// Type returns the table type from table.info (e.g. "Measurement Set"), "" if none.
func (t *Table) Type() string { return t.tableType }

// Desc returns the table description.
func (t *Table) Desc() *TableDesc { return &t.desc }

// Keywords returns the table keywords.
func (t *Table) Keywords() *Record { return t.desc.Keywords }

// Columns returns the columns in table order.
func (t *Table) Columns() []*Column { return t.columns }

// HasColumn reports whether the table has a column of that name.
func (t *Table) HasColumn(name string) bool { _, ok := t.byName[name]; return ok }

// Column returns the named column.
func (t *Table) Column(name string) (*Column, error) {
	c, ok := t.byName[name]
	if !ok {
		return nil, fmt.Errorf("casatable: table %s has no column %s", t.path, name)
	}
	return c, nil
}

// DataManagerInfo describes a storage manager and the columns it stores.
type DataManagerInfo struct {
	Type    string
	Name    string // the manager's name (its columns' data manager group)
	Seq     int    // sequence number: its files are table.f<Seq>*
	Columns []string
	// Hypercubes lists a tiled manager's hypercubes (TiledShapeStMan's empty cube 0
	// excluded).
	Hypercubes []Hypercube
	// Err is set if the manager could not be opened (e.g. an unsupported type).
	Err error
}

// Hypercube is one hypercube of a tiled storage manager.
type Hypercube struct {
	CubeShape, TileShape []int
}

// DataManagers lists the table's storage managers, opening them to describe their layout.
func (t *Table) DataManagers() []DataManagerInfo {
	var out []DataManagerInfo
	for _, dm := range t.dms {
		info := DataManagerInfo{Type: dm.typ, Seq: dm.seq}
		for _, c := range dm.cols {
			info.Columns = append(info.Columns, c.desc.Name)
		}
		if len(dm.cols) > 0 {
			if _, err := dm.cols[0].accessor(); err != nil {
				info.Err = err
			}
		}
		t.dmMu.Lock()
		info.Name = dm.name
		t.dmMu.Unlock()
		if m, ok := dm.impl.(*tsm); ok {
			for _, c := range m.cubes {
				if len(c.cubeShape) > 0 {
					info.Hypercubes = append(info.Hypercubes, Hypercube{CubeShape: c.cubeShape, TileShape: c.tileShape})
				}
			}
		}
		out = append(out, info)
	}
	return out
}

// SubtablePath resolves the table keyword name (a subtable link such as "ANTENNA") to a
// directory path. ok is false if there is no such table keyword.
func (t *Table) SubtablePath(keyword string) (string, bool) {
	f, ok := t.desc.Keywords.Field(keyword)
	if !ok || f.Type != TpTable {
		return "", false
	}
	return resolveTableRef(f.Value.(TableRef).Name, t.path), true
}

// OpenSubtable opens the subtable linked by a table keyword with the same options. A keyword
// pointing at a missing directory gives an error wrapping fs.ErrNotExist.
func (t *Table) OpenSubtable(keyword string) (*Table, error) {
	p, ok := t.SubtablePath(keyword)
	if !ok {
		return nil, fmt.Errorf("casatable: table %s has no subtable keyword %s: %w", t.path, keyword, fs.ErrNotExist)
	}
	return openWith(p, &t.opts, t.opener)
}

// Name returns the column name.
func (c *Column) Name() string { return c.desc.Name }

// Desc returns the column description as bound in this table (casacore's actualTableDesc):
// DataManagerType and DataManagerGroup are those of the manager holding the column, and a
// fixed shape given only when the column was bound is filled in.
func (c *Column) Desc() *ColumnDesc {
	c.t.dmMu.Lock()
	named := c.dm.name != ""
	c.t.dmMu.Unlock()
	if !named && strings.HasPrefix(c.dm.typ, "Tiled") {
		c.accessor() // reads the hypercolumn name; an error leaves the stored name
	}
	c.t.dmMu.Lock()
	defer c.t.dmMu.Unlock()
	d := c.desc
	d.DataManagerType = c.dm.typ
	if c.dm.name != "" {
		d.DataManagerGroup = c.dm.name
	}
	if d.IsArray && d.Options&OptFixedShape != 0 && len(d.Shape) == 0 {
		d.Shape = c.shape
	}
	return &d
}

// Table returns the column's table.
func (c *Column) Table() *Table { return c.t }

// FixedShape returns the cell shape shared by all rows, or nil if it may vary by row.
func (c *Column) FixedShape() []int { return c.shape }

// DataManagerType returns the type of the storage manager holding the column.
func (c *Column) DataManagerType() string { return c.dm.typ }

func (t *Table) readTableDat() error {
	name := filepath.Join(t.path, "table.dat")
	f, err := t.files.get(name)
	if err != nil {
		return err
	}
	b, err := f.readAll()
	if err != nil {
		return err
	}
	if err := t.parseTableDat(b); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// parseTableDat decodes table.dat (casacore PlainTable::getFile, TableDesc::getFile,
// ColumnSet::getFile). It does not touch other files.
func (t *Table) parseTableDat(b []byte) error {
	d := newDecoder(b, binary.BigEndian)
	_, vers := d.start("Table")
	if d.err == nil && (vers < 1 || vers > 3) {
		return fmt.Errorf("table format version %d is not supported", vers)
	}
	var nrow uint64
	if vers > 2 {
		nrow = d.u64()
	} else {
		nrow = uint64(d.u32())
	}
	format := d.u32()
	t.bigEndian = format == 0
	tp := d.str()
	if d.err != nil {
		return d.err
	}
	if tp != "PlainTable" {
		return fmt.Errorf("table kind %q is not supported (only PlainTable; a reference or concatenated table must be made persistent first)", tp)
	}
	if nrow > 1<<40 {
		return fmt.Errorf("implausible row count %d", nrow)
	}
	t.nrow = int(nrow)
	if vers == 1 {
		return errors.New("table format version 1 (before 1996) is not supported")
	}
	if err := t.parseTableDesc(d); err != nil {
		return err
	}
	return t.parseColumnSet(d)
}

func (t *Table) parseTableDesc(d *decoder) error {
	_, tvers := d.start("TableDesc")
	td := &t.desc
	td.Name = d.str()
	td.Version = d.str()
	td.Comment = d.str()
	td.Keywords = d.record(0)
	if tvers != 1 {
		td.PrivateKeys = d.record(0)
	}
	ncol := d.count(16)
	for i := 0; i < ncol && d.err == nil; i++ {
		cd, err := parseColumnDesc(d)
		if err != nil {
			return fmt.Errorf("column description %d: %w", i, err)
		}
		td.Columns = append(td.Columns, cd)
	}
	d.end()
	if d.err != nil {
		return fmt.Errorf("table description: %w", d.err)
	}
	if td.Keywords == nil {
		td.Keywords = &Record{}
	}
	return nil
}

func parseColumnDesc(d *decoder) (ColumnDesc, error) {
	var cd ColumnDesc
	d.u32() // ColumnDesc version
	cls := d.str()
	switch {
	case strings.HasPrefix(cls, "ScalarColumnDesc"):
	case strings.HasPrefix(cls, "ArrayColumnDesc"):
		cd.IsArray = true
	case cls == "ScalarRecordColumnDesc":
	default:
		if d.err != nil {
			return cd, d.err
		}
		return cd, fmt.Errorf("column description class %q is not supported", cls)
	}
	d.u32() // BaseColumnDesc version
	cd.Name = d.str()
	cd.Comment = d.str()
	cd.DataManagerType = d.str()
	cd.DataManagerGroup = d.str()
	cd.Type = DataType(d.i32())
	cd.Options = int(d.i32())
	cd.NDim = int(d.i32())
	if cd.IsArray {
		cd.Shape = d.iposition()
		if len(cd.Shape) == 0 {
			cd.Shape = nil
		}
	}
	cd.MaxLength = int(d.u32())
	cd.Keywords = d.record(0)
	if d.err != nil {
		return cd, fmt.Errorf("column %s: %w", cd.Name, d.err)
	}
	switch cd.Type {
	case TpBool, TpChar, TpUChar, TpShort, TpUShort, TpInt, TpUInt, TpInt64,
		TpFloat, TpDouble, TpComplex, TpDComplex, TpString:
	case TpRecord:
		if cls != "ScalarRecordColumnDesc" {
			return cd, fmt.Errorf("column %s: record values in a %s", cd.Name, cls)
		}
	default:
		return cd, fmt.Errorf("column %s has unsupported value type %v", cd.Name, cd.Type)
	}
	d.u32() // Scalar/ArrayColumnDesc version
	if cd.Type == TpRecord {
		// nothing more
	} else if cd.IsArray {
		d.boolean() // formerly "has default"; always false
	} else {
		d.value(cd.Type) // default value, unused
	}
	if d.err != nil {
		return cd, fmt.Errorf("column %s: %w", cd.Name, d.err)
	}
	if cd.Keywords == nil {
		cd.Keywords = &Record{}
	}
	return cd, nil
}

func (t *Table) parseColumnSet(d *decoder) error {
	csVers := d.i32()
	if csVers >= 0 {
		// Version 1 wrote the row count first (always positive).
		csVers = 1
	} else {
		csVers = -csVers
		if csVers <= 2 {
			d.u32()
		} else {
			d.u64()
		}
	}
	if csVers >= 3 {
		opt := d.i32()
		d.i32() // block size
		// casacore StorageOption: 0 MultiFile, 1 MultiHDF5, 2 SepFile, 3 Default, 4 Aipsrc.
		if d.err == nil && (opt == 0 || opt == 1) {
			return fmt.Errorf("storage option %d (all files in one MultiFile/HDF5 container) is not supported", opt)
		}
	}
	d.u32() // number of data managers ever created (next sequence number)
	ndm := d.count(8)
	for i := 0; i < ndm && d.err == nil; i++ {
		typ := d.str()
		seq := int(d.u32())
		t.dms = append(t.dms, &dataManager{typ: typ, seq: seq})
	}
	if d.err != nil {
		return fmt.Errorf("column set: %w", d.err)
	}
	cols := make([]*Column, len(t.desc.Columns))
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	if csVers == 1 {
		sort.Slice(order, func(a, b int) bool { return t.desc.Columns[order[a]].Name < t.desc.Columns[order[b]].Name })
	}
	for _, i := range order {
		cd := t.desc.Columns[i]
		pvers := d.u32()
		if pvers == 1 {
			d.record(0) // old separate column keywords; merged in the description since
		}
		d.str() // original name
		d.u32() // derived version
		seq := int(d.u32())
		var shape []int
		if cd.IsArray && cd.Type != TpRecord {
			if d.boolean() {
				shape = d.iposition()
			}
		}
		if d.err != nil {
			return fmt.Errorf("column %s: %w", cd.Name, d.err)
		}
		var dm *dataManager
		for _, m := range t.dms {
			if m.seq == seq {
				dm = m
			}
		}
		if dm == nil {
			return fmt.Errorf("column %s: data manager %d is not listed", cd.Name, seq)
		}
		if len(shape) == 0 && cd.Options&OptFixedShape != 0 && len(cd.Shape) > 0 {
			shape = cd.Shape
		}
		if len(shape) == 0 {
			shape = nil
		}
		c := &Column{t: t, desc: cd, sd: cd, dm: dm, shape: shape}
		if cd.Type == TpRecord {
			// A record is stored as its AipsIO serialisation in an indirect uchar array.
			c.sd = ColumnDesc{Name: cd.Name, Type: TpUChar, IsArray: true, NDim: 1}
		}
		cols[i] = c
	}
	// Data manager columns are numbered in table column order.
	for _, c := range cols {
		c.dm.cols = append(c.dm.cols, c)
	}
	for _, dm := range t.dms {
		n := d.count(1)
		b := d.take(n)
		if d.err != nil {
			return fmt.Errorf("data manager %s %d: %w", dm.typ, dm.seq, d.err)
		}
		dm.blob = b
		dm.name = blobName(dm.typ, b)
	}
	d.end()
	if d.err != nil {
		return fmt.Errorf("column set: %w", d.err)
	}
	t.columns = cols
	t.byName = make(map[string]*Column, len(cols))
	for _, c := range cols {
		t.byName[c.desc.Name] = c
	}
	return nil
}

// lockInfoOffset is where casacore's lock file holds the length of its sync info: after a
// request list of 65 int32 (casa/IO/LockFile.cc SIZEREQID).
const lockInfoOffset = 65 * 4

// readLockRows returns the row count from table.lock. casacore keeps the current row count
// there (TableSyncData): table.dat is not rewritten when only rows are added, so its count may
// be stale. ok is false if there is no lock file, or it holds no sync info or 0 rows: casacore
// then uses table.dat's count too. A lock file of the request list alone is one without sync info
// (casacore's own, written when it opens a table that has none); one cut short elsewhere is an
// error, since the count in table.dat may then be wrong.
func (t *Table) readLockRows() (n int, ok bool, err error) {
	name := filepath.Join(t.path, "table.lock")
	f, err := t.files.get(name)
	if err != nil {
		return 0, false, nil
	}
	if f.size > 1<<20 {
		return 0, false, fmt.Errorf("%s: %d bytes is too large for a lock file", name, f.size)
	}
	if f.size == lockInfoOffset {
		// The request list alone: what casacore writes when it opens a table that has no lock
		// file (e.g. WSClean reading an MS this project wrote). casacore reads it as "no sync
		// info" and takes table.dat's count, and so does this.
		return 0, false, nil
	}
	if f.size < lockInfoOffset+4 {
		return 0, false, fmt.Errorf("%s: %d bytes, shorter than a lock file's header (truncated?): %w", name, f.size, ErrTruncated)
	}
	b, err := f.readAll()
	if err != nil {
		return 0, false, err
	}
	ni := int(binary.BigEndian.Uint32(b[lockInfoOffset:]))
	info := b[lockInfoOffset+4:]
	if ni == 0 {
		return 0, false, nil
	}
	if ni > len(info) {
		return 0, false, fmt.Errorf("%s: sync info of %d bytes, %d present: %w", name, ni, len(info), ErrTruncated)
	}
	d := newDecoder(info[:ni], binary.BigEndian)
	_, vers := d.start("sync")
	var nrow uint64
	if vers == 1 {
		nrow = uint64(d.u32())
	} else {
		nrow = d.u64()
	}
	if d.err != nil {
		return 0, false, fmt.Errorf("%s: sync info: %w", name, d.err)
	}
	if nrow > 1<<40 {
		return 0, false, fmt.Errorf("%s: implausible row count %d", name, nrow)
	}
	if nrow == 0 {
		return 0, false, nil
	}
	return int(nrow), true, nil
}

// readTableInfo reads table.info ("Type = ...", "SubType = ..."); it is optional.
func (t *Table) readTableInfo() {
	f, err := t.files.get(filepath.Join(t.path, "table.info"))
	if err != nil || f.size > 1<<20 {
		return
	}
	b, err := f.readAll()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Type":
			t.tableType = strings.TrimSpace(v)
		case "SubType":
			t.subType = strings.TrimSpace(v)
		}
	}
}

// errorf builds an error naming the table, the column and (if known) the file.
func (c *Column) errorf(file string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if file != "" {
		return fmt.Errorf("casatable: table %s column %s (%s, file %s): %s", c.t.path, c.desc.Name, c.dm.typ, filepath.Base(file), msg)
	}
	return fmt.Errorf("casatable: table %s column %s (%s): %s", c.t.path, c.desc.Name, c.dm.typ, msg)
}

// wrapErr wraps err with the table, column and file.
func (c *Column) wrapErr(file string, err error) error {
	if file != "" {
		return fmt.Errorf("casatable: table %s column %s (%s, file %s): %w", c.t.path, c.desc.Name, c.dm.typ, filepath.Base(file), err)
	}
	return fmt.Errorf("casatable: table %s column %s (%s): %w", c.t.path, c.desc.Name, c.dm.typ, err)
}

// dmFile is the path of a storage manager's main file, table.f<seq>.
func (t *Table) dmFile(seq int, suffix string) string {
	return filepath.Join(t.path, fmt.Sprintf("table.f%d%s", seq, suffix))
}

// accessor returns the column's storage manager accessor, opening the manager on first use.
func (c *Column) accessor() (accessor, error) {
	c.t.dmMu.Lock()
	defer c.t.dmMu.Unlock()
	dm := c.dm
	if !dm.opened {
		dm.opened = true
		dm.err = c.t.openDataManager(dm)
		if dm.err != nil {
			// A manager that failed half way may have set some accessors.
			for _, col := range dm.cols {
				col.acc = nil
			}
		}
	}
	if dm.err != nil {
		return nil, fmt.Errorf("casatable: table %s column %s: %w", c.t.path, c.desc.Name, dm.err)
	}
	if c.acc == nil {
		return nil, c.errorf("", "storage manager gave no accessor")
	}
	return c.acc, nil
}

func (t *Table) openDataManager(dm *dataManager) error {
	var err error
	switch dm.typ {
	case "StandardStMan":
		err = openSSM(t, dm)
	case "IncrementalStMan":
		err = openISM(t, dm)
	case "TiledShapeStMan", "TiledColumnStMan", "TiledCellStMan":
		err = openTSM(t, dm)
	default:
		names := make([]string, len(dm.cols))
		for i, c := range dm.cols {
			names[i] = c.desc.Name
		}
		return fmt.Errorf("storage manager %s (table.f%d, columns %s) is not supported; supported are StandardStMan, IncrementalStMan, TiledShapeStMan, TiledColumnStMan and TiledCellStMan", dm.typ, dm.seq, strings.Join(names, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", dm.typ, filepath.Base(t.dmFile(dm.seq, "")), err)
	}
	return nil
}

// blobName returns the manager name stored in a StandardStMan or IncrementalStMan entry of
// table.dat ("" for other managers or if it cannot be read).
func blobName(typ string, b []byte) string {
	var obj string
	switch typ {
	case "StandardStMan":
		obj = "SSM"
	case "IncrementalStMan":
		obj = "ISM"
	default:
		return ""
	}
	d := newDecoder(b, binary.BigEndian)
	d.start(obj)
	name := d.str()
	if d.err != nil {
		return ""
	}
	return name
}
