package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/vis/simulate"
)

// The test binary doubles as a pipeline process for crash and memory tests: with
// CUBEIMG_TEST_CHILD set to a JSON file of Params it runs them and exits.
const childEnv = "CUBEIMG_TEST_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(childMain(path))
	}
	os.Exit(m.Run())
}

func childMain(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var p Params
	if err := json.Unmarshal(b, &p); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := Run(context.Background(), &p, Discard, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// childCmd returns a command running p in a child process with extra environment.
func childCmd(t *testing.T, p *Params, env ...string) *exec.Cmd {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(t.TempDir(), "params-*.json")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b)
	f.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+f.Name()), env...)
	return cmd
}

// simOptions tune simulateMS.
type simOptions struct {
	nchan    int
	duration float64
	sky      *simulate.SkyModel
	sigma    float64 // < 0: from Tsys
	flagFrac float64
	seed     uint64
	// flagBeyond flags long baselines in some channels (simulate.Config.FlagBeyond).
	flagBeyond map[int]float64
}

// simulateMS writes a small ALMA-like MS into dir and returns its path and truth.
func simulateMS(t testing.TB, dir string, o simOptions) (string, *simulate.Truth) {
	t.Helper()
	cfg := simulate.DefaultConfig()
	cfg.MS = filepath.Join(dir, "sim.ms")
	cfg.NChan = o.nchan
	cfg.DurationS = o.duration
	cfg.Sky = o.sky
	cfg.SigmaJy = o.sigma
	cfg.FlagFrac = o.flagFrac
	cfg.FlagBeyond = o.flagBeyond
	if o.seed != 0 {
		cfg.Seed = o.seed
	}
	truth, err := simulate.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	return cfg.MS, truth
}

// smallParams are parameters for quick runs of a small simulated MS.
func smallParams(ms, name string) *Params {
	p := DefaultParams()
	p.Vis, p.ImageName = ms, name
	p.Imsize = [2]int{96, 96}
	p.Cell = [2]float64{0.15 * arcsecRad, 0.15 * arcsecRad}
	p.Weighting = "briggs"
	p.Niter = 300
	p.Threshold = 0.01
	p.Usemask = "auto-multithresh"
	p.MaxResident = 512 << 20
	return &p
}

const arcsecRad = math.Pi / 180 / 3600

// channelRecords returns the records of the cube at path, opened read-only.
func channelRecords(t testing.TB, path string) []*store.ChannelRecord {
	t.Helper()
	st, err := openStoreRO(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.Channels()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// checksums returns every channel's state and tile checksums of the cube at path.
func checksums(t testing.TB, path string) map[int]string {
	t.Helper()
	out := map[int]string{}
	for _, r := range channelRecords(t, path) {
		b, _ := json.Marshal(r.Checksums)
		out[r.Channel] = string(r.State) + " " + string(b)
	}
	return out
}

func sameChecksums(t *testing.T, what string, got, want map[int]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d channels, want %d", what, len(got), len(want))
	}
	for c, w := range want {
		if got[c] != w {
			t.Errorf("%s: channel %d differs:\n got  %.200s\n want %.200s", what, c, got[c], w)
		}
	}
}

func mustRun(t testing.TB, p *Params) {
	t.Helper()
	if err := Run(context.Background(), p, Discard, discardWriter{}); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

type discardWriter struct{}

func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }

func openStoreRO(path string) (*store.Store, error) {
	return store.Open(path, &store.Options{ReadOnly: true})
}

// recordingProgress records the lines a run logs.
type recordingProgress struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingProgress) Start(string, int64) Tracker { return discardTracker{} }
func (l *recordingProgress) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}
