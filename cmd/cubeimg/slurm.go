package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cubeimg/cubeimg/pipeline"
	"github.com/cubeimg/cubeimg/tiles"
)

// slurmFlags holds the flags of `cubeimg slurm` that are not run flags.
type slurmFlags struct {
	tasks, cpus, prepareCPUs, maxRequeues  int
	mem, time, partition, account, jobName string
	cubeimg, cubestore                     string
	sbatchArgs                             []string
}

// The flags `cubeimg slurm` sets for each step itself.
var slurmOwnedFlags = map[string]string{
	"channels":       "", // handled: split into the tasks' ranges
	"resume":         "every step resumes",
	"prepare-only":   "the prepare step sets it",
	"skip-committed": "the tasks set it",
	"dry-run":        "cubeimg slurm plans the run itself",
}

const slurmLong = `slurm writes a Slurm batch script (to stdout) that images a cube on a cluster: a job array of
--tasks tasks, each imaging a range of channels into the one store NAME.cube on a shared file
system. No concatenation step: the store takes writers of disjoint channels from any number of
processes and hosts.

  cubeimg slurm --tasks 16 --cpus-per-task 4 --vis /data/x.ms --imagename /scratch/x \
      --imsize 2048 --cell 0.05arcsec --niter 20000 --usemask auto-multithresh > x.sbatch
  sbatch x.sbatch

The flow:
  1. prepare (the submitted job): cubeimg run --prepare-only builds the spool NAME.spool, creates
     the store, computes every channel's PSF and beam and the common beam; then it submits steps 2
     and 3 and ends.
  2. a job array of --tasks tasks (sbatch --array --requeue); task i runs
     cubeimg run --channels <its range a:b> --resume --skip-committed with every run flag given
     here. A task that fails requeues itself (scontrol requeue, at most --max-requeues restarts),
     a preempted task is requeued by Slurm; the task then keeps the channels it committed and
     continues the others. A task opens only its own channels for writing.
  3. final (sbatch --dependency=afterok on the array): cubestore verify --complete, and with
     --fits the export of every extension as NAME.<ext>.fits.
Logs: NAME.prepare-<job>.log, NAME.task-<array>_<i>.log (every attempt, appended),
NAME.final-<job>.log; the job ids are written to NAME.slurm-jobs. Submitting the same script again
continues an unfinished cube (not while its tasks still run: the spool could be rebuilt under them).

Planning. slurm plans the run as cubeimg run --dry-run does, so it reads the input once into
NAME.spool (reused by the prepare step; run it where the data are). Each task gets
--max-resident (yours, or the smallest that holds --cpus-per-task channels at once) and asks Slurm
for --mem = max-resident + max(256 MiB, 10%): Slurm's cgroup kills a task above --mem, cubeimg
keeps below --max-resident (+ 64 MiB). --mem given alone sets --max-resident below it the same way.
The binaries (--cubeimg, --cubestore) and every path must be visible from the compute nodes;
paths are made absolute.

Cube-global values and tclean's semantics across tasks:
  - fracbw (briggsbwtaper) comes from the cube's spectral axis and is the same in every task.
  - the common beam (auto-multithresh's beam, --restoringbeam common) is computed once, in the
    prepare step, from every channel's PSF: exactly what a single-process run uses.
  - --niter-scope channel: every channel has its own iteration control, so the cube is identical
    (tile checksums) to a single-process cubeimg run with the same flags.
  - --niter-scope cube (tclean's default: niter counts over the cube and one cycle threshold
    follows the peak residual of all channels): here the channels of one task form the group.
    slurm gives task k niter x (its channels / all channels), rounded so that the tasks' shares
    add up to --niter. The cube then depends on the split: a single-process run reproduces it
    only when run on the same --channels ranges one after another with those niter shares.`

