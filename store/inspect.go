package store

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// FileInfo describes one extension's data file.
type FileInfo struct {
	Ext       string `json:"ext"`
	DType     string `json:"dtype"`
	BUnit     string `json:"bunit"`
	Path      string `json:"path"`
	Size      int64  `json:"size_bytes"`      // apparent size
	Allocated int64  `json:"allocated_bytes"` // blocks on disk
	TileBytes int64  `json:"tile_slot_bytes"`
	Tiles     int    `json:"tiles_per_plane"`
	InPlace   bool   `json:"plane_contiguous"` // planes are mapped in place
}

// Info is a summary of a cube, as `cubestore inspect` prints it.
type Info struct {
	Path     string           `json:"path"`
	Manifest *Manifest        `json:"manifest"`
	Files    []FileInfo       `json:"files"`
	Counts   map[State]int    `json:"counts"`
	Channels []*ChannelRecord `json:"channels"` // without checksums
	// Problems lists unreadable channel records.
	Problems []string `json:"problems,omitempty"`
}

// Inspect summarises the cube at path. It maps nothing and takes no lock, reading only the
// manifest, the data file headers and the channel records, so it is safe while other processes
// write the cube (a record being replaced is read as its old or its new version).
func Inspect(path string) (*Info, error) {
	m, err := ReadManifest(path)
	if err != nil {
		return nil, err
	}
	info := &Info{Path: path, Manifest: m, Counts: map[State]int{Empty: 0, InProgress: 0, Committed: 0}}
	for _, e := range m.Extensions {
		l, err := m.Layout(e)
		if err != nil {
			return nil, fmt.Errorf("inspect %s: %w", path, err)
		}
		fp := filepath.Join(path, e.File)
		f, err := os.Open(fp)
		if err != nil {
			return nil, fmt.Errorf("inspect %s: %w", path, err)
		}
		err = checkDataFile(f, m, e, l)
		st, serr := f.Stat()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("inspect %s: %w", path, err)
		}
		if serr != nil {
			return nil, fmt.Errorf("inspect %s: %w", path, serr)
		}
		fi := FileInfo{Ext: e.Name, DType: e.DType, BUnit: e.BUnit, Path: fp, Size: st.Size(),
			TileBytes: l.SlotBytes, Tiles: l.NumTiles(), InPlace: l.PlaneContiguous()}
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			fi.Allocated = sys.Blocks * 512
		}
		info.Files = append(info.Files, fi)
	}
	recs, bad, err := readRecords(path, m)
	if err != nil {
		return nil, err
	}
	for c, e := range bad {
		info.Problems = append(info.Problems, fmt.Sprintf("channel %d: %v", c, e))
	}
	for _, r := range recs {
		r.Checksums = nil
		info.Counts[r.State]++
	}
	info.Channels = recs
	return info, nil
}
