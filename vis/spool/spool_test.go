package spool

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

type testSample struct {
	u, v, w float64
	vis     complex64
	wt      float32
}

// writeRandom writes n random samples over nchan channels (channel c gets a share growing with
// pick(c)) and returns, per channel, the stored samples in arrival order.
func writeRandom(t *testing.T, dir string, nchan, n int, bufBytes int64, pick func(*rand.Rand) int) [][]testSample {
	t.Helper()
	w, err := NewWriter(dir, nchan, &WriterOptions{BufferBytes: bufBytes})
	if err != nil {
		t.Fatal(err)
	}
	if w.MemoryBytes() > bufBytes {
		t.Fatalf("MemoryBytes %d above BufferBytes %d", w.MemoryBytes(), bufBytes)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	want := make([][]testSample, nchan)
	for i := 0; i < n; i++ {
		c := pick(rng)
		s := testSample{u: rng.NormFloat64() * 1e4, v: rng.NormFloat64() * 1e4, w: rng.NormFloat64(),
			vis: complex(float32(rng.NormFloat64()), float32(rng.NormFloat64())), wt: float32(rng.Float64())}
		if i%10 == 0 {
			s.wt = 0 // dropped
		} else {
			want[c] = append(want[c], s)
		}
		if err := w.Add(c, s.u, s.v, s.w, s.vis, s.wt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(context.Background(), Key{Input: json.RawMessage(`{"a":1,"b":2}`)}, json.RawMessage(`{"p":3}`)); err != nil {
		t.Fatal(err)
	}
	return want
}

// checkChannels reads every channel and compares it with the stable sort by uv cell of the samples
// in arrival order.
func checkChannels(t *testing.T, sp *Spool, want [][]testSample) {
	t.Helper()
	var s Samples
	for c := range want {
		if err := sp.Read(c, &s); err != nil {
			t.Fatal(err)
		}
		inv := keyInv(sp.Manifest().Channels[c].UVScale)
		exp := slices.Clone(want[c])
		slices.SortStableFunc(exp, func(a, b testSample) int {
			return int(cellKey(a.u, a.v, inv)) - int(cellKey(b.u, b.v, inv))
		})
		if s.Len() != len(exp) {
			t.Fatalf("channel %d: %d samples, want %d", c, s.Len(), len(exp))
		}
		var sumw float64
		for i, x := range exp {
			if s.U[i] != x.u || s.V[i] != x.v || s.W[i] != x.w || s.Vis[i] != x.vis || s.Weight[i] != x.wt {
				t.Fatalf("channel %d sample %d: got (%g %g %g %v %g), want (%g %g %g %v %g)", c, i,
					s.U[i], s.V[i], s.W[i], s.Vis[i], s.Weight[i], x.u, x.v, x.w, x.vis, x.wt)
			}
			sumw += float64(x.wt)
		}
		if got := sp.SumWeight(c); math.Abs(got-sumw) > 1e-9*sumw {
			t.Fatalf("channel %d: sum of weights %g, want %g", c, got, sumw)
		}
	}
}

func TestWriter_RoundTrip_ManyRuns(t *testing.T) {
	dir := t.TempDir()
	const nchan = 5
	buf := int64(2*minRegion*nchan*slotBytes*3) + 1<<10
	want := writeRandom(t, dir, nchan, 6000, buf, func(r *rand.Rand) int { return r.IntN(nchan) })
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if !sp.Manifest().Key.Equal(Key{Input: json.RawMessage(`{"b":2, "a":1}`)}) {
		t.Fatal("key not equal after reordering JSON fields")
	}
	if canonical(sp.Manifest().Plan) != `{"p":3}` {
		t.Fatalf("plan %s", sp.Manifest().Plan)
	}
	if got := sp.Manifest().Stats.SamplesFlagged; got != 600 {
		t.Fatalf("flagged %d, want 600", got)
	}
	if len(sp.Manifest().Runs) < 10 {
		t.Fatalf("expected many runs with a small buffer, got %d", len(sp.Manifest().Runs))
	}
	checkChannels(t, sp, want)
}

// One channel receives almost everything: the regions adapt and every sample is kept.
func TestWriter_RoundTrip_Skewed(t *testing.T) {
	dir := t.TempDir()
	const nchan = 40
	buf := int64(2*minRegion*nchan*slotBytes) * 4
	want := writeRandom(t, dir, nchan, 20000, buf, func(r *rand.Rand) int {
		if r.IntN(50) == 0 {
			return r.IntN(nchan)
		}
		return 7
	})
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	runs := len(sp.Manifest().Runs)
	// 18000 samples of channel 7 in buffers of 4*2*16*40 = 5120 slots: a few runs once the
	// regions follow the fill (an equal split would need a run per 128 samples, 140 runs).
	if runs > 20 {
		t.Errorf("%d runs: the buffer regions do not follow the channels' fill", runs)
	}
	checkChannels(t, sp, want)
}

func TestWriter_BufferTooSmall(t *testing.T) {
	if _, err := NewWriter(t.TempDir(), 1000, &WriterOptions{BufferBytes: 1 << 16}); err == nil {
		t.Fatal("want an error for a buffer smaller than 16 samples per channel")
	}
}

func TestSortPerm_Stable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 1000} {
		keys := make([]uint16, n)
		for i := range keys {
			keys[i] = uint16(rng.IntN(300)) * 211
		}
		orig := slices.Clone(keys)
		perm := make([]int32, n)
		sortPerm(keys, perm, make([]int32, n), make([]uint16, n))
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(a, b int32) int { return int(orig[a]) - int(orig[b]) })
		if !slices.Equal(perm, want) {
			t.Fatalf("n=%d: radix order differs from a stable sort", n)
		}
	}
}

