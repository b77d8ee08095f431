package casatable

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
)

// memTable holds a table's files in memory, keyed by path.
type memTable map[string][]byte

func (m memTable) open(path string) (io.ReaderAt, int64, io.Closer, error) {
	b, ok := m[path]
	if !ok {
		return nil, 0, nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return bytes.NewReader(b), int64(len(b)), io.NopCloser(nil), nil
}

// loadTable reads the files of the table directory rel (inside ../shared/data/real) into
// memory; the fuzz target is skipped if the shared data are absent.
func loadTable(f *testing.F, rel string) (string, memTable) {
	f.Helper()
	dir := shareddata.Dir()
	if dir == "" {
		f.Skip("shared data directory (../shared) is absent; the fuzz harness needs a real table")
	}
	path := filepath.Join(dir, "data/real", rel)
	ents, err := os.ReadDir(path)
	if err != nil {
		f.Skipf("%s is absent: %v", path, err)
	}
	m := memTable{}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		m[filepath.Join(path, e.Name())] = b
	}
	return path, m
}

// readEverything reads every cell of (the first rows of) the columns stored by manager seq
// (all columns if seq < 0) and the manager list; it only has to finish without panicking.
func readEverything(t *Table, seq int) {
	t.DataManagers()
	for _, c := range t.Columns() {
		if seq >= 0 && c.dm.seq != seq {
			continue
		}
		c.Desc()
		n := min(t.NumRows(), 64)
		for row := 0; row < n; row++ {
			c.CellShape(row)
			c.Get(row)
		}
		if shape := c.FixedShape(); shape != nil || !c.Desc().IsArray {
			nel, err := product(shape)
			if err != nil || nel > 1<<16 {
				continue
			}
			offs := make([]int, n+1)
			for i := range offs {
				offs[i] = i * nel
			}
			dst := newSlice(c.sd.Type, n*nel)
			if dst != nil {
				c.ReadCells(0, offs, dst, make([]bool, n))
			}
		}
	}
}

// fuzzFile fuzzes one file of a real table: the seed is the file itself, every input replaces
// it and the columns of the file's storage manager are read.
func fuzzFile(f *testing.F, table, file string) {
	path, files := loadTable(f, table)
	target := filepath.Join(path, file)
	seed, ok := files[target]
	if !ok {
		f.Skipf("%s is absent", target)
	}
	seq := -1
	fmt.Sscanf(strings.TrimPrefix(file, "table.f"), "%d", &seq)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		m := memTable{}
		for k, v := range files {
			m[k] = v
		}
		m[target] = b
		tb, err := openWith(path, nil, m.open)
		if err != nil {
			return
		}
		defer tb.Close()
		readEverything(tb, seq)
	})
}

// FuzzTableDat fuzzes the AipsIO/table.dat reader (table and column descriptions, keywords,
// column set, data manager entries).
func FuzzTableDat(f *testing.F) {
	for _, sub := range []string{"DATA_DESCRIPTION", "POLARIZATION", "SOURCE"} {
		if d := shareddata.Dir(); d != "" {
			if b, err := os.ReadFile(filepath.Join(d, "data/real", lwasv, sub, "table.dat")); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tb := &Table{path: "fuzz", files: &files{open: memTable{}.open}}
		if err := tb.parseTableDat(b); err != nil {
			return
		}
		for _, c := range tb.columns {
			c.Desc()
		}
	})
}

const (
	lwasv = "lwasv_adp/test_adp4_0_00300673800807520000_58342_05_00_14.ms"
	vla   = "vla_simple_casaformatsio/simple.ms"
	paper = "paper_2014_ms_uvfits/zen.2456865.60537.xy.uvcRREAAM.ms"
)

// FuzzStandardStMan fuzzes a StandardStMan file with scalars and indirect arrays
// (POLARIZATION).
func FuzzStandardStMan(f *testing.F) { fuzzFile(f, lwasv+"/POLARIZATION", "table.f0") }

// FuzzStandardStManStrings fuzzes an SSM file holding strings and string arrays (HISTORY).
func FuzzStandardStManStrings(f *testing.F) { fuzzFile(f, lwasv+"/HISTORY", "table.f0") }

// FuzzArrayFile fuzzes the indirect array file (StManArrayFile, table.f0i).
func FuzzArrayFile(f *testing.F) { fuzzFile(f, lwasv+"/POLARIZATION", "table.f0i") }

// FuzzIncrementalStMan fuzzes an IncrementalStMan file (TIME of the VLA MS).
func FuzzIncrementalStMan(f *testing.F) { fuzzFile(f, vla, "table.f12") }

// FuzzTiledShapeStMan fuzzes the header of a TiledShapeStMan with two hypercubes (VLA DATA).
func FuzzTiledShapeStMan(f *testing.F) { fuzzFile(f, vla, "table.f17") }

// FuzzTiledColumnStMan fuzzes the header of a TiledColumnStMan (VLA UVW).
func FuzzTiledColumnStMan(f *testing.F) { fuzzFile(f, vla, "table.f19") }

// FuzzTiledData fuzzes a tile data file (PAPER FLAG: bits).
func FuzzTiledData(f *testing.F) { fuzzFile(f, paper, "table.f3_TSM1") }
