package casatable

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
)

// IncrementalStMan (casacore ISMBase). File table.f<seq>:
//
//	[0, 512)                     header: AipsIO object "IncrementalStMan" (bucket size,
//	                             #buckets, ...), in the table's byte order
//	512 + b*bucketSize           bucket b
//	512 + nBuckets*bucketSize    the index: AipsIO object "ISMIndex" (first row of each
//	                             bucket, bucket numbers)
//
// A bucket starts with a uint32 offset of its own index (high 4 bits: row numbers are 64-bit),
// then the values; its index holds, per column, the rows (relative to the bucket's first row)
// at which a new value starts and the offsets of those values. A value holds for all rows up
// to the next start: ISM stores a column's value only when it changes.
type ism struct {
	t          *Table
	f          *dataFile
	order      binary.ByteOrder
	bucketSize int64
	nBuckets   int64
	rows       []uint64 // first row of each bucket; rows[len] = total rows
	bucketNr   []uint32
	version    uint32

	mu      sync.Mutex
	buckets map[int64]*ismBucket // parsed buckets by index entry

	arrOnce sync.Once
	arr     *arrayFile
	arrErr  error
}

type ismBucket struct {
	first, nrow int     // rows [first, first+nrow)
	raw         []byte  // the whole bucket
	data        []byte  // raw[4:indexOffset]: the values
	starts      [][]int // per column: interval start rows (relative)
	voffs       [][]int // per column: value offsets into data
}

func openISM(t *Table, dm *dataManager) error {
	s := &ism{t: t, order: byteOrder(t.bigEndian)}
	d := newDecoder(dm.blob, binary.BigEndian)
	_, s.version = d.start("ISM")
	d.str()
	d.end()
	if d.err != nil {
		return fmt.Errorf("table.dat entry: %w", d.err)
	}
	f, err := t.files.get(t.dmFile(dm.seq, ""))
	if err != nil {
		return err
	}
	s.f = f
	hdr := make([]byte, min(512, f.size))
	if err := f.readAt(hdr, 0); err != nil {
		return err
	}
	d = newDecoder(hdr, s.order)
	_, vers := d.start("IncrementalStMan")
	if vers >= 5 {
		if be := d.boolean(); d.err == nil && be != t.bigEndian {
			return fmt.Errorf("endian flag in the header mismatches the table's")
		}
	}
	s.bucketSize = int64(d.u32())
	s.nBuckets = int64(d.u32())
	d.end()
	if d.err != nil {
		return fmt.Errorf("header: %w", d.err)
	}
	if s.bucketSize < 8 || s.bucketSize > 1<<30 {
		return fmt.Errorf("bucket size %d", s.bucketSize)
	}
	idxOff := 512 + s.nBuckets*s.bucketSize
	if s.nBuckets < 0 || idxOff > f.size {
		return fmt.Errorf("%d buckets of %d bytes do not fit in %d bytes: %w", s.nBuckets, s.bucketSize, f.size, ErrTruncated)
	}
	if f.size-idxOff > maxHeaderFile {
		return fmt.Errorf("index of %d bytes is too large", f.size-idxOff)
	}
	idx := make([]byte, f.size-idxOff)
	if err := f.readAt(idx, idxOff); err != nil {
		return err
	}
	d = newDecoder(idx, s.order)
	_, iv := d.start("ISMIndex")
	nused := int(d.u32())
	if iv > 1 {
		s.rows = d.blockU64()
	} else {
		for _, r := range d.blockU32() {
			s.rows = append(s.rows, uint64(r))
		}
	}
	s.bucketNr = d.blockU32()
	d.end()
	if d.err != nil {
		return fmt.Errorf("index: %w", d.err)
	}
	if nused+1 > len(s.rows) || nused > len(s.bucketNr) {
		return fmt.Errorf("index uses %d buckets but lists %d rows and %d bucket numbers", nused, len(s.rows), len(s.bucketNr))
	}
	s.rows, s.bucketNr = s.rows[:nused+1], s.bucketNr[:nused]
	for k := range s.bucketNr {
		if int64(s.bucketNr[k]) >= s.nBuckets || s.rows[k+1] < s.rows[k] || s.rows[k+1] > 1<<40 {
			return fmt.Errorf("index entry %d (bucket %d, rows %d..%d) is invalid", k, s.bucketNr[k], s.rows[k], s.rows[k+1])
		}
	}
	if nused > 0 && (s.rows[0] != 0 || s.rows[nused] < uint64(t.nrow)) {
		return fmt.Errorf("index covers rows %d..%d of %d", s.rows[0], s.rows[nused], t.nrow)
	}
	if nused == 0 && t.nrow > 0 {
		return fmt.Errorf("index is empty for %d rows", t.nrow)
	}
	for i, c := range dm.cols {
		ic := &ismColumn{s: s, c: c, nr: i, ncol: len(dm.cols)}
		if err := ic.init(); err != nil {
			return fmt.Errorf("column %s: %w", c.desc.Name, err)
		}
		c.acc = ic
	}
	return nil
}

