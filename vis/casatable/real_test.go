package casatable

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
)

// realTables lists every table (MAIN and subtables) of the real and simulated MeasurementSets.
func realTables(t testing.TB) []string {
	t.Helper()
	var mss []string
	real := shareddata.Path(t, "data/real")
	m, _ := filepath.Glob(filepath.Join(real, "*", "*.ms"))
	mss = append(mss, m...)
	if d := shareddata.Dir(); d != "" {
		if sim := filepath.Join(d, "data/sim/sim_small.ms"); exists(sim) {
			mss = append(mss, sim)
		}
	}
	var out []string
	for _, ms := range mss {
		out = append(out, ms)
		ents, _ := os.ReadDir(ms)
		for _, e := range ents {
			if e.IsDir() && exists(filepath.Join(ms, e.Name(), "table.dat")) {
				out = append(out, filepath.Join(ms, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestRealTablesMatchPythonCasacore reads every column of every table of the shared
// MeasurementSets and compares each value with python-casacore's.
func TestRealTablesMatchPythonCasacore(t *testing.T) {
	tables := realTables(t)
	dumps := pyDump(t, tables...)
	for i, tb := range tables {
		rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(tb)), tb)
		t.Run(rel, func(t *testing.T) { compareWithPython(t, tb, dumps[i]) })
	}
}

// exists reports whether a path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
