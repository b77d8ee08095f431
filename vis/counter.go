package vis

import (
	"io"
	"sort"
	"sync"
)

// ReadCounter counts the bytes read through the io.ReaderAt values it wraps, per file, and the
// bytes read more than once. Pass its Wrap method as the readers' WrapReaderAt option:
//
//	var rc vis.ReadCounter
//	r, err := ms.Open(path, &ms.Options{WrapReaderAt: rc.Wrap})
//	... read ...
//	fmt.Println(rc.Total(), rc.Reread())
//
// It is safe for concurrent use.
type ReadCounter struct {
	mu    sync.Mutex
	files map[string]*fileCount
}

type fileCount struct {
	bytes int64
	again int64
	spans []span // disjoint, sorted, merged byte ranges read so far
}

type span struct{ lo, hi int64 }

// Wrap returns r counting its reads under path.
func (c *ReadCounter) Wrap(path string, r io.ReaderAt) io.ReaderAt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files == nil {
		c.files = map[string]*fileCount{}
	}
	fc, ok := c.files[path]
	if !ok {
		fc = &fileCount{}
		c.files[path] = fc
	}
	return &countingReader{r: r, c: c, fc: fc}
}

type countingReader struct {
	r  io.ReaderAt
	c  *ReadCounter
	fc *fileCount
}

func (cr *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := cr.r.ReadAt(p, off)
	if n > 0 {
		cr.c.mu.Lock()
		cr.fc.add(off, off+int64(n))
		cr.c.mu.Unlock()
	}
	return n, err
}

// add records a read of [lo, hi), counting the part already read before as read again.
func (fc *fileCount) add(lo, hi int64) {
	fc.bytes += hi - lo
	// First span ending at or after lo.
	i := sort.Search(len(fc.spans), func(k int) bool { return fc.spans[k].hi >= lo })
	j := i
	nlo, nhi := lo, hi
	for j < len(fc.spans) && fc.spans[j].lo <= hi {
		s := fc.spans[j]
		if ov := min(s.hi, hi) - max(s.lo, lo); ov > 0 {
			fc.again += ov
		}
		nlo, nhi = min(nlo, s.lo), max(nhi, s.hi)
		j++
	}
	fc.spans = append(fc.spans[:i], append([]span{{nlo, nhi}}, fc.spans[j:]...)...)
}

// Total returns the bytes read from all files.
func (c *ReadCounter) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t int64
	for _, fc := range c.files {
		t += fc.bytes
	}
	return t
}

// Reread returns the bytes that were read more than once (each extra read counted).
func (c *ReadCounter) Reread() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t int64
	for _, fc := range c.files {
		t += fc.again
	}
	return t
}

// Files returns the bytes read per file path.
func (c *ReadCounter) Files() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.files))
	for p, fc := range c.files {
		out[p] = fc.bytes
	}
	return out
}

// FileReread returns the bytes of one file read more than once.
func (c *ReadCounter) FileReread(path string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fc, ok := c.files[path]; ok {
		return fc.again
	}
	return 0
}
