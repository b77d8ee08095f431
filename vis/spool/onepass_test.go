package spool

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/simulate"
)

func simulateSmall(t *testing.T) string {
	t.Helper()
	cfg := simulate.DefaultConfig()
	cfg.MS = filepath.Join(t.TempDir(), "small.ms")
	cfg.NChan, cfg.DurationS, cfg.Workers = 32, 4*6.048, 2
	if _, err := simulate.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.MS
}

// Spooling reads each input byte at most once; a second run on the same input reuses the spool
// without reading the MeasurementSet; a changed input or selection rebuilds it.
func TestOpenOrBuild_OnePassReuseRebuild(t *testing.T) {
	ms := simulateSmall(t)
	dir := filepath.Join(t.TempDir(), "cube.spool")
	// A small memory limit: many chunks and several runs.
	opts := Options{MemoryBytes: 4 << 20}
	open := func() (*Spool, bool, *vis.ReadCounter) {
		t.Helper()
		rc := &vis.ReadCounter{}
		o := opts
		o.WrapReaderAt = rc.Wrap
		sp, built, err := OpenOrBuild(context.Background(), ms, dir, &o)
		if err != nil {
			t.Fatal(err)
		}
		return sp, built, rc
	}

	sp, built, rc := open()
	if !built {
		t.Fatal("first run: spool not built")
	}
	if rc.Reread() != 0 {
		t.Errorf("first run read %d bytes more than once", rc.Reread())
	}
	files := rc.Files()
	var dataBytes int64
	for p, n := range files {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if n > st.Size() {
			t.Errorf("%s: read %d bytes of %d", p, n, st.Size())
		}
		if strings.HasPrefix(filepath.Base(p), "table.f") && filepath.Dir(p) == ms {
			dataBytes += n
		}
	}
	if dataBytes == 0 {
		t.Fatalf("no MAIN data file read (files %v)", files)
	}
	st := sp.Manifest().Stats
	if st.InputBytesRead != rc.Total() {
		t.Errorf("stats: %d input bytes, the counter saw %d", st.InputBytesRead, rc.Total())
	}
	if len(sp.Manifest().Runs) < 2 {
		t.Errorf("%d runs: the memory limit should force several", len(sp.Manifest().Runs))
	}
	first := phaseCentreSpectrum(t, sp)
	sp.Close()
	t.Logf("first run: %d bytes read from %d files, %d runs, %d samples", rc.Total(), len(files), len(sp.Manifest().Runs), st.SamplesWritten)

	// Second run: reused, nothing read.
	sp, built, rc = open()
	if built || rc.Total() != 0 {
		t.Fatalf("second run: built %v after reading %d bytes, want the spool reused without reading", built, rc.Total())
	}
	if again := phaseCentreSpectrum(t, sp); !equalFloats(again, first) {
		t.Error("reused spool reads differently")
	}
	sp.Close()

	// A data file touched: rebuilt.
	f0 := filepath.Join(ms, "table.f0")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(f0, later, later); err != nil {
		t.Fatal(err)
	}
	if sp, built, _ = open(); !built {
		t.Error("touched table.f0: spool reused")
	}
	sp.Close()
	if sp, built, _ = open(); built {
		t.Error("unchanged since the rebuild: spool rebuilt")
	}
	sp.Close()

	// One byte of table.dat changed, size and time kept: the hash finds it.
	td := filepath.Join(ms, "table.dat")
	info, err := os.Stat(td)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(td)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	if err := os.WriteFile(td, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(td, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	key, err := InputKey(ms)
	if err != nil {
		t.Fatal(err)
	}
	sp, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if (Key{Input: key}).Equal(Key{Input: sp.Manifest().Key.Input}) {
		t.Error("a changed byte of table.dat leaves the input key unchanged")
	}
	sp.Close()
	b[len(b)-1] ^= 1
	if err := os.WriteFile(td, b, 0o644); err != nil {
		t.Fatal(err)
	}

	// A spool directory inside the input is refused (it would change the input's key).
	if _, _, err := OpenOrBuild(context.Background(), ms, filepath.Join(ms, "x.spool"), nil); err == nil {
		t.Error("spool inside the MS: want an error")
	}

	// Another selection: rebuilt; an incomplete spool (no manifest): rebuilt.
	opts.Interpolation = "nearest"
	if sp, built, _ = open(); !built {
		t.Error("new interpolation: spool reused")
	}
	sp.Close()
	if err := os.Remove(filepath.Join(dir, manifestName)); err != nil {
		t.Fatal(err)
	}
	if sp, built, _ = open(); !built {
		t.Error("no manifest: spool reused")
	}
	sp.Close()
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A UVFITS input (the VLBA file: RR and LL, four IFs) is spooled in one pass too, and reused.
func TestOpenOrBuild_UVFITS(t *testing.T) {
	path := shareddata.Path(t, "data/real/vlba_mojave_uvfits/mojave.uvfits")
	dir := t.TempDir()
	rc := &vis.ReadCounter{}
	sp, built, err := OpenOrBuild(context.Background(), path, dir, &Options{WrapReaderAt: rc.Wrap})
	if err != nil {
		t.Fatal(err)
	}
	if !built || rc.Reread() != 0 {
		t.Errorf("built %v, %d bytes read twice", built, rc.Reread())
	}
	var n int64
	for k := range sp.NChan() {
		n += sp.Count(k)
	}
	if n == 0 {
		t.Error("no samples")
	}
	sp.Close()
	sp, built, err = OpenOrBuild(context.Background(), path, dir, nil)
	if err != nil || built {
		t.Fatalf("second run: built %v, %v", built, err)
	}
	sp.Close()
}

// Concurrent OpenOrBuild calls on one directory (tasks of a job array): one builds, the others
// wait for it and reuse its spool.
func TestOpenOrBuild_Concurrent(t *testing.T) {
	ms := simulateSmall(t)
	dir := filepath.Join(t.TempDir(), "shared.spool")
	const n = 3
	type result struct {
		built bool
		count int64
		err   error
	}
	res := make(chan result, n)
	for range n {
		go func() {
			sp, built, err := OpenOrBuild(context.Background(), ms, dir, &Options{MemoryBytes: 16 << 20})
			r := result{built: built, err: err}
			if err == nil {
				r.count = sp.Count(10)
				var s Samples
				r.err = sp.Read(10, &s)
				sp.Close()
			}
			res <- r
		}()
	}
	builds := 0
	var count int64 = -1
	for range n {
		r := <-res
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.built {
			builds++
		}
		if count >= 0 && r.count != count {
			t.Errorf("channel 10: %d samples in one spool, %d in another", r.count, count)
		}
		count = r.count
	}
	if builds != 1 {
		t.Errorf("%d builds, want 1", builds)
	}
}