// bucket returns the parsed bucket holding row. Buckets wholly before the lowest row asked
// for since the last call are dropped, so sequential reads keep only what they need.
func (s *ism) bucket(c *Column, row int, ncol int) (*ismBucket, error) {
	r := uint64(row)
	k := sort.Search(len(s.bucketNr), func(i int) bool { return s.rows[i+1] > r })
	if k >= len(s.bucketNr) {
		return nil, c.errorf(s.f.path, "row %d is not in the index", row)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.buckets[int64(k)]; ok {
		return b, nil
	}
	if s.buckets == nil || len(s.buckets) >= 64 {
		s.buckets = map[int64]*ismBucket{}
	}
	for key, b := range s.buckets {
		if b.first+b.nrow <= row {
			delete(s.buckets, key)
		}
	}
	b, err := s.parseBucket(int64(s.bucketNr[k]), int(s.rows[k]), int(s.rows[k+1]-s.rows[k]), ncol)
	if err != nil {
		return nil, c.wrapErr(s.f.path, err)
	}
	s.buckets[int64(k)] = b
	return b, nil
}

func (s *ism) parseBucket(nr int64, first, nrow, ncol int) (*ismBucket, error) {
	raw := make([]byte, s.bucketSize)
	if err := s.f.readAt(raw, 512+nr*s.bucketSize); err != nil {
		return nil, err
	}
	off := s.order.Uint32(raw)
	use64 := off&0xf0000000 != 0
	off &= 0x0fffffff
	if off < 4 || int64(off) > s.bucketSize {
		return nil, fmt.Errorf("bucket %d: index offset %d", nr, off)
	}
	b := &ismBucket{first: first, nrow: nrow, raw: raw, data: raw[4:off]}
	d := newDecoder(raw[off:], s.order)
	for i := 0; i < ncol; i++ {
		n := d.count(8)
		starts := make([]int, n)
		voffs := make([]int, n)
		for j := range starts {
			if use64 {
				starts[j] = int(d.u64())
			} else {
				starts[j] = int(d.u32())
			}
		}
		for j := range voffs {
			voffs[j] = int(d.u32())
		}
		if d.err != nil {
			return nil, fmt.Errorf("bucket %d column %d index: %w", nr, i, d.err)
		}
		if n == 0 && nrow > 0 {
			return nil, fmt.Errorf("bucket %d column %d has no values", nr, i)
		}
		for j := range starts {
			if starts[j] < 0 || starts[j] > 1<<40 || (j == 0 && starts[j] != 0) || (j > 0 && starts[j] <= starts[j-1]) || voffs[j] < 0 || voffs[j] > len(b.data) {
				return nil, fmt.Errorf("bucket %d column %d interval %d (row %d, offset %d) is invalid", nr, i, j, starts[j], voffs[j])
			}
		}
		b.starts = append(b.starts, starts)
		b.voffs = append(b.voffs, voffs)
	}
	return b, nil
}

// ismColumn reads one column of an IncrementalStMan.
type ismColumn struct {
	s        *ism
	c        *Column
	nr, ncol int
	nel      int
	indirect bool
}

func (ic *ismColumn) init() error {
	cd := &ic.c.sd
	ic.nel = 1
	if cd.IsArray {
		if cd.Options&OptDirect == 0 {
			ic.indirect = true
			if ic.s.version < 3 {
				return fmt.Errorf("indirect arrays of IncrementalStMan version %d are not supported", ic.s.version)
			}
			return nil
		}
		if len(ic.c.shape) == 0 {
			return fmt.Errorf("direct array column without a fixed shape")
		}
		n, err := product(ic.c.shape)
		if err != nil {
			return err
		}
		ic.nel = n
	}
	return nil
}

// value returns the bytes of the value holding for row and the last row it holds for.
func (ic *ismColumn) value(row int) ([]byte, int, error) {
	b, err := ic.s.bucket(ic.c, row, ic.ncol)
	if err != nil {
		return nil, 0, err
	}
	rel := row - b.first
	starts := b.starts[ic.nr]
	j := sort.Search(len(starts), func(i int) bool { return starts[i] > rel }) - 1
	if j < 0 {
		return nil, 0, ic.c.errorf(ic.s.f.path, "row %d precedes its bucket's first value", row)
	}
	last := b.first + b.nrow - 1
	if j+1 < len(starts) {
		last = b.first + starts[j+1] - 1
	}
	return b.data[b.voffs[ic.nr][j]:], last, nil
}

func (ic *ismColumn) cellShape(row int) ([]int, bool, error) {
	if !ic.indirect {
		return ic.c.shape, true, nil
	}
	v, _, err := ic.value(row)
	if err != nil {
		return nil, false, err
	}
	if len(v) < 8 {
		return nil, false, ic.c.errorf(ic.s.f.path, "row %d: value runs past its bucket", row)
	}
	off := int64(ic.s.order.Uint64(v))
	if off == 0 {
		return nil, false, nil
	}
	a, err := ic.arrayFile()
	if err != nil {
		return nil, false, err
	}
	shape, err := a.shape(off)
	if err != nil {
		return nil, false, ic.c.wrapErr(a.f.path, err)
	}
	return shape, true, nil
}

func (ic *ismColumn) arrayFile() (*arrayFile, error) {
	s := ic.s
	s.arrOnce.Do(func() {
		s.arr, s.arrErr = openArrayFile(s.t, s.f.path+"i", s.order)
	})
	if s.arrErr != nil {
		return nil, ic.c.wrapErr(s.f.path+"i", s.arrErr)
	}
	return s.arr, nil
}

func (ic *ismColumn) read(row0 int, offs []int, dst any, defined []bool) error {
	n := len(offs) - 1
	t := ic.c.sd.Type
	for row := row0; row < row0+n; {
		v, last, err := ic.value(row)
		if err != nil {
			return err
		}
		k := min(last-row+1, row0+n-row)
		if ic.indirect {
			if len(v) < 8 {
				return ic.c.errorf(ic.s.f.path, "row %d: value runs past its bucket", row)
			}
			off := int64(ic.s.order.Uint64(v))
			for j := row - row0; j < row-row0+k; j++ {
				if off == 0 {
					defined[j] = false
					continue
				}
				a, err := ic.arrayFile()
				if err != nil {
					return err
				}
				nel := offs[j+1] - offs[j]
				shape, err := a.readCell(off, ic.c.sd.NDim, t, nel, dst, offs[j])
				if err != nil {
					return ic.c.wrapErr(a.f.path, fmt.Errorf("row %d: %w", row0+j, err))
				}
				got, _ := product(shape)
				if err := checkCell(ic.c, row0+j, offs, j, got, shape); err != nil {
					return err
				}
			}
			row += k
			continue
		}
		for j := row - row0; j < row-row0+k; j++ {
			if err := checkCell(ic.c, row0+j, offs, j, ic.nel, ic.c.shape); err != nil {
				return err
			}
		}
		// Decode the value once, then copy it to the other rows of the interval.
		at := offs[row-row0]
		if err := ic.decode(v, dst, at, row); err != nil {
			return err
		}
		for j := row - row0 + 1; j < row-row0+k; j++ {
			copyWithin(dst, offs[j], at, ic.nel)
		}
		row += k
	}
	return nil
}

// decode decodes one value (nel elements) from v into dst[at:].
func (ic *ismColumn) decode(v []byte, dst any, at int, row int) error {
	t := ic.c.sd.Type
	switch t {
	case TpBool:
		nb := (ic.nel + 7) / 8
		if len(v) < nb {
			return ic.c.errorf(ic.s.f.path, "row %d: value runs past its bucket", row)
		}
		unpackBits(dst.([]bool)[at:at+ic.nel], v[:nb], 0)
		return nil
	case TpString:
		out := dst.([]string)[at : at+ic.nel]
		if len(v) < 4 {
			return ic.c.errorf(ic.s.f.path, "row %d: value runs past its bucket", row)
		}
		total := int(ic.s.order.Uint32(v))
		if total < 4 || total > len(v) {
			return ic.c.errorf(ic.s.f.path, "row %d: string value of %d bytes", row, total)
		}
		v = v[:total]
		p := 4
		if ic.nel == 1 {
			out[0] = string(v[4:])
			return nil
		}
		for i := range out {
			if p+4 > len(v) {
				return ic.c.errorf(ic.s.f.path, "row %d: string array runs past its value", row)
			}
			l := int(ic.s.order.Uint32(v[p:]))
			p += 4
			if l < 0 || l > len(v)-p {
				return ic.c.errorf(ic.s.f.path, "row %d: string array runs past its value", row)
			}
			out[i] = string(v[p : p+l])
			p += l
		}
		return nil
	}
	nb := t.size() * ic.nel
	if len(v) < nb {
		return ic.c.errorf(ic.s.f.path, "row %d: value runs past its bucket", row)
	}
	if err := decodeValues(dst, at, v[:nb], t, ic.s.order); err != nil {
		return ic.c.wrapErr(ic.s.f.path, err)
	}
	return nil
}

// copyWithin copies n elements of a typed slice from src to dst index.
func copyWithin(s any, dst, src, n int) {
	switch v := s.(type) {
	case []bool:
		copy(v[dst:dst+n], v[src:src+n])
	case []uint8:
		copy(v[dst:dst+n], v[src:src+n])
	case []int16:
		copy(v[dst:dst+n], v[src:src+n])
	case []uint16:
		copy(v[dst:dst+n], v[src:src+n])
	case []int32:
		copy(v[dst:dst+n], v[src:src+n])
	case []uint32:
		copy(v[dst:dst+n], v[src:src+n])
	case []int64:
		copy(v[dst:dst+n], v[src:src+n])
	case []float32:
		copy(v[dst:dst+n], v[src:src+n])
	case []float64:
		copy(v[dst:dst+n], v[src:src+n])
	case []complex64:
		copy(v[dst:dst+n], v[src:src+n])
	case []complex128:
		copy(v[dst:dst+n], v[src:src+n])
	case []string:
		copy(v[dst:dst+n], v[src:src+n])
	}
}

func (ic *ismColumn) get(row int) (*Array, bool, error) {
	if !ic.indirect {
		return nil, false, nil
	}
	v, _, err := ic.value(row)
	if err != nil {
		return nil, true, err
	}
	if len(v) < 8 {
		return nil, true, ic.c.errorf(ic.s.f.path, "row %d: value runs past its bucket", row)
	}
	off := int64(ic.s.order.Uint64(v))
	if off == 0 {
		return nil, true, nil
	}
	a, err := ic.arrayFile()
	if err != nil {
		return nil, true, err
	}
	arr, err := a.readAny(off, ic.c.sd.Type)
	if err != nil {
		return nil, true, ic.c.wrapErr(a.f.path, fmt.Errorf("row %d: %w", row, err))
	}
	return arr, true, nil
}
