package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/cubeimg/cubeimg/imaging/deconv"
)

// prepareChannels runs phase A (PSF and beam) for the channels in todo.
func (e *engine) prepareChannels(ctx context.Context, workers []*worker, todo []int, prog Progress) error {
	if len(todo) == 0 {
		return nil
	}
	tr := prog.Start("psf", int64(len(todo)))
	defer tr.Finish()
	var mu sync.Mutex
	return pool(ctx, workers, todo, func(ctx context.Context, w *worker, c int) error {
		rec, err := w.prepare(ctx, c)
		if err != nil {
			return fmt.Errorf("channel %d: %w", c, err)
		}
		w.unload()
		mu.Lock()
		e.preps[c] = rec
		mu.Unlock()
		tr.Add(1)
		return nil
	})
}

// stopName returns the short name of a stop reason for records and logs.
func stopName(s deconv.Stop) string {
	b, _ := s.MarshalText()
	return string(b)
}

// finishEmpty commits a channel without data: its planes stay zero.
func (w *worker) finishEmpty(ctx context.Context, cs *chanState) error {
	if err := w.start(ctx, cs); err != nil {
		return err
	}
	return w.finish(ctx, cs, "no-data", 0)
}

// cleanChannels runs phase B (dirty image, CLEAN cycles, restoration, commit) for chans.
// With niter scope channel every channel runs on its own; with scope cube the channels go
// through major cycles in step under one iteration control, as tclean's.
func (e *engine) cleanChannels(ctx context.Context, workers []*worker, chans []int, prog Progress) error {
	if len(chans) == 0 {
		return nil
	}
	tr := prog.Start("clean", int64(len(chans)))
	defer tr.Finish()
	if e.dparams.Scope == deconv.ScopeChannel {
		return pool(ctx, workers, chans, func(ctx context.Context, w *worker, c int) error {
			if err := w.cleanOne(ctx, c); err != nil {
				return fmt.Errorf("channel %d: %w", c, err)
			}
			tr.Add(1)
			return nil
		})
	}
	return e.cleanCube(ctx, workers, chans, tr, prog)
}

// cleanOne images channel c from its dirty image to its commit with its own iteration control.
func (w *worker) cleanOne(ctx context.Context, c int) error {
	cs := &chanState{c: c, prep: w.e.preps[c]}
	if cr := w.e.cleaned[c]; cr != nil {
		return w.finishCleaned(ctx, cs, cr)
	}
	if cs.prep.Empty {
		return w.finishEmpty(ctx, cs)
	}
	ctrl, err := deconv.NewController(w.e.dparams, 1)
	if err != nil {
		return err
	}
	if err := w.start(ctx, cs); err != nil {
		return err
	}
	if err := w.observe(ctx, cs, 0, false); err != nil {
		return err
	}
	if err := ctrl.Observe(0, cs.summary); err != nil {
		return err
	}
	for {
		d, err := ctrl.Decide()
		if err != nil {
			return err
		}
		if ctrl.Done() || len(d.Clean) == 0 {
			break
		}
		r, err := w.clean(ctx, cs, ctrl.MinorParams(0, d))
		if err != nil {
			return err
		}
		if err := ctrl.Record(0, r); err != nil {
			return err
		}
		if err := w.observe(ctx, cs, ctrl.IterDone, d.Controls.ThresholdReached); err != nil {
			return err
		}
		if err := ctrl.Observe(0, cs.summary); err != nil {
			return err
		}
	}
	s := ctrl.ChannelStop(0)
	if err := w.e.recordCleaned(cs, s); err != nil {
		return err
	}
	return w.finish(ctx, cs, stopName(s), s.Code())
}

// recordCleaned keeps a channel's end-of-CLEAN state in its (uncommitted) record, so that a
// resumed run only restores and commits it.
func (e *engine) recordCleaned(cs *chanState, s deconv.Stop) error {
	cr := cs.cleanRecord(stopName(s), s.Code(), e.am != nil)
	info, err := json.Marshal(channelInfo{Prep: cs.prep, Clean: cr})
	if err != nil {
		return err
	}
	return e.st.BeginChannel(cs.c, info)
}

// finishCleaned restores and commits a channel whose CLEAN finished in an earlier run.
func (w *worker) finishCleaned(ctx context.Context, cs *chanState, cr *cleanRecord) error {
	cs.iters, cs.majors, cs.flux = cr.Iterations, cr.Majors, cr.Flux
	cs.summary.MaskPixels = cr.MaskPixels
	cs.peak = cr.PeakRes
	if cr.Automask != nil {
		cs.am = *cr.Automask
	}
	return w.finish(ctx, cs, cr.Stop, cr.StopCode)
}

