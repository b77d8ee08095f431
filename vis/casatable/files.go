package casatable

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// readAt reads len(b) bytes at off, failing with ErrTruncated if the file is shorter.
func (f *dataFile) readAt(b []byte, off int64) error {
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

// tablePathJoin returns the path of a file inside a table directory.
func tablePathJoin(dir, name string) string { return filepath.Join(dir, name) }
