package spool

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"
)

// allocSamples returns n zeroed samples in memory mapped outside the Go heap, advised for
// transparent huge pages (the buffers are written at one position per channel, scattered over
// the whole buffer: with 4 KiB pages every Add would miss the TLB), and a function that
// unmaps it. It falls back to the Go heap if the mapping fails.
func allocSamples(n int) ([]sample, func()) {
	size := n * int(unsafe.Sizeof(sample{}))
	if size == 0 {
		return nil, func() {}
	}
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]sample, n), func() {}
	}
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE
	s := unsafe.Slice((*sample)(unsafe.Pointer(&b[0])), n)
	return s, func() { syscall.Munmap(b) }
}

// startWriteback asks the kernel to start writing [off, off+n) of f to disk now, without
// waiting (sync_file_range SYNC_FILE_RANGE_WRITE), so that the final fsync finds little left
// and dirty pages do not pile up in the page cache. Errors are ignored: fsync reports them.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2
	syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, f.Fd(), uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
}

// lockDir takes an exclusive advisory lock (flock) on dir/spool.lock, polling until it is free
// or ctx ends, and returns the function that releases it.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// dropCache asks the kernel to drop f's clean pages from the page cache (posix_fadvise
// POSIX_FADV_DONTNEED); used by the benchmarks to read an input from the disk.
func dropCache(f *os.File) {
	const fadvDontNeed = 4
	syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0)
}
