package deconv

import (
	"fmt"
	"math"
)

// thresholdTolerance is tclean's relative tolerance on the global thresholds (CAS-11278).
const thresholdTolerance = 0.01

// Controller is tclean's iteration control for a group of channels that share one niter: all
// channels of the cube (ScopeCube), or one channel (ScopeChannel: use one Controller per channel,
// with nchan = 1). It holds no planes: only per-channel summaries and counters, so one
// Controller for thousands of channels is small. Its fields are exported so that the pipeline can
// checkpoint it (it round-trips through encoding/json); they are not meant to be set by hand.
//
// A Controller works in rounds. Round 0 follows the initial major cycle (the dirty image) and
// the first mask update; round k follows the k-th minor cycle's major cycle and mask update:
//
//	for each channel still cleaning: Observe(ch, Summarize(...))
//	d := Decide()                     // stop test, then the controls of the next minor cycle
//	for each channel still cleaning: r := Hogbom(ctx, planes, MinorParams(ch, d)); Record(ch, r)
//	major cycle of each channel that did iterations (a channel that did none has an unchanged
//	residual and needs none), mask update, next round
//
// With ScopeCube every channel still cleaning must be observed before Decide: the channels go
// through major cycles in step, as in tclean, and the order in which they are processed within a
// round does not change the result. With ScopeChannel each Controller has one channel and
// channels are independent.
//
// Stops decided for the group (tclean's global test after each major cycle): StopNiter,
// StopThreshold and StopNSigma (within 1%), StopZeroMask when every mask is empty,
// StopNoChange, StopNMajor. Stops decided per channel in both scopes, so that one channel does
// not stop the others: StopDivergedPrevious and StopDivergedMinimum (tclean's rules 5 and 6 on the
// channel's own peak residual without mask, once the channel has done iterations), StopNoise (an
// empty mask that auto-multithresh has flagged as noise-limited) and StopZeroMask for an empty
// static mask. A stopped channel is left out of later rounds and of the cube peak.
type Controller struct {
	Params Params `json:"params"`
	// Round is the number of decisions that continued cleaning (tclean's major cycles done after
	// the initial one, at the next Decide).
	Round int `json:"round"`
	// IterDone counts the iterations of every channel of the group.
	IterDone int `json:"iterdone"`
	// Stop is the group's stop reason once decided.
	Stop Stop `json:"stop"`
	// Peak is the group's peak residual at the last Decide.
	Peak float64 `json:"peak"`
	// PrevPeak and PrevRound feed the no-change rule.
	PrevPeak  float64 `json:"prev_peak"`
	PrevRound int     `json:"prev_round"`
	Checked   bool    `json:"checked"`
	// Channels holds each channel's state, indexed as the pipeline numbers them within the group.
	Channels []ChannelState `json:"channels"`
}

// ChannelState is one channel's part of a Controller.
type ChannelState struct {
	Stop     Stop `json:"stop"`
	IterDone int  `json:"iterdone"`
	// Observed is set between Observe and the Decide of a round; Pending between Decide and
	// Record.
	Observed bool         `json:"observed"`
	Pending  bool         `json:"pending"`
	Summary  PlaneSummary `json:"summary"`
	// PrevPeakNoMask and MinPeakNoMask feed the divergence rules (0: no history yet).
	PrevPeakNoMask float64 `json:"prev_peak_nomask"`
	MinPeakNoMask  float64 `json:"min_peak_nomask"`
	// Last is the channel's last minor cycle.
	Last MinorResult `json:"last"`
}

// CycleControls are the controls of one minor cycle, the same for every channel of a group.
type CycleControls struct {
	// CycleNiter is the iteration limit of each plane: min(cycleniter, niter - iterdone).
	CycleNiter int `json:"cycleniter"`
	// CycleThreshold is CycleThreshold(peak, S_psf) of the group.
	CycleThreshold float64 `json:"cyclethreshold"`
	// ThresholdReached is set when CycleThreshold equals the global threshold (auto-multithresh's
	// minpercentchange rule needs it: automask.Input.ThresholdReached).
	ThresholdReached bool    `json:"threshold_reached"`
	Gain             float64 `json:"gain"`
}