// cleanCube runs tclean's cube iteration control: every round, the minor and major cycles of
// every channel still cleaning (in parallel), then their mask updates and summaries (in
// parallel, with the cube's iteration count after all minor cycles, as tclean), then one
// decision for the cube. The result does not depend on the number of workers.
func (e *engine) cleanCube(ctx context.Context, workers []*worker, chans []int, tr Tracker, prog Progress) error {
	if e.cubeCleaned(chans) {
		prog.Logf("CLEAN of these channels finished in an earlier run: restoring and committing")
		return pool(ctx, workers, chans, func(ctx context.Context, w *worker, c int) error {
			cs := &chanState{c: c, prep: e.preps[c]}
			if err := w.finishCleaned(ctx, cs, e.cleaned[c]); err != nil {
				return fmt.Errorf("channel %d: %w", c, err)
			}
			tr.Add(1)
			return nil
		})
	}
	if err := e.markCubeCleaned(false); err != nil {
		return err
	}
	for _, c := range chans {
		if e.cleaned[c] != nil {
			if err := e.dropClean(c); err != nil {
				return err
			}
		}
	}
	var group []*chanState
	var empty []*chanState
	for _, c := range chans {
		cs := &chanState{c: c, prep: e.preps[c]}
		if cs.prep.Empty {
			empty = append(empty, cs)
		} else {
			group = append(group, cs)
		}
	}
	idx := make([]int, len(group))
	for i := range idx {
		idx[i] = i
	}
	if err := pool(ctx, workers, empty, func(ctx context.Context, w *worker, cs *chanState) error {
		if err := w.finishEmpty(ctx, cs); err != nil {
			return fmt.Errorf("channel %d: %w", cs.c, err)
		}
		tr.Add(1)
		return nil
	}); err != nil {
		return err
	}
	if len(group) == 0 {
		return nil
	}
	ctrl, err := deconv.NewController(e.dparams, len(group))
	if err != nil {
		return err
	}
	// Round 0: dirty images, first mask update.
	if err := pool(ctx, workers, idx, func(ctx context.Context, w *worker, i int) error {
		cs := group[i]
		if err := w.start(ctx, cs); err != nil {
			return fmt.Errorf("channel %d: %w", cs.c, err)
		}
		if err := w.observe(ctx, cs, 0, false); err != nil {
			return fmt.Errorf("channel %d: %w", cs.c, err)
		}
		return nil
	}); err != nil {
		return err
	}
	for i, cs := range group {
		if err := ctrl.Observe(i, cs.summary); err != nil {
			return err
		}
	}
	results := make([]deconv.MinorResult, len(group))
	for {
		d, err := ctrl.Decide()
		if err != nil {
			return err
		}
		if ctrl.Done() || len(d.Clean) == 0 {
			break
		}
		prog.Logf("major cycle %d: peak residual %.4g Jy/beam, cycle threshold %.4g, cycleniter %d, %d channels cleaning, %d components so far",
			d.MajorDone+1, d.Peak, d.Controls.CycleThreshold, d.Controls.CycleNiter, len(d.Clean), ctrl.IterDone)
		if err := pool(ctx, workers, d.Clean, func(ctx context.Context, w *worker, i int) error {
			r, err := w.clean(ctx, group[i], ctrl.MinorParams(i, d))
			if err != nil {
				return fmt.Errorf("channel %d: %w", group[i].c, err)
			}
			results[i] = r
			return nil
		}); err != nil {
			return err
		}
		for _, i := range d.Clean {
			if err := ctrl.Record(i, results[i]); err != nil {
				return err
			}
		}
		var active []int
		for i := range group {
			if ctrl.Active(i) {
				active = append(active, i)
			}
		}
		iterDone, reached := ctrl.IterDone, d.Controls.ThresholdReached
		if err := pool(ctx, workers, active, func(ctx context.Context, w *worker, i int) error {
			if err := w.observe(ctx, group[i], iterDone, reached); err != nil {
				return fmt.Errorf("channel %d: %w", group[i].c, err)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, i := range active {
			if err := ctrl.Observe(i, group[i].summary); err != nil {
				return err
			}
		}
	}
	for i, cs := range group {
		if err := e.recordCleaned(cs, ctrl.ChannelStop(i)); err != nil {
			return err
		}
	}
	if err := e.markCubeCleaned(true); err != nil {
		return err
	}
	return pool(ctx, workers, idx, func(ctx context.Context, w *worker, i int) error {
		s := ctrl.ChannelStop(i)
		if err := w.finish(ctx, group[i], stopName(s), s.Code()); err != nil {
			return fmt.Errorf("channel %d: %w", group[i].c, err)
		}
		tr.Add(1)
		return nil
	})
}
