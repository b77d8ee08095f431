package ms

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
)

// copyWithChange mirrors the VLA MS into a temporary directory and replaces one file.
func copyWithChange(t *testing.T, rel string, change func([]byte) []byte) string {
	t.Helper()
	src := shareddata.Path(t, "data/real/vla_simple_casaformatsio/simple.ms")
	dst := filepath.Join(t.TempDir(), "simple.ms")
	mirror(t, src, dst)
	b, err := os.ReadFile(filepath.Join(src, rel))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dst, rel))
	if err := os.WriteFile(filepath.Join(dst, rel), change(b), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func readAllRows(path string, opts *Options) error {
	m, err := Open(path, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	var c vis.Chunk
	return m.ReadRows(context.Background(), 0, m.NumRows(), &c)
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q", parts)
	}
	t.Log(err)
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name %q", err, p)
		}
	}
}

func TestOpen_MissingDataColumn(t *testing.T) {
	path := shareddata.Path(t, "data/real/vla_simple_casaformatsio/simple.ms")
	_, err := Open(path, &Options{DataColumn: "corrected"})
	wantErr(t, err, "CORRECTED_DATA", path)
	_, err = Open(path, &Options{DataColumn: "residual"})
	wantErr(t, err, "residual")
}

func TestReadRows_TruncatedTileFile(t *testing.T) {
	dst := copyWithChange(t, "table.f17_TSM1", func(b []byte) []byte { return b[:100] })
	wantErr(t, readAllRows(dst, nil), "column DATA", "table.f17_TSM1", dst, "truncated")
}

func TestReadRows_UnknownStorageManager(t *testing.T) {
	dst := copyWithChange(t, "table.dat", func(b []byte) []byte {
		// Rename the data manager type of the ISM columns (same length keeps the framing).
		return bytes.ReplaceAll(b, []byte("IncrementalStMan"), []byte("IncrementalXyMan"))
	})
	wantErr(t, readAllRows(dst, nil), "IncrementalXyMan", "TIME", "table.f12", "not supported")
}

func TestOpen_CorruptedTableDat(t *testing.T) {
	dst := copyWithChange(t, "table.dat", func(b []byte) []byte {
		c := append([]byte(nil), b...)
		copy(c[0x2e:], "XXXX") // inside the TableDesc object header
		return c
	})
	wantErr(t, readAllRows(dst, nil), filepath.Join(dst, "table.dat"))
}

func TestOpen_MissingSubtable(t *testing.T) {
	src := shareddata.Path(t, "data/real/vla_simple_casaformatsio/simple.ms")
	dst := filepath.Join(t.TempDir(), "simple.ms")
	mirror(t, src, dst)
	if err := os.RemoveAll(filepath.Join(dst, "SPECTRAL_WINDOW")); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dst, nil)
	wantErr(t, err, "SPECTRAL_WINDOW", "missing")
	// A missing subtable the row view does not need is not an error.
	mirror2 := filepath.Join(t.TempDir(), "simple.ms")
	mirror(t, src, mirror2)
	os.RemoveAll(filepath.Join(mirror2, "SYSPOWER"))
	m, err := Open(mirror2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	found := false
	for _, s := range m.Subtables() {
		if s.Name == "SYSPOWER" {
			found = !s.Exists
		}
	}
	if !found {
		t.Error("SYSPOWER not listed as dangling")
	}
}
