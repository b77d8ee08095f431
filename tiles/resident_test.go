package tiles

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const mib = 1 << 20

func tempFile(t *testing.T, size int64) *os.File {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(t.TempDir(), "data"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestResidentSet_BoundAndData(t *testing.T) {
	const regions, capBytes = 32, 4 * mib
	f := tempFile(t, regions*mib)
	b := NewBudget(64 * mib)
	rs, err := NewResidentSet(b, capBytes)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < regions; i++ {
		p, err := rs.Pin(ctx, Region{File: f, Off: int64(i) * mib, Len: mib, Writable: true}, true)
		if err != nil {
			t.Fatal(err)
		}
		v := Float32s(p.Bytes())
		for j := range v {
			v[j] = float32(i*1000 + j%1000)
		}
		p.Unpin()
		if s := rs.Stats(); s.Resident > capBytes || b.InUse() != s.Resident {
			t.Fatalf("after region %d: resident %d (cap %d), budget in use %d", i, s.Resident, capBytes, b.InUse())
		}
	}
	// Read back through the file, not the mappings: eviction must not lose data.
	buf := make([]byte, mib)
	for i := 0; i < regions; i++ {
		if _, err := f.ReadAt(buf, int64(i)*mib); err != nil {
			t.Fatal(err)
		}
		v := Float32s(buf)
		for _, j := range []int{0, 999, 262143} {
			if want := float32(i*1000 + j%1000); v[j] != want {
				t.Fatalf("region %d value %d = %g, want %g", i, j, v[j], want)
			}
		}
	}
	s := rs.Stats()
	if s.Peak > capBytes || s.Evictions < regions-4 {
		t.Fatalf("stats %+v: want peak <= %d and >= %d evictions", s, capBytes, regions-4)
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	if b.InUse() != 0 {
		t.Fatalf("budget in use %d after Close", b.InUse())
	}
}

func TestResidentSet_LRUOrder(t *testing.T) {
	f := tempFile(t, 8*PageSize)
	rs, _ := NewResidentSet(NewBudget(mib), 3*PageSize)
	ctx := context.Background()
	pin := func(i int) {
		p, err := rs.Pin(ctx, Region{File: f, Off: int64(i) * PageSize, Len: PageSize, Writable: true}, false)
		if err != nil {
			t.Fatal(err)
		}
		p.Unpin()
	}
	pin(0)
	pin(1)
	pin(2)
	pin(0) // 0 becomes most recent; 1 is now least recent
	pin(3) // evicts 1
	st := rs.Stats()
	if st.Hits != 1 || st.Misses != 4 || st.Evictions != 1 {
		t.Fatalf("stats %+v", st)
	}
	pin(0) // still resident: a hit
	pin(2) // still resident: a hit
	if st2 := rs.Stats(); st2.Hits != 3 || st2.Evictions != 1 {
		t.Fatalf("1 should have been the victim: stats %+v", st2)
	}
}

func TestResidentSet_Pin_WaitsForUnpin(t *testing.T) {
	f := tempFile(t, 4*PageSize)
	rs, _ := NewResidentSet(NewBudget(mib), 2*PageSize)
	ctx := context.Background()
	p0, _ := rs.Pin(ctx, Region{File: f, Off: 0, Len: PageSize, Writable: true}, true)
	p1, _ := rs.Pin(ctx, Region{File: f, Off: PageSize, Len: PageSize, Writable: true}, true)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := rs.Pin(short, Region{File: f, Off: 2 * PageSize, Len: PageSize, Writable: true}, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("pin beyond the cap with everything pinned: err %v, want a deadline", err)
	}
	done := make(chan error)
	go func() {
		p, err := rs.Pin(ctx, Region{File: f, Off: 2 * PageSize, Len: PageSize, Writable: true}, false)
		if err == nil {
			p.Unpin()
		}
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	p0.Unpin()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p1.Unpin()
	if _, err := rs.Pin(ctx, Region{File: f, Off: 0, Len: 3 * PageSize, Writable: true}, false); !errors.Is(err, ErrOverLimit) {
		t.Fatalf("pin larger than the cap: err %v, want ErrOverLimit", err)
	}
}

// Memory cached by the resident set is handed to other users of the budget on demand.
func TestResidentSet_BudgetReclaim(t *testing.T) {
	f := tempFile(t, 8*mib)
	b := NewBudget(8 * mib)
	rs, _ := NewResidentSet(b, 8*mib)
	ctx := context.Background()
	var pins []*Pin
	for i := 0; i < 8; i++ {
		p, err := rs.Pin(ctx, Region{File: f, Off: int64(i) * mib, Len: mib, Writable: true}, true)
		if err != nil {
			t.Fatal(err)
		}
		pins = append(pins, p)
	}
	for _, p := range pins[:3] {
		p.Unpin()
	}
	// 3 MiB are unpinned: a 3 MiB grid fits at once by reclaiming them.
	if err := b.Acquire(ctx, 3*mib); err != nil {
		t.Fatal(err)
	}
	if s := rs.Stats(); s.Resident != 5*mib {
		t.Fatalf("resident %d after reclaim, want 5 MiB", s.Resident)
	}
	// A 2 MiB grid must wait for unpins, then get the memory.
	got := make(chan error)
	go func() { got <- b.Acquire(ctx, 2*mib) }()
	time.Sleep(10 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("Acquire returned %v while everything is pinned", err)
	default:
	}
	var wg sync.WaitGroup
	for _, p := range pins[3:] {
		wg.Add(1)
		go func(p *Pin) { defer wg.Done(); p.Unpin() }(p)
	}
	wg.Wait()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if b.InUse() > b.Limit() || b.Peak() > b.Limit() {
		t.Fatalf("budget in use %d peak %d over %d", b.InUse(), b.Peak(), b.Limit())
	}
}

func TestResidentSet_Concurrent(t *testing.T) {
	const regions = 64
	f := tempFile(t, regions*64*1024)
	b := NewBudget(mib)
	rs, _ := NewResidentSet(b, 256*1024)
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				r := (g*7 + i*13) % regions
				p, err := rs.Pin(context.Background(), Region{File: f, Off: int64(r) * 65536, Len: 65536, Writable: true}, true)
				if err != nil {
					t.Error(err)
					return
				}
				v := Float32s(p.Bytes())
				v[g] = float32(r)
				p.Unpin()
			}
		}(g)
	}
	wg.Wait()
	s := rs.Stats()
	if s.Peak > 256*1024 || s.Pinned != 0 {
		t.Fatalf("stats %+v", s)
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
}
