package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
	"github.com/cubeimg/cubeimg/vis/simulate"
)

func TestFormatChannels(t *testing.T) {
	cases := []struct {
		in   []int
		want string
	}{
		{nil, ""},
		{[]int{3}, "3"},
		{[]int{0, 1, 2, 3}, "0:4"},
		{[]int{0, 1, 2, 3, 7}, "0:4,7"},
		{[]int{1, 3, 4, 9, 10, 11}, "1,3:5,9:12"},
	}
	for _, c := range cases {
		got := FormatChannels(c.in)
		if got != c.want {
			t.Errorf("FormatChannels(%v) = %q, want %q", c.in, got, c.want)
		}
		if len(c.in) == 0 {
			continue
		}
		back, err := ParseChannels(got, 12)
		if err != nil || !slices.Equal(back, c.in) {
			t.Errorf("ParseChannels(FormatChannels(%v)) = %v, %v", c.in, back, err)
		}
	}
}

// clusterParams are the parameters of a small cube-scope run with auto-multithresh: the
// iteration control couples the channels of one run.
func clusterParams(t *testing.T, nchan int) *Params {
	t.Helper()
	dir := t.TempDir()
	cfg := simulate.DefaultConfig()
	cfg.MS = filepath.Join(dir, "sim.ms")
	cfg.NChan = nchan
	cfg.DurationS = 120
	if _, err := simulate.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Vis = cfg.MS
	p.ImageName = filepath.Join(dir, "c")
	p.Imsize = [2]int{64, 64}
	p.Cell = [2]float64{0.15 / 206264.80624709636, 0.15 / 206264.80624709636}
	p.Niter = 120
	p.Cycleniter = 20
	p.Threshold = 0.005
	p.Usemask = "auto-multithresh"
	p.MaxResident = 256 << 20
	p.Workers = 1
	return &p
}

// runStep runs p with the changes set makes to a copy of it.
func runStep(t *testing.T, p *Params, set func(q *Params)) {
	t.Helper()
	q := *p
	set(&q)
	var out strings.Builder
	if err := Run(context.Background(), &q, Discard, &out); err != nil {
		t.Fatalf("run --channels %q: %v\n%s", q.Channels, err, out.String())
	}
}

// clusterChecksums renders every channel's state and tile checksums.
func clusterChecksums(t *testing.T, cube string) []string {
	var out []string
	for _, r := range channelRecords(t, cube) {
		b, _ := json.Marshal(r.Checksums)
		out = append(out, fmt.Sprintf("%d %s %s", r.Channel, r.State, b))
	}
	return out
}

