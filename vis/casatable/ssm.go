package casatable

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
)

// StandardStMan (casacore SSMBase). File table.f<seq>:
//
//	[0, 512)            header: AipsIO object "StandardStMan" (bucket size, #buckets, index
//	                    location, #indices), in the table's byte order
//	512 + b*bucketSize  bucket b
//
// The index (one SSMIndex per group of columns with the same rows per bucket) maps a row to a
// bucket and the bucket's first and last row; column c's values for those rows sit contiguous
// at columnOffset[c] in the bucket: fixed-size values, bools as bits, variable strings as
// (bucket, offset, length) references into string buckets (inline if 8 bytes or fewer), and
// indirect arrays as int64 offsets into table.f<seq>i (see arrayFile).
type ssm struct {
	t          *Table
	f          *dataFile
	order      binary.ByteOrder
	bucketSize int64
	nBuckets   int64
	colOffset  []uint32
	colIndex   []uint32
	indices    []ssmIndex
	idxBuckets map[int64]bool // buckets holding the index (read at open)

	arrOnce sync.Once
	arr     *arrayFile
	arrErr  error

	strMu    sync.Mutex
	strCache map[int64][]byte // string buckets by number
}

type ssmIndex struct {
	lastRow  []uint64
	bucketNr []uint32
}

const ssmHeaderSize = 512

