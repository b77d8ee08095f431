package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sys/unix"

	"github.com/cubeimg/cubeimg/tiles"
)

// Every data file starts with a header page; tile data start at dataHeaderSize (2 MiB, so that
// planes are huge-page aligned).
const (
	dataHeaderSize   = tiles.HugeAlign
	dataMagic        = "CUBEIMGD"
	dataHeaderFields = 120 // bytes covered by the header checksum
)

const (
	dtypeFloat32 = 1
	dtypeUint8   = 2
)

// dataHeader is the fixed binary header of a data file (FORMAT.md, "Data files").
type dataHeader struct {
	Version     uint8
	DType       uint8
	UUID        [16]byte
	Ext         string
	NX, NY      uint32
	NChan       uint32
	TileW       uint32
	TileH       uint32
	DataOffset  uint64
	SlotBytes   uint64
	PlaneStride uint64
	FileSize    uint64
}

func headerFor(m *Manifest, e Extension, l tiles.Layout) (dataHeader, error) {
	var h dataHeader
	u, err := hex.DecodeString(m.UUID)
	if err != nil || len(u) != 16 {
		return h, fmt.Errorf("uuid %q", m.UUID)
	}
	copy(h.UUID[:], u)
	h.Version = FormatVersion
	h.DType = dtypeFloat32
	if e.DType == Uint8 {
		h.DType = dtypeUint8
	}
	h.Ext = e.Name
	h.NX, h.NY, h.NChan = uint32(m.NX), uint32(m.NY), uint32(m.NChan)
	h.TileW, h.TileH = uint32(m.TileW), uint32(m.TileH)
	h.DataOffset, h.SlotBytes, h.PlaneStride = uint64(l.DataOffset), uint64(l.SlotBytes), uint64(l.PlaneStride)
	h.FileSize = uint64(l.FileSize())
	return h, nil
}

func (h dataHeader) encode() []byte {
	b := make([]byte, tiles.PageSize)
	copy(b[0:8], dataMagic)
	b[8] = h.Version
	b[9] = h.DType
	binary.LittleEndian.PutUint32(b[12:16], dataHeaderFields+8)
	copy(b[16:32], h.UUID[:])
	copy(b[32:64], h.Ext)
	le := binary.LittleEndian
	le.PutUint32(b[64:], h.NX)
	le.PutUint32(b[68:], h.NY)
	le.PutUint32(b[72:], h.NChan)
	le.PutUint32(b[76:], h.TileW)
	le.PutUint32(b[80:], h.TileH)
	le.PutUint64(b[88:], h.DataOffset)
	le.PutUint64(b[96:], h.SlotBytes)
	le.PutUint64(b[104:], h.PlaneStride)
	le.PutUint64(b[112:], h.FileSize)
	le.PutUint64(b[120:], xxhash.Sum64(b[:dataHeaderFields]))
	return b
}

func decodeDataHeader(b []byte) (dataHeader, error) {
	var h dataHeader
	if len(b) < dataHeaderFields+8 {
		return h, fmt.Errorf("header is %d bytes: %w", len(b), ErrCorrupt)
	}
	if string(b[0:8]) != dataMagic {
		return h, fmt.Errorf("magic %q, want %q: %w", b[0:8], dataMagic, ErrCorrupt)
	}
	le := binary.LittleEndian
	if got, want := xxhash.Sum64(b[:dataHeaderFields]), le.Uint64(b[120:]); got != want {
		return h, fmt.Errorf("header checksum %016x, stored %016x: %w", got, want, ErrCorrupt)
	}
	h.Version, h.DType = b[8], b[9]
	if h.Version != FormatVersion {
		return h, fmt.Errorf("data file version %d: %w", h.Version, ErrVersion)
	}
	copy(h.UUID[:], b[16:32])
	h.Ext = string(bytes.TrimRight(b[32:64], "\x00"))
	h.NX, h.NY, h.NChan = le.Uint32(b[64:]), le.Uint32(b[68:]), le.Uint32(b[72:])
	h.TileW, h.TileH = le.Uint32(b[76:]), le.Uint32(b[80:])
	h.DataOffset, h.SlotBytes = le.Uint64(b[88:]), le.Uint64(b[96:])
	h.PlaneStride, h.FileSize = le.Uint64(b[104:]), le.Uint64(b[112:])
	return h, nil
}

// createDataFile writes the header page and preallocates the whole file (fallocate; where the
// file system cannot, the file is extended sparse with ftruncate).
func createDataFile(path string, h dataHeader) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer f.Close()
	if err := unix.Fallocate(int(f.Fd()), 0, 0, int64(h.FileSize)); err != nil {
		if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS) {
			return fmt.Errorf("preallocate %s (%s): %w", path, tiles.FormatSize(int64(h.FileSize)), err)
		}
		if err := f.Truncate(int64(h.FileSize)); err != nil {
			return fmt.Errorf("extend %s: %w", path, err)
		}
	}
	if _, err := f.WriteAt(h.encode(), 0); err != nil {
		return fmt.Errorf("write header of %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// checkDataFile reads and checks the header of an open data file against the manifest.
func checkDataFile(f *os.File, m *Manifest, e Extension, l tiles.Layout) error {
	b := make([]byte, dataHeaderFields+8)
	if _, err := f.ReadAt(b, 0); err != nil {
		return fmt.Errorf("read header of %s: %w", f.Name(), err)
	}
	got, err := decodeDataHeader(b)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	want, err := headerFor(m, e, l)
	if err != nil {
		return fmt.Errorf("%s: %v: %w", f.Name(), err, ErrCorrupt)
	}
	if got != want {
		return fmt.Errorf("%s: header %+v does not match the manifest (%+v): %w", f.Name(), got, want, ErrCorrupt)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if st.Size() < l.FileSize() {
		return fmt.Errorf("%s: %d bytes, layout needs %d: %w", f.Name(), st.Size(), l.FileSize(), ErrCorrupt)
	}
	return nil
}