// Decision is the outcome of Decide.
type Decision struct {
	// Stop is the group's stop reason, Running if cleaning continues.
	Stop Stop
	// MajorDone is the number of major cycles done after the initial one.
	MajorDone int
	// Peak is the group's peak residual (in the masks) the decision was taken on.
	Peak float64
	// Controls are the next minor cycle's controls (meaningful when Stop is Running).
	Controls CycleControls
	// Stopped lists the channels that stopped in this decision, individually or with the group;
	// their reasons are in Channels[ch].Stop.
	Stopped []int
	// Clean lists the channels that run the next minor cycle.
	Clean []int
}

// NewController returns the controller of nchan channels.
func NewController(p Params, nchan int) (*Controller, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if nchan < 1 {
		return nil, fmt.Errorf("deconv: controller of %d channels", nchan)
	}
	if p.Scope == ScopeChannel && nchan != 1 {
		return nil, fmt.Errorf("deconv: niter scope channel takes one controller per channel, got %d channels", nchan)
	}
	return &Controller{Params: p, Channels: make([]ChannelState, nchan)}, nil
}

func (c *Controller) channel(ch int) (*ChannelState, error) {
	if ch < 0 || ch >= len(c.Channels) {
		return nil, fmt.Errorf("deconv: channel %d out of range [0, %d)", ch, len(c.Channels))
	}
	return &c.Channels[ch], nil
}

// Active reports whether channel ch is still cleaning.
func (c *Controller) Active(ch int) bool {
	return ch >= 0 && ch < len(c.Channels) && c.Channels[ch].Stop == Running && c.Stop == Running
}

// Done reports whether every channel has stopped.
func (c *Controller) Done() bool {
	for i := range c.Channels {
		if c.Active(i) {
			return false
		}
	}
	return true
}

// Observe records channel ch's summary for the current round.
func (c *Controller) Observe(ch int, s PlaneSummary) error {
	st, err := c.channel(ch)
	if err != nil {
		return err
	}
	if !c.Active(ch) {
		return fmt.Errorf("deconv: channel %d already stopped (%v)", ch, c.ChannelStop(ch))
	}
	if st.Pending {
		return fmt.Errorf("deconv: channel %d: observed before its minor cycle of round %d was recorded", ch, c.Round)
	}
	st.Summary, st.Observed = s, true
	return nil
}

// Decide runs tclean's stop test on the observed channels and returns the controls of the next
// minor cycle. Every channel still cleaning must have been observed in this round.
func (c *Controller) Decide() (Decision, error) {
	d := Decision{MajorDone: c.Round}
	if c.Stop != Running {
		return d, fmt.Errorf("deconv: controller already stopped (%v)", c.Stop)
	}
	p := &c.Params
	var live []int
	for ch := range c.Channels {
		st := &c.Channels[ch]
		if st.Stop != Running {
			continue
		}
		if st.Pending {
			return d, fmt.Errorf("deconv: channel %d: minor cycle of round %d not recorded", ch, c.Round-1)
		}
		if !st.Observed {
			return d, fmt.Errorf("deconv: channel %d not observed in round %d", ch, c.Round)
		}
		st.Observed = false
		if s := c.channelStop(st); s != Running {
			st.Stop = s
			d.Stopped = append(d.Stopped, ch)
			continue
		}
		live = append(live, ch)
	}
	if len(live) == 0 {
		return d, nil
	}
	// The group's summary: peak in the masks if any mask has pixels, else without masks.
	var peakIn, peakNo, sidelobe, nsig float64
	maskSum := 0
	for _, ch := range live {
		s := &c.Channels[ch].Summary
		peakIn = math.Max(peakIn, float64(s.PeakInMask))
		peakNo = math.Max(peakNo, float64(s.PeakNoMask))
		sidelobe = math.Max(sidelobe, float64(s.PSFSidelobe))
		nsig = math.Max(nsig, s.NSigmaThreshold(p))
		maskSum += s.MaskPixels
	}
	peak := peakNo
	if maskSum > 0 {
		peak = peakIn
	}
	d.Peak, c.Peak = peak, peak
	stop := c.groupStop(peak, nsig, maskSum)
	c.PrevPeak, c.PrevRound, c.Checked = peak, c.Round, true
	if stop != Running {
		c.Stop, d.Stop = stop, stop
		for _, ch := range live {
			c.Channels[ch].Stop = stop
		}
		d.Stopped = append(d.Stopped, live...)
		return d, nil
	}
	cyc := p.CycleNiter
	if cyc <= 0 {
		cyc = p.Niter
	}
	d.Controls = CycleControls{
		CycleNiter:     min(cyc, p.Niter-c.IterDone),
		CycleThreshold: CycleThreshold(p, peak, sidelobe),
		Gain:           p.Gain,
	}
	d.Controls.ThresholdReached = d.Controls.CycleThreshold == p.Threshold
	for _, ch := range live {
		c.Channels[ch].Pending = true
	}
	d.Clean = live
	c.Round++
	return d, nil
}

