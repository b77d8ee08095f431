package tiles

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrOverLimit is returned by Budget.Acquire and ResidentSet.Pin when a single request is larger
// than the whole limit, so it could never be granted.
var ErrOverLimit = errors.New("tiles: request larger than the limit")

// A Budget is the one byte budget of a process: every large buffer of a run (uv grids, FFT
// scratch, spool windows, mapped tiles of the cube store) is taken from it before it is allocated
// and given back after, so the process stays under --max-resident.
//
// Acquire blocks until the bytes are free; waiters are served first come, first served, so a large
// request is not starved by small ones. Memory held by a ResidentSet drawing from the Budget is
// reclaimable: when a request does not fit, the Budget first asks its resident sets to evict
// unpinned tiles. A Budget is safe for concurrent use. The zero value is not usable: call NewBudget.
type Budget struct {
	mu         sync.Mutex
	limit      int64
	inUse      int64
	peak       int64
	waiters    list.List // of *budgetWaiter, oldest first
	reclaimers []reclaimer
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when the bytes are granted
}

// reclaimer frees up to need bytes of memory held from the budget and returns how many it freed.
// It is called without the budget's lock held.
type reclaimer interface {
	reclaim(need int64) int64
}

// NewBudget returns a budget of limit bytes.
func NewBudget(limit int64) *Budget {
	if limit < 0 {
		limit = 0
	}
	return &Budget{limit: limit}
}

// Limit returns the budget's limit in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// InUse returns the bytes currently acquired.
func (b *Budget) InUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inUse
}

// Peak returns the largest InUse seen since the budget was made.
func (b *Budget) Peak() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}

// TryAcquire takes n bytes if they are free now and nobody is waiting, and reports whether it did.
// It may evict unpinned tiles of resident sets drawing from the budget to make room.
func (b *Budget) TryAcquire(n int64) bool {
	if n < 0 || n > b.limit {
		return false
	}
	if b.tryTake(n) {
		return true
	}
	b.reclaim(n)
	return b.tryTake(n)
}

func (b *Budget) tryTake(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.waiters.Len() == 0 && b.inUse+n <= b.limit {
		b.takeLocked(n)
		return true
	}
	return false
}

func (b *Budget) takeLocked(n int64) {
	b.inUse += n
	if b.inUse > b.peak {
		b.peak = b.inUse
	}
}

// Acquire takes n bytes, blocking until they are free or ctx is done. It returns an error wrapping
// ErrOverLimit at once if n exceeds the limit, and ctx.Err() if ctx ends first (then nothing is
// taken).
func (b *Budget) Acquire(ctx context.Context, n int64) error {
	if n < 0 {
		return fmt.Errorf("tiles: Budget.Acquire of %d bytes: negative size", n)
	}
	if n > b.limit {
		return fmt.Errorf("acquire %s of a %s budget: %w", FormatSize(n), FormatSize(b.limit), ErrOverLimit)
	}
	if b.TryAcquire(n) {
		return nil
	}
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.inUse+n <= b.limit {
		b.takeLocked(n)
		b.mu.Unlock()
		return nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()

	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready:
			// Granted while we were giving up: hand the bytes back.
			b.inUse -= n
		default:
			b.waiters.Remove(elem)
		}
		b.notifyLocked()
		b.mu.Unlock()
		return ctx.Err()
	}
}

// Release gives back n bytes taken by Acquire or TryAcquire. Releasing more than is held is a
// programming error and panics.
func (b *Budget) Release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < 0 || n > b.inUse {
		panic(fmt.Sprintf("tiles: Budget.Release(%d) with %d in use", n, b.inUse))
	}
	b.inUse -= n
	b.notifyLocked()
}

// notifyLocked grants waiting requests in order while they fit.
func (b *Budget) notifyLocked() {
	for {
		front := b.waiters.Front()
		if front == nil {
			return
		}
		w := front.Value.(*budgetWaiter)
		if b.inUse+w.n > b.limit {
			return
		}
		b.takeLocked(w.n)
		b.waiters.Remove(front)
		close(w.ready)
	}
}

// shortfall returns how many bytes the oldest waiter still lacks, 0 if nobody waits.
func (b *Budget) shortfall() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	front := b.waiters.Front()
	if front == nil {
		return 0
	}
	if s := b.inUse + front.Value.(*budgetWaiter).n - b.limit; s > 0 {
		return s
	}
	return 0
}

func (b *Budget) addReclaimer(r reclaimer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reclaimers = append(b.reclaimers, r)
}

func (b *Budget) removeReclaimer(r reclaimer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.reclaimers {
		if x == r {
			b.reclaimers = append(b.reclaimers[:i], b.reclaimers[i+1:]...)
			return
		}
	}
}

// reclaim asks the resident sets to free enough bytes for a request of n.
func (b *Budget) reclaim(n int64) {
	b.mu.Lock()
	need := b.inUse + n - b.limit
	for e := b.waiters.Front(); e != nil; e = e.Next() {
		need += e.Value.(*budgetWaiter).n
	}
	rs := append([]reclaimer(nil), b.reclaimers...)
	b.mu.Unlock()
	for _, r := range rs {
		if need <= 0 {
			return
		}
		need -= r.reclaim(need)
	}
}
