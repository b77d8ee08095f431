package store

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/cubeimg/cubeimg/tiles"
)

// A Plane is one channel plane of one extension, held for reading or writing: NX*NY pixels,
// row-major, pixel (x, y) at index y*NX + x.
//
// When the layout makes the plane contiguous in its file (full-width tiles, the default), the
// plane is the file's bytes themselves, mapped and pinned in the resident set: writes land in the
// file in place. Otherwise the plane is a copy gathered from the tiles into a buffer taken from
// the budget, and written back to the tiles by Release when held for writing. Either way the
// plane's bytes count against the budget until Release, and its slices must not be used after
// Release.
type Plane struct {
	s        *Store
	e        *extFile
	c        int
	mode     Mode
	cs       *chanState
	pin      *tiles.Pin // contiguous: the mapping
	buf      []byte     // gathered copy
	released atomic.Bool
}

// Plane holds channel c of extension ext. A Write plane claims the channel (see Write).
func (s *Store) Plane(ctx context.Context, ext string, c int, mode Mode) (*Plane, error) {
	e, err := s.ext(ext)
	if err != nil {
		return nil, err
	}
	if err := s.checkChannel(c); err != nil {
		return nil, err
	}
	p := &Plane{s: s, e: e, c: c, mode: mode}
	if mode.writes() {
		if p.cs, err = s.beginWrite(c); err != nil {
			return nil, err
		}
	}
	l := e.layout
	if l.PlaneContiguous() {
		p.pin, err = s.rs.Pin(ctx, tiles.Region{File: e.f, Off: l.PlaneOffset(c), Len: l.PlaneBytes(), Writable: !s.readOnly, Sparse: mode == Update}, mode.writes())
		if err != nil {
			p.abort()
			return nil, fmt.Errorf("plane %s channel %d of %s: %w", ext, c, s.dir, err)
		}
		return p, nil
	}
	n := l.PlaneBytes()
	if err := s.budget.Acquire(ctx, n); err != nil {
		p.abort()
		return nil, fmt.Errorf("plane %s channel %d of %s: %w", ext, c, s.dir, err)
	}
	p.buf = make([]byte, n)
	if err := s.gather(e, c, p.buf); err != nil {
		s.budget.Release(n)
		p.abort()
		return nil, err
	}
	return p, nil
}

func (p *Plane) abort() {
	if p.cs != nil {
		p.s.endWrite(p.cs)
	}
}

// gather reads channel c's tiles of e into the row-major plane buf.
func (s *Store) gather(e *extFile, c int, buf []byte) error {
	l := e.layout
	es := int64(l.ElemSize)
	tile := make([]byte, l.TileW*l.TileH*l.ElemSize)
	for t := 0; t < l.NumTiles(); t++ {
		r := l.Rect(t)
		tb := tile[:l.TileBytes(t)]
		if _, err := e.f.ReadAt(tb, l.TileOffset(c, t)); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read %s channel %d tile %d: %w", e.f.Name(), c, t, err)
		}
		row := int64(r.Dx()) * es
		for y := r.Y0; y < r.Y1; y++ {
			dst := (int64(y)*int64(l.NX) + int64(r.X0)) * es
			copy(buf[dst:dst+row], tb[int64(y-r.Y0)*row:])
		}
	}
	return nil
}

// scatter writes the row-major plane buf into channel c's tiles of e.
func (s *Store) scatter(e *extFile, c int, buf []byte) error {
	l := e.layout
	es := int64(l.ElemSize)
	tile := make([]byte, l.TileW*l.TileH*l.ElemSize)
	for t := 0; t < l.NumTiles(); t++ {
		r := l.Rect(t)
		tb := tile[:l.TileBytes(t)]
		row := int64(r.Dx()) * es
		for y := r.Y0; y < r.Y1; y++ {
			src := (int64(y)*int64(l.NX) + int64(r.X0)) * es
			copy(tb[int64(y-r.Y0)*row:], buf[src:src+row])
		}
		if _, err := e.f.WriteAt(tb, l.TileOffset(c, t)); err != nil {
			return fmt.Errorf("write %s channel %d tile %d: %w", e.f.Name(), c, t, err)
		}
	}
	return nil
}

// Bytes returns the plane's NX*NY*elemsize bytes (little-endian elements), valid until Release.
func (p *Plane) Bytes() []byte {
	if p.pin != nil {
		return p.pin.Bytes()
	}
	return p.buf
}

// Float32s returns the plane as NX*NY float32 values, valid until Release; nil for a uint8
// extension (use Bytes).
func (p *Plane) Float32s() []float32 {
	if p.e.DType != Float32 {
		return nil
	}
	return tiles.Float32s(p.Bytes())
}

// InPlace reports whether the plane is the file's mapped bytes (true) or a gathered copy.
func (p *Plane) InPlace() bool { return p.pin != nil }

