package spool

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"unsafe"

	"github.com/cespare/xxhash/v2"

	"github.com/cubeimg/cubeimg/vis/spectral"
)

// Samples holds one channel's samples as parallel slices (the layout of imaging.Samples): u, v,
// w in wavelengths at the sample's own frequency, Stokes I visibility in Jy, data weight > 0.
type Samples struct {
	U, V, W []float64
	Vis     []complex64
	Weight  []float32
}

// Len returns the number of samples.
func (s *Samples) Len() int { return len(s.Vis) }

// Spool is an open, complete spool. Its methods are safe for concurrent use.
type Spool struct {
	dir     string
	samples *os.File
	index   *os.File
	size    int64 // of samples.dat
	man     Manifest

	// rows holds rows.dat (u/c, v/c, w/c per row), loaded by the first Read.
	rowsOnce sync.Once
	rows     []float64
	rowsErr  error
}

// ErrNoSpool is returned by Open when dir holds no complete spool.
var ErrNoSpool = errors.New("spool: no complete spool")

// ErrChecksum is returned (wrapped) by Read when a segment's bytes do not match its checksum.
var ErrChecksum = errors.New("spool: checksum mismatch")

// Open opens the spool in dir. It returns an error wrapping ErrNoSpool when the directory or its
// manifest is absent (an unfinished build leaves no manifest).
func Open(dir string) (*Spool, error) {
	mpath := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(mpath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoSpool, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("spool: read %s: %w", mpath, err)
	}
	s := &Spool{dir: dir, man: m}
	if s.samples, err = os.Open(filepath.Join(dir, samplesName)); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if s.index, err = os.Open(filepath.Join(dir, indexName)); err != nil {
		s.samples.Close()
		return nil, fmt.Errorf("spool: %w", err)
	}
	ss, err1 := s.samples.Stat()
	is, err2 := s.index.Stat()
	rs, err3 := os.Stat(filepath.Join(dir, rowsName))
	if err := errors.Join(err1, err2, err3); err != nil {
		s.Close()
		return nil, fmt.Errorf("spool: %w", err)
	}
	s.size = ss.Size()
	if err := m.validate(ss.Size(), is.Size(), rs.Size()); err != nil {
		s.Close()
		return nil, fmt.Errorf("spool: %s: %w", mpath, err)
	}
	return s, nil
}

// Close closes the spool's files.
func (s *Spool) Close() error {
	return errors.Join(s.samples.Close(), s.index.Close())
}

// Dir returns the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// Manifest returns the spool's manifest. The caller must not modify its slices.
func (s *Spool) Manifest() *Manifest { return &s.man }

// Plan returns the plan recorded by Build (an error for spools written directly with a Writer).
func (s *Spool) Plan() (*PlanInfo, error) {
	if len(s.man.Plan) == 0 {
		return nil, fmt.Errorf("spool: %s records no plan", s.dir)
	}
	var p PlanInfo
	if err := json.Unmarshal(s.man.Plan, &p); err != nil {
		return nil, fmt.Errorf("spool: plan in %s: %w", s.dir, err)
	}
	return &p, nil
}

// Axis rebuilds the output spectral axis the spool was built for.
func (s *Spool) Axis() (*spectral.Axis, error) {
	p, err := s.Plan()
	if err != nil {
		return nil, err
	}
	return p.Axis()
}

// NChan returns the number of output channels.
func (s *Spool) NChan() int { return len(s.man.Channels) }

// Count returns the number of samples of channel ch.
func (s *Spool) Count(ch int) int64 { return s.man.Channels[ch].Count }

// SumWeight returns the sum of the data weights of channel ch.
func (s *Spool) SumWeight(ch int) float64 { return s.man.Channels[ch].SumWeight }

// DiskBytes returns the bytes the spool's files take on disk (their sizes, summed).
func (s *Spool) DiskBytes() (int64, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, fmt.Errorf("spool %s: %w", s.dir, err)
	}
	var n int64
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			return 0, fmt.Errorf("spool %s: %w", s.dir, err)
		}
		if fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n, nil
}

// RowsBytes returns the memory the spool holds once the first Read has loaded its rows: 24 bytes
// per row, shared by every Read.
func (s *Spool) RowsBytes() int64 { return s.man.Rows * rowEntryBytes }

// loadRows reads rows.dat once and checks its checksum.
func (s *Spool) loadRows() ([]float64, error) {
	s.rowsOnce.Do(func() {
		path := filepath.Join(s.dir, rowsName)
		f, err := os.Open(path)
		if err != nil {
			s.rowsErr = fmt.Errorf("spool: %w", err)
			return
		}
		defer f.Close()
		rows := make([]float64, 3*s.man.Rows)
		if _, err := f.ReadAt(bytesOf(rows), 0); err != nil && !(errors.Is(err, io.EOF) && len(rows) == 0) {
			s.rowsErr = fmt.Errorf("spool: read %s: %w", path, eofErr(err))
			return
		}
		if got := xxhash.Sum64(bytesOf(rows)); got != s.man.RowsXXHash {
			s.rowsErr = fmt.Errorf("%w: %s: %016x, manifest says %016x", ErrChecksum, path, got, s.man.RowsXXHash)
			return
		}
		s.rows = rows
	})
	return s.rows, s.rowsErr
}

// ReadScratchBytes returns the memory Read allocates besides dst for channel ch, to merge the
// build's runs into one order: 6.125 bytes per sample when the channel spans several runs.
func (s *Spool) ReadScratchBytes(ch int) int64 {
	if len(s.man.Runs) < 2 {
		return 0
	}
	n := s.man.Channels[ch].Count
	return 6*n + (n+63)/64*8
}

