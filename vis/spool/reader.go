package spool

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// Samples holds one channel's samples as parallel slices (the layout of imaging.Samples).
type Samples struct {
	U, V, W []float64
	Vis     []complex64
	Weight  []float32
}

// Len returns the number of samples.
func (s *Samples) Len() int { return len(s.Vis) }

// Spool is an open, complete spool. Its methods are safe for concurrent use.
type Spool struct {
	dir string
	f   *os.File
	man Manifest
}

// ErrNoSpool is returned by Open when dir holds no complete spool.
var ErrNoSpool = errors.New("spool: no complete spool")

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
	path := filepath.Join(dir, samplesName)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("spool: %w", err)
	}
	if err := m.validate(st.Size()); err != nil {
		f.Close()
		return nil, fmt.Errorf("spool: %s: %w", mpath, err)
	}
	return &Spool{dir: dir, f: f, man: m}, nil
}

// Close closes the spool's file.
func (s *Spool) Close() error { return s.f.Close() }

// Manifest returns the spool's manifest. The caller must not modify its slices.
func (s *Spool) Manifest() *Manifest { return &s.man }

// NChan returns the number of output channels.
func (s *Spool) NChan() int { return len(s.man.Channels) }

// Count returns the number of samples of channel ch.
func (s *Spool) Count(ch int) int64 { return s.man.Channels[ch].Count }

// ChannelBytes returns the bytes Read needs to hold channel ch.
func (s *Spool) ChannelBytes(ch int) int64 { return blockBytes(s.man.Channels[ch].Count) }

// Read reads channel ch into dst, reusing dst's slices when their capacity suffices, and checks
// the block's checksum.
func (s *Spool) Read(ch int, dst *Samples) error {
	if ch < 0 || ch >= len(s.man.Channels) {
		return fmt.Errorf("spool: channel %d out of range [0, %d)", ch, len(s.man.Channels))
	}
	blk := s.man.Channels[ch]
	n := int(blk.Count)
	dst.U = grow(dst.U, n)
	dst.V = grow(dst.V, n)
	dst.W = grow(dst.W, n)
	dst.Vis = grow(dst.Vis, n)
	dst.Weight = grow(dst.Weight, n)
	if n == 0 {
		return nil
	}
	h := xxhash.New()
	off := blk.Offset
	for _, sec := range [][]byte{bytesOf(dst.U), bytesOf(dst.V), bytesOf(dst.W), bytesOf(dst.Vis), bytesOf(dst.Weight)} {
		if _, err := s.f.ReadAt(sec, off); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("spool: read channel %d of %s: %w", ch, s.f.Name(), err)
		}
		h.Write(sec)
		off += int64(len(sec))
	}
	if got := h.Sum64(); got != blk.XXHash {
		return fmt.Errorf("spool: channel %d of %s: checksum %016x, manifest says %016x", ch, s.f.Name(), got, blk.XXHash)
	}
	return nil
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