// Release gives the plane back: a gathered Write plane is written to its tiles first. After
// Release the plane's slices must not be used. A second Release returns ErrReleased.
func (p *Plane) Release() error {
	if p.released.Swap(true) {
		return fmt.Errorf("plane %s channel %d: %w", p.e.Name, p.c, ErrReleased)
	}
	var err error
	if p.pin != nil {
		p.pin.Unpin()
	} else {
		if p.mode.writes() {
			err = p.s.scatter(p.e, p.c, p.buf)
		}
		p.buf = nil
		p.s.budget.Release(p.e.layout.PlaneBytes())
	}
	p.abort()
	return err
}

// A Tile is one tile of one channel of one extension, mapped and pinned in the resident set: its
// Rect's pixels, row-major with stride Rect().Dx(). Its slices are valid until Release.
type Tile struct {
	s        *Store
	e        *extFile
	c, t     int
	cs       *chanState
	pin      *tiles.Pin
	released atomic.Bool
}

// Tile pins tile t of channel c of extension ext. A Write tile claims the channel (see Write).
func (s *Store) Tile(ctx context.Context, ext string, c, t int, mode Mode) (*Tile, error) {
	e, err := s.ext(ext)
	if err != nil {
		return nil, err
	}
	if err := s.checkChannel(c); err != nil {
		return nil, err
	}
	if t < 0 || t >= e.layout.NumTiles() {
		return nil, fmt.Errorf("tile %d of %s: %d tiles per plane", t, ext, e.layout.NumTiles())
	}
	tl := &Tile{s: s, e: e, c: c, t: t}
	if mode.writes() {
		if tl.cs, err = s.beginWrite(c); err != nil {
			return nil, err
		}
	}
	l := e.layout
	tl.pin, err = s.rs.Pin(ctx, tiles.Region{File: e.f, Off: l.TileOffset(c, t), Len: l.TileBytes(t), Writable: !s.readOnly, Sparse: mode == Update}, mode.writes())
	if err != nil {
		if tl.cs != nil {
			s.endWrite(tl.cs)
		}
		return nil, fmt.Errorf("tile %d of %s channel %d of %s: %w", t, ext, c, s.dir, err)
	}
	return tl, nil
}

// Rect returns the pixels the tile covers.
func (t *Tile) Rect() tiles.Rect { return t.e.layout.Rect(t.t) }

// Bytes returns the tile's data bytes, valid until Release.
func (t *Tile) Bytes() []byte { return t.pin.Bytes() }

// Float32s returns the tile's pixels as float32, valid until Release; nil for a uint8 extension.
func (t *Tile) Float32s() []float32 {
	if t.e.DType != Float32 {
		return nil
	}
	return tiles.Float32s(t.pin.Bytes())
}

// Release unpins the tile. A second Release returns ErrReleased.
func (t *Tile) Release() error {
	if t.released.Swap(true) {
		return fmt.Errorf("tile %d of %s channel %d: %w", t.t, t.e.Name, t.c, ErrReleased)
	}
	t.pin.Unpin()
	if t.cs != nil {
		t.s.endWrite(t.cs)
	}
	return nil
}

// ReadTile copies tile t of channel c of ext into dst (len >= the tile's data bytes) with pread,
// without mapping it.
func (s *Store) ReadTile(ext string, c, t int, dst []byte) error {
	e, l, n, err := s.tileArgs(ext, c, t, len(dst))
	if err != nil {
		return err
	}
	if _, err := e.f.ReadAt(dst[:n], l.TileOffset(c, t)); err != nil {
		return fmt.Errorf("read %s channel %d tile %d: %w", e.f.Name(), c, t, err)
	}
	return nil
}

// WriteTile copies src (len >= the tile's data bytes) into tile t of channel c of ext with
// pwrite, claiming the channel like a Write pin. It is coherent with mapped planes and tiles.
func (s *Store) WriteTile(ext string, c, t int, src []byte) error {
	e, l, n, err := s.tileArgs(ext, c, t, len(src))
	if err != nil {
		return err
	}
	cs, err := s.beginWrite(c)
	if err != nil {
		return err
	}
	defer s.endWrite(cs)
	if _, err := e.f.WriteAt(src[:n], l.TileOffset(c, t)); err != nil {
		return fmt.Errorf("write %s channel %d tile %d: %w", e.f.Name(), c, t, err)
	}
	return nil
}

func (s *Store) tileArgs(ext string, c, t, buflen int) (*extFile, tiles.Layout, int64, error) {
	e, err := s.ext(ext)
	if err != nil {
		return nil, tiles.Layout{}, 0, err
	}
	if err := s.checkChannel(c); err != nil {
		return nil, tiles.Layout{}, 0, err
	}
	l := e.layout
	if t < 0 || t >= l.NumTiles() {
		return nil, l, 0, fmt.Errorf("tile %d of %s: %d tiles per plane", t, ext, l.NumTiles())
	}
	n := l.TileBytes(t)
	if int64(buflen) < n {
		return nil, l, 0, fmt.Errorf("tile %d of %s: buffer of %d bytes for %d", t, ext, buflen, n)
	}
	return e, l, n, nil
}