// Read reads channel ch into dst, reusing dst's slices when their capacity suffices, checks every
// segment's checksum, and leaves the samples in the channel's stable Morton order of uv cells.
func (s *Spool) Read(ch int, dst *Samples) error {
	if ch < 0 || ch >= len(s.man.Channels) {
		return fmt.Errorf("spool: channel %d out of range [0, %d)", ch, len(s.man.Channels))
	}
	n := int(s.man.Channels[ch].Count)
	dst.U = grow(dst.U, n)
	dst.V = grow(dst.V, n)
	dst.W = grow(dst.W, n)
	dst.Vis = grow(dst.Vis, n)
	dst.Weight = grow(dst.Weight, n)
	if n == 0 {
		return nil
	}
	nchan := int64(len(s.man.Channels))
	bounds := make([]int, 0, len(s.man.Runs)+1)
	bounds = append(bounds, 0)
	at := 0
	var ent [indexEntryBytes]byte
	h := xxhash.New()
	for r := range s.man.Runs {
		if _, err := s.index.ReadAt(ent[:], (int64(r)*nchan+int64(ch))*indexEntryBytes); err != nil {
			return fmt.Errorf("spool: read %s: %w", s.index.Name(), eofErr(err))
		}
		off := int64(binary.LittleEndian.Uint64(ent[0:]))
		cnt := binary.LittleEndian.Uint64(ent[8:])
		sum := binary.LittleEndian.Uint64(ent[16:])
		noDF := cnt&countNoDF != 0
		cnt &^= countNoDF
		if cnt == 0 {
			continue
		}
		if cnt > uint64(n-at) {
			return fmt.Errorf("spool: channel %d run %d of %s: segment of %d samples exceeds the channel's %d",
				ch, r, s.samples.Name(), cnt, n)
		}
		end := off + segmentBytes(int64(cnt), noDF)
		limit := s.runEnd(r)
		if off < s.man.Runs[r] || cnt > uint64(n-at) || end > limit {
			return fmt.Errorf("spool: channel %d run %d of %s: segment at %d of %d samples lies outside the run [%d, %d) or exceeds the channel's %d samples",
				ch, r, s.samples.Name(), off, cnt, s.man.Runs[r], limit, n)
		}
		k := int(cnt)
		h.Reset()
		// Row and DF go into the memory of U and V (4 of their 8 bytes per sample) and are turned
		// into u, v, w below.
		rowSec := bytesOf(dst.U[at : at+k])[:4*k]
		dfSec := bytesOf(dst.V[at : at+k])[:4*k]
		secs := [][]byte{rowSec, dfSec, bytesOf(dst.Vis[at : at+k]), bytesOf(dst.Weight[at : at+k])}
		if noDF {
			clear(dfSec)
			secs = append(secs[:1], secs[2:]...)
		}
		for _, sec := range secs {
			if _, err := s.samples.ReadAt(sec, off); err != nil {
				return fmt.Errorf("spool: read channel %d of %s: %w", ch, s.samples.Name(), eofErr(err))
			}
			h.Write(sec)
			off += int64(len(sec))
		}
		if got := h.Sum64(); got != sum {
			return fmt.Errorf("%w: channel %d run %d of %s: %016x, index says %016x", ErrChecksum, ch, r, s.samples.Name(), got, sum)
		}
		if err := s.formUVW(dst, at, k, rowSec, dfSec, s.man.Channels[ch].RefFreq); err != nil {
			return fmt.Errorf("spool: channel %d run %d of %s: %w", ch, r, s.samples.Name(), err)
		}
		at += k
		bounds = append(bounds, at)
	}
	if at != n {
		return fmt.Errorf("spool: channel %d of %s: the index holds %d samples, the manifest %d", ch, s.dir, at, n)
	}
	if len(bounds) > 2 {
		keys := make([]uint16, n)
		inv := keyInv(s.man.Channels[ch].UVScale)
		for i := range keys {
			keys[i] = cellKey(dst.U[i], dst.V[i], inv)
		}
		perm := make([]int32, n)
		mergePerm(keys, bounds, perm)
		applyPerm(dst, perm, make([]uint64, (n+63)/64))
	}
	return nil
}

// formUVW turns the k samples at dst[at:] from their rows (rowSec) and frequency offsets (dfSec),
// which share the memory of dst.U and dst.V, into u, v, w in wavelengths. It goes backwards: U[i]
// and V[i] overwrite the entries 2i and 2i+1 of the sections, which are consumed by then.
func (s *Spool) formUVW(dst *Samples, at, k int, rowSec, dfSec []byte, ref float64) error {
	rows, err := s.loadRows()
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	nrows := uint32(s.man.Rows)
	U, V, W := dst.U[at:at+k], dst.V[at:at+k], dst.W[at:at+k]
	for i := k - 1; i >= 0; i-- {
		row := le.Uint32(rowSec[4*i:])
		df := math.Float32frombits(le.Uint32(dfSec[4*i:]))
		if row >= nrows {
			return fmt.Errorf("sample %d refers to row %d of %d", i, row, nrows)
		}
		f := ref + float64(df)
		r := rows[3*row : 3*row+3]
		U[i], V[i], W[i] = r[0]*f, r[1]*f, r[2]*f
	}
	return nil
}

// runEnd returns the end of run r in samples.dat.
func (s *Spool) runEnd(r int) int64 {
	if r+1 < len(s.man.Runs) {
		return s.man.Runs[r+1]
	}
	return s.size
}

func eofErr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// bytesOf views a slice of fixed-size numbers as its bytes (the spool is little-endian, as are the
// hosts cubeimg supports: amd64 and arm64).
func bytesOf[T float64 | float32 | complex64](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}