func openSSM(t *Table, dm *dataManager) error {
	s := &ssm{t: t, order: byteOrder(t.bigEndian)}
	// The manager's part of table.dat: name, column offsets, column -> index map.
	d := newDecoder(dm.blob, binary.BigEndian)
	d.start("SSM")
	d.str()
	s.colOffset = d.blockU32()
	s.colIndex = d.blockU32()
	d.end()
	if d.err != nil {
		return fmt.Errorf("table.dat entry: %w", d.err)
	}
	if len(s.colOffset) < len(dm.cols) || len(s.colIndex) < len(dm.cols) {
		return fmt.Errorf("table.dat entry lists %d column offsets for %d columns", len(s.colOffset), len(dm.cols))
	}
	f, err := t.files.get(t.dmFile(dm.seq, ""))
	if err != nil {
		return err
	}
	s.f = f
	hdr := make([]byte, min(int64(ssmHeaderSize), f.size))
	if err := f.readAt(hdr, 0); err != nil {
		return err
	}
	d = newDecoder(hdr, s.order)
	_, vers := d.start("StandardStMan")
	if vers >= 3 {
		if be := d.boolean(); d.err == nil && be != t.bigEndian {
			return fmt.Errorf("endian flag in the header mismatches the table's")
		}
	}
	s.bucketSize = int64(d.u32())
	s.nBuckets = int64(d.u32())
	d.u32() // persistent cache size
	d.u32() // number of free buckets
	d.i32() // first free bucket
	nIdxBuckets := int(d.u32())
	firstIdx := int64(d.i32())
	var idxOffset int64
	if vers >= 2 {
		idxOffset = int64(d.u32())
	}
	d.i32() // last string bucket
	idxLen := int64(d.u32())
	nIdx := int(d.u32())
	d.end()
	if d.err != nil {
		return fmt.Errorf("header: %w", d.err)
	}
	if s.bucketSize < 16 || s.bucketSize > 1<<30 {
		return fmt.Errorf("bucket size %d", s.bucketSize)
	}
	if s.nBuckets < 0 || ssmHeaderSize+s.nBuckets*s.bucketSize > f.size {
		return fmt.Errorf("%d buckets of %d bytes do not fit in %d bytes: %w", s.nBuckets, s.bucketSize, f.size, ErrTruncated)
	}
	if nIdx < 0 || nIdx > len(dm.cols) || idxLen < 0 || idxLen > f.size || firstIdx < 0 || firstIdx >= s.nBuckets {
		return fmt.Errorf("index (%d indices, %d bytes, bucket %d) is invalid", nIdx, idxLen, firstIdx)
	}
	// Read the index, which may span a chain of buckets; each starts with 8 bytes (a check
	// number and the next bucket's number).
	idx := make([]byte, 0, idxLen)
	bucket := firstIdx
	s.idxBuckets = map[int64]bool{}
	for j := 0; j < nIdxBuckets && int64(len(idx)) < idxLen; j++ {
		if bucket < 0 || bucket >= s.nBuckets {
			return fmt.Errorf("index bucket %d out of range", bucket)
		}
		s.idxBuckets[bucket] = true
		base := ssmHeaderSize + bucket*s.bucketSize
		var from, n int64
		if idxOffset > 0 {
			if idxOffset+idxLen > s.bucketSize || nIdxBuckets != 1 {
				return fmt.Errorf("index at offset %d (%d bytes) does not fit in a bucket", idxOffset, idxLen)
			}
			from, n = idxOffset, idxLen
		} else {
			from, n = 8, min(idxLen-int64(len(idx)), s.bucketSize-8)
		}
		part := make([]byte, from+n)
		if idxOffset > 0 {
			part = part[from:]
			if err := f.readAt(part, base+from); err != nil {
				return err
			}
			idx = append(idx, part...)
			break
		}
		if err := f.readAt(part, base); err != nil {
			return err
		}
		idx = append(idx, part[8:]...)
		bucket = int64(int32(binary.BigEndian.Uint32(part[4:]))) // always big-endian
	}
	if int64(len(idx)) < idxLen {
		return fmt.Errorf("index of %d bytes found only %d bytes", idxLen, len(idx))
	}
	d = newDecoder(idx, s.order)
	for i := 0; i < nIdx; i++ {
		_, v := d.start("SSMIndex")
		nUsed := int(d.u32())
		d.u32() // rows per bucket
		d.i32() // number of columns
		d.skipObject()
		var ix ssmIndex
		if v == 1 {
			for _, r := range d.blockU32() {
				ix.lastRow = append(ix.lastRow, uint64(r))
			}
		} else {
			ix.lastRow = d.blockU64()
		}
		ix.bucketNr = d.blockU32()
		d.end()
		if d.err != nil {
			return fmt.Errorf("index %d: %w", i, d.err)
		}
		if nUsed > len(ix.lastRow) || nUsed > len(ix.bucketNr) {
			return fmt.Errorf("index %d uses %d entries of %d", i, nUsed, len(ix.lastRow))
		}
		ix.lastRow, ix.bucketNr = ix.lastRow[:nUsed], ix.bucketNr[:nUsed]
		for k := range ix.lastRow {
			if int64(ix.bucketNr[k]) >= s.nBuckets || ix.lastRow[k] > 1<<40 || (k > 0 && ix.lastRow[k] <= ix.lastRow[k-1]) {
				return fmt.Errorf("index %d entry %d (bucket %d, last row %d) is invalid", i, k, ix.bucketNr[k], ix.lastRow[k])
			}
		}
		s.indices = append(s.indices, ix)
	}
	for i, c := range dm.cols {
		if int(s.colIndex[i]) >= len(s.indices) {
			return fmt.Errorf("column %s uses index %d of %d", c.desc.Name, s.colIndex[i], len(s.indices))
		}
		sc := &ssmColumn{s: s, c: c, nr: i}
		if err := sc.init(); err != nil {
			return fmt.Errorf("column %s: %w", c.desc.Name, err)
		}
		c.acc = sc
	}
	return nil
}

