package casatable

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
)

// Tiled storage managers (casacore TiledStMan and its TiledShapeStMan, TiledColumnStMan and
// TiledCellStMan). The header file table.f<seq> is a big-endian AipsIO object
// ("TiledShapeStMan" etc. wrapping "TiledStMan") listing the data files and the hypercubes;
// the data live in table.f<seq>_TSM<n>. A hypercube has the cell axes followed (except for
// TiledCellStMan) by a row axis, and is cut into tiles of tileShape; tile k (first axis
// fastest) starts at fileOffset + k*tileBytes, and holds each data column's values in turn
// (bools as bits), first axis fastest within the tile. Since the row axis is the slowest, the
// values of consecutive rows inside one tile are one contiguous byte range.
type tsm struct {
	t     *Table
	seq   int
	kind  string
	order binary.ByteOrder
	nrdim int
	fmu   sync.Mutex
	files map[int]*dataFile // data files by file sequence number
	cubes []*tsmCube
	// TiledShapeStMan row map: rows up to rowMap[i] (after rowMap[i-1]) are in cube
	// cubeMap[i], row rowMap[i] at position posMap[i] of its row axis.
	rowMap, cubeMap, posMap []uint32
	cols                    map[*Column]*tsmDataCol
}

type tsmCube struct {
	cubeShape   []int
	tileShape   []int
	fileSeq     int
	fileOffset  int64
	tilesPerDim []int
	tileBytes   int64
	tilePixels  int
	colOffset   map[*Column]int64 // byte offset of each data column inside a tile
}

type tsmDataCol struct {
	m    *tsm
	c    *Column
	size int // bytes per value in a tile; 0 for bools (bits)
}

func openTSM(t *Table, dm *dataManager) error {
	m := &tsm{t: t, seq: dm.seq, kind: dm.typ, order: byteOrder(t.bigEndian), files: map[int]*dataFile{}}
	dm.impl = m
	hf, err := t.files.get(t.dmFile(dm.seq, ""))
	if err != nil {
		return err
	}
	b, err := hf.readAll()
	if err != nil {
		return err
	}
	d := newDecoder(b, binary.BigEndian)
	d.start(dm.typ)
	switch dm.typ {
	case "TiledColumnStMan", "TiledCellStMan":
		d.iposition() // tile shape / default tile shape
	}
	extra := 1
	if dm.typ == "TiledCellStMan" {
		extra = 0
	}
	if err := m.readTiledStMan(d, dm, extra); err != nil {
		return err
	}
	if dm.typ == "TiledShapeStMan" {
		d.iposition() // default tile shape
		nUsed := int(d.u32())
		m.rowMap = d.blockU32()
		m.cubeMap = d.blockU32()
		m.posMap = d.blockU32()
		if d.err == nil && (nUsed > len(m.rowMap) || nUsed > len(m.cubeMap) || nUsed > len(m.posMap)) {
			return fmt.Errorf("row map uses %d of %d entries", nUsed, len(m.rowMap))
		}
		if d.err == nil {
			m.rowMap, m.cubeMap, m.posMap = m.rowMap[:nUsed], m.cubeMap[:nUsed], m.posMap[:nUsed]
			for i := range m.rowMap {
				if (i > 0 && m.rowMap[i] <= m.rowMap[i-1]) || int(m.cubeMap[i]) >= len(m.cubes) || int(m.rowMap[i]) >= t.nrow {
					return fmt.Errorf("row map entry %d (row %d, cube %d) is invalid", i, m.rowMap[i], m.cubeMap[i])
				}
			}
		}
	}
	d.end()
	if d.err != nil {
		return fmt.Errorf("header: %w", d.err)
	}
	if dm.typ == "TiledCellStMan" && len(m.cubes) < t.nrow {
		return fmt.Errorf("%d hypercubes for %d rows", len(m.cubes), t.nrow)
	}
	if dm.typ == "TiledColumnStMan" && t.nrow > 0 {
		if len(m.cubes) < 1 || len(m.cubes[0].cubeShape) == 0 || m.cubes[0].cubeShape[m.nrdim-1] < t.nrow {
			return fmt.Errorf("the hypercube does not hold %d rows", t.nrow)
		}
	}
	return nil
}

