package tiles

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBudget_Acquire_OverLimit(t *testing.T) {
	b := NewBudget(100)
	if err := b.Acquire(context.Background(), 101); !errors.Is(err, ErrOverLimit) {
		t.Fatalf("Acquire(101) of 100: err %v, want ErrOverLimit", err)
	}
	if b.TryAcquire(101) {
		t.Fatal("TryAcquire(101) of 100 succeeded")
	}
}

func TestBudget_Acquire_BlocksUntilRelease(t *testing.T) {
	b := NewBudget(100)
	if !b.TryAcquire(70) {
		t.Fatal("TryAcquire(70) failed on an empty budget")
	}
	if b.TryAcquire(40) {
		t.Fatal("TryAcquire(40) succeeded with 70 of 100 in use")
	}
	got := make(chan error)
	go func() { got <- b.Acquire(context.Background(), 40) }()
	select {
	case err := <-got:
		t.Fatalf("Acquire(40) returned %v before Release", err)
	case <-time.After(20 * time.Millisecond):
	}
	// FIFO: a small request queued behind the waiter must not overtake it.
	if b.TryAcquire(10) {
		t.Fatal("TryAcquire(10) overtook a waiter")
	}
	b.Release(70)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if b.InUse() != 40 || b.Peak() != 70 {
		t.Fatalf("InUse %d Peak %d, want 40 and 70", b.InUse(), b.Peak())
	}
}

func TestBudget_Acquire_ContextCancel(t *testing.T) {
	b := NewBudget(10)
	b.TryAcquire(10)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := b.Acquire(ctx, 5); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	b.Release(10)
	if b.InUse() != 0 {
		t.Fatalf("InUse %d after cancelled Acquire and Release, want 0", b.InUse())
	}
	if !b.TryAcquire(10) {
		t.Fatal("cancelled waiter still blocks the queue")
	}
}

func TestBudget_Concurrent_NeverOverLimit(t *testing.T) {
	const limit = 1000
	b := NewBudget(limit)
	var held atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				n := int64(1 + (g*37+i*11)%400)
				if err := b.Acquire(context.Background(), n); err != nil {
					t.Error(err)
					return
				}
				if h := held.Add(n); h > limit {
					t.Errorf("held %d > limit %d", h, limit)
				}
				held.Add(-n)
				b.Release(n)
			}
		}(g)
	}
	wg.Wait()
	if b.InUse() != 0 || b.Peak() > limit {
		t.Fatalf("InUse %d Peak %d", b.InUse(), b.Peak())
	}
}

func TestBudget_Release_TooMuchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Release of more than held did not panic")
		}
	}()
	NewBudget(10).Release(1)
}
