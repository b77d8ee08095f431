package tiles

import "testing"

func TestDefaultTileShape(t *testing.T) {
	cases := []struct{ nx, ny, w, h int }{
		{1024, 1024, 1024, 512},  // 2 MiB float32 bands
		{4096, 4096, 4096, 128},  // 2 MiB float32 bands
		{8000, 8000, 8000, 8000}, // 2 MiB multiples need 8192 rows: one tile per plane
		{8000, 9000, 8000, 8192},
		{100, 50, 100, 50},     // small plane: one tile
		{1001, 900, 1001, 900}, // odd width: one tile
		{512, 4096, 512, 1024},
	}
	for _, c := range cases {
		w, h := DefaultTileShape(c.nx, c.ny)
		if w != c.w || h != c.h {
			t.Errorf("DefaultTileShape(%d, %d) = %dx%d, want %dx%d", c.nx, c.ny, w, h, c.w, c.h)
		}
		for _, es := range []int{1, 4} {
			l, err := NewLayout(Grid{c.nx, c.ny, w, h}, 3, es, HugeAlign)
			if err != nil {
				t.Fatal(err)
			}
			if !l.PlaneContiguous() {
				t.Errorf("%dx%d elem %d: default tiles do not make a contiguous plane", c.nx, c.ny, es)
			}
			if es == 4 && l.TilesY() > 1 && l.SlotBytes%HugeAlign != 0 {
				t.Errorf("%dx%d: float32 tile of %d bytes is not a multiple of 2 MiB", c.nx, c.ny, l.SlotBytes)
			}
			if l.PlaneBytes() >= HugeAlign && l.PlaneOffset(1)%HugeAlign != 0 {
				t.Errorf("%dx%d elem %d: plane 1 at %d is not 2 MiB aligned", c.nx, c.ny, es, l.PlaneOffset(1))
			}
		}
	}
}

func TestLayout_Offsets(t *testing.T) {
	// 10x7 plane in 4x3 tiles: 3x3 tiles, edge tiles clipped.
	g := Grid{NX: 10, NY: 7, TileW: 4, TileH: 3}
	l, err := NewLayout(g, 2, 4, 100)
	if err != nil {
		t.Fatal(err)
	}
	if l.DataOffset != 4096 || l.SlotBytes != 4096 || l.PlaneStride != 9*4096 {
		t.Fatalf("layout %+v", l)
	}
	if r := g.Rect(8); r != (Rect{8, 6, 10, 7}) {
		t.Fatalf("Rect(8) = %v", r)
	}
	if l.TileBytes(8) != 2*1*4 || l.TileBytes(0) != 48 {
		t.Fatalf("TileBytes(8)=%d TileBytes(0)=%d", l.TileBytes(8), l.TileBytes(0))
	}
	if off := l.TileOffset(1, 5); off != 4096+9*4096+5*4096 {
		t.Fatalf("TileOffset(1,5) = %d", off)
	}
	if l.PlaneContiguous() {
		t.Fatal("4-wide tiles of a 10-wide plane reported contiguous")
	}
	// Every pixel lies in exactly one tile, and TileAt agrees with Rect.
	seen := make([]int, g.NX*g.NY)
	for ti := 0; ti < g.NumTiles(); ti++ {
		r := g.Rect(ti)
		for y := r.Y0; y < r.Y1; y++ {
			for x := r.X0; x < r.X1; x++ {
				seen[y*g.NX+x]++
				if g.TileAt(x, y) != ti {
					t.Fatalf("TileAt(%d,%d) = %d, want %d", x, y, g.TileAt(x, y), ti)
				}
			}
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("pixel %d covered %d times", i, n)
		}
	}
	c, ti, within, ok := l.Locate(l.TileOffset(1, 4) + 8)
	if !ok || c != 1 || ti != 4 || within != 8 {
		t.Fatalf("Locate = %d %d %d %v", c, ti, within, ok)
	}
	if _, _, _, ok := l.Locate(l.TileOffset(0, 8) + 100); ok {
		t.Fatal("Locate in slot padding reported data")
	}
}