// readTiledStMan reads the TiledStMan part of the header (casacore TiledStMan::headerFileGet).
func (m *tsm) readTiledStMan(d *decoder, dm *dataManager, extraNdim int) error {
	t := m.t
	_, vers := d.start("TiledStMan")
	if vers >= 2 {
		if be := d.boolean(); d.err == nil && be != t.bigEndian {
			return fmt.Errorf("endian flag in the header mismatches the table's")
		}
	}
	seq := d.u32()
	var nrow uint64
	if vers >= 3 {
		nrow = d.u64()
	} else {
		nrow = uint64(d.u32())
	}
	ncol := int(d.u32())
	if d.err != nil {
		return fmt.Errorf("header: %w", d.err)
	}
	if int(seq) != dm.seq || ncol != len(dm.cols) {
		return fmt.Errorf("header is for manager %d with %d columns, want %d with %d", seq, ncol, dm.seq, len(dm.cols))
	}
	if nrow != uint64(t.nrow) {
		return fmt.Errorf("header has %d rows, the table %d", nrow, t.nrow)
	}
	for _, c := range dm.cols {
		if dt := DataType(d.i32()); d.err == nil && dt != c.sd.Type {
			return fmt.Errorf("column %s has type %v in the header, %v in the table", c.desc.Name, dt, c.sd.Type)
		}
	}
	hcName := d.str()
	dm.name = hcName
	if vers >= 3 {
		d.u64()
	} else {
		d.u32()
	}
	m.nrdim = int(d.u32())
	if d.err != nil {
		return fmt.Errorf("header: %w", d.err)
	}
	if m.nrdim < 1 || m.nrdim > 64 || (extraNdim == 1 && m.nrdim < 1) {
		return fmt.Errorf("hypercubes of %d dimensions", m.nrdim)
	}
	dataCols, err := m.dataColumns(dm, hcName, extraNdim)
	if err != nil {
		return err
	}
	var nfile uint64
	if vers >= 3 {
		nfile = d.u64()
	} else {
		nfile = uint64(d.u32())
	}
	if nfile > 1<<20 {
		return fmt.Errorf("%d data files", nfile)
	}
	for i := 0; i < int(nfile) && d.err == nil; i++ {
		if !d.boolean() {
			continue
		}
		fv := d.u32()
		fseq := int(d.u32())
		if fv == 1 {
			d.u32()
		} else {
			d.i64()
		}
		if d.err == nil && fseq != i {
			return fmt.Errorf("data file %d has sequence number %d", i, fseq)
		}
		m.files[i] = nil // opened on first use
	}
	var ncube uint64
	if vers >= 3 {
		ncube = d.u64()
	} else {
		ncube = uint64(d.u32())
	}
	if d.err == nil && ncube > uint64(d.limit()-d.pos)/16 {
		return fmt.Errorf("%d hypercubes in %d bytes", ncube, d.limit()-d.pos)
	}
	for i := 0; i < int(ncube) && d.err == nil; i++ {
		cv := d.u32()
		d.record(0) // the cube's coordinate and id values
		d.boolean() // extensible
		nd := int(d.u32())
		cube := &tsmCube{}
		cube.cubeShape = d.iposition()
		cube.tileShape = d.iposition()
		cube.fileSeq = int(d.i32())
		if cv == 1 {
			cube.fileOffset = int64(d.u32())
		} else {
			cube.fileOffset = d.i64()
		}
		if d.err != nil {
			break
		}
		if err := m.setupCube(cube, nd, dataCols); err != nil {
			return fmt.Errorf("hypercube %d: %w", i, err)
		}
		m.cubes = append(m.cubes, cube)
	}
	d.end()
	if d.err != nil {
		return fmt.Errorf("header: %w", d.err)
	}
	m.cols = map[*Column]*tsmDataCol{}
	for _, c := range dataCols {
		dc := &tsmDataCol{m: m, c: c, size: c.sd.Type.size()}
		m.cols[c] = dc
		c.acc = dc
	}
	for _, c := range dm.cols {
		if c.acc == nil {
			c.acc = unsupportedAccessor{c: c, why: "coordinate and id columns of tiled hypercolumns are not supported"}
		}
	}
	return nil
}

