package mswrite

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"unsafe"
)

// StandardStMan file layout (casacore SSMBase, SSMIndex, SSMStringHandler, StManArrayFile):
//
//	table.fN   header: AipsIO "StandardStMan" object in the table's byte order, padded to 512 bytes
//	           then buckets of bucketSize bytes, numbered from 0.
//	           data bucket: for each column, rowsPerBucket values back to back (bools as bits);
//	             scalar strings take 12 bytes: up to 8 chars inline + length, or
//	             (heap bucket, offset, length) when longer; variable-shape string arrays take
//	             (heap bucket, offset, length); other variable-shape arrays an int64 offset in
//	             table.fNi (0 = undefined cell).
//	           string-heap bucket: 4 big-endian int32 (0, used, deleted, next bucket or -1), data.
//	           index buckets: 2 big-endian int32 (next index bucket, twice) then the AipsIO
//	             "SSMIndex" object (rows per bucket, free space, last row and bucket number of
//	             every data bucket).
//	table.fNi  uint32 version 0, int64 file length, int32 0; then 8-byte aligned arrays:
//	           uint32 ndim, int32 shape[ndim], the values (bools as bits).
const (
	ssmHeaderSize  = 512
	heapHeaderSize = 16
	indexLinkSize  = 8
)

type colKind int

const (
	kindDirect      colKind = iota // scalars and fixed-shape arrays other than strings
	kindString                     // scalar strings
	kindIndirect                   // variable-shape non-string arrays
	kindStringArray                // variable-shape string arrays
)

// ssmColumn is one column as laid out in a StandardStMan bucket.
type ssmColumn struct {
	desc     *ColumnDesc
	kind     colKind
	bits     int // bits per row in a bucket
	offset   int // byte offset of the column's values in a bucket
	nElem    int // elements per row (direct columns)
	elemSize int // bytes per element (direct non-bool columns)
}

func elemSize(t DataType) int {
	switch t {
	case TpBool:
		return 0
	case TpInt, TpFloat:
		return 4
	case TpDouble, TpComplex:
		return 8
	case TpDComplex:
		return 16
	}
	return 0
}

// ssm writes one StandardStMan instance (one table.fN file) by streaming buckets.
type ssm struct {
	name  string
	seq   int
	path  string
	order byteOrder
	f     *os.File
	cols  []*ssmColumn

	bucketSize    int
	rowsPerBucket int
	usedBytes     int

	nBuckets int32
	cur      []byte // current data bucket
	curNr    int32  // its number, -1 if none is open
	curRows  int
	nrows    int

	lastRow   []uint32 // per data bucket: last row stored in it
	bucketNrs []uint32 // per data bucket: its bucket number

	heap stringHeap
	arr  *arrayFile
}