// reopen turns committed channels back into in-progress ones as a task killed at a chosen point
// leaves them: with clean set, the record keeps the CLEAN result (killed after the group's
// CLEAN, before these commits); the image plane is zeroed and, unless clean, the residual too
// (killed mid-CLEAN).
func reopen(t *testing.T, cube string, chans []int, clean bool) {
	t.Helper()
	st, err := store.Open(cube, &store.Options{Budget: tiles.NewBudget(256 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.Channels()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range chans {
		ci, err := decodeInfo(recs[c].Info)
		if err != nil || ci.Prep == nil || ci.Clean == nil {
			t.Fatalf("channel %d record: %v %+v", c, err, ci)
		}
		keep := channelInfo{Prep: ci.Prep}
		if clean {
			cr := *ci.Clean
			cr.Restore = nil
			keep.Clean = &cr
		}
		info, _ := json.Marshal(keep)
		if err := st.BeginChannel(c, info); err != nil {
			t.Fatal(err)
		}
		exts := []string{extImage}
		if !clean {
			exts = append(exts, extResidual)
		}
		for _, ext := range exts {
			pl, err := st.Plane(ctx, ext, c, store.Write)
			if err != nil {
				t.Fatal(err)
			}
			clear(pl.Float32s())
			if err := pl.Release(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestRequeuedTaskCubeScope runs a cube in two cluster tasks (prepare, then --channels ranges
// with --resume --skip-committed) and checks that a task requeued after a kill finishes with
// the cube an uninterrupted task gives, tile for tile: killed after its group's CLEAN with some
// channels committed (the others are only restored and committed, not re-cleaned as a smaller
// group), and killed mid-CLEAN (the whole group is cleaned again, a stale CLEAN result in a
// record is not trusted).
func TestRequeuedTaskCubeScope(t *testing.T) {
	// One thread per channel: the gridder's threads add into the uv grid in a varying order, so
	// a channel imaged twice by several threads differs in the last bits.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	p := clusterParams(t, 8)
	cube := cubePath(p.ImageName)
	runStep(t, p, func(q *Params) { q.PrepareOnly, q.Resume = true, true })
	task := func(chans string) {
		runStep(t, p, func(q *Params) { q.Channels, q.Resume, q.SkipCommitted, q.Niter = chans, true, true, p.Niter/2 })
	}
	task("0:4")
	task("4:8")
	want := clusterChecksums(t, cube)
	for _, line := range want {
		if !strings.Contains(line, string(store.Committed)) {
			t.Fatalf("after both tasks: %s", line)
		}
	}
	var iters []int
	for _, r := range channelRecords(t, cube) {
		ci, _ := decodeInfo(r.Info)
		iters = append(iters, ci.Clean.Iterations)
	}
	t.Logf("iterations per channel: %v", iters)

	// Killed after the group's CLEAN, channels 5 and 6 not committed yet.
	reopen(t, cube, []int{5, 6}, true)
	task("4:8")
	if got := clusterChecksums(t, cube); !slices.Equal(got, want) {
		t.Errorf("requeued after CLEAN:\n got %q\nwant %q", got, want)
	}

	// Killed mid-CLEAN: no channel committed, 4 holds a stale CLEAN result from an earlier run.
	reopen(t, cube, []int{5, 6, 7}, false)
	reopen(t, cube, []int{4}, true)
	st, err := store.Open(cube, &store.Options{Budget: tiles.NewBudget(256 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := st.Plane(context.Background(), extResidual, 4, store.Write)
	if err != nil {
		t.Fatal(err)
	}
	clear(pl.Float32s()) // the planes are mid-CLEAN: the record's result does not describe them
	pl.Release()
	st.Close()
	task("4:8")
	if got := clusterChecksums(t, cube); !slices.Equal(got, want) {
		t.Errorf("requeued after a kill mid-CLEAN:\n got %q\nwant %q", got, want)
	}

	// A task refuses to run before the prepare step (it would write other tasks' channels).
	q := *p
	q.ImageName += "2"
	q.Channels, q.Resume, q.SkipCommitted = "0:4", true, true
	err = Run(context.Background(), &q, Discard, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "prepare") {
		t.Errorf("task before the prepare step: %v, want a refusal naming the prepare step", err)
	}
}

// TestTaskUsesPrepareSpool checks that a cluster task images the spool of the prepare step even
// when the input's files changed since (casacore rewrites table.lock when it opens an MS), and
// never builds one: several tasks would build it at once.
func TestTaskUsesPrepareSpool(t *testing.T) {
	p := clusterParams(t, 4)
	runStep(t, p, func(q *Params) { q.PrepareOnly, q.Resume = true, true })
	man := filepath.Join(spoolPath(p.ImageName), "spool.json")
	before, err := os.Stat(man)
	if err != nil {
		t.Fatalf("spool manifest: %v", err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(p.Vis, "table.dat"), later, later); err != nil {
		t.Fatal(err)
	}
	runStep(t, p, func(q *Params) { q.Channels, q.Resume, q.SkipCommitted = "0:2", true, true })
	after, err := os.Stat(man)
	if err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the task rebuilt the spool (manifest %v -> %v, %v)", before.ModTime(), after.ModTime(), err)
	}
	if recs := channelRecords(t, cubePath(p.ImageName)); recs[0].State != store.Committed || recs[2].State == store.Committed {
		t.Errorf("task 0:2: channel states %s %s", recs[0].State, recs[2].State)
	}

	// Another selection is refused, and no spool is built in a task.
	q := *p
	q.Channels, q.Resume, q.SkipCommitted, q.Interpolation = "2:4", true, true, "nearest"
	err = Run(context.Background(), &q, Discard, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "another selection") {
		t.Errorf("task with another interpolation: %v", err)
	}
	q = *p
	q.ImageName += "-nospool"
	q.Channels, q.Resume, q.SkipCommitted = "0:2", true, true
	err = Run(context.Background(), &q, Discard, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "prepare step") {
		t.Errorf("task without a spool: %v", err)
	}
	if _, serr := os.Stat(spoolPath(q.ImageName)); serr == nil {
		t.Errorf("a task built a spool")
	}
}
