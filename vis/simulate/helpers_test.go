package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const systemPython = "/usr/bin/python3"

// needCasacore skips t unless /usr/bin/python3 can import python-casacore.
func needCasacore(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s is absent; skipping the python-casacore check (apt-get install python3-casacore)", systemPython)
	}
	if out, err := exec.Command(systemPython, "-c", "import casacore.tables, casacore.measures").CombinedOutput(); err != nil {
		t.Skipf("python-casacore is not importable by %s (%v: %s); skipping (apt-get install python3-casacore)", systemPython, err, bytes.TrimSpace(out))
	}
}

// runPython runs a testdata script with stdin and decodes its JSON output into v.
func runPython(t testing.TB, script string, stdin []byte, v any, args ...string) {
	t.Helper()
	needCasacore(t)
	p, err := filepath.Abs(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, append([]string{p}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("%s: decode output: %v\n%s", script, err, out)
	}
}

// smallConfig is a quick simulation: 8 channels, 20 integrations of the compact array.
func smallConfig(dir string) Config {
	c := DefaultConfig()
	c.MS = filepath.Join(dir, "sim.ms")
	c.NChan = 8
	c.DurationS = 20 * 6.048
	c.Argv = []string{"test"}
	return c
}

func mustRun(t testing.TB, c Config) *Truth {
	t.Helper()
	tr, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
