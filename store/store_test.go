package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestStore_WriteCommitReopen(t *testing.T) {
	s := MustCreateStore(t, testSpec(64, 48, 5), nil)
	for c := 0; c < 5; c += 2 {
		writeChannel(t, s, c, 0)
	}
	dir := s.Dir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	recs, err := s2.Channels()
	if err != nil {
		t.Fatal(err)
	}
	for c, r := range recs {
		want := Empty
		if c%2 == 0 {
			want = Committed
		}
		if r.State != want {
			t.Fatalf("channel %d state %s, want %s", c, r.State, want)
		}
	}
	if recs[2].Beam.PA != 32 || recs[2].SumWt != 1e6+2 {
		t.Fatalf("channel 2 beam %+v sumwt %g", recs[2].Beam, recs[2].SumWt)
	}
	for c := 0; c < 5; c += 2 {
		checkChannelData(t, s2, c, 0)
	}
	rep, err := s2.Check(context.Background(), nil)
	if err != nil || !rep.OK() {
		t.Fatalf("check: %v %+v", err, rep)
	}
	if len(rep.Committed) != 3 || len(rep.Empty) != 2 || rep.Tiles != 3*6 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := s2.Plane(context.Background(), ExtImage, 1, Write); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write plane of a read-only store: %v", err)
	}
}

// Tiles narrower than the plane: planes are gathered copies, written back on Release.
func TestStore_GatheredPlane(t *testing.T) {
	spec := testSpec(70, 45, 3)
	spec.TileW, spec.TileH = 32, 16 // 3x3 tiles, clipped on the right and bottom
	s := MustCreateStore(t, spec, nil)
	writeChannel(t, s, 1, 0)
	checkChannelData(t, s, 1, 0)
	// Tile access sees the same pixels with stride Rect().Dx().
	tl, err := s.Tile(context.Background(), ExtResidual, 1, 8, Read)
	if err != nil {
		t.Fatal(err)
	}
	r := tl.Rect()
	if r.Dx() != 6 || r.Dy() != 13 {
		t.Fatalf("tile 8 rect %v", r)
	}
	v := tl.Float32s()
	ei := 2
	for y := r.Y0; y < r.Y1; y++ {
		for x := r.X0; x < r.X1; x++ {
			if got, want := v[(y-r.Y0)*r.Dx()+x-r.X0], pixel(ei, 1, x, y, 0); got != want {
				t.Fatalf("tile pixel (%d,%d) = %g, want %g", x, y, got, want)
			}
		}
	}
	tl.Release()
	if err := tl.Release(); !errors.Is(err, ErrReleased) {
		t.Fatalf("second release: %v", err)
	}
	rep, err := s.Check(context.Background(), nil)
	if err != nil || !rep.OK() || len(rep.Committed) != 1 {
		t.Fatalf("check: %v %+v", err, rep)
	}
}

func TestStore_CommittedChannelNeedsBegin(t *testing.T) {
	s := MustCreateStore(t, testSpec(32, 32, 2), nil)
	writeChannel(t, s, 0, 0)
	ctx := context.Background()
	if _, err := s.Plane(ctx, ExtImage, 0, Write); !errors.Is(err, ErrCommitted) {
		t.Fatalf("write of a committed channel: err %v, want ErrCommitted", err)
	}
	if err := s.BeginChannel(0, json.RawMessage(`{"reason":"rerun"}`)); err != nil {
		t.Fatal(err)
	}
	r, _ := s.Channel(0)
	if r.State != InProgress || string(r.Info) != `{"reason":"rerun"}` || len(r.Checksums) != 0 {
		t.Fatalf("after BeginChannel: %+v", r)
	}
	p, err := s.Plane(ctx, ExtImage, 0, Write)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, 0, CommitInfo{}); !errors.Is(err, ErrPinnedForWrite) {
		t.Fatalf("commit with a write plane held: %v", err)
	}
	p.Release()
	writeChannel(t, s, 0, 1)
	checkChannelData(t, s, 0, 1)
	r, _ = s.Channel(0)
	if r.State != Committed || r.Gen != 4 || string(r.Info) != `{"reason":"rerun"}` {
		t.Fatalf("after re-commit: state %s gen %d info %s", r.State, r.Gen, r.Info)
	}
}