// newSSM lays out the columns for a target bucket size. The bucket size is fitted to a whole
// number of rows (at least one).
func newSSM(name string, seq int, path string, order byteOrder, cols []*ColumnDesc, target int) (*ssm, error) {
	s := &ssm{name: name, seq: seq, path: path, order: order, curNr: -1}
	rowBytes := 0
	for _, c := range cols {
		sc := &ssmColumn{desc: c}
		switch {
		case c.Type == TpString && !c.Array:
			sc.kind, sc.bits = kindString, 96
		case c.Type == TpString:
			sc.kind, sc.bits = kindStringArray, 96
		case !c.direct():
			sc.kind, sc.bits = kindIndirect, 64
		default:
			sc.kind = kindDirect
			sc.nElem = c.cellSize()
			sc.elemSize = elemSize(c.Type)
			if c.Type == TpBool {
				sc.bits = sc.nElem
			} else {
				sc.bits = 8 * sc.nElem * sc.elemSize
			}
		}
		rowBytes += (sc.bits + 7) / 8
		s.cols = append(s.cols, sc)
	}
	if target < 128 {
		target = 128
	}
	used := func(r int) int {
		n := 0
		for _, c := range s.cols {
			n += (r*c.bits + 7) / 8
		}
		return n
	}
	rowBits := 0
	for _, c := range s.cols {
		rowBits += c.bits
	}
	rows := target
	if rowBits > 0 {
		rows = max(1, target*8/rowBits)
	}
	for rows > 1 && used(rows) > target {
		rows--
	}
	if used(rows) > math.MaxInt32/2 {
		return nil, fmt.Errorf("data manager %s: a row of %d bytes is too large", name, rowBytes)
	}
	s.rowsPerBucket = rows
	off := 0
	for _, c := range s.cols {
		c.offset = off
		off += (rows*c.bits + 7) / 8
	}
	s.usedBytes = off
	s.bucketSize = max(128, off)
	if s.bucketSize < heapHeaderSize+64 {
		s.bucketSize = heapHeaderSize + 64
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s.f = f
	s.cur = make([]byte, s.bucketSize)
	s.heap = stringHeap{s: s, nr: -1, last: -1}
	for _, c := range s.cols {
		if c.kind == kindIndirect && s.arr == nil {
			// casacore opens table.fNi whenever the manager has such a column.
			if s.arr, err = newArrayFile(s.path+"i", s.order); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	return s, nil
}

func (s *ssm) allocBucket() int32 {
	n := s.nBuckets
	s.nBuckets++
	return n
}

func (s *ssm) writeBucket(nr int32, b []byte) error {
	if _, err := s.f.WriteAt(b, ssmHeaderSize+int64(nr)*int64(s.bucketSize)); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return nil
}

// closeDataBucket writes the open data bucket and records it in the index.
func (s *ssm) closeDataBucket() error {
	if s.curNr < 0 {
		return nil
	}
	s.lastRow = append(s.lastRow, uint32(s.nrows-1))
	s.bucketNrs = append(s.bucketNrs, uint32(s.curNr))
	err := s.writeBucket(s.curNr, s.cur)
	s.curNr = -1
	return err
}

// append writes n rows; vals holds the user values per column (nil: default values).
func (s *ssm) append(n int, vals []any) error {
	for done := 0; done < n; {
		if s.curNr < 0 {
			s.curNr = s.allocBucket()
			clear(s.cur)
			s.curRows = 0
		}
		k := min(n-done, s.rowsPerBucket-s.curRows)
		for i, c := range s.cols {
			if vals[i] == nil {
				continue
			}
			if err := s.putRows(c, vals[i], done, s.curRows, k); err != nil {
				return fmt.Errorf("column %s: %w", c.desc.Name, err)
			}
		}
		s.curRows += k
		s.nrows += k
		done += k
		if s.curRows == s.rowsPerBucket {
			if err := s.closeDataBucket(); err != nil {
				return err
			}
		}
	}
	return nil
}

// putRows encodes rows [src, src+k) of v into bucket rows [dst, dst+k).
func (s *ssm) putRows(c *ssmColumn, v any, src, dst, k int) error {
	switch c.kind {
	case kindDirect:
		if c.desc.Type == TpBool {
			b := v.([]bool)
			boolBits(s.cur[c.offset:], dst*c.nElem, b[src*c.nElem:(src+k)*c.nElem])
			return nil
		}
		rowBytes := c.nElem * c.elemSize
		encodeElems(s.cur[c.offset+dst*rowBytes:], s.order, v, src*c.nElem, (src+k)*c.nElem)
		return nil
	case kindString:
		strs := v.([]string)
		for i := 0; i < k; i++ {
			p := s.cur[c.offset+(dst+i)*12:]
			str := strs[src+i]
			if len(str) <= 8 {
				copy(p[:8], str)
				s.order.PutUint32(p[8:], uint32(len(str)))
				continue
			}
			bucket, off, err := s.heap.put([]byte(str))
			if err != nil {
				return err
			}
			s.order.PutUint32(p[0:], uint32(bucket))
			s.order.PutUint32(p[4:], uint32(off))
			s.order.PutUint32(p[8:], uint32(len(str)))
		}
		return nil
	case kindStringArray:
		cells := v.([]Cell)
		for i := 0; i < k; i++ {
			cell := cells[src+i]
			if cell.Shape == nil {
				continue // undefined cell: (0, 0, 0)
			}
			strs := cell.Data.([]string)
			var b []byte
			b = binary.BigEndian.AppendUint32(b, uint32(len(cell.Shape)))
			for _, d := range cell.Shape {
				b = binary.BigEndian.AppendUint32(b, uint32(int32(d)))
			}
			b = binary.BigEndian.AppendUint32(b, 1) // "filled" flag
			for _, str := range strs {
				b = binary.BigEndian.AppendUint32(b, uint32(len(str)))
				b = append(b, str...)
			}
			bucket, off, err := s.heap.put(b)
			if err != nil {
				return err
			}
			p := s.cur[c.offset+(dst+i)*12:]
			s.order.PutUint32(p[0:], uint32(bucket))
			s.order.PutUint32(p[4:], uint32(off))
			s.order.PutUint32(p[8:], uint32(len(b)))
		}
		return nil
	case kindIndirect:
		cells := v.([]Cell)
		for i := 0; i < k; i++ {
			cell := cells[src+i]
			if cell.Shape == nil {
				continue // undefined cell: offset 0
			}
			off, err := s.arr.put(cell.Shape, cell.Data)
			if err != nil {
				return err
			}
			s.order.PutUint64(s.cur[c.offset+(dst+i)*8:], uint64(off))
		}
		return nil
	}
	return nil
}

// hostLittleEndian reports whether this machine stores the least significant byte first.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// rawBytes returns the in-memory bytes of elements [from, to) of a numeric slice.
func rawBytes(v any, from, to int) []byte {
	switch x := v.(type) {
	case []int32:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x[from:to]))), 4*(to-from))
	case []float32:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x[from:to]))), 4*(to-from))
	case []float64:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x[from:to]))), 8*(to-from))
	case []complex64:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x[from:to]))), 8*(to-from))
	case []complex128:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x[from:to]))), 16*(to-from))
	}
	return nil
}