func byteOrder(bigEndian bool) binary.ByteOrder {
	if bigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// ssmColumn reads one column of a StandardStMan.
type ssmColumn struct {
	s    *ssm
	c    *Column
	nr   int
	kind ssmKind
	ext  int64 // bytes per row in a bucket (0 for bools, which use bitsRow bits)
	bits int64 // bits per row for bools
	nel  int   // values per row for direct columns
}

type ssmKind int

const (
	ssmFixed    ssmKind = iota // numbers: scalars or direct fixed-shape arrays
	ssmBool                    // bools as bits: scalars or direct arrays
	ssmFixedStr                // strings of fixed maximum length
	ssmVarStr                  // scalar strings by reference
	ssmStrArray                // string arrays by reference (direct, or indirect)
	ssmIndirect                // indirect arrays: offsets into table.f<seq>i
)

func (sc *ssmColumn) init() error {
	cd := &sc.c.sd
	direct := !cd.IsArray || cd.Options&OptDirect != 0
	sc.nel = 1
	if cd.IsArray && direct {
		if len(sc.c.shape) == 0 {
			return fmt.Errorf("direct array column without a fixed shape")
		}
		n, err := product(sc.c.shape)
		if err != nil {
			return err
		}
		sc.nel = n
	}
	switch {
	case cd.Type == TpString && cd.IsArray:
		sc.kind, sc.ext = ssmStrArray, 12
	case cd.Type == TpString && cd.MaxLength > 0:
		sc.kind, sc.ext = ssmFixedStr, int64(cd.MaxLength)
	case cd.Type == TpString:
		sc.kind, sc.ext = ssmVarStr, 12
	case !direct:
		sc.kind, sc.ext = ssmIndirect, 8
	case cd.Type == TpBool:
		sc.kind, sc.bits = ssmBool, int64(sc.nel)
	default:
		sc.kind, sc.ext = ssmFixed, int64(cd.Type.size()*sc.nel)
	}
	return nil
}

// locate returns the bucket holding row and the bucket's first and last row.
func (sc *ssmColumn) locate(row int) (bucket int64, first, last int, err error) {
	ix := &sc.s.indices[sc.s.colIndex[sc.nr]]
	r := uint64(row)
	k := sort.Search(len(ix.lastRow), func(i int) bool { return ix.lastRow[i] >= r })
	if k >= len(ix.lastRow) {
		return 0, 0, 0, sc.c.errorf(sc.s.f.path, "row %d is not in the index", row)
	}
	first = 0
	if k > 0 {
		first = int(ix.lastRow[k-1] + 1)
	}
	return int64(ix.bucketNr[k]), first, int(ix.lastRow[k]), nil
}

// span returns the file offset of the column's values for rows [first, first+n) of a bucket
// whose first row is bfirst, checking that they fit in the bucket.
func (sc *ssmColumn) span(bucket int64, bfirst, row, n int) (off int64, err error) {
	base := ssmHeaderSize + bucket*sc.s.bucketSize
	start := int64(sc.s.colOffset[sc.nr])
	var end int64
	if sc.kind == ssmBool {
		end = start + (int64(row-bfirst+n)*sc.bits+7)/8
	} else {
		start += int64(row-bfirst) * sc.ext
		end = start + int64(n)*sc.ext
	}
	if start < 0 || end > sc.s.bucketSize {
		return 0, sc.c.errorf(sc.s.f.path, "rows %d..%d exceed bucket %d (%d bytes)", row, row+n-1, bucket, sc.s.bucketSize)
	}
	return base + start, nil
}

func (sc *ssmColumn) cellShape(row int) ([]int, bool, error) {
	switch sc.kind {
	case ssmIndirect:
		off, err := sc.offsets(row, 1)
		if err != nil {
			return nil, false, err
		}
		if off[0] == 0 {
			return nil, false, nil
		}
		a, err := sc.arrayFile()
		if err != nil {
			return nil, false, err
		}
		shape, err := a.shape(off[0])
		if err != nil {
			return nil, false, sc.c.wrapErr(a.f.path, err)
		}
		return shape, true, nil
	case ssmStrArray:
		if len(sc.c.shape) > 0 {
			return sc.c.shape, true, nil
		}
		refs, err := sc.refs(row, 1)
		if err != nil {
			return nil, false, err
		}
		if refs[0][2] == 0 {
			return nil, false, nil
		}
		shape, _, err := sc.stringShape(refs[0])
		return shape, err == nil, err
	}
	return sc.c.shape, true, nil
}

// runs calls fn for each run of rows [row, row+n) that lies in one bucket.
func (sc *ssmColumn) runs(row0, n int, fn func(bucket int64, bfirst, row, k int) error) error {
	if err := sc.window(row0, n); err != nil {
		return err
	}
	for row := row0; row < row0+n; {
		b, first, last, err := sc.locate(row)
		if err != nil {
			return err
		}
		k := min(last-row+1, row0+n-row)
		if err := fn(b, first, row, k); err != nil {
			return err
		}
		row += k
	}
	return nil
}

// window loads the buckets holding rows [row0, row0+n) of all the manager's columns with one
// read, when they are (nearly) consecutive and hold no index bucket, so that the columns read
// for those rows are served from memory and, chunk after chunk, each byte is read once.
func (sc *ssmColumn) window(row0, n int) error {
	if n < 1 {
		return nil
	}
	lo, hi, entries := int64(-1), int64(-1), 0
	for ii := range sc.s.indices {
		ix := &sc.s.indices[ii]
		k0 := sort.Search(len(ix.lastRow), func(i int) bool { return ix.lastRow[i] >= uint64(row0) })
		k1 := sort.Search(len(ix.lastRow), func(i int) bool { return ix.lastRow[i] >= uint64(row0+n-1) })
		k1 = min(k1, len(ix.lastRow)-1)
		for k := k0; k <= k1; k++ {
			b := int64(ix.bucketNr[k])
			if lo < 0 || b < lo {
				lo = b
			}
			hi = max(hi, b)
			entries++
		}
	}
	if lo < 0 || hi-lo+1 > 4*int64(entries)+4 {
		return nil // scattered buckets: read them one by one
	}
	for b := range sc.s.idxBuckets {
		if b >= lo && b <= hi {
			return nil
		}
	}
	bs := sc.s.bucketSize
	if err := sc.s.f.ensureWindow(ssmHeaderSize+lo*bs, ssmHeaderSize+(hi+1)*bs); err != nil {
		return sc.c.wrapErr(sc.s.f.path, err)
	}
	return nil
}

func (sc *ssmColumn) read(row0 int, offs []int, dst any, defined []bool) error {
	n := len(offs) - 1
	switch sc.kind {
	case ssmFixed, ssmBool:
		for i := 0; i < n; i++ {
			if err := checkCell(sc.c, row0+i, offs, i, sc.nel, sc.c.shape); err != nil {
				return err
			}
		}
		return sc.runs(row0, n, func(b int64, bfirst, row, k int) error {
			off, err := sc.span(b, bfirst, row, k)
			if err != nil {
				return err
			}
			at := offs[row-row0]
			if sc.kind == ssmBool {
				bit0 := int64(row-bfirst) * sc.bits
				nb := (bit0%8 + int64(k)*sc.bits + 7) / 8
				raw := make([]byte, nb)
				if err := sc.s.f.readBits(raw, off+bit0/8); err != nil {
					return sc.c.wrapErr(sc.s.f.path, err)
				}
				unpackBits(dst.([]bool)[at:at+k*sc.nel], raw, int(bit0%8))
				return nil
			}
			return sc.readFixed(off, k*sc.nel, dst, at)
		})
	case ssmFixedStr:
		return sc.runs(row0, n, func(b int64, bfirst, row, k int) error {
			off, err := sc.span(b, bfirst, row, k)
			if err != nil {
				return err
			}
			raw := make([]byte, int64(k)*sc.ext)
			if err := sc.s.f.readAt(raw, off); err != nil {
				return sc.c.wrapErr(sc.s.f.path, err)
			}
			out := dst.([]string)
			for j := 0; j < k; j++ {
				s := raw[int64(j)*sc.ext : int64(j+1)*sc.ext]
				for p, ch := range s {
					if ch == 0 {
						s = s[:p]
						break
					}
				}
				out[offs[row-row0+j]] = string(s)
			}
			return nil
		})
	case ssmVarStr:
		refs, err := sc.refs(row0, n)
		if err != nil {
			return err
		}
		out := dst.([]string)
		for i, r := range refs {
			if r[2] <= 8 {
				if r[2] < 0 {
					return sc.c.errorf(sc.s.f.path, "row %d: string length %d", row0+i, r[2])
				}
				var raw [12]byte
				sc.s.order.PutUint32(raw[0:], uint32(r[0]))
				sc.s.order.PutUint32(raw[4:], uint32(r[1]))
				out[offs[i]] = string(raw[:r[2]])
				continue
			}
			if int64(r[2]) > sc.s.nBuckets*sc.s.bucketSize {
				return sc.c.errorf(sc.s.f.path, "row %d: string of %d bytes exceeds the file", row0+i, r[2])
			}
			b := make([]byte, r[2])
			sr := &stringReader{sc: sc, bucket: r[0], off: r[1]}
			if err := sr.read(b); err != nil {
				return err
			}
			out[offs[i]] = string(b)
		}
		return nil
	case ssmStrArray:
		refs, err := sc.refs(row0, n)
		if err != nil {
			return err
		}
		out := dst.([]string)
		for i, r := range refs {
			cell := out[offs[i]:offs[i+1]]
			if err := sc.readStringArray(row0+i, r, cell, &defined[i]); err != nil {
				return err
			}
		}
		return nil
	case ssmIndirect:
		pos, err := sc.offsets(row0, n)
		if err != nil {
			return err
		}
		a, err := sc.arrayFile()
		if err != nil {
			return err
		}
		if err := a.window(pos, offs, sc.c.sd.NDim, sc.c.sd.Type); err != nil {
			return sc.c.wrapErr(a.f.path, err)
		}
		for i, off := range pos {
			if off == 0 {
				defined[i] = false
				continue
			}
			nel := offs[i+1] - offs[i]
			shape, err := a.readCell(off, sc.c.sd.NDim, sc.c.sd.Type, nel, dst, offs[i])
			if err != nil {
				return sc.c.wrapErr(a.f.path, fmt.Errorf("row %d: %w", row0+i, err))
			}
			got, _ := product(shape)
			if err := checkCell(sc.c, row0+i, offs, i, got, shape); err != nil {
				return err
			}
		}
		return nil
	}
	return sc.c.errorf("", "unsupported column kind")
}

// readFixed reads n fixed-size values at off into dst[at:], straight into dst's memory when
// the byte orders allow.
func (sc *ssmColumn) readFixed(off int64, n int, dst any, at int) error {
	return readValues(sc.s.f, sc.c, off, sc.c.sd.Type, n, dst, at, sc.s.order)
}

// readValues reads n fixed-size values of type t at off of f into dst[at:].
func readValues(f *dataFile, c *Column, off int64, t DataType, n int, dst any, at int, order binary.ByteOrder) error {
	sz := t.size()
	if (order == binary.LittleEndian) == hostLittle || sz == 1 {
		b := bytesOf(dst, at, n)
		if b == nil && n > 0 {
			return c.errorf(f.path, "cannot read into %T", dst)
		}
		if err := f.readAt(b, off); err != nil {
			return c.wrapErr(f.path, err)
		}
		return nil
	}
	raw := make([]byte, n*sz)
	if err := f.readAt(raw, off); err != nil {
		return c.wrapErr(f.path, err)
	}
	if err := decodeValues(dst, at, raw, t, order); err != nil {
		return c.wrapErr(f.path, err)
	}
	return nil
}

// offsets reads the int64 array offsets of an indirect column for rows [row0, row0+n).
func (sc *ssmColumn) offsets(row0, n int) ([]int64, error) {
	out := make([]int64, n)
	err := sc.runs(row0, n, func(b int64, bfirst, row, k int) error {
		off, err := sc.span(b, bfirst, row, k)
		if err != nil {
			return err
		}
		raw := make([]byte, 8*k)
		if err := sc.s.f.readAt(raw, off); err != nil {
			return sc.c.wrapErr(sc.s.f.path, err)
		}
		for j := 0; j < k; j++ {
			v := int64(sc.s.order.Uint64(raw[8*j:]))
			if v < 0 {
				return sc.c.errorf(sc.s.f.path, "row %d: array offset %d", row+j, v)
			}
			out[row-row0+j] = v
		}
		return nil
	})
	return out, err
}

// refs reads the (bucket, offset, length) string references of rows [row0, row0+n).
func (sc *ssmColumn) refs(row0, n int) ([][3]int32, error) {
	out := make([][3]int32, n)
	err := sc.runs(row0, n, func(b int64, bfirst, row, k int) error {
		off, err := sc.span(b, bfirst, row, k)
		if err != nil {
			return err
		}
		raw := make([]byte, 12*k)
		if err := sc.s.f.readAt(raw, off); err != nil {
			return sc.c.wrapErr(sc.s.f.path, err)
		}
		for j := 0; j < k; j++ {
			for q := 0; q < 3; q++ {
				out[row-row0+j][q] = int32(sc.s.order.Uint32(raw[12*j+4*q:]))
			}
		}
		return nil
	})
	return out, err
}

func (sc *ssmColumn) arrayFile() (*arrayFile, error) {
	s := sc.s
	s.arrOnce.Do(func() {
		s.arr, s.arrErr = openArrayFile(s.t, s.f.path+"i", s.order)
	})
	if s.arrErr != nil {
		return nil, sc.c.wrapErr(s.f.path+"i", s.arrErr)
	}
	return s.arr, nil
}

// stringBucket returns the data part of string bucket b and its header: used length and next
// bucket. String buckets use big-endian integers whatever the table's byte order.
func (sc *ssmColumn) stringBucket(b int64) (data []byte, used int, next int64, err error) {
	s := sc.s
	if b < 0 || b >= s.nBuckets {
		return nil, 0, 0, sc.c.errorf(s.f.path, "string bucket %d out of range [0, %d)", b, s.nBuckets)
	}
	s.strMu.Lock()
	raw, ok := s.strCache[b]
	s.strMu.Unlock()
	if !ok {
		raw = make([]byte, s.bucketSize)
		if err := s.f.readAt(raw, ssmHeaderSize+b*s.bucketSize); err != nil {
			return nil, 0, 0, sc.c.wrapErr(s.f.path, err)
		}
		s.strMu.Lock()
		if s.strCache == nil || len(s.strCache) >= 16 {
			s.strCache = map[int64][]byte{}
		}
		s.strCache[b] = raw
		s.strMu.Unlock()
	}
	used = int(int32(binary.BigEndian.Uint32(raw[4:])))
	next = int64(int32(binary.BigEndian.Uint32(raw[12:])))
	if used < 0 || used > len(raw)-16 {
		return nil, 0, 0, sc.c.errorf(s.f.path, "string bucket %d claims %d used bytes", b, used)
	}
	return raw[16:], used, next, nil
}

// stringReader reads successive fields of string data from a reference.
type stringReader struct {
	sc     *ssmColumn
	bucket int32
	off    int32
}

func (r *stringReader) read(out []byte) error {
	// Walk from the current position; track where the read ends.
	bucket, off := int64(r.bucket), int(r.off)
	for hops := 0; len(out) > 0; hops++ {
		if hops > int(r.sc.s.nBuckets) {
			return r.sc.c.errorf(r.sc.s.f.path, "string bucket chain loops")
		}
		data, used, next, err := r.sc.stringBucket(bucket)
		if err != nil {
			return err
		}
		if off < 0 || off > used {
			return r.sc.c.errorf(r.sc.s.f.path, "string offset %d beyond %d used bytes of bucket %d", off, used, bucket)
		}
		n := copy(out, data[off:used])
		out = out[n:]
		off += n
		if len(out) > 0 {
			bucket, off = next, 0
		}
	}
	r.bucket, r.off = int32(bucket), int32(off)
	return nil
}

func (r *stringReader) int32() (int32, error) {
	var b [4]byte
	if err := r.read(b[:]); err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b[:])), nil
}

