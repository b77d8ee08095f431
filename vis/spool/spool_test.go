package spool

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func TestWriter_RoundTrip_SmallBuffersManyRuns(t *testing.T) {
	dir := t.TempDir()
	const nchan = 5
	w, err := NewWriter(dir, nchan, &WriterOptions{BufferBytes: 1000, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type key struct{ u, v float64 }
	want := make([]map[key]sample, nchan)
	for c := range want {
		want[c] = map[key]sample{}
	}
	flagged := 0
	for i := 0; i < 3000; i++ {
		c := rng.IntN(nchan)
		s := sample{u: rng.NormFloat64() * 1e4, v: rng.NormFloat64() * 1e4, w: rng.NormFloat64(),
			vis: complex(float32(rng.NormFloat64()), float32(rng.NormFloat64())), wt: float32(rng.Float64())}
		if i%10 == 0 {
			s.wt = 0
			flagged++
		} else {
			want[c][key{s.u, s.v}] = s
		}
		if err := w.Add(c, s.u, s.v, s.w, s.vis, s.wt); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.runs) < 5 {
		t.Fatalf("expected many runs with a 1000-byte buffer, got %d", len(w.runs))
	}
	k := Key{Input: json.RawMessage(`{"a":1,"b":2}`)}
	if err := w.Finish(context.Background(), k); err != nil {
		t.Fatal(err)
	}
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
	if got := sp.Manifest().Stats.SamplesFlagged; got != int64(flagged) {
		t.Fatalf("flagged %d, want %d", got, flagged)
	}
	var s Samples
	for c := 0; c < nchan; c++ {
		if err := sp.Read(c, &s); err != nil {
			t.Fatal(err)
		}
		if s.Len() != len(want[c]) {
			t.Fatalf("channel %d: %d samples, want %d", c, s.Len(), len(want[c]))
		}
		var prev uint32
		for i := range s.Vis {
			x, ok := want[c][key{s.U[i], s.V[i]}]
			if !ok || x.w != s.W[i] || x.vis != s.Vis[i] || x.wt != s.Weight[i] {
				t.Fatalf("channel %d sample %d: not the sample written", c, i)
			}
			delete(want[c], key{s.U[i], s.V[i]})
			_ = prev
		}
	}
}

func TestSortMorton_Locality(t *testing.T) {
	// In Morton order each quadrant of the uv plane is one contiguous run.
	rng := rand.New(rand.NewPCG(3, 4))
	s := make([]sample, 4000)
	for i := range s {
		s[i] = sample{u: rng.Float64()*2 - 1, v: rng.Float64()*2 - 1}
	}
	sortMorton(s)
	quad := func(x sample) int {
		q := 0
		if x.u >= 0 {
			q |= 1
		}
		if x.v >= 0 {
			q |= 2
		}
		return q
	}
	changes := 0
	for i := 1; i < len(s); i++ {
		if quad(s[i]) != quad(s[i-1]) {
			changes++
		}
	}
	// umax is slightly above the largest |u|, so the quadrant split sits at 0 up to one quantum.
	if changes > 3+4 {
		t.Fatalf("quadrant changed %d times along the order, want about 3", changes)
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
	if err := w.Finish(context.Background(), Key{}); err != nil {
		t.Fatal(err)
	}
	// Flip one byte of channel 1's block.
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	off := sp.Manifest().Channels[1].Offset + 17
	sp.Close()
	f, err := os.OpenFile(filepath.Join(dir, samplesName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte{0}
	f.ReadAt(b, off)
	b[0] ^= 0x10
	f.WriteAt(b, off)
	f.Close()
	sp, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	var s Samples
	if err := sp.Read(0, &s); err != nil {
		t.Fatalf("channel 0 should read clean: %v", err)
	}
	if err := sp.Read(1, &s); err == nil {
		t.Fatal("corrupted channel 1 read without error")
	}
}

func TestWriter_DropsNonFinite(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(dir, 1, nil)
	w.Add(0, math.NaN(), 0, 0, 1, 1)
	w.Add(0, 0, 0, 0, complex(float32(math.Inf(1)), 0), 1)
	w.Add(0, 1, 2, 3, 4, 5)
	if err := w.Finish(context.Background(), Key{}); err != nil {
		t.Fatal(err)
	}
	sp, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if sp.Count(0) != 1 || sp.Manifest().Stats.SamplesFlagged != 2 {
		t.Fatalf("count %d flagged %d", sp.Count(0), sp.Manifest().Stats.SamplesFlagged)
	}
}
