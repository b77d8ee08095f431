package tiles

import "fmt"

// PageSize is the alignment of every tile slot in a data file (and of every mapping).
const PageSize = 4096

// HugeAlign is the alignment of channel planes of 2 MiB or more in a data file: the size of a
// PMD-mapped large folio on x86-64 and arm64. Writes through a mapping of a 2 MiB-aligned,
// 2 MiB-multiple range run about 10x faster on ext4 than through an unaligned one, whose every
// page takes its own page_mkwrite (measured: see the store benchmarks in README.md).
const HugeAlign = 2 << 20

// A Rect is a half-open pixel rectangle [X0, X1) x [Y0, Y1) of a plane.
type Rect struct {
	X0, Y0, X1, Y1 int
}

// Dx returns the width of r.
func (r Rect) Dx() int { return r.X1 - r.X0 }

// Dy returns the height of r.
func (r Rect) Dy() int { return r.Y1 - r.Y0 }

// Len returns the number of pixels in r.
func (r Rect) Len() int { return r.Dx() * r.Dy() }

func (r Rect) String() string { return fmt.Sprintf("[%d,%d)x[%d,%d)", r.X0, r.X1, r.Y0, r.Y1) }

// A Grid cuts an NX x NY plane into tiles of TileW x TileH pixels. Tiles are numbered row-major:
// tile t = ty*TilesX() + tx covers Rect(t). Tiles on the right and bottom edges are clipped to the
// plane. Inside a tile, pixels are row-major with stride Rect(t).Dx(): pixel (x, y) of the plane
// is element (y-Y0)*Dx + (x-X0) of its tile.
type Grid struct {
	NX, NY       int
	TileW, TileH int
}

// Validate reports whether g describes a non-empty plane and tile.
func (g Grid) Validate() error {
	if g.NX <= 0 || g.NY <= 0 {
		return fmt.Errorf("tiles: plane %dx%d: sizes must be positive", g.NX, g.NY)
	}
	if g.TileW <= 0 || g.TileH <= 0 || g.TileW > g.NX || g.TileH > g.NY {
		return fmt.Errorf("tiles: tile %dx%d for plane %dx%d: must be positive and no larger than the plane", g.TileW, g.TileH, g.NX, g.NY)
	}
	return nil
}

// TilesX returns the number of tile columns.
func (g Grid) TilesX() int { return (g.NX + g.TileW - 1) / g.TileW }

// TilesY returns the number of tile rows.
func (g Grid) TilesY() int { return (g.NY + g.TileH - 1) / g.TileH }

// NumTiles returns the number of tiles in a plane.
func (g Grid) NumTiles() int { return g.TilesX() * g.TilesY() }

// Rect returns the pixels covered by tile t.
func (g Grid) Rect(t int) Rect {
	nx := g.TilesX()
	tx, ty := t%nx, t/nx
	r := Rect{X0: tx * g.TileW, Y0: ty * g.TileH, X1: (tx + 1) * g.TileW, Y1: (ty + 1) * g.TileH}
	r.X1 = min(r.X1, g.NX)
	r.Y1 = min(r.Y1, g.NY)
	return r
}

// TileAt returns the tile holding pixel (x, y).
func (g Grid) TileAt(x, y int) int { return (y/g.TileH)*g.TilesX() + x/g.TileW }

