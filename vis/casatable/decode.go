package casatable

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// hostLittle is true on little-endian hosts, where little-endian table data can be copied into
// Go slices without conversion.
var hostLittle = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// newSlice makes a typed slice of n values of scalar type e.
func newSlice(e DataType, n int) any {
	switch e {
	case TpBool:
		return make([]bool, n)
	case TpChar, TpUChar:
		return make([]uint8, n)
	case TpShort:
		return make([]int16, n)
	case TpUShort:
		return make([]uint16, n)
	case TpInt:
		return make([]int32, n)
	case TpUInt:
		return make([]uint32, n)
	case TpInt64:
		return make([]int64, n)
	case TpFloat:
		return make([]float32, n)
	case TpDouble:
		return make([]float64, n)
	case TpComplex:
		return make([]complex64, n)
	case TpDComplex:
		return make([]complex128, n)
	case TpString:
		return make([]string, n)
	}
	return nil
}

// sliceLen returns the length of a typed slice made by newSlice.
func sliceLen(s any) int {
	switch v := s.(type) {
	case []bool:
		return len(v)
	case []uint8:
		return len(v)
	case []int16:
		return len(v)
	case []uint16:
		return len(v)
	case []int32:
		return len(v)
	case []uint32:
		return len(v)
	case []int64:
		return len(v)
	case []float32:
		return len(v)
	case []float64:
		return len(v)
	case []complex64:
		return len(v)
	case []complex128:
		return len(v)
	case []string:
		return len(v)
	}
	return -1
}

// elemType returns the scalar type whose values a typed slice holds.
func elemType(s any) (DataType, bool) {
	switch s.(type) {
	case []bool:
		return TpBool, true
	case []uint8:
		return TpUChar, true
	case []int16:
		return TpShort, true
	case []uint16:
		return TpUShort, true
	case []int32:
		return TpInt, true
	case []uint32:
		return TpUInt, true
	case []int64:
		return TpInt64, true
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

// compatible reports whether values of stored type t can be decoded into a slice of type e
// (identical, or Char stored and read as uint8).
func compatible(t, e DataType) bool {
	return t == e || (t == TpChar && e == TpUChar)
}

// bytesOf returns the memory of a numeric typed slice from element at on as bytes (for
// reading little-endian data straight into it on a little-endian host).
func bytesOf(dst any, at, n int) []byte {
	var p unsafe.Pointer
	var sz int
	switch v := dst.(type) {
	case []uint8:
		return v[at : at+n]
	case []int16:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 2
	case []uint16:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 2
	case []int32:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 4
	case []uint32:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 4
	case []int64:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 8
	case []float32:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 4
	case []float64:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 8
	case []complex64:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 8
	case []complex128:
		p, sz = unsafe.Pointer(unsafe.SliceData(v[at:])), 16
	default:
		return nil
	}
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(p), n*sz)
}

// decodeValues decodes len(raw)/size(t) values of stored type t from raw (in byte order
// order) into the typed slice dst starting at element at.
func decodeValues(dst any, at int, raw []byte, t DataType, order binary.ByteOrder) error {
	sz := t.size()
	if sz == 0 {
		return fmt.Errorf("cannot decode %v values as fixed-size numbers", t)
	}
	n := len(raw) / sz
	if at < 0 || at+n > sliceLen(dst) {
		return fmt.Errorf("%d values do not fit at %d in a buffer of %d", n, at, sliceLen(dst))
	}
	if e, ok := elemType(dst); !ok || !compatible(t, e) {
		return fmt.Errorf("cannot decode %v values into %T", t, dst)
	}
	if sz == 1 || (order == binary.LittleEndian) == hostLittle {
		copy(bytesOf(dst, at, n), raw[:n*sz])
		return nil
	}
	switch v := dst.(type) {
	case []int16:
		for i := range n {
			v[at+i] = int16(order.Uint16(raw[2*i:]))
		}
	case []uint16:
		for i := range n {
			v[at+i] = order.Uint16(raw[2*i:])
		}
	case []int32:
		for i := range n {
			v[at+i] = int32(order.Uint32(raw[4*i:]))
		}
	case []uint32:
		for i := range n {
			v[at+i] = order.Uint32(raw[4*i:])
		}
	case []int64:
		for i := range n {
			v[at+i] = int64(order.Uint64(raw[8*i:]))
		}
	case []float32:
		for i := range n {
			v[at+i] = math.Float32frombits(order.Uint32(raw[4*i:]))
		}
	case []float64:
		for i := range n {
			v[at+i] = math.Float64frombits(order.Uint64(raw[8*i:]))
		}
	case []complex64:
		for i := range n {
			re := math.Float32frombits(order.Uint32(raw[8*i:]))
			im := math.Float32frombits(order.Uint32(raw[8*i+4:]))
			v[at+i] = complex(re, im)
		}
	case []complex128:
		for i := range n {
			re := math.Float64frombits(order.Uint64(raw[16*i:]))
			im := math.Float64frombits(order.Uint64(raw[16*i+8:]))
			v[at+i] = complex(re, im)
		}
	}
	return nil
}

// unpackBits sets dst[i] to bit (bitOff+i) of b, least significant bit first (casacore's
// Conversion::bitToBool).
func unpackBits(dst []bool, b []byte, bitOff int) {
	i := 0
	for ; i < len(dst) && (bitOff+i)&7 != 0; i++ {
		k := bitOff + i
		dst[i] = b[k>>3]&(1<<(k&7)) != 0
	}
	k := (bitOff + i) >> 3
	for ; i+8 <= len(dst); i += 8 {
		copy(dst[i:i+8], bitTable[b[k]][:])
		k++
	}
	for ; i < len(dst); i++ {
		k := bitOff + i
		dst[i] = b[k>>3]&(1<<(k&7)) != 0
	}
}

// bitTable[v] holds the 8 bits of v, least significant first.
var bitTable = func() (t [256][8]bool) {
	for v := range 256 {
		for j := range 8 {
			t[v][j] = v&(1<<j) != 0
		}
	}
	return t
}()
