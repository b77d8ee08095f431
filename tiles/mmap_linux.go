package tiles

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mapRegion maps n bytes of r shared. Regions of 2 MiB or more are marked MADV_HUGEPAGE first;
// then a read pin is pre-faulted with MADV_POPULATE_READ and a write pin with
// MADV_POPULATE_WRITE (both Linux 5.14; ignored where missing), which saves a trap per page.
func mapRegion(r Region, n int64, write bool) ([]byte, error) {
	prot := unix.PROT_READ
	if r.Writable {
		prot |= unix.PROT_WRITE
	}
	data, err := unix.Mmap(int(r.File.Fd()), r.Off, int(n), prot, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap %s bytes [%d, %d): %w", r.File.Name(), r.Off, r.Off+n, err)
	}
	if n >= HugeAlign {
		// Let the page cache use PMD-sized folios for the region: one fault, one page_mkwrite
		// per 2 MiB instead of per 4 KiB where the region is huge-page aligned in the file.
		_ = unix.Madvise(data, unix.MADV_HUGEPAGE)
	}
	if write {
		_ = unix.Madvise(data, unix.MADV_POPULATE_WRITE)
	} else {
		_ = unix.Madvise(data, unix.MADV_POPULATE_READ)
	}
	return data, nil
}

// unmapRegion evicts a mapping: start write-back of dirty pages, drop them from the process with
// MADV_DONTNEED, then unmap.
func unmapRegion(f *os.File, off int64, data []byte, dirty bool) error {
	var first error
	if dirty {
		first = startWriteback(f, off, int64(len(data)))
	}
	if err := unix.Madvise(data, unix.MADV_DONTNEED); err != nil && first == nil {
		first = fmt.Errorf("madvise DONTNEED %s at %d: %w", f.Name(), off, err)
	}
	if err := unix.Munmap(data); err != nil && first == nil {
		first = fmt.Errorf("munmap %s at %d: %w", f.Name(), off, err)
	}
	return first
}

// startWriteback asks the kernel to start writing [off, off+n) of f to disk without waiting.
func startWriteback(f *os.File, off, n int64) error {
	err := unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
	if err != nil && err != unix.ENOSYS && err != unix.EINVAL && err != unix.ESPIPE {
		return fmt.Errorf("sync_file_range %s at %d: %w", f.Name(), off, err)
	}
	return nil
}