// dataColumns returns the manager's data columns in the order their values are laid out in a
// tile: the hypercolumn's data columns (or all columns), stably sorted by descending value size.
func (m *tsm) dataColumns(dm *dataManager, hcName string, extraNdim int) ([]*Column, error) {
	var names []string
	if hc := m.t.desc.PrivateKeys.Sub("Hypercolumn_" + hcName); hc != nil && extraNdim >= 0 {
		names = hc.Strings("HCdatanames")
	}
	var cols []*Column
	if len(names) > 0 {
		for _, n := range names {
			for _, c := range dm.cols {
				if c.desc.Name == n {
					cols = append(cols, c)
				}
			}
		}
	} else {
		cols = append(cols, dm.cols...)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no data columns")
	}
	for _, c := range cols {
		if !c.sd.IsArray && m.kind != "TiledColumnStMan" {
			// Scalars can only be stored in a TiledColumnStMan (a one-value cell).
			return nil, fmt.Errorf("scalar column %s in %s", c.desc.Name, m.kind)
		}
		if c.sd.Type == TpString {
			return nil, fmt.Errorf("string column %s cannot be tiled", c.desc.Name)
		}
	}
	sort.SliceStable(cols, func(a, b int) bool { return cols[a].sd.Type.size() > cols[b].sd.Type.size() })
	return cols, nil
}

func (m *tsm) setupCube(cube *tsmCube, nd int, cols []*Column) error {
	if len(cube.cubeShape) == 0 {
		// An empty cube (TiledShapeStMan's cube 0): rows mapped to it have no value.
		cube.fileSeq = -1
		return nil
	}
	if nd != m.nrdim || len(cube.cubeShape) != nd || len(cube.tileShape) != nd {
		return fmt.Errorf("shape %v, tile %v for %d dimensions", cube.cubeShape, cube.tileShape, m.nrdim)
	}
	cube.tilesPerDim = make([]int, nd)
	nt := 1
	tp := 1
	for i := 0; i < nd; i++ {
		if cube.tileShape[i] <= 0 || cube.cubeShape[i] < 0 || cube.tileShape[i] > 1<<30 || cube.cubeShape[i] > 1<<40 {
			return fmt.Errorf("shape %v, tile %v", cube.cubeShape, cube.tileShape)
		}
		cube.tilesPerDim[i] = (cube.cubeShape[i] + cube.tileShape[i] - 1) / cube.tileShape[i]
		if nt > 0 && cube.tilesPerDim[i] > (1<<40)/nt {
			return fmt.Errorf("too many tiles: shape %v, tile %v", cube.cubeShape, cube.tileShape)
		}
		nt *= cube.tilesPerDim[i]
		if tp > (1<<34)/cube.tileShape[i] {
			return fmt.Errorf("tile %v too large", cube.tileShape)
		}
		tp *= cube.tileShape[i]
	}
	cube.tilePixels = tp
	cube.colOffset = map[*Column]int64{}
	for _, c := range cols {
		cube.colOffset[c] = cube.tileBytes
		cube.tileBytes += int64(valueBytes(c.sd.Type, tp))
	}
	if cube.tileBytes > 0 && int64(nt) > (1<<62)/cube.tileBytes {
		return fmt.Errorf("%d tiles of %d bytes", nt, cube.tileBytes)
	}
	if cube.fileSeq < 0 {
		if nt > 0 {
			return fmt.Errorf("hypercube of %d tiles has no data file", nt)
		}
		return nil
	}
	if _, ok := m.files[cube.fileSeq]; !ok {
		return fmt.Errorf("data file %d is not listed", cube.fileSeq)
	}
	if cube.fileOffset < 0 {
		return fmt.Errorf("file offset %d", cube.fileOffset)
	}
	return nil
}

func (m *tsm) file(seq int) (*dataFile, error) {
	m.fmu.Lock()
	defer m.fmu.Unlock()
	if f := m.files[seq]; f != nil {
		return f, nil
	}
	f, err := m.t.files.get(m.t.dmFile(m.seq, fmt.Sprintf("_TSM%d", seq)))
	if err != nil {
		return nil, err
	}
	m.files[seq] = f
	return f, nil
}

// locate returns the cube holding row and the row's position along the cube's row axis; nil
// if the row has no value.
func (m *tsm) locate(row int) (*tsmCube, int) {
	switch m.kind {
	case "TiledColumnStMan":
		if len(m.cubes) == 0 || len(m.cubes[0].cubeShape) == 0 {
			return nil, 0
		}
		return m.cubes[0], row
	case "TiledCellStMan":
		c := m.cubes[row]
		if c.fileSeq < 0 && len(c.cubeShape) == 0 {
			return nil, 0
		}
		return c, 0
	}
	// TiledShapeStMan
	r := uint32(row)
	i := sort.Search(len(m.rowMap), func(k int) bool { return m.rowMap[k] >= r })
	if i >= len(m.rowMap) {
		return nil, 0
	}
	c := m.cubes[m.cubeMap[i]]
	if len(c.cubeShape) == 0 {
		return nil, 0
	}
	return c, int(m.posMap[i]) - int(m.rowMap[i]-r)
}