// DefaultTileShape returns the tile shape cubeimg uses unless told otherwise: full-width row
// bands, so a channel plane is one contiguous run of its file, whose float32 size is the
// smallest multiple of HugeAlign (2 MiB) that holds whole rows, so every band of a float32
// extension is huge-page aligned (and every band of a byte mask a whole number of pages). When
// no such band fits in the plane (a width that is not a multiple of a power of two, such as
// 8000, needs 8192 rows), the whole plane is one tile.
func DefaultTileShape(nx, ny int) (tileW, tileH int) {
	q := HugeAlign / gcd(4*nx, HugeAlign) // rows per HugeAlign-multiple band
	h := q * max(1, HugeAlign/(4*nx*q))
	if h >= ny {
		h = ny
	}
	return nx, h
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// A Layout places the tiles of a cube of NChan planes of one element size in a file: a header of
// DataOffset bytes, then channel planes of PlaneStride bytes each, each plane a run of tile slots
// of SlotBytes (a multiple of PageSize). PlaneStride is the slots rounded up to HugeAlign when
// a plane holds HugeAlign bytes or more (to PageSize otherwise), so large planes start on
// huge-page boundaries when DataOffset is a multiple of HugeAlign. The byte offset of tile t of
// channel c is
//
//	DataOffset + c*PlaneStride + t*SlotBytes
//
// and its data are TileBytes(t) bytes at that offset (the rest of the slot is zero padding).
type Layout struct {
	Grid
	NChan       int
	ElemSize    int   // bytes per pixel: 4 for float32, 1 for a byte mask
	DataOffset  int64 // multiple of PageSize
	SlotBytes   int64
	PlaneStride int64
}

// NewLayout computes the layout of g with nchan planes of elemSize-byte pixels after a header of
// dataOffset bytes (rounded up to a page).
func NewLayout(g Grid, nchan, elemSize int, dataOffset int64) (Layout, error) {
	if err := g.Validate(); err != nil {
		return Layout{}, err
	}
	if nchan <= 0 {
		return Layout{}, fmt.Errorf("tiles: %d channels: must be positive", nchan)
	}
	if elemSize <= 0 {
		return Layout{}, fmt.Errorf("tiles: element size %d: must be positive", elemSize)
	}
	l := Layout{Grid: g, NChan: nchan, ElemSize: elemSize, DataOffset: RoundUp(dataOffset, PageSize)}
	l.SlotBytes = RoundUp(int64(g.TileW)*int64(g.TileH)*int64(elemSize), PageSize)
	l.PlaneStride = l.SlotBytes * int64(g.NumTiles())
	if l.PlaneStride >= HugeAlign {
		l.PlaneStride = RoundUp(l.PlaneStride, HugeAlign)
	}
	return l, nil
}

// RoundUp rounds n up to a multiple of m.
func RoundUp(n, m int64) int64 { return (n + m - 1) / m * m }

// FileSize returns the size of the whole file.
func (l Layout) FileSize() int64 { return l.DataOffset + int64(l.NChan)*l.PlaneStride }

// TileOffset returns the byte offset of tile t of channel c.
func (l Layout) TileOffset(c, t int) int64 {
	return l.DataOffset + int64(c)*l.PlaneStride + int64(t)*l.SlotBytes
}

// TileBytes returns the number of data bytes of tile t (its clipped pixels times the element size).
func (l Layout) TileBytes(t int) int64 { return int64(l.Rect(t).Len()) * int64(l.ElemSize) }

// PlaneOffset returns the byte offset of channel c's plane.
func (l Layout) PlaneOffset(c int) int64 { return l.DataOffset + int64(c)*l.PlaneStride }

// PlaneBytes returns the data bytes of one plane: NX*NY*ElemSize.
func (l Layout) PlaneBytes() int64 { return int64(l.NX) * int64(l.NY) * int64(l.ElemSize) }

// PlaneContiguous reports whether a channel plane is one contiguous row-major run of the file
// (PlaneBytes bytes at PlaneOffset, pixel (x, y) at element y*NX + x): true when tiles are full
// width and every slot but the last is exactly full.
func (l Layout) PlaneContiguous() bool {
	if l.TileW != l.NX {
		return false
	}
	return l.TilesY() == 1 || int64(l.TileW)*int64(l.TileH)*int64(l.ElemSize) == l.SlotBytes
}

// Locate returns the channel, tile and byte offset within the tile's data of the byte at file
// offset off, and false if off is in the header or in slot padding.
func (l Layout) Locate(off int64) (c, t int, within int64, ok bool) {
	if off < l.DataOffset || off >= l.FileSize() {
		return 0, 0, 0, false
	}
	rel := off - l.DataOffset
	c = int(rel / l.PlaneStride)
	rel -= int64(c) * l.PlaneStride
	t = int(rel / l.SlotBytes)
	within = rel - int64(t)*l.SlotBytes
	return c, t, within, within < l.TileBytes(t)
}
