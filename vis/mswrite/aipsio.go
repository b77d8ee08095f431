package mswrite

import (
	"encoding/binary"
	"math"
)

// aipsMagic starts every top-level AipsIO object.
const aipsMagic = 0xbebebebe

// aipsWriter encodes casacore's AipsIO object stream into memory. Each object is
//
//	[magic uint32, top level only] length uint32 | type string | version uint32 | contents
//
// where length counts from the length field itself to the end of the object, and strings are a
// uint32 byte count followed by the bytes. table.dat uses big-endian ("canonical") order; the
// StandardStMan file header uses the table's data byte order.
type aipsWriter struct {
	buf    []byte
	order  byteOrder
	starts []int // offsets of the length fields of the open objects
}

func newAipsWriter(order byteOrder) *aipsWriter {
	return &aipsWriter{order: order}
}

// putStart opens an object of the given type and version.
func (w *aipsWriter) putStart(typ string, version uint32) {
	if len(w.starts) == 0 {
		w.u32(aipsMagic)
	}
	w.starts = append(w.starts, len(w.buf))
	w.u32(0) // length, filled in by putEnd
	w.str(typ)
	w.u32(version)
}

// putEnd closes the innermost open object and fills in its length.
func (w *aipsWriter) putEnd() {
	n := len(w.starts) - 1
	pos := w.starts[n]
	w.starts = w.starts[:n]
	w.order.PutUint32(w.buf[pos:], uint32(len(w.buf)-pos))
}

func (w *aipsWriter) bytes(b []byte) { w.buf = append(w.buf, b...) }

func (w *aipsWriter) boolean(v bool) {
	if v {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *aipsWriter) u32(v uint32) { w.buf = w.order.AppendUint32(w.buf, v) }
func (w *aipsWriter) i32(v int32)  { w.u32(uint32(v)) }
func (w *aipsWriter) i64(v int64)  { w.buf = w.order.AppendUint64(w.buf, uint64(v)) }
func (w *aipsWriter) f32(v float32) {
	w.u32(math.Float32bits(v))
}
func (w *aipsWriter) f64(v float64) { w.buf = w.order.AppendUint64(w.buf, math.Float64bits(v)) }

func (w *aipsWriter) str(s string) {
	w.u32(uint32(len(s)))
	w.buf = append(w.buf, s...)
}

// iposition writes a casacore IPosition object (version 1: 32-bit values).
func (w *aipsWriter) iposition(shape []int) {
	w.putStart("IPosition", 1)
	w.u32(uint32(len(shape)))
	for _, v := range shape {
		w.i32(int32(v))
	}
	w.putEnd()
}

// block writes a casacore Block<uInt> object.
func (w *aipsWriter) blockU32(v []uint32) {
	w.putStart("Block", 1)
	w.u32(uint32(len(v)))
	for _, x := range v {
		w.u32(x)
	}
	w.putEnd()
}

// boolBits packs bools into bytes, bit i of byte i/8 (least significant first), as casacore's
// Conversion::boolToBit does.
func boolBits(dst []byte, bitOff int, v []bool) {
	for i, b := range v {
		k := bitOff + i
		if b {
			dst[k>>3] |= 1 << (k & 7)
		} else {
			dst[k>>3] &^= 1 << (k & 7)
		}
	}
}

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}
