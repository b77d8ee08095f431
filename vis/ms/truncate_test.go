package ms

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/casatable"
)

// outcome is what reading a MeasurementSet gives: for each item (the row view, or one column
// of one table) either an error or a digest of every value read.
type outcome map[string]string

// rowViewTables are the tables the row view reads.
var rowViewTables = map[string]bool{".": true, "SPECTRAL_WINDOW": true, "POLARIZATION": true,
	"DATA_DESCRIPTION": true, "FIELD": true, "ANTENNA": true, "OBSERVATION": true}

// readOutcome reads the MS through the row view and every column of every table through
// casatable, recording per item an error or a digest of the values, bit for bit. If only is
// not empty, just that table ("." for MAIN) is read, and the row view if it uses the table.
func readOutcome(path, only string) outcome {
	out := outcome{}
	if only == "" || rowViewTables[only] {
		out["rows"] = digestRows(path)
	}
	tables := []string{path}
	ents, _ := os.ReadDir(path)
	for _, e := range ents {
		if e.IsDir() {
			tables = append(tables, filepath.Join(path, e.Name()))
		}
	}
	for _, tp := range tables {
		name, _ := filepath.Rel(path, tp)
		if only != "" && name != only {
			continue
		}
		tb, err := casatable.Open(tp, nil)
		if err != nil {
			out[name] = "error"
			continue
		}
		out[name] = fmt.Sprintf("%d rows", tb.NumRows())
		for _, c := range tb.Columns() {
			h := sha256.New()
			var err error
			for row := 0; row < tb.NumRows() && err == nil; row++ {
				var v any
				v, err = c.Get(row)
				hashValue(h, v)
			}
			key := name + "/" + c.Name()
			if err != nil {
				out[key] = "error"
			} else {
				out[key] = fmt.Sprintf("%x", h.Sum(nil))
			}
		}
		tb.Close()
	}
	return out
}

func hashValue(h io.Writer, v any) {
	switch x := v.(type) {
	case nil:
		h.Write([]byte("nil"))
	case *casatable.Array:
		fmt.Fprint(h, x.Shape)
		hashValue(h, x.Data)
	case *casatable.Record:
		for _, f := range x.Fields {
			fmt.Fprint(h, f.Name)
			hashValue(h, f.Value)
		}
	case string:
		fmt.Fprintf(h, "%q", x)
	case []string:
		fmt.Fprintf(h, "%q", x)
	case casatable.TableRef:
		fmt.Fprint(h, x.Name)
	default:
		if err := binary.Write(h, binary.LittleEndian, v); err != nil {
			fmt.Fprintf(h, "%T%v", v, v)
		}
	}
}

// digestRows reads all rows through the row view, in chunks, and digests everything.
func digestRows(path string) string {
	m, err := Open(path, nil)
	if err != nil {
		return "error"
	}
	defer m.Close()
	h := sha256.New()
	meta := *m.Meta()
	meta.Path = "" // the copy lives elsewhere
	fmt.Fprintf(h, "%+v", meta)
	var c vis.Chunk
	for row0 := 0; row0 < m.NumRows(); row0 += 64 {
		n := min(64, m.NumRows()-row0)
		if err := m.ReadRows(context.Background(), row0, n, &c); err != nil {
			return "error"
		}
		for _, v := range []any{c.Time, c.Interval, c.Ant1, c.Ant2, c.FieldID, c.DataDescID, c.UVW, c.FlagRow,
			c.NChan, c.NCorr, c.Data, c.Flag, c.Weight, c.Sigma, c.WeightSpectrum, c.HasWeightSpectrum} {
			binary.Write(h, binary.LittleEndian, v)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// mirror makes dst a tree of symbolic links to the files of src (directories recreated).
func mirror(t *testing.T, src, dst string) []string {
	var files []string
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		files = append(files, rel)
		return os.Symlink(p, target)
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestTruncatedFiles truncates every file of every real MeasurementSet at random offsets and
// checks that each item read is either an error or exactly what the intact MS gives: never a
// panic and never a wrong number.
func TestTruncatedFiles(t *testing.T) {
	real := shareddata.Path(t, "data/real")
	mss, _ := filepath.Glob(filepath.Join(real, "*", "*.ms"))
	if len(mss) == 0 {
		t.Skip("no MeasurementSets in ../shared/data/real")
	}
	offsets := 3
	if testing.Short() {
		offsets = 1
	}
	rng := rand.New(rand.NewSource(1))
	for _, src := range mss {
		t.Run(filepath.Base(filepath.Dir(src)), func(t *testing.T) {
			want := readOutcome(src, "")
			dst := filepath.Join(t.TempDir(), filepath.Base(src))
			files := mirror(t, src, dst)
			errors, same := 0, 0
			for _, rel := range files {
				orig, err := os.ReadFile(filepath.Join(src, rel))
				if err != nil {
					t.Fatal(err)
				}
				if len(orig) == 0 {
					continue
				}
				cuts := []int{0, len(orig) - 1}
				for k := 0; k < offsets; k++ {
					cuts = append(cuts, rng.Intn(len(orig)))
				}
				link := filepath.Join(dst, rel)
				for _, cut := range cuts {
					if filepath.Base(rel) == "table.lock" && cut == 65*4 {
						// A lock file of its request list alone is casacore's own lock without
						// sync info (written when casacore opens a table that has none), which
						// casacore reads as "take table.dat's row count": not a truncation.
						continue
					}
					os.Remove(link)
					if err := os.WriteFile(link, orig[:cut], 0o644); err != nil {
						t.Fatal(err)
					}
					table := filepath.Dir(rel)
					got := readOutcome(dst, table)
					for item, w := range want {
						g, ok := got[item]
						if !ok && item != "rows" && !strings.HasPrefix(item, table+"/") && item != table {
							continue // not read: the table was not touched
						}
						if !ok && item == "rows" && !rowViewTables[table] {
							continue
						}
						switch {
						case !ok || g == "error": // a table that fails to open fails all its columns
							errors++
						case g == w:
							same++
						default:
							t.Errorf("%s cut at %d of %d bytes: %s reads differently without an error", rel, cut, len(orig), item)
						}
					}
				}
				os.Remove(link)
				if err := os.Symlink(filepath.Join(src, rel), link); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%d files: %d item reads failed with an error, %d read the intact values", len(files), errors, same)
			if errors == 0 {
				t.Error("no truncation produced an error")
			}
		})
	}
}
