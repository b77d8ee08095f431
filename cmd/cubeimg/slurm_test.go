package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/store"
)

func TestSplitChannels(t *testing.T) {
	chans := make([]int, 32)
	for i := range chans {
		chans[i] = i
	}
	for _, n := range []int{1, 3, 4, 5, 32} {
		pieces := splitChannels(chans, n)
		var all []int
		lo, hi := len(chans), 0
		for _, pc := range pieces {
			all = append(all, pc...)
			lo, hi = min(lo, len(pc)), max(hi, len(pc))
		}
		if !slices.Equal(all, chans) || hi-lo > 1 || len(pieces[0]) != hi {
			t.Errorf("splitChannels(32, %d): sizes %d..%d, first %d, channels %v", n, lo, hi, len(pieces[0]), all)
		}
	}
	got := splitChannels([]int{3, 4, 5, 9, 10, 20}, 4)
	want := [][]int{{3, 4}, {5, 9}, {10}, {20}}
	for k := range want {
		if !slices.Equal(got[k], want[k]) {
			t.Errorf("splitChannels of a selection: %v, want %v", got, want)
			break
		}
	}
}

func TestSplitNiter(t *testing.T) {
	for _, tc := range []struct {
		niter int
		sizes []int
		want  []int
	}{
		{1000, []int{8, 8, 8, 8}, []int{250, 250, 250, 250}},
		{100, []int{11, 11, 10}, []int{34, 34, 32}},
		{10, []int{1, 1, 1}, []int{3, 3, 4}},
		{7, []int{5}, []int{7}},
	} {
		pieces := make([][]int, len(tc.sizes))
		for k, n := range tc.sizes {
			pieces[k] = make([]int, n)
		}
		got := splitNiter(tc.niter, pieces)
		sum := 0
		for _, v := range got {
			sum += v
		}
		if !slices.Equal(got, tc.want) || sum != tc.niter {
			t.Errorf("splitNiter(%d, %v) = %v (sum %d), want %v", tc.niter, tc.sizes, got, sum, tc.want)
		}
	}
}

