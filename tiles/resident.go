package tiles

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"
)

// ErrPinned is returned by ResidentSet.Close while regions are still pinned.
var ErrPinned = errors.New("tiles: regions still pinned")

// A Region is a byte range of a file that the resident set maps as one unit: a tile slot, or a
// whole contiguous channel plane.
type Region struct {
	File *os.File
	Off  int64 // multiple of PageSize
	Len  int64 // data bytes, > 0; the mapping is Len rounded up to a page
	// Writable maps the region PROT_READ|PROT_WRITE (File must be open for writing); otherwise it
	// is mapped read-only and a write through it faults.
	Writable bool
	// Sparse says a write pin will write only some of the region's pages: it is pre-faulted for
	// reading, so that only the pages written become dirty and are written back (a write pin
	// otherwise pre-faults every page writable, dirtying the whole region, which is faster when
	// the whole region is written). It matters only when the region is mapped by this pin.
	Sparse bool
}

type regionKey struct {
	f   *os.File
	off int64
	len int64
}

// entry is one mapped region. Its bytes count against the cap from the moment its mapping is
// reserved until its munmap has returned.
type entry struct {
	key      regionKey
	mapped   int64 // bytes accounted: Len rounded up to a page
	writable bool
	data     []byte
	pins     int
	dirty    bool
	lru      *list.Element // non-nil while unpinned and resident
	ready    chan struct{} // closed once mapped (or failed)
	err      error
}

// A ResidentSet is the exact, byte-bounded set of memory-mapped file regions of a process.
//
// Every mapping is made through Pin and counted, page-rounded, against the set's cap and against
// its Budget from before mmap until after munmap, so tracked resident bytes never exceed the cap
// (Stats.Peak records the largest value reached). Each region is its own mapping, so the kernel's
// fault-around cannot make pages resident outside a tracked region.
//
// A pinned region stays mapped, at the same address, until its Pin is released with Unpin; the
// slice returned by Pin.Bytes must not be used after that, because the region may be unmapped at
// any moment (a later access faults). Pins of the same region share one mapping and pin count.
// Unpinned regions stay mapped in exact least-recently-unpinned order and are evicted when room is
// needed, by this set or by any other user of the Budget. Eviction of a dirty region starts its
// write-back (sync_file_range; Linux's msync(MS_ASYNC) does nothing), then drops its pages with
// MADV_DONTNEED and unmaps it. Data written through a MAP_SHARED mapping is in the page cache as
// soon as it is written, so eviction never loses it; durability on disk is the caller's fdatasync.
//
// When everything is pinned and the cap is reached, Pin waits for an Unpin. A goroutine that pins
// more than the cap by itself therefore waits until its context ends.
// A ResidentSet is safe for concurrent use.
type ResidentSet struct {
	budget *Budget
	cap    int64

	mu       sync.Mutex
	entries  map[regionKey]*entry
	lru      list.List // unpinned entries, most recently unpinned at the front
	used     int64
	peak     int64
	changed  chan struct{} // closed and replaced whenever room may have appeared
	closed   bool
	evictErr error
	stats    Stats
}

// Stats are counters of a ResidentSet.
type Stats struct {
	Cap       int64 // bytes
	Resident  int64 // bytes mapped now (tracked)
	Peak      int64 // largest Resident seen
	Pinned    int   // regions pinned now
	Regions   int   // regions mapped now
	Hits      int64 // pins served by an existing mapping
	Misses    int64 // pins that mapped a region
	Evictions int64
}

// NewResidentSet returns a resident set of at most capBytes mapped bytes drawing from budget.
func NewResidentSet(budget *Budget, capBytes int64) (*ResidentSet, error) {
	if budget == nil {
		return nil, errors.New("tiles: NewResidentSet: nil budget")
	}
	if capBytes < PageSize {
		return nil, fmt.Errorf("tiles: resident cap %d bytes: must be at least one page", capBytes)
	}
	rs := &ResidentSet{
		budget:  budget,
		cap:     capBytes,
		entries: make(map[regionKey]*entry),
		changed: make(chan struct{}),
	}
	budget.addReclaimer(rs)
	return rs, nil
}

// Cap returns the cap in bytes.
func (rs *ResidentSet) Cap() int64 { return rs.cap }

// Stats returns the current counters.
func (rs *ResidentSet) Stats() Stats {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	s := rs.stats
	s.Cap, s.Resident, s.Peak, s.Regions = rs.cap, rs.used, rs.peak, len(rs.entries)
	for _, e := range rs.entries {
		if e.pins > 0 {
			s.Pinned++
		}
	}
	return s
}