func newSlurmCmd() *cobra.Command {
	p := pipeline.DefaultParams()
	var f runFlags
	var s slurmFlags
	runSet := f.flagSet(&p)
	cmd := &cobra.Command{
		Use:   "slurm --tasks N [flags] > job.sbatch",
		Short: "Write a Slurm job script that images a cube as a job array of channel ranges into one store",
		Long:  slurmLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var prog pipeline.Progress = pipeline.Discard
			if !f.quiet {
				prog = pipeline.NewProgress(os.Stderr, term.IsTerminal(int(os.Stderr.Fd())), 10*time.Second)
			}
			job, err := planSlurm(ctx, &p, &f, &s, cmd, runSet, prog)
			if err != nil {
				return err
			}
			return job.write(cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.IntVar(&s.tasks, "tasks", 0, "number of array tasks; the channels are split into this many contiguous ranges (required)")
	fl.IntVar(&s.cpus, "cpus-per-task", 1, "CPUs of each task (sbatch --cpus-per-task; cubeimg's cores: GOMAXPROCS)")
	fl.IntVar(&s.prepareCPUs, "prepare-cpus", 0, "CPUs of the prepare job (0: --cpus-per-task)")
	fl.StringVar(&s.mem, "mem", "", "memory of each task and of the prepare job (sbatch --mem, e.g. 8GiB); default --max-resident plus headroom")
	fl.StringVar(&s.time, "time", "", "wall-time limit of each job: prepare, every task and final (sbatch --time, e.g. 4:00:00)")
	fl.StringVar(&s.partition, "partition", "", "partition of every job (sbatch --partition)")
	fl.StringVar(&s.account, "account", "", "account charged for every job (sbatch --account)")
	fl.StringArrayVar(&s.sbatchArgs, "sbatch-arg", nil, "extra sbatch option for every job, e.g. --sbatch-arg=--constraint=nvme (repeatable)")
	fl.StringVar(&s.jobName, "job-name", "", "job name prefix (default cubeimg-<basename of --imagename>)")
	fl.IntVar(&s.maxRequeues, "max-requeues", 3, "restarts after which a failing task gives up (counts Slurm's requeues too)")
	fl.StringVar(&s.cubeimg, "cubeimg", "", "path of the cubeimg binary the jobs run (default: this executable)")
	fl.StringVar(&s.cubestore, "cubestore", "", "path of the cubestore binary (default: beside cubeimg, else on PATH)")
	// The run flags, as the steps take them; those the steps set themselves are hidden (and
	// refused), a few mean something for the whole job.
	for name := range slurmOwnedFlags {
		if name != "channels" {
			runSet.Lookup(name).Hidden = true
		}
	}
	for name, usage := range map[string]string{
		"channels":     "image only these channels ('12,40:44'), split among the tasks (default: all)",
		"max-resident": "memory bound of each task and of the prepare job (default: the smallest that holds --cpus-per-task channels)",
		"workers":      "channels each task images at once (0: as many as --cpus-per-task and --max-resident allow)",
		"report":       "JSON run reports: FILE with .prepare and .task<i> inserted before its extension, one per step",
		"fits":         "the final job exports every extension as NAME.<ext>.fits (cubestore convert)",
	} {
		runSet.Lookup(name).Usage = usage
	}
	runSet.Lookup("max-resident").DefValue = ""
	fl.AddFlagSet(runSet)
	return cmd
}

// slurmJob is everything the script is written from.
type slurmJob struct {
	Command            string // the cubeimg slurm command line, for the header
	Cubeimg, Cubestore string
	Name               string // --imagename, absolute
	JobName            string
	RunArgs            []string // the run flags passed to every step
	MaxResident        string
	Mem, FinalMem      string // sbatch --mem values
	CPUs, PrepareCPUs  int
	Ranges             []string
	Counts             []int
	Niters             []int // per task; nil when niter is not split
	Niter              int
	MaxRequeues        int
	Sbatch             []string // options for every sbatch call
	ReportPrefix       string   // --report without its extension ("" = no report)
	ReportExt          string
	Fits               bool
	Plan               []string // plan lines for the header
}

// headroom is what a task's --mem holds beyond its --max-resident: the allowed overshoot of the
// memory bound (64 MiB), the runtime and the binary.
func headroom(maxResident int64) int64 { return max(256<<20, maxResident/10) }

// budgetForMem is the largest --max-resident whose --mem fits in mem.
func budgetForMem(mem int64) int64 { return min(mem-256<<20, mem*10/11) }

// autoBudget is the smallest --max-resident that holds workers channels of footprint bytes at
// once, as the plan counts it (a reserve of max(16 MiB, budget/16) besides), with 64 MiB more for
// the store's cached tiles, in 64 MiB steps.
func autoBudget(footprint int64, workers int) int64 {
	need := int64(workers) * footprint
	b := max(need+16<<20, need*16/15) + 64<<20
	const step = 64 << 20
	return max(256<<20, (b+step-1)/step*step)
}

// splitChannels cuts chans into n contiguous pieces whose sizes differ by at most one, the
// larger ones first.
func splitChannels(chans []int, n int) [][]int {
	out := make([][]int, n)
	size, extra := len(chans)/n, len(chans)%n
	lo := 0
	for k := range n {
		hi := lo + size
		if k < extra {
			hi++
		}
		out[k] = chans[lo:hi]
		lo = hi
	}
	return out
}

// splitNiter gives each piece niter x (its channels / all channels), rounded so that the shares
// add up to niter.
func splitNiter(niter int, pieces [][]int) []int {
	total := 0
	for _, pc := range pieces {
		total += len(pc)
	}
	out := make([]int, len(pieces))
	done := 0
	for k, pc := range pieces {
		end := done + len(pc)
		out[k] = int(int64(niter)*int64(end)/int64(total) - int64(niter)*int64(done)/int64(total))
		done = end
	}
	return out
}

// planSlurm checks the flags, plans the run and returns the job to write.
func planSlurm(ctx context.Context, p *pipeline.Params, f *runFlags, s *slurmFlags, cmd *cobra.Command, runSet *pflag.FlagSet, prog pipeline.Progress) (*slurmJob, error) {
	changed := cmd.Flags().Changed
	if s.tasks < 1 {
		return nil, errors.New("--tasks: give the number of array tasks (at least 1)")
	}
	if s.cpus < 1 {
		return nil, fmt.Errorf("--cpus-per-task %d: must be at least 1", s.cpus)
	}
	if s.prepareCPUs == 0 {
		s.prepareCPUs = s.cpus
	}
	if s.prepareCPUs < 1 {
		return nil, fmt.Errorf("--prepare-cpus %d: must be at least 1", s.prepareCPUs)
	}
	if s.maxRequeues < 0 {
		return nil, fmt.Errorf("--max-requeues %d is negative", s.maxRequeues)
	}
	for name, why := range slurmOwnedFlags {
		if changed(name) && why != "" {
			return nil, fmt.Errorf("--%s: not a flag of cubeimg slurm (%s)", name, why)
		}
	}
	if err := f.apply(p, cmd); err != nil {
		return nil, err
	}
	// Paths are made absolute: the jobs run elsewhere.
	for _, ptr := range []*string{&p.Vis, &p.ImageName, &p.Mask, &p.Report} {
		if *ptr == "" {
			continue
		}
		abs, err := filepath.Abs(*ptr)
		if err != nil {
			return nil, err
		}
		*ptr = abs
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	job := &slurmJob{Name: p.ImageName, CPUs: s.cpus, PrepareCPUs: s.prepareCPUs, MaxRequeues: s.maxRequeues,
		Fits: p.Fits, Niter: p.Niter, Command: commandLine(cmd)}
	var err error
	if job.Cubeimg, job.Cubestore, err = binaries(s.cubeimg, s.cubestore); err != nil {
		return nil, err
	}
	job.JobName = s.jobName
	if job.JobName == "" {
		job.JobName = "cubeimg-" + filepath.Base(p.ImageName)
	}

	// Memory: --max-resident and --mem, either from the other or from the plan.
	var memBytes int64
	if s.mem != "" {
		if memBytes, err = tiles.ParseSize(s.mem); err != nil {
			return nil, fmt.Errorf("--mem: %w", err)
		}
		if changed("max-resident") && p.MaxResident+256<<20 > memBytes {
			return nil, fmt.Errorf("--max-resident %s leaves less than 256 MiB of --mem %s for the runtime: Slurm would kill the tasks; lower --max-resident or raise --mem",
				tiles.FormatSize(p.MaxResident), tiles.FormatSize(memBytes))
		}
		if !changed("max-resident") {
			p.MaxResident = budgetForMem(memBytes)
			if p.MaxResident <= 0 {
				return nil, fmt.Errorf("--mem %s is too small for a task", s.mem)
			}
		}
	}

	// First the whole cube's plan (this builds the spool): its memory per channel does not depend
	// on the budget nor on the cores.
	q := *p
	q.Resume = true // an existing cube is continued, as the jobs do
	q.Report = ""
	if !changed("max-resident") && s.mem == "" {
		q.MaxResident = 1 << 40 // the footprint does not depend on the budget
	}
	whole, err := pipeline.DryRun(ctx, &q, prog)
	if whole == nil {
		return nil, err
	}
	chans, err := pipeline.ParseChannels(p.Channels, whole.NChan)
	if err != nil {
		return nil, err
	}
	if s.tasks > len(chans) {
		return nil, fmt.Errorf("--tasks %d: there are only %d channels to image", s.tasks, len(chans))
	}
	pieces := splitChannels(chans, s.tasks)
	for _, pc := range pieces {
		job.Ranges = append(job.Ranges, pipeline.FormatChannels(pc))
		job.Counts = append(job.Counts, len(pc))
	}
	largest := len(pieces[0])
	if !changed("max-resident") && s.mem == "" {
		workers := min(s.cpus, largest)
		if p.Workers > 0 {
			workers = p.Workers
		}
		p.MaxResident = autoBudget(whole.ChannelFootprint, workers)
	}
	if memBytes == 0 {
		memBytes = p.MaxResident + headroom(p.MaxResident)
	}
	p.MaxResident = p.MaxResident >> 20 << 20 // the script writes it in MiB
	if p.MaxResident <= 0 {
		return nil, errors.New("--max-resident: less than 1 MiB")
	}
	job.MaxResident = fmt.Sprintf("%dMiB", p.MaxResident>>20)
	job.Mem = fmt.Sprintf("%dM", (memBytes+1<<20-1)>>20)
	job.FinalMem = "1G"

	// The plan of the largest task under that budget and on the tasks' CPUs (cubeimg counts cores
	// with GOMAXPROCS, which the script sets to --cpus-per-task): refuse here what the tasks would
	// refuse.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(s.cpus))
	q = *p
	q.Resume, q.Report = true, ""
	q.Channels = job.Ranges[0]
	plan, err := pipeline.DryRun(ctx, &q, prog)
	if plan == nil {
		return nil, err
	}
	if plan.Refusal != "" {
		return nil, fmt.Errorf("a task of %d channels on %d CPU(s) would be refused: %s", largest, s.cpus, plan.Refusal)
	}
	job.Plan = planLines(whole, plan, p, job)
	if smallest := len(pieces[len(pieces)-1]); plan.ThreadsPerWorker > 1 || smallest < s.cpus {
		fmt.Fprintf(os.Stderr, "cubeimg slurm: note: tasks of %d channel(s) on %d CPUs image a channel with several threads; the cube is then not bit-identical to another run's (the threaded gridder adds in a varying order)\n", smallest, s.cpus)
	}

	if p.NiterScope == "cube" && p.Niter > 0 {
		job.Niters = splitNiter(p.Niter, pieces)
	}
	if p.Report != "" {
		ext := filepath.Ext(p.Report)
		job.ReportPrefix, job.ReportExt = strings.TrimSuffix(p.Report, ext), ext
	}
	job.RunArgs = runArgs(runSet, p, job.Niters != nil)

	if s.time != "" {
		job.Sbatch = append(job.Sbatch, "--time="+s.time)
	}
	if s.partition != "" {
		job.Sbatch = append(job.Sbatch, "--partition="+s.partition)
	}
	if s.account != "" {
		job.Sbatch = append(job.Sbatch, "--account="+s.account)
	}
	for _, a := range s.sbatchArgs {
		if !strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("--sbatch-arg %q: give an sbatch option such as --constraint=nvme", a)
		}
		job.Sbatch = append(job.Sbatch, a)
	}
	return job, nil
}

// runArgs renders the run flags the user set, for every step: paths absolute; the flags the
// steps set themselves left out (and niter when it is split among the tasks).
func runArgs(runSet *pflag.FlagSet, p *pipeline.Params, splitNiter bool) []string {
	var out []string
	runSet.VisitAll(func(fl *pflag.Flag) {
		if !fl.Changed {
			return
		}
		switch fl.Name {
		case "channels", "resume", "prepare-only", "skip-committed", "dry-run", "max-resident", "report", "fits":
			return
		case "niter":
			if splitNiter {
				return
			}
		}
		v := fl.Value.String()
		switch fl.Name {
		case "vis":
			v = p.Vis
		case "imagename":
			v = p.ImageName
		case "mask":
			v = p.Mask
		}
		if fl.Value.Type() == "stringArray" || fl.Value.Type() == "stringSlice" {
			v = strings.Trim(v, "[]")
		}
		out = append(out, "--"+fl.Name+"="+v)
	})
	return out
}

// commandLine renders the command as given (flags that were set), for the script's header.
func commandLine(cmd *cobra.Command) string {
	parts := []string{"cubeimg", "slurm"}
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		v := fl.Value.String()
		if t := fl.Value.Type(); t == "stringArray" || t == "stringSlice" {
			v = strings.Trim(v, "[]")
		}
		parts = append(parts, quote("--"+fl.Name+"="+v))
	})
	return strings.Join(parts, " ")
}

