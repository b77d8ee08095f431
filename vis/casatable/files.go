package casatable

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// maxHeaderFile bounds the size of a metadata file read whole (table.dat, a tiled storage
// manager's header file), so that a corrupted or hostile table cannot exhaust memory.
const maxHeaderFile = 256 << 20

// opener opens a file for random access and returns its size.
type opener func(path string) (io.ReaderAt, int64, io.Closer, error)

func osOpener(path string) (io.ReaderAt, int64, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, 0, nil, fmt.Errorf("%s is a directory", path)
	}
	return f, st.Size(), f, nil
}

// dataFile is one open file of a table. Reads go through the caller's ReaderAt wrapper.
type dataFile struct {
	path   string
	r      io.ReaderAt
	size   int64
	closer io.Closer

	// bit-packed columns read ranges whose first and last bytes may hold bits of rows on either
	// side of the range; carry remembers the last byte of such ranges so that reading the next
	// rows does not read it again (every byte of a file is read at most once by sequential
	// chunked reads).
	mu    sync.Mutex
	carry map[int64]byte

	// A read window: bytes [winLo, winLo+len(win)) of the file, loaded by ensureWindow so that
	// the many small reads of one chunk of rows (storage manager buckets, indirect arrays) are
	// served from memory after one large read.
	win   []byte
	winLo int64
}

// maxWindow bounds the memory of a file's read window.
const maxWindow = 64 << 20

// ensureWindow makes [a, b) readable from memory with as few new bytes read as possible: a
// window overlapping [a, b) keeps its part from a on and only the rest is read. Spans larger
// than maxWindow are left to direct reads.
func (f *dataFile) ensureWindow(a, b int64) error {
	if a < 0 || b > f.size {
		b = min(b, f.size)
		a = max(a, 0)
	}
	if b <= a || b-a > maxWindow {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	hi := f.winLo + int64(len(f.win))
	if a >= f.winLo && b <= hi {
		return nil
	}
	keep := int64(0)
	if a >= f.winLo && a <= hi {
		keep = hi - a
		b = max(b, hi)
	}
	buf := make([]byte, b-a)
	if keep > 0 {
		copy(buf, f.win[a-f.winLo:])
	}
	if err := f.readDirect(buf[keep:], a+keep); err != nil {
		f.win, f.winLo = nil, 0
		return err
	}
	f.win, f.winLo = buf, a
	return nil
}

// fromWindow copies [off, off+len(b)) from the window if it holds it.
func (f *dataFile) fromWindow(b []byte, off int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if off >= f.winLo && off+int64(len(b)) <= f.winLo+int64(len(f.win)) && f.win != nil {
		copy(b, f.win[off-f.winLo:])
		return true
	}
	return false
}

// files holds the open files of a table, opened on first use.
type files struct {
	open  opener
	wrap  func(path string, r io.ReaderAt) io.ReaderAt
	mu    sync.Mutex
	byPth map[string]*dataFile
}

func (fs *files) get(path string) (*dataFile, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.byPth[path]; ok {
		return f, nil
	}
	r, size, c, err := fs.open(path)
	if err != nil {
		return nil, err
	}
	if fs.wrap != nil {
		r = fs.wrap(path, r)
	}
	f := &dataFile{path: path, r: r, size: size, closer: c}
	if fs.byPth == nil {
		fs.byPth = map[string]*dataFile{}
	}
	fs.byPth[path] = f
	return f, nil
}

func (fs *files) close() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var first error
	for _, f := range fs.byPth {
		if f.closer != nil {
			if err := f.closer.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	fs.byPth = nil
	return first
}

// ErrTruncated is wrapped by errors reading past the end of a table file.
var ErrTruncated = errors.New("file is truncated")

// readAt reads len(b) bytes at off (from the read window if it holds them), failing with
// ErrTruncated if the file is shorter.
func (f *dataFile) readAt(b []byte, off int64) error {
	if len(b) == 0 {
		return nil
	}
	if f.fromWindow(b, off) {
		return nil
	}
	return f.readDirect(b, off)
}

// readDirect reads len(b) bytes at off from the file.
func (f *dataFile) readDirect(b []byte, off int64) error {
	if len(b) == 0 {
		return nil
	}
	if off < 0 || off > f.size || int64(len(b)) > f.size-off {
		return fmt.Errorf("read %d bytes at offset %d of %s (size %d): %w", len(b), off, f.path, f.size, ErrTruncated)
	}
	n, err := f.r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = ErrTruncated
	}
	return fmt.Errorf("read %d bytes at offset %d of %s: %w", len(b), off, f.path, err)
}

// readAll reads a whole metadata file, refusing files larger than maxHeaderFile.
func (f *dataFile) readAll() ([]byte, error) {
	if f.size > maxHeaderFile {
		return nil, fmt.Errorf("%s: %d bytes is too large for a table header", f.path, f.size)
	}
	b := make([]byte, f.size)
	if err := f.readAt(b, 0); err != nil {
		return nil, err
	}
	return b, nil
}

// readBits reads bytes [off, off+len(b)) of a bit-packed range. If the first byte is the last
// byte of a previous bit range it is taken from the carry instead of being read again; the last
// byte is remembered for the next range.
func (f *dataFile) readBits(b []byte, off int64) error {
	if len(b) == 0 {
		return nil
	}
	if f.fromWindow(b, off) {
		return nil
	}
	f.mu.Lock()
	first, ok := f.carry[off]
	f.mu.Unlock()
	start := 0
	if ok {
		b[0] = first
		start = 1
	}
	if err := f.readAt(b[start:], off+int64(start)); err != nil {
		return err
	}
	f.mu.Lock()
	if f.carry == nil || len(f.carry) > 4096 {
		f.carry = map[int64]byte{}
	}
	delete(f.carry, off)
	f.carry[off+int64(len(b))-1] = b[len(b)-1]
	f.mu.Unlock()
	return nil
}
