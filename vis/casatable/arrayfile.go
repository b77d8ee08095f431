package casatable

import (
	"encoding/binary"
	"fmt"
)

// arrayFile is a casacore StManArrayFile (table.f<N>i): the indirect, variable-shape arrays of
// StandardStMan and IncrementalStMan columns. The file starts with a uint32 version and an
// int64 length; each array, at the offset its row stores, is
//
//	[uint32 reference count (version > 0)] uint32 ndim, int32 shape[ndim], values
//
// with values in the table's byte order (bools as bits, strings as a table of uint32 file
// offsets each pointing at a uint32 length and the characters).
type arrayFile struct {
	f       *dataFile
	order   binary.ByteOrder
	version uint32
}

func openArrayFile(t *Table, path string, order binary.ByteOrder) (*arrayFile, error) {
	f, err := t.files.get(path)
	if err != nil {
		return nil, err
	}
	a := &arrayFile{f: f, order: order}
	if f.size == 0 {
		return a, nil
	}
	var hdr [4]byte
	if err := f.readAt(hdr[:], 0); err != nil {
		return nil, err
	}
	a.version = order.Uint32(hdr[:])
	return a, nil
}

// headerSize is the size of an array's shape header of ndim dimensions.
func (a *arrayFile) headerSize(ndim int) int {
	n := 4 + 4*ndim
	if a.version > 0 {
		n += 4
	}
	return n
}

// parseHeader decodes a shape header from b; it returns the shape and the header length, or
// ok=false if b is too short to hold it.
func (a *arrayFile) parseHeader(b []byte) (shape []int, n int, ok bool, err error) {
	p := 0
	if a.version > 0 {
		p = 4
	}
	if len(b) < p+4 {
		return nil, 0, false, nil
	}
	ndim := int(a.order.Uint32(b[p:]))
	if ndim < 0 || ndim > 64 {
		return nil, 0, false, fmt.Errorf("array with %d dimensions", ndim)
	}
	p += 4
	if len(b) < p+4*ndim {
		return nil, 0, false, nil
	}
	shape = make([]int, ndim)
	for i := range shape {
		shape[i] = int(int32(a.order.Uint32(b[p:])))
		if shape[i] < 0 {
			return nil, 0, false, fmt.Errorf("array with shape %v", shape[:i+1])
		}
		p += 4
	}
	if _, err := product(shape); err != nil {
		return nil, 0, false, err
	}
	return shape, p, true, nil
}

// shape reads the shape of the array at off.
func (a *arrayFile) shape(off int64) ([]int, error) {
	b := make([]byte, a.headerSize(0))
	if err := a.f.readAt(b, off); err != nil {
		return nil, err
	}
	p := len(b) - 4
	ndim := int(a.order.Uint32(b[p:]))
	if ndim < 0 || ndim > 64 {
		return nil, fmt.Errorf("array at offset %d of %s has %d dimensions", off, a.f.path, ndim)
	}
	rest := make([]byte, 4*ndim)
	if err := a.f.readAt(rest, off+int64(len(b))); err != nil {
		return nil, err
	}
	shape, _, _, err := a.parseHeader(append(b, rest...))
	if err != nil {
		return nil, fmt.Errorf("array at offset %d of %s: %w", off, a.f.path, err)
	}
	return shape, nil
}

// readCell reads the array at off into dst[at:at+nel] if it has nel values; ndimHint is the
// expected dimensionality (0 if unknown), used to read header and values in one request.
// It returns the shape found; if its size differs from nel, nothing is decoded.
func (a *arrayFile) readCell(off int64, ndimHint int, t DataType, nel int, dst any, at int) ([]int, error) {
	if ndimHint <= 0 || ndimHint > 64 {
		ndimHint = 2
	}
	hdr := a.headerSize(ndimHint)
	dataLen := valueBytes(t, nel)
	if t == TpString {
		dataLen = 4 * nel
	}
	buf := make([]byte, hdr+dataLen)
	var shape []int
	var hlen int
	if int64(len(buf)) <= a.f.size-off && off >= 0 {
		if err := a.f.readAt(buf, off); err != nil {
			return nil, err
		}
		s, n, ok, err := a.parseHeader(buf)
		if err != nil {
			return nil, fmt.Errorf("array at offset %d of %s: %w", off, a.f.path, err)
		}
		if ok && n == hdr {
			shape, hlen = s, n
		}
	}
	if shape == nil {
		// The guess was wrong (or the array sits at the end of the file): read the header,
		// then the values.
		s, err := a.shape(off)
		if err != nil {
			return nil, err
		}
		shape = s
		hlen = a.headerSize(len(s))
		buf = nil
	}
	got, _ := product(shape)
	if got != nel {
		return shape, nil
	}
	var data []byte
	if buf != nil {
		data = buf[hlen:]
	} else {
		data = make([]byte, dataLen)
		if err := a.f.readAt(data, off+int64(hlen)); err != nil {
			return nil, err
		}
	}
	if err := a.decodeData(data, t, nel, dst, at); err != nil {
		return nil, err
	}
	return shape, nil
}

