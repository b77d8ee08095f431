package store

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/tiles"
)

// rssFile returns the process's RssFile (file-backed resident memory) in bytes, from
// /proc/self/status.
func rssFile(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no RssFile line in /proc/self/status")
	return 0
}

// With a 16 MiB cap, writing and reading back a 64-channel 1024 x 1024 float32 cube (256 MiB)
// keeps tracked resident bytes <= 16 MiB at every step and RssFile growth under cap + 32 MiB.
func TestResidentBound_16MiB(t *testing.T) {
	const (
		n        = 1024
		nchan    = 64
		capBytes = 16 << 20
	)
	spec := testSpec(n, n, nchan)
	spec.Extensions = []Extension{{Name: ExtImage, DType: Float32, BUnit: "Jy/beam"}}
	budget := tiles.NewBudget(capBytes)
	base := rssFile(t)
	s := MustCreateStore(t, spec, &Options{Budget: budget, ResidentCap: capBytes})
	if w, h := s.Manifest().TileW, s.Manifest().TileH; w != 1024 || h != 512 {
		t.Fatalf("default tiles %dx%d, want 1024x512 (2 MiB)", w, h)
	}
	ctx := context.Background()
	var maxGrowth int64
	observe := func(what string, c int) {
		st := s.ResidentStats()
		if st.Resident > capBytes || budget.InUse() > capBytes {
			t.Fatalf("%s channel %d: tracked resident %d, budget in use %d, cap %d", what, c, st.Resident, budget.InUse(), capBytes)
		}
		maxGrowth = max(maxGrowth, rssFile(t)-base)
	}
	for c := 0; c < nchan; c++ {
		if c%2 == 0 { // whole planes, in place
			p, err := s.Plane(ctx, ExtImage, c, Write)
			if err != nil {
				t.Fatal(err)
			}
			if !p.InPlace() {
				t.Fatal("default layout plane is not in place")
			}
			v := p.Float32s()
			for i := range v {
				v[i] = float32(c*n*n + i)
			}
			observe("write plane", c)
			p.Release()
		} else { // tile by tile
			for ti := 0; ti < 2; ti++ {
				tl, err := s.Tile(ctx, ExtImage, c, ti, Write)
				if err != nil {
					t.Fatal(err)
				}
				v := tl.Float32s()
				off := tl.Rect().Y0 * n
				for i := range v {
					v[i] = float32(c*n*n + off + i)
				}
				observe("write tile", c)
				tl.Release()
			}
		}
		if err := s.Commit(ctx, c, CommitInfo{}); err != nil {
			t.Fatal(err)
		}
		observe("commit", c)
	}
	for c := 0; c < nchan; c++ {
		p, err := s.Plane(ctx, ExtImage, c, Read)
		if err != nil {
			t.Fatal(err)
		}
		v := p.Float32s()
		for i := 0; i < len(v); i += 4099 {
			if v[i] != float32(c*n*n+i) {
				t.Fatalf("channel %d pixel %d = %g, want %g", c, i, v[i], float32(c*n*n+i))
			}
		}
		observe("read plane", c)
		p.Release()
	}
	st := s.ResidentStats()
	if st.Peak > capBytes || budget.Peak() > capBytes {
		t.Fatalf("peak tracked resident %d, budget peak %d, cap %d", st.Peak, budget.Peak(), capBytes)
	}
	if st.Evictions < 50 {
		t.Fatalf("only %d evictions writing 256 MiB through a 16 MiB cap", st.Evictions)
	}
	if maxGrowth > capBytes+32<<20 {
		t.Fatalf("RssFile grew by %s, more than the cap + 32 MiB", tiles.FormatSize(maxGrowth))
	}
	t.Logf("peak tracked %s, RssFile growth %s, %d evictions", tiles.FormatSize(st.Peak), tiles.FormatSize(maxGrowth), st.Evictions)
}
