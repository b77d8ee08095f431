package spool

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// fileIdentity is one input file in a key.
type fileIdentity struct {
	Path    string `json:"path"` // relative to the input
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	XXHash  string `json:"xxhash64,omitempty"` // of table.dat files, and of a UVFITS file's primary header
}

// InputKey identifies the input's content cheaply: for a MeasurementSet directory, every file's
// relative path, size and modification time, and the xxhash64 of every table.dat (table
// descriptions, row counts, keywords); for a UVFITS file its size, modification time and the
// xxhash64 of its primary header. Any rewrite of the input changes at least a modification time;
// an edit of a table.dat or a UVFITS header is found even where the time is restored.
func InputKey(path string) (json.RawMessage, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("spool: input key: %w", err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("spool: input key: %w", err)
	}
	var files []fileIdentity
	if st.IsDir() {
		err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(abs, p)
			id := fileIdentity{Path: filepath.ToSlash(rel), Size: info.Size(), ModTime: info.ModTime().UnixNano()}
			if d.Name() == "table.dat" {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				id.XXHash = fmt.Sprintf("%016x", xxhash.Sum64(b))
			}
			files = append(files, id)
			return nil
		})
	} else {
		id := fileIdentity{Path: filepath.Base(abs), Size: st.Size(), ModTime: st.ModTime().UnixNano()}
		var h uint64
		if h, err = fitsHeaderHash(abs); err == nil {
			id.XXHash = fmt.Sprintf("%016x", h)
		}
		files = append(files, id)
	}
	if err != nil {
		return nil, fmt.Errorf("spool: input key of %s: %w", path, err)
	}
	b, err := json.Marshal(struct {
		Path  string         `json:"path"`
		Files []fileIdentity `json:"files"`
	}{abs, files})
	if err != nil {
		return nil, fmt.Errorf("spool: input key: %w", err)
	}
	return b, nil
}

// fitsHeaderHash hashes a FITS file's primary header: its 2880-byte blocks up to the one holding
// the END card (at most 1000 blocks).
func fitsHeaderHash(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h := xxhash.New()
	block := make([]byte, 2880)
	for range 1000 {
		if _, err := io.ReadFull(f, block); err != nil {
			return 0, err
		}
		h.Write(block)
		for c := 0; c < len(block); c += 80 {
			if strings.TrimRight(string(block[c:c+8]), " ") == "END" {
				return h.Sum64(), nil
			}
		}
	}
	return 0, fmt.Errorf("%s: no END card in the first 1000 header blocks", path)
}

// SelectionKey identifies the selection, the output axis parameters and the sample rules.
func SelectionKey(o *Options) json.RawMessage {
	x := o.withDefaults()
	b, _ := json.Marshal(struct {
		Version       int        `json:"version"`
		Policy        string     `json:"policy"`
		Field         string     `json:"field"`
		Spw           string     `json:"spw"`
		DataColumn    string     `json:"datacolumn"`
		TimeRange     [2]float64 `json:"timerange"`
		Spec          any        `json:"spec"`
		Interpolation string     `json:"interpolation"`
	}{Version, policy, strings.TrimSpace(x.Field), strings.TrimSpace(x.Spw), normalise(x.DataColumn, "data"),
		x.TimeRange, x.Spec, normalise(x.Interpolation, "linear")})
	return b
}

// normalise lower-cases s and trims "_data" (CORRECTED_DATA = corrected), "" giving def.
func normalise(s, def string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "_data")
	if s == "" {
		return def
	}
	return s
}

// MakeKey returns the key of a spool of input with the selection and axis in o.
func MakeKey(input string, o *Options) (Key, error) {
	in, err := InputKey(input)
	if err != nil {
		return Key{}, err
	}
	return Key{Input: in, Selection: SelectionKey(o)}, nil
}