// stringShape reads the shape stored before an indirect string array.
func (sc *ssmColumn) stringShape(ref [3]int32) ([]int, *stringReader, error) {
	r := &stringReader{sc: sc, bucket: ref[0], off: ref[1]}
	nd, err := r.int32()
	if err != nil {
		return nil, nil, err
	}
	if nd < 0 || nd > 64 {
		return nil, nil, sc.c.errorf(sc.s.f.path, "string array with %d dimensions", nd)
	}
	shape := make([]int, nd)
	for i := range shape {
		v, err := r.int32()
		if err != nil {
			return nil, nil, err
		}
		if v < 0 {
			return nil, nil, sc.c.errorf(sc.s.f.path, "string array shape %d", v)
		}
		shape[i] = int(v)
	}
	if _, err := product(shape); err != nil {
		return nil, nil, sc.c.errorf(sc.s.f.path, "%v", err)
	}
	return shape, r, nil
}

// readStringArray reads a string array cell from its reference.
func (sc *ssmColumn) readStringArray(row int, ref [3]int32, cell []string, defined *bool) error {
	if ref[2] == 0 {
		if len(sc.c.shape) == 0 {
			*defined = false
			return nil
		}
		for i := range cell {
			cell[i] = ""
		}
		return nil
	}
	var r *stringReader
	if len(sc.c.shape) == 0 {
		shape, rr, err := sc.stringShape(ref)
		if err != nil {
			return err
		}
		nel, _ := product(shape)
		if nel != len(cell) {
			return sc.c.errorf("", "row %d has shape %v (%d values), the destination slot holds %d", row, shape, nel, len(cell))
		}
		r = rr
		filled, err := r.int32()
		if err != nil {
			return err
		}
		if filled == 0 {
			for i := range cell {
				cell[i] = ""
			}
			return nil
		}
	} else {
		nel, _ := product(sc.c.shape)
		if nel != len(cell) {
			return sc.c.errorf("", "row %d has shape %v (%d values), the destination slot holds %d", row, sc.c.shape, nel, len(cell))
		}
		r = &stringReader{sc: sc, bucket: ref[0], off: ref[1]}
	}
	total := int64(ref[2])
	if total < 0 || total > sc.s.nBuckets*sc.s.bucketSize {
		return sc.c.errorf(sc.s.f.path, "row %d: string array of %d bytes exceeds the file", row, total)
	}
	for i := range cell {
		l, err := r.int32()
		if err != nil {
			return err
		}
		if l < 0 || int64(l) > total {
			return sc.c.errorf(sc.s.f.path, "row %d: string of %d bytes in an array of %d", row, l, total)
		}
		b := make([]byte, l)
		if err := r.read(b); err != nil {
			return err
		}
		cell[i] = string(b)
	}
	return nil
}