// cellShape of a cube: the cube shape without the row axis (all of it for TiledCellStMan).
func (m *tsm) cellShapeOf(c *tsmCube) []int {
	if m.kind == "TiledCellStMan" {
		return c.cubeShape
	}
	return c.cubeShape[:len(c.cubeShape)-1]
}

func (dc *tsmDataCol) cellShape(row int) ([]int, bool, error) {
	cube, _ := dc.m.locate(row)
	if cube == nil {
		return nil, false, nil
	}
	if !dc.c.sd.IsArray {
		return nil, true, nil
	}
	return dc.m.cellShapeOf(cube), true, nil
}

func (dc *tsmDataCol) read(row0 int, offs []int, dst any, defined []bool) error {
	m := dc.m
	n := len(offs) - 1
	for i := 0; i < n; {
		row := row0 + i
		cube, pos := m.locate(row)
		if cube == nil {
			defined[i] = false
			i++
			continue
		}
		if pos < 0 || (m.kind != "TiledCellStMan" && pos >= cube.cubeShape[m.nrdim-1]) {
			return dc.c.errorf("", "row %d maps to position %d of a hypercube of %v", row, pos, cube.cubeShape)
		}
		// Extend the run while rows follow each other in the same cube.
		k := 1
		if m.kind != "TiledCellStMan" {
			for i+k < n {
				c2, p2 := m.locate(row + k)
				if c2 != cube || p2 != pos+k {
					break
				}
				k++
			}
		}
		shape := m.cellShapeOf(cube)
		nel, _ := product(shape)
		if !dc.c.sd.IsArray {
			nel = 1
		}
		for j := i; j < i+k; j++ {
			if err := checkCell(dc.c, row0+j, offs, j, nel, shape); err != nil {
				return err
			}
		}
		if err := dc.readRun(cube, pos, k, offs[i:i+k+1], dst); err != nil {
			return err
		}
		i += k
	}
	return nil
}

// readRun reads k consecutive rows starting at position pos of cube's row axis; row j's cell
// goes to dst[offs[j]:].
func (dc *tsmDataCol) readRun(cube *tsmCube, pos, k int, offs []int, dst any) error {
	m := dc.m
	f, err := m.file(cube.fileSeq)
	if err != nil {
		return dc.c.wrapErr("", err)
	}
	nd := m.nrdim
	cellDims := nd - 1
	if m.kind == "TiledCellStMan" {
		cellDims = nd
	}
	cell := cube.cubeShape[:cellDims]
	ctile := cube.tileShape[:cellDims]
	cellPix := 1 // pixels of one row inside one tile
	for _, s := range ctile {
		cellPix *= s
	}
	rowTile := 1
	if cellDims < nd {
		rowTile = cube.tileShape[nd-1]
	}
	// Number of tiles covering a cell, and whether a single tile holds the cell exactly.
	nCellTiles := 1
	exact := true
	for d := 0; d < cellDims; d++ {
		nCellTiles *= cube.tilesPerDim[d]
		if cube.tileShape[d] != cell[d] {
			exact = false
		}
	}
	t := dc.c.sd.Type
	colOff := cube.colOffset[dc.c]
	var scratch []byte
	var bools []bool
	for done := 0; done < k; {
		p := pos + done
		rt := p / rowTile // tile index along the row axis
		r0 := p % rowTile // first row inside the tile
		kk := min(k-done, rowTile-r0)
		for ct := 0; ct < nCellTiles; ct++ {
			// Tile number: cell-tile index, then the row-axis tile index.
			tileNr := int64(ct)
			if cellDims < nd {
				tileNr += int64(rt) * int64(nCellTiles)
			}
			base := cube.fileOffset + tileNr*cube.tileBytes + colOff
			if t == TpBool {
				bit0 := int64(r0) * int64(cellPix)
				nbits := int64(kk) * int64(cellPix)
				lo := bit0 / 8
				hi := (bit0 + nbits + 7) / 8
				if base+hi > f.size {
					return dc.c.wrapErr(f.path, fmt.Errorf("rows at tile %d of hypercube %v need bytes [%d, %d), the file has %d: %w", tileNr, cube.cubeShape, base+lo, base+hi, f.size, ErrTruncated))
				}
				raw := grow(&scratch, int(hi-lo))
				if err := f.readBits(raw, base+lo); err != nil {
					return dc.c.wrapErr(f.path, err)
				}
				bl := growBools(&bools, int(nbits))
				unpackBits(bl, raw, int(bit0%8))
				if exact && contiguous(offs[done:done+kk+1], cellPix) {
					copy(dst.([]bool)[offs[done]:], bl)
					continue
				}
				if err := scatter(dst, offs[done:done+kk+1], bl, nil, 0, t, m.order, cube, cellDims, ct); err != nil {
					return dc.c.wrapErr(f.path, err)
				}
				continue
			}
			sz := int64(t.size())
			off := base + int64(r0)*int64(cellPix)*sz
			n := kk * cellPix
			if off < 0 || int64(n)*sz > f.size-off {
				return dc.c.wrapErr(f.path, fmt.Errorf("rows at tile %d of hypercube %v need bytes [%d, %d), the file has %d: %w", tileNr, cube.cubeShape, off, off+int64(n)*sz, f.size, ErrTruncated))
			}
			if exact && contiguous(offs[done:done+kk+1], cellPix) {
				if err := readValues(f, dc.c, off, t, n, dst, offs[done], m.order); err != nil {
					return err
				}
				continue
			}
			raw := grow(&scratch, n*int(sz))
			if err := f.readAt(raw, off); err != nil {
				return dc.c.wrapErr(f.path, err)
			}
			if err := scatter(dst, offs[done:done+kk+1], nil, raw, int(sz), t, m.order, cube, cellDims, ct); err != nil {
				return dc.c.wrapErr(f.path, err)
			}
		}
		done += kk
	}
	return nil
}