func TestMergePerm_ApplyPerm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 3000
	bounds := []int{0, 100, 100, 1700, 2999, 3000}
	keys := make([]uint16, n)
	for r := 0; r+1 < len(bounds); r++ {
		run := keys[bounds[r]:bounds[r+1]]
		for i := range run {
			run[i] = uint16(rng.IntN(50))
		}
		slices.Sort(run)
	}
	perm := make([]int32, n)
	mergePerm(keys, bounds, perm)
	want := make([]int32, n)
	for i := range want {
		want[i] = int32(i)
	}
	slices.SortStableFunc(want, func(a, b int32) int { return int(keys[a]) - int(keys[b]) })
	if !slices.Equal(perm, want) {
		t.Fatal("merged order differs from a stable sort of the concatenated runs")
	}
	s := Samples{U: make([]float64, n), V: make([]float64, n), W: make([]float64, n), Vis: make([]complex64, n), Weight: make([]float32, n)}
	for i := range n {
		s.U[i], s.V[i], s.W[i], s.Vis[i], s.Weight[i] = float64(i), -float64(i), 2*float64(i), complex(float32(i), 1), float32(i)
	}
	applyPerm(&s, perm, make([]uint64, (n+63)/64))
	for i, p := range perm {
		if s.U[i] != float64(p) || s.V[i] != -float64(p) || s.W[i] != 2*float64(p) || s.Vis[i] != complex(float32(p), 1) || s.Weight[i] != float32(p) {
			t.Fatalf("sample %d is not old sample %d", i, p)
		}
	}
}

func TestRead_QuadrantLocality(t *testing.T) {
	// In Morton order each quadrant of the uv plane is one contiguous stretch.
	dir := t.TempDir()
	w, err := NewWriter(dir, 1, &WriterOptions{BufferBytes: 2 * 500 * slotBytes, UVScale: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 4000 {
		w.Add(0, rng.Float64()*2-1, rng.Float64()*2-1, 0, 1, 1)
	}
	if err := w.Finish(context.Background(), Key{}, nil); err != nil {
		t.Fatal(err)
	}
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if len(sp.Manifest().Runs) < 4 {
		t.Fatalf("want several runs, got %d", len(sp.Manifest().Runs))
	}
	var s Samples
	if err := sp.Read(0, &s); err != nil {
		t.Fatal(err)
	}
	quad := func(i int) int {
		q := 0
		if s.U[i] >= 0 {
			q |= 1
		}
		if s.V[i] >= 0 {
			q |= 2
		}
		return q
	}
	changes := 0
	for i := 1; i < s.Len(); i++ {
		if quad(i) != quad(i-1) {
			changes++
		}
	}
	if changes != 3 {
		t.Fatalf("quadrant changed %d times along the order, want 3", changes)
	}
}

func TestOpen_IncompleteAndCorrupt(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNoSpool) {
		t.Fatalf("Open(empty) = %v, want ErrNoSpool", err)
	}
	w, err := NewWriter(dir, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		w.Add(i%2, float64(i), float64(-i), 0, complex(float32(i), 0), 1)
	}
	// Not finished: no spool.
	if _, err := Open(dir); !errors.Is(err, ErrNoSpool) {
		t.Fatalf("Open(unfinished) = %v, want ErrNoSpool", err)
	}
	if err := w.Finish(context.Background(), Key{}, nil); err != nil {
		t.Fatal(err)
	}
	// Flip one byte of channel 1's segment (channel 0 holds 50 samples of 36 bytes first).
	f, err := os.OpenFile(filepath.Join(dir, samplesName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	off := int64(50*sampleBytes + 17)
	b := []byte{0}
	f.ReadAt(b, off)
	b[0] ^= 0x10
	f.WriteAt(b, off)
	f.Close()
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var s Samples
	if err := sp.Read(0, &s); err != nil {
		t.Fatalf("channel 0 should read clean: %v", err)
	}
	if err := sp.Read(1, &s); !errors.Is(err, ErrChecksum) {
		t.Fatalf("corrupted channel 1: %v, want ErrChecksum", err)
	}
	sp.Close()
	// A truncated index is refused at Open.
	if err := os.Truncate(filepath.Join(dir, indexName), 30); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("Open with a truncated index: want an error")
	}
}

func TestWriter_DropsNonFinite(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(dir, 1, nil)
	w.Add(0, math.NaN(), 0, 0, 1, 1)
	w.Add(0, 0, 0, 0, complex(float32(math.Inf(1)), 0), 1)
	w.Add(0, 0, 0, 0, 1, float32(math.Inf(1)))
	w.Add(0, 0, 0, 0, 1, float32(math.NaN()))
	w.Add(0, 1, 2, 3, 4, 5)
	if err := w.Finish(context.Background(), Key{}, nil); err != nil {
		t.Fatal(err)
	}
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if sp.Count(0) != 1 || sp.Manifest().Stats.SamplesFlagged != 4 {
		t.Fatalf("count %d flagged %d", sp.Count(0), sp.Manifest().Stats.SamplesFlagged)
	}
}

func TestWriter_Empty(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(dir, 3, nil)
	if err := w.Finish(context.Background(), Key{}, nil); err != nil {
		t.Fatal(err)
	}
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var s Samples
	for c := range 3 {
		if err := sp.Read(c, &s); err != nil || s.Len() != 0 {
			t.Fatalf("channel %d: %d samples, %v", c, s.Len(), err)
		}
	}
}