// decodeData decodes nel values of an array's data part into dst[at:].
func (a *arrayFile) decodeData(data []byte, t DataType, nel int, dst any, at int) error {
	switch t {
	case TpBool:
		unpackBits(dst.([]bool)[at:at+nel], data, 0)
	case TpString:
		out := dst.([]string)[at : at+nel]
		for i := range out {
			so := int64(a.order.Uint32(data[4*i:]))
			if so == 0 {
				out[i] = ""
				continue
			}
			s, err := a.readString(so)
			if err != nil {
				return err
			}
			out[i] = s
		}
	default:
		return decodeValues(dst, at, data, t, a.order)
	}
	return nil
}

func (a *arrayFile) readString(off int64) (string, error) {
	var l [4]byte
	if err := a.f.readAt(l[:], off); err != nil {
		return "", err
	}
	n := int64(a.order.Uint32(l[:]))
	if n > a.f.size {
		return "", fmt.Errorf("string of %d bytes at offset %d of %s: %w", n, off, a.f.path, ErrTruncated)
	}
	b := make([]byte, n)
	if err := a.f.readAt(b, off+4); err != nil {
		return "", err
	}
	return string(b), nil
}

// valueBytes is the number of bytes nel values of type t take in a storage manager file
// (bools packed as bits).
func valueBytes(t DataType, nel int) int {
	if t == TpBool {
		return (nel + 7) / 8
	}
	return t.size() * nel
}

// readAny reads the whole array at off, whatever its shape.
func (a *arrayFile) readAny(off int64, t DataType) (*Array, error) {
	shape, err := a.shape(off)
	if err != nil {
		return nil, err
	}
	nel, err := product(shape)
	if err != nil || nel > maxAipsLen {
		return nil, fmt.Errorf("array at offset %d of %s has shape %v", off, a.f.path, shape)
	}
	need := int64(valueBytes(t, nel))
	if t == TpString {
		need = 4 * int64(nel)
	}
	if need > a.f.size {
		return nil, fmt.Errorf("array at offset %d of %s with shape %v exceeds the file: %w", off, a.f.path, shape, ErrTruncated)
	}
	dst := newSlice(t, nel)
	hlen := int64(a.headerSize(len(shape)))
	dataLen := valueBytes(t, nel)
	if t == TpString {
		dataLen = 4 * nel
	}
	data := make([]byte, dataLen)
	if err := a.f.readAt(data, off+hlen); err != nil {
		return nil, err
	}
	if err := a.decodeData(data, t, nel, dst, 0); err != nil {
		return nil, err
	}
	return &Array{Shape: shape, Data: dst}, nil
}

// window loads, with one read, the arrays at the offsets pos (cell i expected to hold
// offs[i+1]-offs[i] values) when they are packed closely enough in the file.
func (a *arrayFile) window(pos []int64, offs []int, ndimHint int, t DataType) error {
	if len(pos) < 2 {
		return nil
	}
	if ndimHint <= 0 || ndimHint > 64 {
		ndimHint = 2
	}
	lo, hi, need := int64(-1), int64(0), int64(0)
	for i, off := range pos {
		if off <= 0 {
			continue
		}
		n := int64(offs[i+1] - offs[i])
		size := int64(a.headerSize(ndimHint)) + int64(valueBytes(t, int(n)))
		if t == TpString {
			size = int64(a.headerSize(ndimHint)) + 4*n
		}
		if lo < 0 || off < lo {
			lo = off
		}
		hi = max(hi, off+size)
		need += size
	}
	if lo < 0 || hi-lo > 4*need+65536 {
		return nil
	}
	return a.f.ensureWindow(lo, hi)
}
