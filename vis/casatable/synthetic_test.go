package casatable

import (
	"path/filepath"
	"testing"
)

// TestSyntheticTablesMatchPythonCasacore checks every storage manager layout in both byte
// orders (tables written by python-casacore) against python-casacore's reading.
func TestSyntheticTablesMatchPythonCasacore(t *testing.T) {
	tables := makeTables(t)
	dumps := pyDump(t, tables...)
	for i, tb := range tables {
		t.Run(filepath.Base(tb), func(t *testing.T) { compareWithPython(t, tb, dumps[i]) })
	}
}