// encodeElems writes elements [from, to) of v (a numeric slice) to dst in the given byte order.
// When that is the machine's own order the bytes are copied as they are in memory.
func encodeElems(dst []byte, order byteOrder, v any, from, to int) {
	if from == to {
		return
	}
	if hostLittleEndian == (order == byteOrder(binary.LittleEndian)) {
		if b := rawBytes(v, from, to); b != nil {
			copy(dst, b)
			return
		}
	}
	j := 0
	switch x := v.(type) {
	case []int32:
		for _, e := range x[from:to] {
			order.PutUint32(dst[j:], uint32(e))
			j += 4
		}
	case []float32:
		for _, e := range x[from:to] {
			order.PutUint32(dst[j:], math.Float32bits(e))
			j += 4
		}
	case []float64:
		for _, e := range x[from:to] {
			order.PutUint64(dst[j:], math.Float64bits(e))
			j += 8
		}
	case []complex64:
		for _, e := range x[from:to] {
			order.PutUint32(dst[j:], math.Float32bits(real(e)))
			order.PutUint32(dst[j+4:], math.Float32bits(imag(e)))
			j += 8
		}
	case []complex128:
		for _, e := range x[from:to] {
			order.PutUint64(dst[j:], math.Float64bits(real(e)))
			order.PutUint64(dst[j+8:], math.Float64bits(imag(e)))
			j += 16
		}
	}
}

// close writes the last data bucket, the string heap, the index and the header, and closes the
// files.
func (s *ssm) close() error {
	err := s.closeDataBucket()
	if err == nil {
		err = s.heap.flush()
	}
	if err == nil {
		err = s.writeIndexAndHeader()
	}
	if s.arr != nil {
		if e := s.arr.close(); err == nil {
			err = e
		}
	}
	if e := s.f.Close(); err == nil && e != nil {
		err = fmt.Errorf("close %s: %w", s.path, e)
	}
	return err
}

func (s *ssm) abort() {
	if s.arr != nil {
		s.arr.f.Close()
	}
	s.f.Close()
}

