package spool

// On-disk layout of a spool (version 3): a directory holding four files. FORMAT.md beside this
// file draws it; in short:
//
//	spool.json   the manifest, written last and atomically (temp file, fsync, rename, fsync dir):
//	             its presence means the spool is complete.
//	rows.dat     one entry per input row that has samples: u/c, v/c, w/c (UVW in metres over the
//	             speed of light, seconds) as three little-endian float64; uvw is stored once per
//	             row, not once per sample.
//	samples.dat  a sequence of runs, one per buffer flush of the build. A run holds, channel after
//	             channel, one segment per output channel with samples in that flush:
//	             Row [n]uint32 | DF [n]float32 | Vis [n]complex64 | Weight [n]float32
//	             little-endian; the sample's frequency is the channel's reference frequency plus
//	             DF (Hz), and its u, v, w in wavelengths are the row's u/c, v/c, w/c times that
//	             frequency. Only samples that are unflagged, finite and of positive weight are
//	             stored. A segment's samples are in Morton order of their (u, v) cell
//	             (morton.go), stable.
//	index.dat    run-major: for run r and channel c, at byte (r*nchan + c)*24, the segment's
//	             offset in samples.dat, its sample count and the xxhash64 of its 20*count bytes
//	             (three little-endian uint64).
//
// Reading a channel gathers its segments from every run, checks each checksum, forms u, v, w
// from the rows, and merges the runs by cell, so a channel comes back in one stable Morton
// order whatever the number of runs.

import (
	"encoding/json"
	"fmt"
)

// Version is the spool format version written by this package.
const Version = 3

const (
	manifestName = "spool.json"
	samplesName  = "samples.dat"
	indexName    = "index.dat"
	rowsName     = "rows.dat"
	lockName     = "spool.lock"
	// sampleBytes is the size of one sample over the four sections of a segment.
	sampleBytes = 4 + 4 + 8 + 4
	// rowBytes is the size of one rows.dat entry.
	rowEntryBytes = 3 * 8
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
	// Rows is the number of entries of rows.dat, RowsXXHash the xxhash64 of its bytes.
	Rows       int64  `json:"rows"`
	RowsXXHash uint64 `json:"rows_xxhash64"`
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
	// RefFreq is the frequency (Hz) the samples' DF are relative to.
	RefFreq float64 `json:"ref_freq_hz"`
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

// countNoDF, set in an index entry's count, says the segment has no DF section: every sample's
// frequency offset is 0 (the common case of a linear or 1:1 axis, whose samples sit at their
// channel's frequency), 16 bytes per sample.
const countNoDF = 1 << 63

func segmentBytes(n int64, noDF bool) int64 {
	if noDF {
		return n * (sampleBytes - 4)
	}
	return n * sampleBytes
}

func (m *Manifest) validate(samplesSize, indexSize, rowsSize int64) error {
	if m.Version != Version {
		return fmt.Errorf("spool version %d, this program reads version %d", m.Version, Version)
	}
	if m.Rows < 0 || m.Rows > 1<<32 || rowsSize != m.Rows*rowEntryBytes {
		return fmt.Errorf("%s is %d bytes, %d rows need %d", rowsName, rowsSize, m.Rows, m.Rows*rowEntryBytes)
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
	capacity := samplesSize / (sampleBytes - 4)
	for c, ch := range m.Channels {
		if ch.Count < 0 || ch.Count > capacity-total {
			return fmt.Errorf("channel %d: count %d with %d samples before it; %s holds %d", c, ch.Count, total, samplesName, capacity)
		}
		total += ch.Count
	}
	return nil
}
