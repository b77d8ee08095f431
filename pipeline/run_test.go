package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The store must be identical (tile checksums) whatever --workers is.
func TestRun_WorkersDoNotChangeTheCube(t *testing.T) {
	dir := t.TempDir()
	ms, _ := simulateMS(t, dir, simOptions{nchan: 4, duration: 120, sigma: -1, flagFrac: 0.01})
	var sums []map[int]string
	for _, workers := range []int{1, 2} {
		for _, scope := range []string{"cube", "channel"} {
			p := smallParams(ms, filepath.Join(dir, "w"+scope+string(rune('0'+workers))))
			p.Workers, p.NiterScope = workers, scope
			mustRun(t, p)
			sums = append(sums, checksums(t, cubePath(p.ImageName)))
		}
	}
	sameChecksums(t, "cube scope, workers 2 vs 1", sums[2], sums[0])
	sameChecksums(t, "channel scope, workers 2 vs 1", sums[3], sums[1])
}

// A run killed at any point and resumed gives the cube an uninterrupted run gives.
func TestRun_ResumeAfterSIGKILL(t *testing.T) {
	dir := t.TempDir()
	ms, _ := simulateMS(t, dir, simOptions{nchan: 4, duration: 120, sigma: -1, flagFrac: 0.01})
	ref := smallParams(ms, filepath.Join(dir, "ref"))
	mustRun(t, ref)
	want := checksums(t, cubePath(ref.ImageName))

	faults := []string{
		"spool:1",       // while the spool is being built
		"psf:3",         // after a PSF, before its channel record
		"dirty:2",       // after a dirty image
		"mask:3",        // before an auto-multithresh update
		"minor:2:300us", // inside a minor cycle
		"minor:5:1ms",   // inside a later minor cycle
		"major:3",       // inside a major cycle
		"restore:2",     // after a restoration, before the commit
		"commit:2:50us", // inside a commit
		"commit:4:0",    // just before the last commit
	}
	for i, f := range faults {
		t.Run(strings.ReplaceAll(f, ":", "_"), func(t *testing.T) {
			p := smallParams(ms, filepath.Join(dir, "kill"+string(rune('a'+i))))
			var stderr bytes.Buffer
			cmd := childCmd(t, p, "CUBEIMG_FAULT="+f)
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child with CUBEIMG_FAULT=%s: %v (want killed by SIGKILL)\n%s", f, err, stderr.String())
			}
			p.Resume = true
			mustRun(t, p)
			sameChecksums(t, "resumed after "+f, checksums(t, cubePath(p.ImageName)), want)
		})
	}
}

// --channels with --resume re-images only the channels named; the others keep their records.
func TestRun_ChannelsReimagesOnlyThose(t *testing.T) {
	dir := t.TempDir()
	ms, _ := simulateMS(t, dir, simOptions{nchan: 6, duration: 120, sigma: -1})
	p := smallParams(ms, filepath.Join(dir, "c"))
	p.NiterScope = "channel"
	mustRun(t, p)
	before := records(t, cubePath(p.ImageName))
	sumsBefore := checksums(t, cubePath(p.ImageName))
	p.Resume, p.Channels = true, "1,3:5"
	mustRun(t, p)
	after := records(t, cubePath(p.ImageName))
	for c := range before {
		redone := c == 1 || c == 3 || c == 4
		if changed := after[c] != before[c]; changed != redone {
			t.Errorf("channel %d: record generation %d -> %d, re-imaged %v, want %v", c, before[c], after[c], changed, redone)
		}
	}
	sameChecksums(t, "re-imaged channels", checksums(t, cubePath(p.ImageName)), sumsBefore)
}

func records(t *testing.T, cube string) map[int]uint64 {
	t.Helper()
	out := map[int]uint64{}
	for _, r := range channelRecords(t, cube) {
		out[r.Channel] = r.Gen
	}
	return out
}

// --dry-run prints the plan; a budget that cannot hold one channel is refused with the reason.
func TestRun_DryRunAndRefusal(t *testing.T) {
	dir := t.TempDir()
	ms, _ := simulateMS(t, dir, simOptions{nchan: 2, duration: 60, sigma: -1})
	p := smallParams(ms, filepath.Join(dir, "d"))
	p.DryRun = true
	var out bytes.Buffer
	if err := Run(context.Background(), p, Discard, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"memory per channel", "worker(s)", "estimated time", "disk:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}
	p.DryRun = false
	p.ImageName = filepath.Join(dir, "e")
	p.Imsize = [2]int{2048, 2048}
	p.MaxResident = 48 << 20
	out.Reset()
	err := Run(context.Background(), p, Discard, &out)
	if err == nil || !strings.Contains(err.Error(), "raise --max-resident") {
		t.Fatalf("2048^2 in 48 MiB: err = %v, want a refusal naming --max-resident", err)
	}
}
