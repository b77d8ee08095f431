package casatable

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// aipsMagic starts every top-level AipsIO object (casacore AipsIO::magicval_p).
const aipsMagic = 0xbebebebe

// maxAipsString bounds a string or array length read from AipsIO so that a corrupted length
// cannot make the reader allocate gigabytes.
const maxAipsLen = 1 << 28

// errShort is wrapped when a structure needs more bytes than the buffer holds.
var errShort = errors.New("unexpected end of data")

// decoder reads the AipsIO object stream casacore writes for table.dat, data manager headers
// and the tiled storage manager header files: canonical (big-endian) or little-endian scalars,
// strings as a uint32 length plus bytes, and nested objects framed as
// [magic (top level only)] uint32 length, string type, uint32 version.
//
// Every read checks bounds; errors are sticky (after the first one, reads return zero values)
// so that parsing code can read a run of fields and check d.err once.
type decoder struct {
	buf   []byte
	pos   int
	order binary.ByteOrder
	err   error
	ends  []int // end offsets of the open objects, innermost last
}

func newDecoder(b []byte, order binary.ByteOrder) *decoder {
	return &decoder{buf: b, order: order}
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("offset %d: %s", d.pos, fmt.Sprintf(format, args...))
	}
}

// limit is the end of the innermost open object (or of the buffer).
func (d *decoder) limit() int {
	if n := len(d.ends); n > 0 {
		return d.ends[n-1]
	}
	return len(d.buf)
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > d.limit()-d.pos {
		d.fail("need %d bytes, %d left: %v", n, d.limit()-d.pos, errShort)
		return nil
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) u8() uint8 {
	b := d.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) boolean() bool { return d.u8() != 0 }

func (d *decoder) u16() uint16 {
	b := d.take(2)
	if b == nil {
		return 0
	}
	return d.order.Uint16(b)
}

func (d *decoder) u32() uint32 {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return d.order.Uint32(b)
}

func (d *decoder) i32() int32 { return int32(d.u32()) }

func (d *decoder) u64() uint64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return d.order.Uint64(b)
}

func (d *decoder) i64() int64   { return int64(d.u64()) }
func (d *decoder) f32() float32 { return math.Float32frombits(d.u32()) }
func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }

// count reads a uint32 element count and checks it against the bytes left, given that each
// element takes at least minSize bytes.
func (d *decoder) count(minSize int) int {
	n := d.u32()
	if d.err != nil {
		return 0
	}
	if n > maxAipsLen || (minSize > 0 && int(n) > (d.limit()-d.pos)/minSize) {
		d.fail("count %d exceeds the %d bytes left", n, d.limit()-d.pos)
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count(1)
	b := d.take(n)
	if b == nil {
		return ""
	}
	return string(b)
}

// start opens an object, checks its type is one of types (any type if none given) and returns
// the type found and the version. At the top level (no object open) a magic word is expected.
func (d *decoder) start(types ...string) (string, uint32) {
	if d.err != nil {
		return "", 0
	}
	if len(d.ends) == 0 {
		if m := d.u32(); d.err == nil && m != aipsMagic {
			d.fail("AipsIO magic 0x%08x, want 0x%08x", m, uint32(aipsMagic))
			return "", 0
		}
	}
	at := d.pos
	length := d.u32()
	if d.err != nil {
		return "", 0
	}
	// The length counts from the length word itself; 0xbebebebe means "not filled in"
	// (non-seekable writer): then the object extends to the end of its parent.
	end := d.limit()
	if length != aipsMagic {
		if length < 12 || int64(length) > int64(d.limit()-at) {
			d.fail("object length %d does not fit in %d bytes", length, d.limit()-at)
			return "", 0
		}
		end = at + int(length)
	}
	d.ends = append(d.ends, end)
	typ := d.str()
	vers := d.u32()
	if d.err != nil {
		return "", 0
	}
	if len(types) > 0 {
		ok := false
		for _, t := range types {
			if t == typ {
				ok = true
			}
		}
		if !ok {
			d.fail("found object type %q, want %q", typ, types)
			return "", 0
		}
	}
	return typ, vers
}

// peekType returns the type name of the next object without consuming it.
func (d *decoder) peekType() string {
	if d.err != nil {
		return ""
	}
	save, saveEnds := d.pos, len(d.ends)
	typ, _ := d.start()
	d.pos = save
	d.ends = d.ends[:saveEnds]
	return typ
}

// end closes the innermost object and moves to its end (skipping any part not read, as newer
// casacore versions may append fields older readers do not know).
func (d *decoder) end() {
	if d.err != nil {
		return
	}
	n := len(d.ends)
	if n == 0 {
		d.fail("object end without start")
		return
	}
	if d.pos > d.ends[n-1] {
		d.fail("read past object end %d", d.ends[n-1])
		return
	}
	d.pos = d.ends[n-1]
	d.ends = d.ends[:n-1]
}

// skipObject skips a whole object.
func (d *decoder) skipObject() {
	d.start()
	d.end()
}

// iposition reads a casacore IPosition object.
func (d *decoder) iposition() []int {
	_, vers := d.start("IPosition")
	var out []int
	if vers != 1 && vers != 2 && d.err == nil {
		d.fail("IPosition version %d", vers)
	}
	size := 4
	if vers == 2 {
		size = 8
	}
	n := d.count(size)
	for i := 0; i < n && d.err == nil; i++ {
		var v int64
		if vers == 1 {
			v = int64(d.i32())
		} else {
			v = d.i64()
		}
		out = append(out, int(v))
	}
	d.end()
	if d.err != nil {
		return nil
	}
	return out
}

// blockU32 reads a casacore Block<uInt> (or Block<Int>).
func (d *decoder) blockU32() []uint32 {
	d.start("Block")
	n := d.count(4)
	out := make([]uint32, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.u32())
	}
	d.end()
	return out
}

// blockU64 reads a casacore Block<uInt64> (rownr_t).
func (d *decoder) blockU64() []uint64 {
	d.start("Block")
	n := d.count(8)
	out := make([]uint64, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.u64())
	}
	d.end()
	return out
}