// channelStop applies the per-channel rules to a channel's new summary and updates its
// divergence history.
func (c *Controller) channelStop(st *ChannelState) Stop {
	s := &st.Summary
	if s.MaskPixels == 0 {
		if s.NoiseLimited {
			return StopNoise
		}
		if s.MaskStatic {
			return StopZeroMask
		}
	}
	pk := float64(s.PeakNoMask)
	stop := Running
	if st.IterDone > 0 && st.PrevPeakNoMask > 0 {
		if math.Abs(pk-st.PrevPeakNoMask)/st.PrevPeakNoMask > 3 {
			stop = StopDivergedPrevious
		} else if st.MinPeakNoMask > 0 && (pk-st.MinPeakNoMask)/st.MinPeakNoMask > 3 {
			stop = StopDivergedMinimum
		}
	}
	if st.MinPeakNoMask == 0 || pk < st.MinPeakNoMask {
		st.MinPeakNoMask = pk
	}
	st.PrevPeakNoMask = pk
	return stop
}

// groupStop is tclean's global convergence test (cleanComplete), without the divergence rules,
// which Controller applies per channel.
func (c *Controller) groupStop(peak, nsig float64, maskSum int) Stop {
	p := &c.Params
	thr := p.Threshold
	stop := Running
	reached := func(t float64) bool { return peak <= t || (peak-t)/t < thresholdTolerance }
	if c.IterDone >= p.Niter || reached(thr) || (nsig != 0 && reached(nsig)) {
		if c.IterDone >= p.Niter {
			stop = StopNiter
		}
		if reached(thr) {
			stop = StopThreshold
		} else if nsig != 0 && reached(nsig) {
			stop = StopNSigma
		}
	} else if maskSum == 0 {
		stop = StopZeroMask
	} else if c.IterDone > 0 && c.Checked && c.Round > c.PrevRound && math.Abs(c.PrevPeak-peak) < 1e-10 {
		stop = StopNoChange
	}
	if stop == Running && p.NMajor >= 0 && c.Round >= p.NMajor {
		stop = StopNMajor
	}
	return stop
}

// MinorParams returns the parameters of channel ch's minor cycle under decision d: the group's
// cycle controls with the channel's own n-sigma threshold.
func (c *Controller) MinorParams(ch int, d Decision) MinorParams {
	mp := MinorParams{
		Gain:           d.Controls.Gain,
		MaxIter:        d.Controls.CycleNiter,
		CycleThreshold: d.Controls.CycleThreshold,
		PSFHalfWidth:   c.Params.PSFHalfWidth,
		Workers:        c.Params.Workers,
	}
	if ch >= 0 && ch < len(c.Channels) {
		mp.NSigmaThreshold = c.Channels[ch].Summary.NSigmaThreshold(&c.Params)
	}
	return mp
}

// Record accounts channel ch's minor cycle of the current round.
func (c *Controller) Record(ch int, r MinorResult) error {
	st, err := c.channel(ch)
	if err != nil {
		return err
	}
	if !st.Pending {
		return fmt.Errorf("deconv: channel %d: no minor cycle pending", ch)
	}
	st.Pending = false
	st.IterDone += r.Iterations
	st.Last = r
	c.IterDone += r.Iterations
	return nil
}

// ChannelStop returns channel ch's stop reason (Running while it cleans).
func (c *Controller) ChannelStop(ch int) Stop {
	if ch < 0 || ch >= len(c.Channels) {
		return Running
	}
	if s := c.Channels[ch].Stop; s != Running {
		return s
	}
	return c.Stop
}