// Two opens (as two processes would) taking the same channel: the later one wins, the earlier
// one's commit is refused.
func TestStore_Commit_Conflict(t *testing.T) {
	s1 := MustCreateStore(t, testSpec(32, 32, 2), nil)
	s2, err := Open(s1.Dir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ctx := context.Background()
	if err := s1.BeginChannel(1, nil); err != nil {
		t.Fatal(err)
	}
	if err := s2.BeginChannel(1, nil); err != nil {
		t.Fatal(err)
	}
	if err := s1.Commit(ctx, 1, CommitInfo{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("commit of a channel taken over: %v", err)
	}
	if err := s2.Commit(ctx, 1, CommitInfo{}); err != nil {
		t.Fatal(err)
	}
}

func TestStore_ConcurrentCommits(t *testing.T) {
	s := MustCreateStore(t, testSpec(64, 64, 12), &Options{ResidentCap: 64 << 10})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for c := g; c < 12; c += 4 {
				writeChannel(t, s, c, 0)
			}
		}(g)
	}
	wg.Wait()
	rep, err := s.Check(context.Background(), nil)
	if err != nil || !rep.OK() || len(rep.Committed) != 12 {
		t.Fatalf("check: %v %+v", err, rep)
	}
	for c := 0; c < 12; c++ {
		checkChannelData(t, s, c, 0)
	}
	if st := s.ResidentStats(); st.Peak > 64<<10 {
		t.Fatalf("resident peak %d over the 64 KiB cap", st.Peak)
	}
}

func TestCheck_FlippedBit(t *testing.T) {
	s := MustCreateStore(t, testSpec(128, 128, 4), nil)
	s.Close()
	spec := testSpec(128, 128, 4)
	spec.TileH = 32
	spec.TileW = 128
	s = MustCreateStore(t, spec, nil)
	for c := 0; c < 4; c++ {
		writeChannel(t, s, c, 0)
	}
	l, _ := s.Layout(ExtResidual)
	off := l.TileOffset(2, 3) + 1000
	flipBit(t, filepath.Join(s.Dir(), "residual.dat"), off, 5)
	rep, err := s.Check(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mismatches) != 1 {
		t.Fatalf("mismatches %v, want exactly one", rep.Mismatches)
	}
	m := rep.Mismatches[0]
	if m.Ext != ExtResidual || m.Channel != 2 || m.Tile != 3 {
		t.Fatalf("mismatch %v, want residual channel 2 tile 3", m)
	}
	if !strings.Contains(m.String(), "extension residual channel 2 tile 3") {
		t.Fatalf("message %q", m)
	}
}

func flipBit(t testing.TB, path string, off int64, bit uint) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1 << bit
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Errors(t *testing.T) {
	if _, err := Open(t.TempDir(), nil); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("open of an empty directory: %v", err)
	}
	s := MustCreateStore(t, testSpec(16, 16, 1), nil)
	dir := s.Dir()
	s.Close()
	if _, err := Create(dir, testSpec(16, 16, 1), nil); !errors.Is(err, ErrExists) {
		t.Fatalf("create over a cube: %v", err)
	}
	// A corrupted data file header.
	flipBit(t, filepath.Join(dir, "psf.dat"), 70, 0)
	if _, err := Open(dir, nil); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "psf.dat") {
		t.Fatalf("open with a bad header: %v", err)
	}
	flipBit(t, filepath.Join(dir, "psf.dat"), 70, 0)
	// A corrupted manifest.
	mp := filepath.Join(dir, manifestName)
	data, _ := os.ReadFile(mp)
	data[len(data)-10] ^= 1
	os.WriteFile(mp, data, 0o644)
	if _, err := Open(dir, nil); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "MANIFEST") {
		t.Fatalf("open with a bad manifest: %v", err)
	}
}

func TestCreate_BadSpec(t *testing.T) {
	bad := []func(*Spec){
		func(s *Spec) { s.NX = 0 },
		func(s *Spec) { s.TileW = 100; s.TileH = 1 },
		func(s *Spec) { s.Celestial.Projection = "TAN" },
		func(s *Spec) { s.Spectral.Freqs = []float64{1e9} },
		func(s *Spec) { s.Extensions = []Extension{{Name: "Image", DType: Float32}} },
		func(s *Spec) { s.Extensions = []Extension{{Name: "image", DType: "float64"}} },
		func(s *Spec) { s.RunParams = json.RawMessage(`[1,2]`) },
	}
	for i, f := range bad {
		spec := testSpec(16, 16, 2)
		f(&spec)
		if _, err := Create(filepath.Join(t.TempDir(), "x"), spec, nil); err == nil {
			t.Errorf("bad spec %d accepted", i)
		}
	}
}

func TestStore_SetRunParams(t *testing.T) {
	s := MustCreateStore(t, testSpec(16, 16, 1), nil)
	if err := s.SetRunParams(json.RawMessage(`{"niter":50000,"robust":0.5}`)); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Niter int }
	if err := json.Unmarshal(m.RunParams, &p); err != nil || p.Niter != 50000 {
		t.Fatalf("run params %s: %v", m.RunParams, err)
	}
}