func (s *ssm) writeIndexAndHeader() error {
	// The index (casacore SSMIndex::put, version 1: 32-bit row numbers).
	iw := newAipsWriter(s.order)
	iw.putStart("SSMIndex", 1)
	iw.u32(uint32(len(s.lastRow)))
	iw.u32(uint32(s.rowsPerBucket))
	iw.i32(int32(len(s.cols)))
	iw.putStart("SimpleOrderedMap", 1) // free space per bucket: offset -> bytes
	iw.i32(0)
	if free := s.bucketSize - s.usedBytes; free > 0 {
		iw.u32(1)
		iw.u32(1)
		iw.i32(int32(s.usedBytes))
		iw.i32(int32(free))
	} else {
		iw.u32(0)
		iw.u32(1)
	}
	iw.putEnd()
	iw.blockU32(s.lastRow)
	iw.blockU32(s.bucketNrs)
	iw.putEnd()
	idx := iw.buf

	chunk := s.bucketSize - indexLinkSize
	nIdx := (len(idx) + chunk - 1) / chunk
	first := s.nBuckets
	b := make([]byte, s.bucketSize)
	for i := 0; i < nIdx; i++ {
		nr := s.allocBucket()
		next := int32(-1)
		if i < nIdx-1 {
			next = nr + 1
		}
		clear(b)
		binary.BigEndian.PutUint32(b[0:], uint32(next))
		binary.BigEndian.PutUint32(b[4:], uint32(next))
		copy(b[indexLinkSize:], idx[i*chunk:min(len(idx), (i+1)*chunk)])
		if err := s.writeBucket(nr, b); err != nil {
			return err
		}
	}
	idxOffset := uint32(0)
	if len(idx) <= chunk/2 {
		idxOffset = indexLinkSize // index fits in the first half of one bucket
	}

	hw := newAipsWriter(s.order)
	if s.order == byteOrder(binary.BigEndian) {
		hw.putStart("StandardStMan", 2)
	} else {
		hw.putStart("StandardStMan", 3)
		hw.boolean(false) // not big-endian
	}
	hw.u32(uint32(s.bucketSize))
	hw.u32(uint32(s.nBuckets))
	hw.u32(2)  // persistent cache size
	hw.u32(0)  // free buckets
	hw.i32(-1) // first free bucket
	hw.u32(uint32(nIdx))
	hw.i32(first)
	hw.u32(idxOffset)
	hw.i32(s.heap.last)
	hw.u32(uint32(len(idx)))
	hw.u32(1) // number of indices
	hw.putEnd()
	head := make([]byte, ssmHeaderSize)
	copy(head, hw.buf)
	if _, err := s.f.WriteAt(head, 0); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return nil
}

// tableBlob is the data manager's entry in table.dat (SSMBase::flush): its name, the bucket
// offset of each column and each column's index number.
func (s *ssm) tableBlob() []byte {
	w := newAipsWriter(binary.BigEndian)
	w.putStart("SSM", 2)
	w.str(s.name)
	offs := make([]uint32, len(s.cols))
	for i, c := range s.cols {
		offs[i] = uint32(c.offset)
	}
	w.blockU32(offs)
	w.blockU32(make([]uint32, len(s.cols)))
	w.putEnd()
	return w.buf
}

// stringHeap fills string-heap buckets; strings may continue in a following bucket.
type stringHeap struct {
	s    *ssm
	buf  []byte
	nr   int32 // current bucket, -1 if none
	used int
	next int32
	last int32 // last heap bucket allocated, -1 if none
}

func (h *stringHeap) capacity() int { return h.s.bucketSize - heapHeaderSize }

func (h *stringHeap) newBucket(concat bool) error {
	nr := h.s.allocBucket()
	if h.nr >= 0 {
		if concat {
			h.next = nr
		}
		if err := h.flush(); err != nil {
			return err
		}
	}
	if h.buf == nil {
		h.buf = make([]byte, h.s.bucketSize)
	}
	clear(h.buf)
	h.nr, h.used, h.next, h.last = nr, 0, -1, nr
	return nil
}

