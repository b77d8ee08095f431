package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// memoryCgroup creates a memory cgroup limited to limit bytes (v2 where the memory controller is
// there, else v1) and returns the file a process writes its pid to, and a cleanup. It skips the
// test where cgroups cannot be created.
func memoryCgroup(t *testing.T, limit int64) (procs string, peak func() int64) {
	t.Helper()
	name := fmt.Sprintf("cubeimg-test-%d", os.Getpid())
	if b, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil && strings.Contains(string(b), "memory") {
		dir := filepath.Join("/sys/fs/cgroup", name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Skipf("cannot create a cgroup v2 (%v): skipping the memory-cgroup test", err)
		}
		t.Cleanup(func() { os.Remove(dir) })
		if err := os.WriteFile(filepath.Join(dir, "memory.max"), []byte(fmt.Sprint(limit)), 0o644); err != nil {
			t.Skipf("cannot set memory.max (%v): skipping", err)
		}
		os.WriteFile(filepath.Join(dir, "memory.swap.max"), []byte("0"), 0o644)
		return filepath.Join(dir, "cgroup.procs"), func() int64 { return readInt(filepath.Join(dir, "memory.peak")) }
	}
	dir := filepath.Join("/sys/fs/cgroup/memory", name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot create a memory cgroup (v1 or v2) here (%v): skipping the memory-cgroup test", err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	if err := os.WriteFile(filepath.Join(dir, "memory.limit_in_bytes"), []byte(fmt.Sprint(limit)), 0o644); err != nil {
		t.Skipf("cannot set memory.limit_in_bytes (%v): skipping", err)
	}
	os.WriteFile(filepath.Join(dir, "memory.memsw.limit_in_bytes"), []byte(fmt.Sprint(limit)), 0o644)
	return filepath.Join(dir, "cgroup.procs"), func() int64 { return readInt(filepath.Join(dir, "memory.max_usage_in_bytes")) }
}

func readInt(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	var n int64
	fmt.Sscan(strings.TrimSpace(string(b)), &n)
	return n
}

// A run completes inside a memory cgroup of --max-resident + 64 MiB, and its peak RSS (VmHWM,
// mapped file pages included) stays under that bound.
func TestRun_InsideMemoryCgroup(t *testing.T) {
	const maxRes = 96 << 20
	const limit = maxRes + 64<<20
	dir := t.TempDir()
	ms, _ := simulateMS(t, dir, simOptions{nchan: 12, duration: 300, sigma: -1, flagFrac: 0.01})
	p := smallParams(ms, filepath.Join(dir, "mem"))
	p.Imsize = [2]int{512, 512}
	p.Cell = [2]float64{0.05 * arcsecRad, 0.05 * arcsecRad}
	p.MaxResident = maxRes
	p.Niter = 500
	p.Report = filepath.Join(dir, "run.json")
	procs, peak := memoryCgroup(t, limit)

	child := childCmd(t, p)
	// The shell joins the cgroup before it becomes the pipeline process.
	cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$0" && exec "$@"`, procs)
	cmd.Args = append(cmd.Args, child.Args...)
	cmd.Env = child.Env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run inside a %d MiB cgroup: %v\n%s", limit>>20, err, out)
	}
	var r Report
	b, err := os.ReadFile(p.Report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("peak RSS %d MiB (VmHWM), budget peak %d MiB, cgroup peak %d MiB, cap %d MiB + 64 MiB",
		r.Memory.PeakRSS>>20, r.Memory.BudgetPeak>>20, peak()>>20, maxRes>>20)
	if r.Memory.PeakRSS > limit {
		t.Errorf("peak RSS %d bytes > --max-resident + 64 MiB = %d", r.Memory.PeakRSS, limit)
	}
	if r.Memory.BudgetPeak > maxRes {
		t.Errorf("budget peak %d > --max-resident %d", r.Memory.BudgetPeak, maxRes)
	}
	if r.Channels.Imaged != 12 {
		t.Errorf("%d channels imaged, want 12", r.Channels.Imaged)
	}
}