// A Pin holds one region mapped. Release it with Unpin exactly once.
type Pin struct {
	rs       *ResidentSet
	e        *entry
	released atomic.Bool
}

// Bytes returns the region's Len data bytes, valid until Unpin.
func (p *Pin) Bytes() []byte { return p.e.data[:p.e.key.len:p.e.key.len] }

// MarkDirty records that the region was written, so that eviction starts its write-back.
func (p *Pin) MarkDirty() {
	p.rs.mu.Lock()
	p.e.dirty = true
	p.rs.mu.Unlock()
}

// Unpin releases the pin. The bytes of Bytes must not be used afterwards. A second Unpin panics.
func (p *Pin) Unpin() {
	if p.released.Swap(true) {
		panic("tiles: Pin.Unpin called twice")
	}
	rs := p.rs
	rs.mu.Lock()
	defer rs.mu.Unlock()
	e := p.e
	e.pins--
	if e.pins > 0 {
		return
	}
	if e.err == nil {
		e.lru = rs.lru.PushFront(e)
	}
	rs.signalLocked()
	// Somebody waits on the budget: give back what is not pinned.
	if need := rs.budget.shortfall(); need > 0 {
		rs.reclaimLocked(need)
	}
}

// Float32s views b (whose length is a multiple of 4 and whose start is 4-byte aligned, as every
// mapped region is) as float32 values. The view shares b's memory.
func Float32s(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// Pin maps r (or finds it mapped) and pins it. write marks the region dirty and pre-faults it
// writable (MADV_POPULATE_WRITE); a read pin pre-faults it with MAP_POPULATE. Pin blocks while the
// cap or the budget is full of pinned memory, until ctx ends.
func (rs *ResidentSet) Pin(ctx context.Context, r Region, write bool) (*Pin, error) {
	if r.File == nil || r.Len <= 0 || r.Off < 0 || r.Off%PageSize != 0 {
		return nil, fmt.Errorf("tiles: Pin: bad region (offset %d, length %d)", r.Off, r.Len)
	}
	if write && !r.Writable {
		return nil, fmt.Errorf("tiles: Pin %s at %d: write pin of a read-only region", r.File.Name(), r.Off)
	}
	key := regionKey{r.File, r.Off, r.Len}
	n := RoundUp(r.Len, PageSize)
	if n > rs.cap {
		return nil, fmt.Errorf("pin %s of %s at offset %d with a %s resident cap: %w",
			FormatSize(n), r.File.Name(), r.Off, FormatSize(rs.cap), ErrOverLimit)
	}
	rs.mu.Lock()
	for {
		if rs.closed {
			rs.mu.Unlock()
			return nil, errors.New("tiles: Pin on a closed resident set")
		}
		if e, ok := rs.entries[key]; ok {
			if r.Writable && !e.writable {
				if e.pins > 0 {
					rs.mu.Unlock()
					return nil, fmt.Errorf("tiles: Pin %s at %d for writing: region is pinned read-only", r.File.Name(), r.Off)
				}
				rs.evictLocked(e)
				continue
			}
			return rs.pinExisting(ctx, e, write)
		}
		if rs.used+n > rs.cap {
			if back := rs.lru.Back(); back != nil {
				rs.evictLocked(back.Value.(*entry))
				continue
			}
			ch := rs.changed
			rs.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			rs.mu.Lock()
			continue
		}
		if rs.budget.tryTake(n) {
			break
		}
		if back := rs.lru.Back(); back != nil {
			rs.evictLocked(back.Value.(*entry))
			continue
		}
		// The budget is held by others: wait for it without our lock (its reclaimers need it).
		rs.mu.Unlock()
		if err := rs.budget.Acquire(ctx, n); err != nil {
			return nil, err
		}
		rs.mu.Lock()
		if _, ok := rs.entries[key]; ok || rs.used+n > rs.cap || rs.closed {
			rs.budget.Release(n)
			continue
		}
		break
	}
	e := &entry{key: key, mapped: n, writable: r.Writable, pins: 1, dirty: write, ready: make(chan struct{})}
	rs.entries[key] = e
	rs.used += n
	rs.peak = max(rs.peak, rs.used)
	rs.stats.Misses++
	rs.mu.Unlock()

	data, err := mapRegion(r, n, write && !r.Sparse)

	rs.mu.Lock()
	e.data, e.err = data, err
	close(e.ready)
	if err != nil {
		delete(rs.entries, key)
		rs.used -= n
		rs.budget.Release(n)
		rs.signalLocked()
		rs.mu.Unlock()
		return nil, err
	}
	rs.mu.Unlock()
	return &Pin{rs: rs, e: e}, nil
}

// pinExisting pins a mapped or mapping entry. Called with rs.mu held; returns with it released.
func (rs *ResidentSet) pinExisting(ctx context.Context, e *entry, write bool) (*Pin, error) {
	e.pins++
	if e.lru != nil {
		rs.lru.Remove(e.lru)
		e.lru = nil
	}
	if write {
		e.dirty = true
	}
	rs.stats.Hits++
	rs.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		p := &Pin{rs: rs, e: e}
		go func() { <-e.ready; p.Unpin() }()
		return nil, ctx.Err()
	}
	if e.err != nil {
		rs.mu.Lock()
		e.pins--
		rs.mu.Unlock()
		return nil, e.err
	}
	return &Pin{rs: rs, e: e}, nil
}