// put stores data and returns where it starts.
func (h *stringHeap) put(data []byte) (bucket, offset int32, err error) {
	if h.nr < 0 {
		if err := h.newBucket(false); err != nil {
			return 0, 0, err
		}
	}
	if free := h.capacity() - h.used; len(data) > free && free < 50 {
		if err := h.newBucket(false); err != nil {
			return 0, 0, err
		}
	}
	bucket, offset = h.nr, int32(h.used)
	for len(data) > 0 {
		n := min(len(data), h.capacity()-h.used)
		copy(h.buf[heapHeaderSize+h.used:], data[:n])
		h.used += n
		data = data[n:]
		if len(data) > 0 {
			if err := h.newBucket(true); err != nil {
				return 0, 0, err
			}
		}
	}
	return bucket, offset, nil
}

func (h *stringHeap) flush() error {
	if h.nr < 0 {
		return nil
	}
	binary.BigEndian.PutUint32(h.buf[0:], 0)
	binary.BigEndian.PutUint32(h.buf[4:], uint32(h.used))
	binary.BigEndian.PutUint32(h.buf[8:], uint32(h.capacity()-h.used))
	binary.BigEndian.PutUint32(h.buf[12:], uint32(h.next))
	return h.s.writeBucket(h.nr, h.buf)
}

// arrayFile writes casacore's StManArrayFile (table.fNi), version 0.
type arrayFile struct {
	path   string
	f      *os.File
	w      *bufio.Writer
	order  byteOrder
	length int64
	scr    []byte
}

func newArrayFile(path string, order byteOrder) (*arrayFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	a := &arrayFile{path: path, f: f, w: bufio.NewWriterSize(f, 1<<16), order: order, length: 16}
	if _, err := a.w.Write(make([]byte, 16)); err != nil { // header, written at close
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return a, nil
}

// put appends one array and returns its offset.
func (a *arrayFile) put(shape []int, data any) (int64, error) {
	pad := (8 - a.length%8) % 8
	b := a.scr[:0]
	b = append(b, make([]byte, pad)...)
	off := a.length + pad
	b = a.order.AppendUint32(b, uint32(len(shape)))
	for _, d := range shape {
		b = a.order.AppendUint32(b, uint32(int32(d)))
	}
	switch x := data.(type) {
	case []bool:
		bits := make([]byte, (len(x)+7)/8)
		boolBits(bits, 0, x)
		b = append(b, bits...)
	default:
		n := dataLen(data)
		size := n * elemSizeOf(data)
		start := len(b)
		b = append(b, make([]byte, size)...)
		encodeElems(b[start:], a.order, data, 0, n)
	}
	a.scr = b
	if _, err := a.w.Write(b); err != nil {
		return 0, fmt.Errorf("write %s: %w", a.path, err)
	}
	a.length += int64(len(b))
	return off, nil
}

func (a *arrayFile) close() error {
	err := a.w.Flush()
	if err == nil {
		h := make([]byte, 12)
		a.order.PutUint32(h, 0) // version
		a.order.PutUint64(h[4:], uint64(a.length))
		_, err = a.f.WriteAt(h, 0)
	}
	if e := a.f.Close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", a.path, err)
	}
	return nil
}

func elemSizeOf(v any) int {
	switch v.(type) {
	case []int32, []float32:
		return 4
	case []float64, []complex64:
		return 8
	case []complex128:
		return 16
	}
	return 0
}

// dataLen is the number of elements of a supported slice (-1 for an unsupported type).
func dataLen(v any) int {
	switch x := v.(type) {
	case []bool:
		return len(x)
	case []int32:
		return len(x)
	case []float32:
		return len(x)
	case []float64:
		return len(x)
	case []complex64:
		return len(x)
	case []complex128:
		return len(x)
	case []string:
		return len(x)
	}
	return -1
}

// sliceType is the column data type a slice holds.
func sliceType(v any) (DataType, bool) {
	switch v.(type) {
	case []bool:
		return TpBool, true
	case []int32:
		return TpInt, true
	case []float32:
		return TpFloat, true
	case []float64:
		return TpDouble, true
	case []complex64:
		return TpComplex, true
	case []complex128:
		return TpDComplex, true
	case []string:
		return TpString, true
	}
	return 0, false
}
