package mswrite

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Helpers that read a written table back with python-casacore (Debian's python3-casacore, run
// by /usr/bin/python3) and casacore-tools. Tests that need them skip with a message where they
// are absent.

const systemPython = "/usr/bin/python3"

// needCasacore skips t unless /usr/bin/python3 can import casacore.tables.
func needCasacore(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s is absent; skipping the python-casacore check (apt-get install python3-casacore)", systemPython)
	}
	if out, err := exec.Command(systemPython, "-c", "import casacore.tables").CombinedOutput(); err != nil {
		t.Skipf("python-casacore is not importable by %s (%v: %s); skipping (apt-get install python3-casacore)", systemPython, err, bytes.TrimSpace(out))
	}
}

// pyTable is the JSON that testdata/dump_table.py prints.
type pyTable struct {
	Nrows    int                 `json:"nrows"`
	Keywords map[string]any      `json:"keywords"`
	Info     map[string]string   `json:"info"`
	Columns  map[string]pyColumn `json:"columns"`
}

type pyColumn struct {
	Desc     map[string]any    `json:"desc"`
	Keywords map[string]any    `json:"keywords"`
	Values   []json.RawMessage `json:"values"`
}

// pyCell is an array cell as dump_table.py prints it.
type pyCell struct {
	Shape []int           `json:"shape"`
	Data  json.RawMessage `json:"data"`
}

// dumpTables reads the tables at paths with python-casacore (one python run).
func dumpTables(t testing.TB, paths ...string) map[string]*pyTable {
	t.Helper()
	needCasacore(t)
	script, err := filepath.Abs(filepath.Join("testdata", "dump_table.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, append([]string{script}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python-casacore cannot read %v: %v\n%s", paths, err, stderr.String())
	}
	var d map[string]*pyTable
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("decode dump of %v: %v", paths, err)
	}
	return d
}

// needShowtableinfo returns the path of casacore-tools' showtableinfo or skips t.
func needShowtableinfo(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("showtableinfo")
	if err != nil {
		t.Skip("showtableinfo (casacore-tools) is not installed; skipping (apt-get install casacore-tools)")
	}
	return p
}