// evictLocked unmaps an unpinned entry. It drops rs.mu during the system calls; the bytes stay
// counted until munmap has returned.
func (rs *ResidentSet) evictLocked(e *entry) {
	if e.lru != nil {
		rs.lru.Remove(e.lru)
		e.lru = nil
	}
	delete(rs.entries, e.key)
	dirty := e.dirty
	rs.mu.Unlock()
	err := unmapRegion(e.key.f, e.key.off, e.data, dirty)
	rs.mu.Lock()
	if err != nil && rs.evictErr == nil {
		rs.evictErr = err
	}
	rs.used -= e.mapped
	rs.budget.Release(e.mapped)
	rs.stats.Evictions++
	rs.signalLocked()
}

func (rs *ResidentSet) signalLocked() {
	close(rs.changed)
	rs.changed = make(chan struct{})
}

// reclaim evicts unpinned regions, least recently used first, until need bytes are freed.
func (rs *ResidentSet) reclaim(need int64) int64 {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.reclaimLocked(need)
}

func (rs *ResidentSet) reclaimLocked(need int64) int64 {
	var freed int64
	for freed < need {
		back := rs.lru.Back()
		if back == nil {
			break
		}
		e := back.Value.(*entry)
		freed += e.mapped
		rs.evictLocked(e)
	}
	return freed
}

// Flush starts write-back of every dirty mapped region of f overlapping [off, off+n) and marks it
// clean. The caller makes the data durable with fdatasync on f afterwards (which also covers
// regions evicted earlier).
func (rs *ResidentSet) Flush(f *os.File, off, n int64) error {
	rs.mu.Lock()
	var todo []*entry
	for k, e := range rs.entries {
		if k.f == f && e.dirty && e.err == nil && k.off < off+n && off < k.off+k.len {
			select {
			case <-e.ready:
				e.dirty = false
				todo = append(todo, e)
			default:
			}
		}
	}
	rs.mu.Unlock()
	for _, e := range todo {
		if err := startWriteback(e.key.f, e.key.off, e.key.len); err != nil {
			return err
		}
	}
	return nil
}

// Drop evicts every unpinned region of f and reports how many regions of f are still pinned.
// Call it before closing f.
func (rs *ResidentSet) Drop(f *os.File) (pinned int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for {
		var victim *entry
		pinned = 0
		for k, e := range rs.entries {
			if k.f != f {
				continue
			}
			if e.pins > 0 {
				pinned++
			} else if e.lru != nil {
				victim = e
			}
		}
		if victim == nil {
			return pinned
		}
		rs.evictLocked(victim)
	}
}

// Close unmaps every region and detaches the set from its budget. It returns an error wrapping
// ErrPinned if regions are still pinned (they stay mapped), or the first error of an eviction.
func (rs *ResidentSet) Close() error {
	rs.mu.Lock()
	for rs.lru.Len() > 0 {
		rs.evictLocked(rs.lru.Back().Value.(*entry))
	}
	pinned := len(rs.entries)
	if pinned == 0 {
		rs.closed = true
	}
	err := rs.evictErr
	rs.mu.Unlock()
	if pinned > 0 {
		return fmt.Errorf("close resident set: %d regions: %w", pinned, ErrPinned)
	}
	rs.budget.removeReclaimer(rs)
	return err
}
