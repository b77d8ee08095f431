package spool

// On-disk layout of a spool (version 1), a directory:
//
//	spool.json   the manifest, written last and atomically (temp file, fsync, rename, fsync dir):
//	             its presence means the spool is complete.
//	samples.dat  one block per output channel, each starting on a 4096-byte boundary:
//	             U [n]float64 | V [n]float64 | W [n]float64 | Vis [n]complex64 | Weight [n]float32
//	             little-endian; u, v, w in wavelengths at the sample's own frequency; only unflagged
//	             samples with weight > 0 are stored. Samples of a block are in Morton (Z) order of
//	             their quantised (u, v) so that any uv tiling a gridder chooses reads them with
//	             locality.
//
// The manifest records each block's offset, sample count and the xxhash64 of its bytes.

import (
	"encoding/json"
	"fmt"
)

// Version is the spool format version written by this package.
const Version = 1

const (
	manifestName = "spool.json"
	samplesName  = "samples.dat"
	blockAlign   = 4096
	// sampleBytes is the size of one sample over the five sections of a block.
	sampleBytes = 8 + 8 + 8 + 8 + 4
)

// Manifest describes a complete spool.
type Manifest struct {
	Version int `json:"version"`
	// Key identifies the input and the selection the spool was built from; a later run reuses the
	// spool only when its key is equal (see Key.Equal).
	Key Key `json:"key"`
	// Channels holds one entry per output channel.
	Channels []Block `json:"channels"`
	// Stats are informative figures from the build.
	Stats Stats `json:"stats"`
}

// Block locates one output channel's samples in samples.dat.
type Block struct {
	Offset int64  `json:"offset"`
	Count  int64  `json:"count"`
	XXHash uint64 `json:"xxhash64"`
	// SumWeight is the sum of the stored data weights (float64 sum in sample order).
	SumWeight float64 `json:"sum_weight"`
}

// Stats are figures about a build.
type Stats struct {
	RowsRead       int64 `json:"rows_read"`
	SamplesWritten int64 `json:"samples_written"`
	SamplesFlagged int64 `json:"samples_flagged"`
	InputBytesRead int64 `json:"input_bytes_read"`
	TempBytes      int64 `json:"temp_bytes_written"`
}

// Key identifies what a spool holds: the input's identity (files, sizes, times, hashes) and every
// selection or axis parameter that changes the samples. It is compared field for field as JSON.
type Key struct {
	Input     json.RawMessage `json:"input"`
	Selection json.RawMessage `json:"selection"`
}

// Equal reports whether two keys are equal (byte-identical canonical JSON).
func (k Key) Equal(o Key) bool {
	return canonical(k.Input) == canonical(o.Input) && canonical(k.Selection) == canonical(o.Selection)
}

func canonical(m json.RawMessage) string {
	if len(m) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(m, &v); err != nil {
		return string(m)
	}
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v) // maps are marshalled with sorted keys
	if err != nil {
		return string(m)
	}
	return string(b)
}

func blockBytes(n int64) int64 { return n * sampleBytes }

func alignUp(x int64) int64 { return (x + blockAlign - 1) / blockAlign * blockAlign }

func (m *Manifest) validate(fileSize int64) error {
	if m.Version != Version {
		return fmt.Errorf("spool version %d, this program reads version %d", m.Version, Version)
	}
	var end int64
	for c, b := range m.Channels {
		if b.Count < 0 || b.Offset < 0 || b.Offset%blockAlign != 0 || b.Offset < end {
			return fmt.Errorf("channel %d: bad block offset %d count %d", c, b.Offset, b.Count)
		}
		end = b.Offset + blockBytes(b.Count)
		if end > fileSize {
			return fmt.Errorf("channel %d: block ends at %d beyond %s size %d", c, end, samplesName, fileSize)
		}
	}
	return nil
}