func (sc *ssmColumn) get(row int) (*Array, bool, error) {
	switch sc.kind {
	case ssmIndirect:
		pos, err := sc.offsets(row, 1)
		if err != nil {
			return nil, true, err
		}
		if pos[0] == 0 {
			return nil, true, nil
		}
		a, err := sc.arrayFile()
		if err != nil {
			return nil, true, err
		}
		arr, err := a.readAny(pos[0], sc.c.sd.Type)
		if err != nil {
			return nil, true, sc.c.wrapErr(a.f.path, fmt.Errorf("row %d: %w", row, err))
		}
		return arr, true, nil
	case ssmStrArray:
		refs, err := sc.refs(row, 1)
		if err != nil {
			return nil, true, err
		}
		r := refs[0]
		shape := sc.c.shape
		if len(shape) == 0 {
			if r[2] == 0 {
				return nil, true, nil
			}
			shape, _, err = sc.stringShape(r)
			if err != nil {
				return nil, true, err
			}
		}
		nel, _ := product(shape)
		if nel > maxAipsLen || int64(nel)*4 > int64(max(r[2], 0)) {
			return nil, true, sc.c.errorf(sc.s.f.path, "row %d: string array of shape %v in %d bytes", row, shape, r[2])
		}
		out := make([]string, nel)
		def := true
		if err := sc.readStringArray(row, r, out, &def); err != nil {
			return nil, true, err
		}
		if !def {
			return nil, true, nil
		}
		return &Array{Shape: shape, Data: out}, true, nil
	}
	return nil, false, nil
}
