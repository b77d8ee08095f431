package main

import (
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// bar is a progress bar with ETA on stderr, shown only when stderr is a terminal and not quiet.
type bar struct {
	mu  sync.Mutex
	pb  *progressbar.ProgressBar
	max int64
}

func newBar(quiet bool, what string, total int64) *bar {
	if quiet || !term.IsTerminal(int(os.Stderr.Fd())) {
		return &bar{}
	}
	return &bar{pb: progressbar.NewOptions64(max(total, 1),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish()), max: total}
}

// set moves the bar to done of total.
func (b *bar) set(done, total int64) {
	if b.pb == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if total != b.max {
		b.pb.ChangeMax64(max(total, 1))
		b.max = total
	}
	_ = b.pb.Set64(done)
}

func (b *bar) finish() {
	if b.pb != nil {
		_ = b.pb.Finish()
	}
}