// binaries finds the cubeimg and cubestore executables the jobs run.
func binaries(cubeimg, cubestore string) (string, string, error) {
	var err error
	if cubeimg == "" {
		if cubeimg, err = os.Executable(); err != nil {
			return "", "", fmt.Errorf("--cubeimg: this executable's path: %w", err)
		}
		if resolved, err := filepath.EvalSymlinks(cubeimg); err == nil {
			cubeimg = resolved
		}
	}
	if cubestore == "" {
		cubestore = filepath.Join(filepath.Dir(cubeimg), "cubestore")
		if _, err := os.Stat(cubestore); err != nil {
			if cubestore, err = exec.LookPath("cubestore"); err != nil {
				return "", "", errors.New("--cubestore: no cubestore beside cubeimg nor on PATH; give its path")
			}
		}
	}
	for _, b := range []*string{&cubeimg, &cubestore} {
		abs, err := filepath.Abs(*b)
		if err != nil {
			return "", "", err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return "", "", fmt.Errorf("binary %s: %w", abs, err)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", "", fmt.Errorf("binary %s is not an executable file", abs)
		}
		*b = abs
	}
	return cubeimg, cubestore, nil
}

// planLines summarises the plan for the script's header.
func planLines(whole, task *pipeline.Plan, p *pipeline.Params, job *slurmJob) []string {
	fs := tiles.FormatSize
	lines := []string{
		fmt.Sprintf("cube %d x %d pixels x %d channels, uv grid %d x %d, FFT %s; store %s on disk",
			whole.Nx, whole.Ny, whole.NChan, whole.GridNx, whole.GridNy, whole.FFTImpl, fs(whole.StoreBytes)),
		fmt.Sprintf("memory per channel %s (uv grid and scratch %s, samples %s for up to %d, store planes %s)",
			fs(whole.ChannelFootprint), fs(whole.FixedBytes), fs(whole.SampleBytes), whole.MaxSamples, fs(whole.PinnedBytes)),
		fmt.Sprintf("each task: --cpus-per-task %d, --max-resident %s (%d channel(s) at once x %d thread(s)), sbatch --mem %s",
			job.CPUs, job.MaxResident, task.Workers, task.ThreadsPerWorker, job.Mem),
		fmt.Sprintf("largest task (%d channels): estimated %s (cost model of cubeimg run --dry-run)", task.Channels, task.Estimate.Round(time.Second)),
	}
	for k, r := range job.Ranges {
		line := fmt.Sprintf("task %d: channels %s (%d)", k, r, job.Counts[k])
		if job.Niters != nil {
			line += fmt.Sprintf(", niter %d", job.Niters[k])
		}
		lines = append(lines, line)
	}
	if p.NiterScope == "cube" && p.Niter > 0 {
		lines = append(lines, fmt.Sprintf("niter-scope cube: --niter %d is split among the tasks by their channels; each task's channels are one iteration-control group", p.Niter))
	}
	return lines
}

