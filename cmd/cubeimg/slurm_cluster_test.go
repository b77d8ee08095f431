package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSlurmCluster runs `cubeimg slurm` on a real Slurm cluster (make test-slurm starts one on
// localhost with tools/slurm-local.sh): a 4-task array images a simulated 32-channel cube while
// one task is requeued (scontrol requeue, as a preemption) and the cubeimg process of another is
// SIGKILLed (a failure: the task requeues itself), both once they have committed some of their
// channels. The cube must verify and equal, tile for tile, a single-process cubeimg run.
func TestSlurmCluster(t *testing.T) {
	if os.Getenv("CUBEIMG_TEST_SLURM") == "" {
		t.Skip("needs a running Slurm cluster: make test-slurm (sets CUBEIMG_TEST_SLURM=1)")
	}
	for _, c := range []string{"sbatch", "scontrol", "scancel"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s not on PATH", c)
		}
	}
	dir := t.TempDir()
	cubeimg, cubestore := buildBinaries(t, dir)
	runIn(t, dir, nil, false, cubeimg, "simulate", "-o", "sim.ms", "--nchan", "32", "--duration", "5m", "-q")
	// About 0.3 s per channel on one core, so that a task can be caught mid-run.
	flags := []string{"--imsize", "256", "--cell", "0.05arcsec", "--niter", "4000", "--cycleniter", "500", "--threshold", "0Jy",
		"--usemask", "auto-multithresh", "--niter-scope", "channel", "--weighting", "briggs", "--restoringbeam", "common", "--quiet"}
	start := time.Now()
	runIn(t, dir, []string{"GOMAXPROCS=2"}, false, cubeimg, append([]string{"run", "--vis", "sim.ms", "--imagename", "ref", "--max-resident", "512MiB"}, flags...)...)
	t.Logf("single-process run: %s", time.Since(start).Round(time.Millisecond))

	script, _ := runIn(t, dir, nil, false, cubeimg, append([]string{"slurm", "--tasks", "4", "--cpus-per-task", "1", "--prepare-cpus", "2",
		"--max-requeues", "2", "--vis", "sim.ms", "--imagename", "c", "--cubeimg", cubeimg, "--cubestore", cubestore}, flags...)...)
	if err := os.WriteFile(filepath.Join(dir, "job.sbatch"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "c")
	var jobs []string
	defer func() {
		if t.Failed() {
			dumpLogs(t, dir)
		}
		for _, j := range jobs {
			exec.Command("scancel", j).Run()
		}
	}()
	start = time.Now()
	out, _ := runIn(t, dir, nil, false, "sbatch", "--parsable", "job.sbatch")
	prep := strings.Split(strings.TrimSpace(out), ";")[0]
	jobs = append(jobs, prep)

	// The prepare job writes the ids of what it submitted.
	var array, final string
	deadline := time.Now().Add(3 * time.Minute)
	for array == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the prepare job %s did not submit the array within 3 minutes (state %s)", prep, jobState(t, prep))
		}
		if b, err := os.ReadFile(name + ".slurm-jobs"); err == nil {
			m := regexp.MustCompile(`array=(\d+) final=(\d+)`).FindStringSubmatch(string(b))
			if m == nil {
				t.Fatalf("%s.slurm-jobs: %q", name, b)
			}
			array, final = m[1], m[2]
			jobs = append(jobs, array, final)
		} else if st := jobState(t, prep); st == "FAILED" || st == "CANCELLED" {
			t.Fatalf("the prepare job %s ended %s", prep, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("prepare job %s submitted array %s and final job %s after %s", prep, array, final, time.Since(start).Round(time.Millisecond))

	// Catch two tasks with some but not all of their channels committed: requeue the first, kill
	// the cubeimg process of the second.
	requeued, killed := -1, -1
	deadline = time.Now().Add(5 * time.Minute)
	for requeued < 0 || killed < 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no task caught mid-run within 5 minutes (requeued %d, killed %d)", requeued, killed)
		}
		if st := jobState(t, final); st != "PENDING" {
			t.Fatalf("the final job is %s before a task was caught mid-run (requeued %d, killed %d): the tasks are too fast for this test", st, requeued, killed)
		}
		sums, _ := cubeChecksums(t, name+".cube")
		for k := range 4 {
			n := 0
			for c := 8 * k; c < 8*k+8; c++ {
				if strings.Contains(sums[c], " committed ") {
					n++
				}
			}
			if n == 0 || n == 8 || k == requeued || k == killed {
				continue
			}
			task := array + "_" + strconv.Itoa(k)
			if requeued < 0 {
				runIn(t, dir, nil, false, "scontrol", "requeue", task)
				requeued = k
				t.Logf("requeued task %d with %d of its 8 channels committed", k, n)
			} else if pid := taskProcess(name, fmt.Sprintf("%d:%d", 8*k, 8*k+8)); pid > 0 {
				if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
					killed = k
					t.Logf("killed the cubeimg of task %d (pid %d) with %d of its 8 channels committed", k, pid, n)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}

	for st := jobState(t, final); st != "COMPLETED"; st = jobState(t, final) {
		if time.Now().After(deadline) || st == "FAILED" || st == "CANCELLED" || st == "TIMEOUT" {
			t.Fatalf("final job %s: %s", final, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("cluster run with two interrupted tasks: %s from sbatch to the final job's end", time.Since(start).Round(time.Millisecond))
	logs, _ := filepath.Glob(name + ".final-*.log")
	if len(logs) != 1 {
		t.Fatalf("final job logs: %v", logs)
	}
	if b, _ := os.ReadFile(logs[0]); !bytes.Contains(b, []byte("\nOK\n")) {
		t.Errorf("final job log %s:\n%s", logs[0], b)
	}
	compareCubes(t, name+".cube", filepath.Join(dir, "ref.cube"))

	// Both tasks ran twice: their channels were committed by two different openings of the store.
	_, writers := cubeChecksums(t, name+".cube")
	for _, k := range []int{requeued, killed} {
		seen := map[string]bool{}
		for c := 8 * k; c < 8*k+8; c++ {
			seen[writers[c]] = true
		}
		info := jobInfo(t, array+"_"+strconv.Itoa(k))
		if len(seen) < 2 || !strings.Contains(info, "Restarts=1") {
			t.Errorf("task %d: %d writers of its channels (want 2: before and after the interruption); %s", k, len(seen), info)
		}
	}
	tlog, _ := os.ReadFile(fmt.Sprintf("%s.task-%s_%d.log", name, array, killed))
	if !bytes.Contains(tlog, []byte("requeueing (restart 1 of at most 2)")) {
		t.Errorf("the killed task's log does not show its requeue:\n%s", tlog)
	}
}

// jobInfo returns scontrol's one-line description of a job.
func jobInfo(t *testing.T, id string) string {
	t.Helper()
	out, err := exec.Command("scontrol", "show", "job", "-o", id).CombinedOutput()
	if err != nil {
		t.Fatalf("scontrol show job %s: %v\n%s", id, err, out)
	}
	return string(out)
}

// jobState returns a job's state (of its first record, for an array).
func jobState(t *testing.T, id string) string {
	m := regexp.MustCompile(`JobState=(\S+)`).FindStringSubmatch(jobInfo(t, id))
	if m == nil {
		return "UNKNOWN"
	}
	return m[1]
}

// taskProcess finds the cubeimg process of the task imaging channels rng of cube name (0: none).
func taskProcess(name, rng string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) < 2 || filepath.Base(args[0]) != "cubeimg" || args[1] != "run" {
			continue
		}
		cmd := strings.Join(args, " ")
		if strings.Contains(cmd, "--imagename="+name+" ") && strings.Contains(cmd, "--channels="+rng+" ") {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	return 0
}

// dumpLogs prints the cluster run's logs.
func dumpLogs(t *testing.T, dir string) {
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		t.Logf("---- %s\n%s", filepath.Base(l), b)
	}
	if out, err := exec.Command("squeue", "-a").CombinedOutput(); err == nil {
		t.Logf("---- squeue\n%s", out)
	}
}
