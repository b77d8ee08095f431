package spectral

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// refCase is one conversion done by python-casacore (testdata/casacore_reference.py).
type refCase struct {
	Pos   [3]float64     `json:"pos"`
	Dir   [3]interface{} `json:"dir"` // lon, lat (rad), frame name
	Time  float64        `json:"time"`
	From  string         `json:"from"`
	To    string         `json:"to"`
	Freq  float64        `json:"freq"`
	Out   float64        `json:"out,omitempty"`
	SPW   int            `json:"spw,omitempty"`
	Field int            `json:"field,omitempty"`
}

type refMS struct {
	Path           string    `json:"path"`
	Telescope      string    `json:"telescope"`
	PositionSource string    `json:"position_source"`
	Cases          []refCase `json:"cases"`
}

type refRequest struct {
	MS     []string  `json:"ms,omitempty"`
	Cases  []refCase `json:"cases,omitempty"`
	TAIUTC []float64 `json:"tai_utc,omitempty"` // UTC MJD days
}

type refResponse struct {
	Cases  []refCase `json:"cases"`
	MS     []refMS   `json:"ms"`
	TAIUTC []float64 `json:"tai_utc"` // seconds
}

// casacorePython returns a python interpreter that can import casacore.measures, or skips t.
// $CUBEIMG_PYTHON overrides; Debian's modules are visible to /usr/bin/python3.
func casacorePython(t testing.TB) string {
	t.Helper()
	cands := []string{os.Getenv("CUBEIMG_PYTHON"), "/usr/bin/python3", "python3"}
	for _, c := range cands {
		if c == "" {
			continue
		}
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import casacore.measures, casacore.tables").Run() == nil {
			return p
		}
	}
	t.Skip("python-casacore (python3-casacore, casacore-data) is not installed; skipping the comparison with casacore's measures")
	return ""
}

// casacoreReference runs testdata/casacore_reference.py on req.
func casacoreReference(t testing.TB, req refRequest) refResponse {
	t.Helper()
	py := casacorePython(t)
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "testdata", "casacore_reference.py")
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", py, script, err, stderr.String())
	}
	var resp refResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		t.Fatalf("decode casacore reference output: %v", err)
	}
	return resp
}

// direction decodes a refCase direction.
func (c refCase) direction(t testing.TB) Direction {
	t.Helper()
	lon, ok1 := c.Dir[0].(float64)
	lat, ok2 := c.Dir[1].(float64)
	name, ok3 := c.Dir[2].(string)
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("bad direction %v", c.Dir)
	}
	f, err := ParseDirFrame(name)
	if err != nil {
		t.Fatal(err)
	}
	return Direction{Lon: lon, Lat: lat, Frame: f}
}
