package spool

// On-disk layout of a spool (version 2): a directory holding three files. FORMAT.md beside this
// file draws it; in short:
//
//	spool.json   the manifest, written last and atomically (temp file, fsync, rename, fsync dir):
//	             its presence means the spool is complete.
//	samples.dat  a sequence of runs, one per buffer flush of the build. A run holds, channel after
//	             channel, one segment per output channel with samples in that flush:
//	             U [n]float64 | V [n]float64 | W [n]float64 | Vis [n]complex64 | Weight [n]float32
//	             little-endian; u, v, w in wavelengths at the sample's own frequency. Only samples
//	             that are unflagged, finite and of positive weight are stored. A segment's samples
//	             are in Morton order of their (u, v) cell (morton.go), stable.
//	index.dat    run-major: for run r and channel c, at byte (r*nchan + c)*24, the segment's
//	             offset in samples.dat, its sample count and the xxhash64 of its 36*count bytes
//	             (three little-endian uint64).
//
// Reading a channel gathers its segments from every run, checks each checksum, and merges the
// runs by cell, so a channel comes back in one stable Morton order whatever the number of runs.

import (
	"encoding/json"
	"fmt"
)

// Version is the spool format version written by this package.
const Version = 2

const (
	manifestName = "spool.json"
	samplesName  = "samples.dat"
	indexName    = "index.dat"
	lockName     = "spool.lock"
	// sampleBytes is the size of one sample over the five sections of a segment.
	sampleBytes = 8 + 8 + 8 + 8 + 4
	// indexEntryBytes is the size of one index.dat entry.
	indexEntryBytes = 24
)

// Manifest describes a complete spool.
type Manifest struct {
	Version int `json:"version"`
	// Key identifies the input and the selection the spool was built from; a later run reuses the
	// spool only when its key is equal (see Key.Equal).
	Key Key `json:"key"`
	// Plan describes how the samples were formed (the output axis, the selection as resolved);
	// see PlanInfo. Empty for spools written directly with a Writer.
	Plan json.RawMessage `json:"plan,omitempty"`
	// Runs holds the offset in samples.dat of each run.
	Runs []int64 `json:"runs"`
	// Channels holds one entry per output channel.
	Channels []Channel `json:"channels"`
	// Stats are informative figures from the build.
	Stats Stats `json:"stats"`
}

// Channel summarises one output channel.
type Channel struct {
	Count int64 `json:"count"`
	// SumWeight is the sum of the stored data weights (float64, summed run by run).
	SumWeight float64 `json:"sum_weight"`
	// UVScale is the half-width, in wavelengths, of the uv square on which the Morton cells of
	// this channel are laid out.
	UVScale float64 `json:"uv_scale"`
}

// Stats are figures about a build.
type Stats struct {
	RowsRead       int64 `json:"rows_read"`
	RowsSelected   int64 `json:"rows_selected"`
	SamplesWritten int64 `json:"samples_written"`
	// SamplesFlagged counts output samples not stored: flagged in the input (either parallel
	// hand, FLAG_ROW, or an interpolation neighbour), zero or negative weight, or not finite.
	SamplesFlagged int64   `json:"samples_flagged"`
	InputBytesRead int64   `json:"input_bytes_read"`
	BytesWritten   int64   `json:"bytes_written"`
	Seconds        float64 `json:"seconds"`
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

func segmentBytes(n int64) int64 { return n * sampleBytes }

func (m *Manifest) validate(samplesSize, indexSize int64) error {
	if m.Version != Version {
		return fmt.Errorf("spool version %d, this program reads version %d", m.Version, Version)
	}
	nchan := int64(len(m.Channels))
	if want := int64(len(m.Runs)) * nchan * indexEntryBytes; indexSize != want {
		return fmt.Errorf("%s is %d bytes, %d runs of %d channels need %d", indexName, indexSize, len(m.Runs), nchan, want)
	}
	var prev, total int64
	for r, off := range m.Runs {
		if off < prev || off > samplesSize {
			return fmt.Errorf("run %d: bad offset %d (previous %d, %s size %d)", r, off, prev, samplesName, samplesSize)
		}
		prev = off
	}
	capacity := samplesSize / sampleBytes
	for c, ch := range m.Channels {
		if ch.Count < 0 || ch.Count > capacity-total {
			return fmt.Errorf("channel %d: count %d with %d samples before it; %s holds %d", c, ch.Count, total, samplesName, capacity)
		}
		total += ch.Count
	}
	return nil
}
