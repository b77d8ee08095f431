package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cubeimg/cubeimg/internal/procstat"
)

// Report is the run report (--report run.json): the figures the reference job's table compares.
type Report struct {
	Command    []string       `json:"command,omitempty"`
	Vis        string         `json:"vis"`
	Cube       string         `json:"cube"`
	Start      time.Time      `json:"start"`
	WallSecond float64        `json:"wall_s"`
	Phases     []PhaseTiming  `json:"phases"`
	Plan       *Plan          `json:"plan,omitempty"`
	Memory     MemoryReport   `json:"memory"`
	IO         IOReport       `json:"io"`
	Channels   ChannelsReport `json:"channels"`
	Error      string         `json:"error,omitempty"`
}

// PhaseTiming is one phase's wall time.
type PhaseTiming struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// MemoryReport has the peaks: the process's (VmHWM, mapped file pages included) and the budget's.
type MemoryReport struct {
	PeakRSS      int64 `json:"peak_rss_bytes"`
	MaxResident  int64 `json:"max_resident_bytes"`
	BudgetPeak   int64 `json:"budget_peak_bytes"`
	PeakRSSOverC int64 `json:"peak_rss_over_cap_bytes"`
}

// IOReport counts bytes through /proc/self/io over the run.
type IOReport struct {
	ReadBytes  int64 `json:"read_bytes"`  // reached the storage layer
	WriteBytes int64 `json:"write_bytes"` // reached the storage layer
	RChar      int64 `json:"rchar"`       // read(2) bytes, page-cache hits included
	WChar      int64 `json:"wchar"`       // write(2) bytes
	// OutputBytes is the size of the final store (its data files and records) plus FITS exports.
	OutputBytes int64 `json:"output_bytes"`
	// WriteAmplification is WriteBytes / OutputBytes.
	WriteAmplification float64 `json:"write_amplification"`
}

// ChannelsReport counts channels by how they ended.
type ChannelsReport struct {
	Imaged     int            `json:"imaged"`
	Skipped    int            `json:"skipped_committed"`
	Stops      map[string]int `json:"stops"`
	Iterations int            `json:"iterations"`
}

// reporter accumulates a Report during a run.
type reporter struct {
	mu     sync.Mutex
	r      Report
	io0    procstat.IO
	phase  string
	pstart time.Time
}

func newReporter(p *Params) *reporter {
	rp := &reporter{r: Report{Vis: p.Vis, Cube: p.ImageName + ".cube", Start: time.Now(), Command: os.Args}}
	rp.io0, _ = procstat.ReadIO()
	rp.r.Memory.MaxResident = p.MaxResident
	rp.r.Channels.Stops = map[string]int{}
	return rp
}

// begin starts a phase, ending the previous one.
func (rp *reporter) begin(name string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.endLocked()
	rp.phase, rp.pstart = name, time.Now()
}

func (rp *reporter) endLocked() {
	if rp.phase != "" {
		rp.r.Phases = append(rp.r.Phases, PhaseTiming{rp.phase, time.Since(rp.pstart).Seconds()})
		rp.phase = ""
	}
}

// finish completes the report: wall time, memory and I/O figures.
func (rp *reporter) finish(budgetPeak int64, outputBytes int64, runErr error) *Report {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.endLocked()
	rp.r.WallSecond = time.Since(rp.r.Start).Seconds()
	if m, err := procstat.ReadMemory(); err == nil {
		rp.r.Memory.PeakRSS = m.VmHWM
		rp.r.Memory.PeakRSSOverC = m.VmHWM - rp.r.Memory.MaxResident
	}
	rp.r.Memory.BudgetPeak = budgetPeak
	if io, err := procstat.ReadIO(); err == nil {
		rp.r.IO = IOReport{ReadBytes: io.ReadBytes - rp.io0.ReadBytes, WriteBytes: io.WriteBytes - rp.io0.WriteBytes,
			RChar: io.RChar - rp.io0.RChar, WChar: io.WChar - rp.io0.WChar}
	}
	rp.r.IO.OutputBytes = outputBytes
	if outputBytes > 0 {
		rp.r.IO.WriteAmplification = float64(rp.r.IO.WriteBytes) / float64(outputBytes)
	}
	if runErr != nil {
		rp.r.Error = runErr.Error()
	}
	r := rp.r
	return &r
}

// write saves the report as JSON at path (atomically).
func (r *Report) write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return os.Rename(tmp, path)
}

// dirBytes is the allocated size of the files under dir (what the output occupies on disk).
func dirBytes(paths ...string) int64 {
	var n int64
	for _, root := range paths {
		filepath.Walk(root, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				n += fi.Size()
			}
			return nil
		})
	}
	return n
}
