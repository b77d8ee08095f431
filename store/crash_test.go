package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A child writing a cube is SIGKILLed at 20 random points: at a random step of its work (every
// plane write, every stage of BeginChannel and Commit, each atomic-rename step) or after a random
// delay. After each kill the cube opens, every committed channel verifies clean and holds the
// data its record names, uncommitted channels are reported as such, and nothing panics. Each
// child resumes the previous one's work and also reopens some committed channels, so kills land
// in re-writes of committed channels too.
func TestCrash_SIGKILL(t *testing.T) {
	const nchan = 10
	spec := testSpec(96, 64, nchan)
	spec.TileW, spec.TileH = 96, 16
	s := MustCreateStore(t, spec, nil)
	dir := s.Dir()
	s.Close()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < 20; i++ {
		env := []string{"CUBE_DIR=" + dir, "CUBE_FIRST=0", fmt.Sprintf("CUBE_LAST=%d", nchan),
			fmt.Sprintf("CUBE_SEED=%d", seed+uint64(i)), "CUBE_REWRITE=0.3", "CUBE_UNTIL_KILLED=1"}
		byStep := i%2 == 0
		if byStep {
			env = append(env, fmt.Sprintf("CUBE_KILL_AT=%d", 1+rng.IntN(150)))
		}
		cmd := childCmd(fmt.Sprintf("crash-%d", i), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if !byStep {
			time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
		}
		err := cmd.Wait()
		if strings.Contains(stderr.String(), "panic") {
			t.Fatalf("child %d panicked:\n%s", i, stderr.String())
		}
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("child %d was not killed: %v\n%s", i, err, stderr.String())
		}
		if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child %d failed: %v\n%s", i, err, stderr.String())
		}
		committed := checkCube(t, dir)
		t.Logf("child %d: killed by step %v, %d channels committed", i, byStep, committed)
	}
	// A last child finishes the cube.
	cmd := childCmd("finish", "CUBE_DIR="+dir, "CUBE_FIRST=0", fmt.Sprintf("CUBE_LAST=%d", nchan), "CUBE_SEED=99", "CUBE_REWRITE=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("finishing child: %v\n%s", err, out)
	}
	if n := checkCube(t, dir); n != nchan {
		t.Fatalf("%d channels committed after the resume, want %d", n, nchan)
	}
}

// Two processes write disjoint channel ranges of one cube at the same time.
func TestTwoProcesses_DisjointChannels(t *testing.T) {
	const nchan = 16
	spec := testSpec(128, 64, nchan)
	spec.TileW, spec.TileH = 128, 32
	s := MustCreateStore(t, spec, nil)
	dir := s.Dir()
	s.Close()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i, r := range [][2]int{{0, nchan / 2}, {nchan / 2, nchan}} {
		cmd := childCmd(fmt.Sprintf("task-%d", i), "CUBE_DIR="+dir, fmt.Sprintf("CUBE_FIRST=%d", r[0]),
			fmt.Sprintf("CUBE_LAST=%d", r[1]), fmt.Sprintf("CUBE_SEED=%d", 10+i), "CUBE_REWRITE=0")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("task %d: %v\n%s", i, err, outs[i])
		}
	}
	if n := checkCube(t, dir); n != nchan {
		t.Fatalf("%d channels committed, want %d", n, nchan)
	}
	// Each range was written by its own process.
	s2, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	recs, _ := s2.Channels()
	for c, r := range recs {
		want := "task-0@"
		if c >= nchan/2 {
			want = "task-1@"
		}
		if !strings.HasPrefix(r.Writer, want) {
			t.Fatalf("channel %d written by %q, want %s...", c, r.Writer, want)
		}
	}
}

// Inspect and Check run while another process writes and re-commits channels: every read
// succeeds and no committed tile is reported damaged.
func TestInspectAndCheck_WhileWriting(t *testing.T) {
	const nchan = 6
	spec := testSpec(128, 64, nchan)
	spec.TileW, spec.TileH = 128, 32
	s := MustCreateStore(t, spec, nil)
	dir := s.Dir()
	s.Close()
	cmd := childCmd("writer", "CUBE_DIR="+dir, "CUBE_FIRST=0", fmt.Sprintf("CUBE_LAST=%d", nchan),
		"CUBE_SEED=5", "CUBE_REWRITE=1", "CUBE_UNTIL_KILLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // never leave the writer running if the test stops early
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	r, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := map[State]bool{}
	deadline := time.Now().Add(700 * time.Millisecond)
	for n := 0; time.Now().Before(deadline) || n < 5; n++ {
		info, err := Inspect(dir)
		if err != nil {
			t.Fatalf("inspect %d while writing: %v", n, err)
		}
		if len(info.Problems) > 0 {
			t.Fatalf("inspect %d: %v", n, info.Problems)
		}
		for _, ch := range info.Channels {
			seen[ch.State] = true
		}
		rep, err := r.Check(context.Background(), nil)
		if err != nil || len(rep.Mismatches) > 0 || len(rep.Problems) > 0 {
			t.Fatalf("check %d while writing: %v %v %v", n, err, rep.Mismatches, rep.Problems)
		}
	}
	if !seen[Committed] || !seen[InProgress] {
		t.Fatalf("states seen while writing: %v (want committed and in-progress)", seen)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("writer exited by itself before the end (%v): %s", err, stderr.String())
	}
}