// quote returns s quoted for bash.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=.,:/+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(s)
	}
	return out
}

func (j *slurmJob) write(w io.Writer) error {
	t := template.Must(template.New("sbatch").Funcs(template.FuncMap{
		"q":    quote,
		"last": func(n int) int { return n - 1 },
		"join": func(ss []string) string { return strings.Join(quoteAll(ss), " ") },
		"ints": func(v []int) string {
			s := make([]string, len(v))
			for i, x := range v {
				s[i] = fmt.Sprint(x)
			}
			return strings.Join(s, " ")
		},
	}).Parse(sbatchTemplate))
	return t.Execute(w, j)
}

const sbatchTemplate = `#!/bin/bash
# Cluster run of cubeimg, written by:
#   {{.Command}}
#
# Submit it with   sbatch THIS_FILE   (or run  bash THIS_FILE  where sbatch works: the prepare
# step then runs right there). Submitting it again continues an unfinished cube.
#
#   1. this job (prepare): cubeimg run --prepare-only: spool, store, every channel's PSF and beam,
#      common beam; then it submits 2 and 3 and ends;
#   2. a job array of {{len .Ranges}} tasks: cubeimg run --channels RANGE --resume --skip-committed; a task
#      that fails requeues itself (at most {{.MaxRequeues}} restarts), a preempted one is requeued by
#      Slurm, and keeps the channels it committed;
#   3. final, after every task succeeded: cubestore verify --complete{{if .Fits}}, FITS export{{end}}.
# Logs: {{.Name}}.prepare-JOB.log, .task-ARRAY_I.log, .final-JOB.log;
# job ids in {{.Name}}.slurm-jobs.
#
# Plan:
{{- range .Plan}}
#   {{.}}
{{- end}}
#
#SBATCH --job-name={{.JobName}}
#SBATCH --cpus-per-task={{.PrepareCPUs}}
#SBATCH --mem={{.Mem}}
#SBATCH --output={{.Name}}.prepare-%j.log
{{- range .Sbatch}}
#SBATCH {{.}}
{{- end}}
set -euo pipefail

CUBEIMG={{q .Cubeimg}}
CUBESTORE={{q .Cubestore}}
NAME={{q .Name}}
RUN=(
{{- range .RunArgs}}
	{{q .}}
{{- end}}
)
MAX_RESIDENT={{.MaxResident}}
RANGES=({{join .Ranges}})
NITER=({{ints .Niters}})
MAX_REQUEUES={{.MaxRequeues}}
SBATCH=({{join .Sbatch}})
REPORT_PREFIX={{q .ReportPrefix}}
REPORT_EXT={{q .ReportExt}}

# cubeimg counts the cores it may use with GOMAXPROCS.
export GOMAXPROCS="${SLURM_CPUS_PER_TASK:-{{.PrepareCPUs}}}"

case "${1:-prepare}" in
prepare)
	jobs_file="$NAME.slurm-jobs"
	if [ -n "${SLURM_JOB_ID:-}" ] && [ -f "$jobs_file" ] && grep -q "^prepare=$SLURM_JOB_ID " "$jobs_file"; then
		echo "this job (restarted) already submitted its tasks: $(cat "$jobs_file")"
		exit 0
	fi
	args=(--max-resident="$MAX_RESIDENT" --resume --prepare-only{{if .Niters}} --niter={{.Niter}}{{end}})
	if [ -n "$REPORT_PREFIX" ]; then args+=(--report="$REPORT_PREFIX.prepare$REPORT_EXT"); fi
	"$CUBEIMG" run "${RUN[@]}" "${args[@]}"
	array=$(sbatch --parsable ${SBATCH[@]+"${SBATCH[@]}"} --job-name={{q .JobName}}-task --array=0-{{last (len .Ranges)}} \
		--requeue --open-mode=append --cpus-per-task={{.CPUs}} --mem={{.Mem}} \
		--output="$NAME.task-%A_%a.log" "$0" task)
	array=${array%%;*}
	final=$(sbatch --parsable ${SBATCH[@]+"${SBATCH[@]}"} --job-name={{q .JobName}}-final --dependency="afterok:$array" \
		--kill-on-invalid-dep=yes --cpus-per-task=1 --mem={{.FinalMem}} --output="$NAME.final-%j.log" "$0" final)
	final=${final%%;*}
	echo "prepare=${SLURM_JOB_ID:-none} array=$array final=$final" >"$jobs_file"
	echo "submitted job array $array ({{len .Ranges}} tasks) and job $final (verify, after every task succeeded)"
	;;
task)
	i="${SLURM_ARRAY_TASK_ID:?not a job-array task (SLURM_ARRAY_TASK_ID is unset)}"
	args=(--max-resident="$MAX_RESIDENT" --channels="${RANGES[$i]}" --resume --skip-committed)
	if [ -n "${NITER[*]+set}" ]; then args+=(--niter="${NITER[$i]}"); fi
	if [ -n "$REPORT_PREFIX" ]; then args+=(--report="$REPORT_PREFIX.task$i$REPORT_EXT"); fi
	# Slurm signals the job when it cancels, preempts or requeues it: no requeue of our own then.
	stopped=0
	trap 'stopped=1' TERM INT
	rc=0
	"$CUBEIMG" run "${RUN[@]}" "${args[@]}" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$stopped" -eq 0 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
		n="${SLURM_RESTART_COUNT:-0}"
		if [ "$n" -lt "$MAX_REQUEUES" ]; then
			echo "task $i: cubeimg exited with status $rc; requeueing (restart $((n + 1)) of at most $MAX_REQUEUES)" >&2
			scontrol requeue "$SLURM_JOB_ID"
		else
			echo "task $i: cubeimg exited with status $rc after $n restarts; giving up" >&2
		fi
	fi
	exit "$rc"
	;;
final)
	"$CUBESTORE" verify --quiet --complete "$NAME.cube"
{{- if .Fits}}
	"$CUBESTORE" convert --quiet "$NAME.cube" --ext all -o "$NAME.fits"
{{- end}}
	;;
*)
	echo "usage: sbatch $0   (steps: $0 prepare | task | final)" >&2
	exit 2
	;;
esac
`
