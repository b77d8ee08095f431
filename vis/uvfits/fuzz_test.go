package uvfits

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
)

// FuzzUVFITSHeader fuzzes the UVFITS header reader: the input is a primary header; the
// harness appends the groups it describes (zeros, if at most 1 MiB), then opens the file and
// reads its first rows. Seeds: the headers of the real files and of a synthetic file.
func FuzzUVFITSHeader(f *testing.F) {
	if d := shareddata.Dir(); d != "" {
		for _, rel := range []string{"vlba_mojave_uvfits/mojave.uvfits", "paper_2014_ms_uvfits/zen.2456865.60537.xy.uvcRREAAM.uvfits"} {
			if b, err := os.ReadFile(filepath.Join(d, "data/real", rel)); err == nil {
				if _, end, err := readHeader(bytes.NewReader(b), 0, int64(len(b))); err == nil {
					f.Add(b[:end])
				}
			}
		}
	}
	synth, _ := synthFile()
	if _, end, err := readHeader(bytes.NewReader(synth), 0, int64(len(synth))); err == nil {
		f.Add(synth[:end])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, end, err := readHeader(bytes.NewReader(b), 0, int64(len(b)))
		if err != nil {
			return
		}
		size, err := dataSize(h)
		if err != nil || size > 1<<20 {
			return
		}
		file := append(append([]byte(nil), b[:end]...), make([]byte, padded(size))...)
		u, err := NewReader(bytes.NewReader(file), int64(len(file)), "fuzz")
		if err != nil {
			return
		}
		var c vis.Chunk
		u.ReadRows(context.Background(), 0, min(u.NumRows(), 8), &c)
		if u.NumGroups() > 0 {
			u.Group(0)
		}
	})
}

// FuzzUVFITSFile fuzzes a whole small UVFITS file (groups and extensions).
func FuzzUVFITSFile(f *testing.F) {
	synth, _ := synthFile()
	f.Add(synth)
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := NewReader(bytes.NewReader(b), int64(len(b)), "fuzz")
		if err != nil {
			return
		}
		var c vis.Chunk
		u.ReadRows(context.Background(), 0, min(u.NumRows(), 8), &c)
	})
}