// TestTaskMemory checks that a task's --max-resident holds its channels as the plan counts them
// (reserve max(16 MiB, budget/16)) and that --mem leaves headroom above it.
func TestTaskMemory(t *testing.T) {
	for _, fp := range []int64{3 << 20, 200 << 20, 1 << 30, 5<<30 + 12345} {
		for _, w := range []int{1, 2, 8} {
			b := autoBudget(fp, w)
			reserve := max(16<<20, b/16)
			if b-reserve < int64(w)*fp || b%(64<<20) != 0 {
				t.Errorf("autoBudget(%d, %d) = %d: leaves %d for %d", fp, w, b, b-reserve, int64(w)*fp)
			}
			if mem := b + headroom(b); mem-b < 256<<20 || mem-b < b/10 {
				t.Errorf("headroom(%d) = %d", b, mem-b)
			}
		}
	}
	for _, mem := range []int64{512 << 20, 8 << 30, 100 << 30} {
		b := budgetForMem(mem)
		if b+headroom(b) > mem {
			t.Errorf("budgetForMem(%d) = %d: with its headroom %d exceeds --mem", mem, b, b+headroom(b))
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"--cell=0.1arcsec":      "--cell=0.1arcsec",
		"":                      "''",
		"a b":                   "'a b'",
		"it's":                  `'it'\''s'`,
		"--uvtaper=1arcsec,2":   "--uvtaper=1arcsec,2",
		"/data/x $HOME/`ls`.ms": "'/data/x $HOME/`ls`.ms'",
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
		out, err := exec.Command("bash", "-c", "printf %s "+quote(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("bash reads quote(%q) as %q (%v)", in, out, err)
		}
	}
}

// buildBinaries builds cubeimg and cubestore into dir (or takes them from $CUBEIMG_BIN_DIR) and
// returns their paths. They are built without build tags, so with the pure-Go FFT: FFTW plans
// made with FFTW_MEASURE may differ from one process to the next, and with them the last bits.
func buildBinaries(t *testing.T, dir string) (string, string) {
	t.Helper()
	if bin := os.Getenv("CUBEIMG_BIN_DIR"); bin != "" {
		return filepath.Join(bin, "cubeimg"), filepath.Join(bin, "cubestore")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH: cannot build cubeimg and cubestore for the job script")
	}
	cmd := exec.Command("go", "build", "-o", dir+"/", "github.com/cubeimg/cubeimg/cmd/cubeimg", "github.com/cubeimg/cubeimg/cmd/cubestore")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "cubeimg"), filepath.Join(dir, "cubestore")
}

// run runs a command in dir with extra environment and returns its stdout; it fails the test
// on a non-zero exit unless wantFail.
func runIn(t *testing.T, dir string, env []string, wantFail bool, name string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if (err != nil) != wantFail {
		t.Fatalf("%s %s: %v (want failure: %v)\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, wantFail, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// cubeChecksums returns, per channel, the state and the tile checksums of every extension, and
// the writer of each record.
func cubeChecksums(t *testing.T, cube string) (sums []string, writers []string) {
	t.Helper()
	st, err := store.Open(cube, &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.Channels()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		b, _ := json.Marshal(r.Checksums)
		sums = append(sums, fmt.Sprintf("channel %d %s %s", r.Channel, r.State, b))
		writers = append(writers, r.Writer)
	}
	return sums, writers
}

// compareCubes fails unless both cubes have every channel committed with the same checksums.
func compareCubes(t *testing.T, got, want string) {
	t.Helper()
	g, _ := cubeChecksums(t, got)
	w, _ := cubeChecksums(t, want)
	if len(g) != len(w) {
		t.Fatalf("%s has %d channels, %s %d", got, len(g), want, len(w))
	}
	for c := range w {
		if !strings.Contains(w[c], " committed ") || g[c] != w[c] {
			t.Errorf("%s\n  vs %s (single process)", g[c], w[c])
		}
	}
}

// imagingFlags are the run flags of the tests' cluster runs: channels independent (niter scope
// channel), so that the cluster run equals one process's run.
var imagingFlags = []string{"--imsize", "64", "--cell", "0.15arcsec", "--niter", "150", "--cycleniter", "50",
	"--threshold", "5mJy", "--usemask", "auto-multithresh", "--niter-scope", "channel", "--weighting", "briggs",
	"--restoringbeam", "common"}

// fakeSlurm writes sbatch and scontrol stand-ins that log their arguments to the returned file
// (sbatch prints job ids 101, 102, ...) and returns the environment that puts them first on
// PATH, outside any Slurm job.
func fakeSlurm(t *testing.T, dir string) (env []string, log string) {
	t.Helper()
	fake := filepath.Join(dir, "fakebin")
	if err := os.Mkdir(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	log = filepath.Join(dir, "fake.log")
	for name, body := range map[string]string{
		"sbatch":   `echo "sbatch $*" >>"$FAKE_LOG"; echo "$(( $(wc -l <"$FAKE_LOG") + 100 ));cluster"`,
		"scontrol": `echo "scontrol $*" >>"$FAKE_LOG"`,
	} {
		if err := os.WriteFile(filepath.Join(fake, name), []byte("#!/bin/bash\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"PATH=" + fake + ":" + os.Getenv("PATH"), "FAKE_LOG=" + log, "SLURM_JOB_ID=", "SLURM_CPUS_PER_TASK=",
		"SLURM_ARRAY_TASK_ID=", "SLURM_RESTART_COUNT="}, log
}

// TestSlurmScriptLocal writes a job script, runs its steps as Slurm would run them (a fake
// sbatch and scontrol record their arguments) and checks the submissions, a failing task's
// requeue, and the cube: identical to a single-process run, verified, exported.
func TestSlurmScriptLocal(t *testing.T) {
	dir := t.TempDir()
	cubeimg, cubestore := buildBinaries(t, dir)
	runIn(t, dir, nil, false, cubeimg, "simulate", "-o", "sim.ms", "--nchan", "10", "--duration", "2m", "-q")
	one := []string{"GOMAXPROCS=1"} // one thread per channel: the gridder's threads add in a varying order
	runIn(t, dir, one, false, cubeimg, append([]string{"run", "--vis", "sim.ms", "--imagename", "ref", "--quiet", "--max-resident", "256MiB"}, imagingFlags...)...)

	// Errors before any planning.
	for _, bad := range [][]string{
		{"--vis", "sim.ms", "--imagename", "x"},                                   // no --tasks
		{"--tasks", "2", "--vis", "sim.ms", "--imagename", "x", "--resume"},       // a step's flag
		{"--tasks", "2", "--vis", "sim.ms", "--imagename", "x", "--prepare-only"}, // a step's flag
		{"--tasks", "2", "--vis", "sim.ms", "--imagename", "x", "--imsize", "64", "--cell", "0.15arcsec", "--mem", "300MiB", "--max-resident", "256MiB"},
		{"--tasks", "11", "--vis", "sim.ms", "--imagename", "x", "--imsize", "64", "--cell", "0.15arcsec"},
	} {
		_, errs := runIn(t, dir, nil, true, cubeimg, append([]string{"slurm", "--quiet"}, bad...)...)
		t.Logf("cubeimg slurm %s: %s", strings.Join(bad, " "), strings.TrimSpace(errs))
	}

	// The plan as JSON; a dry run creates no cube.
	out, _ := runIn(t, dir, nil, false, cubeimg, append([]string{"run", "--vis", "sim.ms", "--imagename", "dry", "--quiet", "--dry-run", "--json"}, imagingFlags...)...)
	var plan struct {
		NChan, Channels  int
		ChannelFootprint int64
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || plan.NChan != 10 || plan.Channels != 10 || plan.ChannelFootprint <= 0 {
		t.Errorf("run --dry-run --json: %+v %v\n%s", plan, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "dry.cube")); err == nil {
		t.Errorf("a dry run created dry.cube")
	}
	// A channel selection is split among the tasks.
	sel, _ := runIn(t, dir, nil, false, cubeimg, append([]string{"slurm", "--quiet", "--tasks", "2", "--vis", "sim.ms", "--imagename", "dry", "--channels", "2:5,7"}, imagingFlags...)...)
	if !strings.Contains(sel, "RANGES=(2:4 4,7)\n") {
		t.Errorf("--channels 2:5,7 in two tasks:\n%s", sel)
	}

	args := append([]string{"slurm", "--tasks", "3", "--cpus-per-task", "1", "--prepare-cpus", "2", "--quiet",
		"--vis", "sim.ms", "--imagename", "c", "--fits", "--report", "r.json", "--cubeimg", cubeimg, "--cubestore", cubestore,
		"--sbatch-arg=--constraint=nvme", "--time", "1:00:00"}, imagingFlags...)
	script, _ := runIn(t, dir, nil, false, cubeimg, args...)
	if err := os.WriteFile(filepath.Join(dir, "job.sbatch"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#SBATCH --cpus-per-task=2\n", "#SBATCH --mem=512M\n", "#SBATCH --time=1:00:00\n", "#SBATCH --constraint=nvme\n",
		"\t--vis=" + filepath.Join(dir, "sim.ms") + "\n", "\t--imagename=" + filepath.Join(dir, "c") + "\n",
		"\t--niter=150\n", "MAX_RESIDENT=256MiB\n", "RANGES=(0:4 4:7 7:10)\n", "NITER=()\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	for _, not := range []string{"\t--fits", "\t--report", "\t--channels", "\t--max-resident"} {
		if strings.Contains(script, not) {
			t.Errorf("script passes %q to every step", not)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r.json")); err == nil {
		t.Errorf("planning wrote the --report file")
	}

	env, log := fakeSlurm(t, dir)
	out, _ = runIn(t, dir, env, false, "bash", "job.sbatch")
	if !strings.Contains(out, "submitted job array 101 (3 tasks) and job 102") {
		t.Errorf("prepare step output:\n%s", out)
	}
	calls, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(calls)), "\n")
	if len(lines) != 2 {
		t.Fatalf("sbatch calls:\n%s", calls)
	}
	for _, want := range []string{"--parsable", "--time=1:00:00", "--constraint=nvme", "--array=0-2", "--requeue", "--open-mode=append",
		"--cpus-per-task=1", "--mem=512M", "--output=" + filepath.Join(dir, "c") + ".task-%A_%a.log", "job.sbatch task"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("array submission lacks %q: %s", want, lines[0])
		}
	}
	for _, want := range []string{"--dependency=afterok:101", "--kill-on-invalid-dep=yes", "job.sbatch final"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("final submission lacks %q: %s", want, lines[1])
		}
	}
	if jobs, _ := os.ReadFile(filepath.Join(dir, "c.slurm-jobs")); string(jobs) != "prepare=none array=101 final=102\n" {
		t.Errorf("c.slurm-jobs: %q", jobs)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.prepare.json")); err != nil {
		t.Errorf("prepare report: %v", err)
	}

	// A task whose cubeimg fails requeues itself while it has restarts left, and not when Slurm
	// stopped it.
	failing := filepath.Join(dir, "failing.sbatch")
	broken := strings.Replace(script, "CUBEIMG="+quote(cubeimg), "CUBEIMG=/bin/false", 1)
	os.WriteFile(failing, []byte(broken), 0o644)
	os.Remove(log)
	runIn(t, dir, append(env, "SLURM_ARRAY_TASK_ID=1", "SLURM_JOB_ID=77", "SLURM_RESTART_COUNT=2"), true, "bash", failing, "task")
	_, errs := runIn(t, dir, append(env, "SLURM_ARRAY_TASK_ID=1", "SLURM_JOB_ID=77", "SLURM_RESTART_COUNT=3"), true, "bash", failing, "task")
	if calls, _ := os.ReadFile(log); string(calls) != "scontrol requeue 77\n" || !strings.Contains(errs, "giving up") {
		t.Errorf("requeues of a failing task: %q; last stderr %q", calls, errs)
	}

	// The tasks (task 1 twice: a requeued task keeps what it committed), then the final step.
	for _, i := range []string{"2", "1", "0", "1"} {
		runIn(t, dir, append(env, "SLURM_ARRAY_TASK_ID="+i), false, "bash", "job.sbatch", "task")
	}
	out, _ = runIn(t, dir, env, false, "bash", "job.sbatch", "final")
	if !strings.Contains(out, "OK") || !strings.Contains(out, "c.image.fits") {
		t.Errorf("final step output:\n%s", out)
	}
	compareCubes(t, filepath.Join(dir, "c.cube"), filepath.Join(dir, "ref.cube"))
	if _, err := os.Stat(filepath.Join(dir, "r.task2.json")); err != nil {
		t.Errorf("task report: %v", err)
	}

	// Submitting the script again changes nothing in a complete cube.
	before, writers := cubeChecksums(t, filepath.Join(dir, "c.cube"))
	runIn(t, dir, env, false, "bash", "job.sbatch")
	runIn(t, dir, append(env, "SLURM_ARRAY_TASK_ID=0"), false, "bash", "job.sbatch", "task")
	after, writersAfter := cubeChecksums(t, filepath.Join(dir, "c.cube"))
	if !slices.Equal(before, after) || !slices.Equal(writers, writersAfter) {
		t.Errorf("a second submission rewrote channels")
	}
}

// TestSlurmScriptCubeScope checks the split of niter with --niter-scope cube and that the tasks'
// cube equals single-process runs of the same ranges with the same niter shares, one after the
// other (what README's cluster section promises).
func TestSlurmScriptCubeScope(t *testing.T) {
	dir := t.TempDir()
	cubeimg, _ := buildBinaries(t, dir)
	runIn(t, dir, nil, false, cubeimg, "simulate", "-o", "sim.ms", "--nchan", "7", "--duration", "2m", "-q")
	flags := []string{"--vis", "sim.ms", "--imsize", "64", "--cell", "0.15arcsec", "--niter", "100",
		"--threshold", "1mJy", "--usemask", "auto-multithresh", "--quiet"}
	script, _ := runIn(t, dir, nil, false, cubeimg, append([]string{"slurm", "--tasks", "2", "--imagename", "c"}, flags...)...)
	if !strings.Contains(script, "RANGES=(0:4 4:7)\n") || !strings.Contains(script, "NITER=(57 43)\n") || strings.Contains(script, "\t--niter=") ||
		!strings.Contains(script, "--prepare-only --niter=100)") {
		t.Fatalf("cube-scope script: ranges and niter shares wrong:\n%s", script)
	}
	os.WriteFile(filepath.Join(dir, "job.sbatch"), []byte(script), 0o644)
	env, _ := fakeSlurm(t, dir)
	one := append(env, "GOMAXPROCS=1")
	runIn(t, dir, one, false, "bash", "job.sbatch")
	for _, i := range []string{"1", "0"} {
		runIn(t, dir, append(one, "SLURM_ARRAY_TASK_ID="+i), false, "bash", "job.sbatch", "task")
	}
	ref := append([]string{"run", "--imagename", "ref", "--max-resident", "256MiB"}, flags...)
	runIn(t, dir, one, false, cubeimg, append(ref, "--channels", "0:4", "--niter", "57")...)
	runIn(t, dir, one, false, cubeimg, append(ref, "--channels", "4:7", "--niter", "43", "--resume")...)
	compareCubes(t, filepath.Join(dir, "c.cube"), filepath.Join(dir, "ref.cube"))

	// The whole cube as one group differs: the split is part of the result.
	runIn(t, dir, one, false, cubeimg, append([]string{"run", "--imagename", "whole", "--max-resident", "256MiB"}, flags...)...)
	g, _ := cubeChecksums(t, filepath.Join(dir, "c.cube"))
	w, _ := cubeChecksums(t, filepath.Join(dir, "whole.cube"))
	if slices.Equal(g, w) {
		t.Errorf("cube scope: the cube of two tasks equals the cube of one group: the test's niter does not bind")
	}
}
