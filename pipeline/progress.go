package pipeline

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress receives the progress of a run's phases. Implementations are safe for concurrent use.
type Progress interface {
	// Start begins a phase of total units (channels, rows); it returns the phase's tracker.
	Start(phase string, total int64) Tracker
	// Logf prints a line of information.
	Logf(format string, args ...any)
}

// Tracker follows one phase.
type Tracker interface {
	// Add records n more units done.
	Add(n int64)
	// Finish ends the phase.
	Finish()
}

// NewProgress returns bars on a terminal (terminal true) and plain log lines otherwise, written
// to w. Log lines are printed at most every interval (and at the end of each phase).
func NewProgress(w io.Writer, terminal bool, interval time.Duration) Progress {
	if terminal {
		return &barProgress{w: w}
	}
	return &logProgress{w: w, interval: interval}
}

// Discard is a Progress that prints nothing.
var Discard Progress = discard{}

type discard struct{}

func (discard) Start(string, int64) Tracker { return discardTracker{} }
func (discard) Logf(string, ...any)         {}

type discardTracker struct{}

func (discardTracker) Add(int64) {}
func (discardTracker) Finish()   {}

type barProgress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *barProgress) Start(phase string, total int64) Tracker {
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("%-10s", phase)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)
	return &barTracker{p: p, bar: bar}
}

func (p *barProgress) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K"+format+"\n", args...)
}

type barTracker struct {
	p   *barProgress
	bar *progressbar.ProgressBar
}

func (t *barTracker) Add(n int64) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.bar.Add64(n)
}

func (t *barTracker) Finish() {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.bar.Finish()
}

type logProgress struct {
	mu       sync.Mutex
	w        io.Writer
	interval time.Duration
}

func (p *logProgress) Start(phase string, total int64) Tracker {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	fmt.Fprintf(p.w, "%s %s: start, %d to do\n", now.Format(time.TimeOnly), phase, total)
	return &logTracker{p: p, phase: phase, total: total, start: now, last: now}
}

func (p *logProgress) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s "+format+"\n", append([]any{time.Now().Format(time.TimeOnly)}, args...)...)
}

type logTracker struct {
	p           *logProgress
	phase       string
	total, done int64
	start, last time.Time
	finished    bool
}

func (t *logTracker) Add(n int64) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	t.done += n
	now := time.Now()
	if now.Sub(t.last) < t.p.interval && t.done < t.total {
		return
	}
	t.last = now
	el := now.Sub(t.start)
	eta := "?"
	if t.done > 0 && t.total >= t.done {
		eta = (time.Duration(float64(el) * float64(t.total-t.done) / float64(t.done))).Round(time.Second).String()
	}
	fmt.Fprintf(t.p.w, "%s %s: %d/%d done, elapsed %s, ETA %s\n", now.Format(time.TimeOnly), t.phase, t.done, t.total, el.Round(time.Second), eta)
}

func (t *logTracker) Finish() {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	if t.finished {
		return
	}
	t.finished = true
	fmt.Fprintf(t.p.w, "%s %s: finished %d/%d in %s\n", time.Now().Format(time.TimeOnly), t.phase, t.done, t.total, time.Since(t.start).Round(time.Millisecond))
}