// contiguous reports whether the cells of offs follow each other with n values each.
func contiguous(offs []int, n int) bool {
	for i := 0; i+1 < len(offs); i++ {
		if offs[i+1]-offs[i] != n {
			return false
		}
	}
	return true
}

func grow(b *[]byte, n int) []byte {
	if cap(*b) < n {
		*b = make([]byte, n)
	}
	return (*b)[:n]
}

func growBools(b *[]bool, n int) []bool {
	if cap(*b) < n {
		*b = make([]bool, n)
	}
	return (*b)[:n]
}

// scatter copies the values of consecutive rows read from cell-tile ct (raw bytes of size sz
// each, or bools) into their places in the rows' cells in dst.
func scatter(dst any, offs []int, bools []bool, raw []byte, sz int, t DataType, order binary.ByteOrder, cube *tsmCube, cellDims, ct int) error {
	cell := cube.cubeShape[:cellDims]
	ts := cube.tileShape[:cellDims]
	// Position of this tile in the cell, and the part of it inside the cell.
	start := make([]int, cellDims)
	count := make([]int, cellDims)
	rem := ct
	for d := 0; d < cellDims; d++ {
		td := rem % cube.tilesPerDim[d]
		rem /= cube.tilesPerDim[d]
		start[d] = td * ts[d]
		count[d] = min(ts[d], cell[d]-start[d])
	}
	cellPix := 1
	for _, s := range ts {
		cellPix *= s
	}
	idx := make([]int, cellDims)
	for r := 0; r+1 < len(offs); r++ {
		for d := range idx {
			idx[d] = 0
		}
		for {
			// A run along axis 0 of count[0] values.
			src := r * cellPix
			dpos := 0
			mul := 1
			smul := 1
			for d := 0; d < cellDims; d++ {
				src += idx[d] * smul
				dpos += (start[d] + idx[d]) * mul
				smul *= ts[d]
				mul *= cell[d]
			}
			at := offs[r] + dpos
			if cellDims == 0 {
				at = offs[r]
			}
			run := 1
			if cellDims > 0 {
				run = count[0]
			}
			if bools != nil {
				copy(dst.([]bool)[at:at+run], bools[src:src+run])
			} else if err := decodeValues(dst, at, raw[src*sz:(src+run)*sz], t, order); err != nil {
				return err
			}
			// Next run: advance axes 1.. like an odometer.
			d := 1
			for ; d < cellDims; d++ {
				idx[d]++
				if idx[d] < count[d] {
					break
				}
				idx[d] = 0
			}
			if d >= cellDims {
				break
			}
		}
	}
	return nil
}

// unsupportedAccessor reports why a column cannot be read.
type unsupportedAccessor struct {
	c   *Column
	why string
}

func (u unsupportedAccessor) cellShape(int) ([]int, bool, error) {
	return nil, false, u.c.errorf("", "%s", u.why)
}

func (u unsupportedAccessor) read(int, []int, any, []bool) error {
	return u.c.errorf("", "%s", u.why)
}
