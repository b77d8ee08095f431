package casatable

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestLockFileCreatedByCasacoreOnOpen removes a table's lock file and lets python-casacore open
// the table read-only, as WSClean or CASA do with a MeasurementSet written without a lock file:
// casacore then creates a lock file of only its request list (no sync info), which must read as
// "no row count there", not as a truncated file. Shorter files, or a partial info length, stay
// errors.
func TestLockFileCreatedByCasacoreOnOpen(t *testing.T) {
	tables := makeTables(t)
	tb := tables[0]
	want, err := Open(tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	nrow := want.NumRows()
	want.Close()
	lock := filepath.Join(tb, "table.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	py := `import sys, casacore.tables as ct; t = ct.table(sys.argv[1], ack=False); print(t.nrows()); t.close()`
	if msg, err := exec.Command(systemPython, "-c", py, tb).CombinedOutput(); err != nil {
		t.Fatalf("python-casacore open: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(lock)
	if err != nil {
		t.Fatalf("python-casacore left no lock file: %v", err)
	}
	if len(b) != lockInfoOffset {
		t.Fatalf("casacore's new lock file has %d bytes, want its request list of %d", len(b), lockInfoOffset)
	}
	got, err := Open(tb, nil)
	if err != nil {
		t.Fatalf("open with casacore's fresh lock file: %v", err)
	}
	if got.NumRows() != nrow {
		t.Errorf("%d rows, want %d", got.NumRows(), nrow)
	}
	got.Close()
	for _, n := range []int{0, 4, lockInfoOffset - 1, lockInfoOffset + 2} {
		if err := os.WriteFile(lock, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
		if tb2, err := Open(tb, nil); err == nil {
			tb2.Close()
			t.Errorf("lock file of %d bytes: no error", n)
		}
	}
}
