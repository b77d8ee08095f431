package deconv

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Scope says which channels share niter.
type Scope int

const (
	// ScopeCube is tclean's: niter counts the iterations of every channel, the cycle threshold
	// comes from the peak residual and PSF sidelobe level over all channels, and the stop test
	// runs on the whole cube after each major cycle. Channels must go through major cycles in
	// step (rounds, see Controller).
	ScopeCube Scope = iota
	// ScopeChannel gives each channel its own niter, cycle threshold and stop test, as a
	// separate tclean per channel would (pclean's semantics). Channels are independent.
	ScopeChannel
)

// ParseScope parses "cube" or "channel".
func ParseScope(s string) (Scope, error) {
	switch strings.ToLower(s) {
	case "cube", "":
		return ScopeCube, nil
	case "channel":
		return ScopeChannel, nil
	}
	return 0, fmt.Errorf("deconv: niter scope %q: want cube or channel", s)
}

func (s Scope) String() string {
	if s == ScopeChannel {
		return "channel"
	}
	return "cube"
}

// Params are tclean's iteration-control parameters (ALGORITHMS.md 1.6) plus cubeimg's choices.
// DefaultParams gives tclean's defaults.
type Params struct {
	// Niter is the maximum number of iterations (components); 0 makes only the dirty image.
	// With ScopeCube it counts over all channels, with ScopeChannel per channel.
	Niter int
	// CycleNiter caps the iterations of one plane in one minor cycle; <= 0 means Niter. Every
	// plane gets min(CycleNiter, Niter - iterations done) in each minor cycle, as in tclean.
	CycleNiter int
	// CycleFactor, MinPSFFraction and MaxPSFFraction set the cycle threshold:
	// max(Threshold, peak * clamp(CycleFactor * S_psf, MinPSFFraction, MaxPSFFraction)).
	CycleFactor, MinPSFFraction, MaxPSFFraction float64
	// Threshold is the global stopping threshold in Jy/beam.
	Threshold float64
	// NSigma, if > 0, stops at NSigma times the robust rms of each plane (1.4826 MAD), plus the
	// plane's median when Automask is set (CASA's definition with automasking).
	NSigma float64
	// NMajor limits the number of major cycles after the initial one; < 0 means no limit.
	NMajor int
	// Gain is the loop gain.
	Gain float64
	// Scope says which channels share Niter.
	Scope Scope
	// FastNoise selects the robust rms for NSigma: over the whole plane (true, tclean's default)
	// or outside the clean mask, Chauvenet-clipped when there is no mask (false).
	FastNoise bool
	// Automask is set when the masks come from auto-multithresh (changes the n-sigma threshold).
	Automask bool
	// PSFHalfWidth bounds the PSF patch Hogbom subtracts to (2 PSFHalfWidth + 1)^2 pixels around
	// each component; 0 uses the full image-sized PSF over its overlap with the image, as CASA.
	// See the package documentation.
	PSFHalfWidth int
	// Workers is the number of goroutines a minor cycle may use (<= 1: one).
	Workers int
}

// DefaultParams returns tclean's defaults: niter 0, cycleniter -1, cyclefactor 1,
// minpsffraction 0.05, maxpsffraction 0.8, threshold 0, nsigma 0, nmajor -1, gain 0.1, niter
// over the cube, fastnoise true, and the full PSF.
func DefaultParams() Params {
	return Params{
		CycleNiter: -1, CycleFactor: 1, MinPSFFraction: 0.05, MaxPSFFraction: 0.8,
		NMajor: -1, Gain: 0.1, Scope: ScopeCube, FastNoise: true,
	}
}

// Validate returns an error naming the tclean parameter that tclean would refuse.
func (p *Params) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...)))
	}
	if p.Niter < 0 {
		bad("niter", "%d is negative", p.Niter)
	}
	if !(p.Gain > 0) || math.IsInf(p.Gain, 0) {
		bad("gain", "%g must be positive", p.Gain)
	}
	if !(p.CycleFactor > 0) {
		bad("cyclefactor", "%g must be positive", p.CycleFactor)
	}
	if !(p.MinPSFFraction >= 0 && p.MinPSFFraction <= 1) {
		bad("minpsffraction", "%g is not in [0, 1]", p.MinPSFFraction)
	}
	if !(p.MaxPSFFraction >= p.MinPSFFraction && p.MaxPSFFraction <= 1) {
		bad("maxpsffraction", "%g is not in [minpsffraction, 1]", p.MaxPSFFraction)
	}
	if !(p.Threshold >= 0) || math.IsInf(p.Threshold, 0) {
		bad("threshold", "%g Jy/beam must be finite and not negative", p.Threshold)
	}
	if !(p.NSigma >= 0) {
		bad("nsigma", "%g is negative", p.NSigma)
	}
	if p.Scope != ScopeCube && p.Scope != ScopeChannel {
		bad("niter scope", "unknown scope %d", int(p.Scope))
	}
	if p.PSFHalfWidth < 0 {
		bad("psf half width", "%d is negative", p.PSFHalfWidth)
	}
	if len(errs) > 0 {
		return fmt.Errorf("deconv: %w", errors.Join(errs...))
	}
	return nil
}

// CycleThreshold is tclean's minor-cycle threshold rule:
// max(threshold, peak * clamp(cyclefactor * sidelobe, minpsffraction, maxpsffraction)), where peak
// is the peak residual in the mask and sidelobe the PSF sidelobe level S_psf.
func CycleThreshold(p *Params, peak, sidelobe float64) float64 {
	f := math.Min(math.Max(p.CycleFactor*sidelobe, p.MinPSFFraction), p.MaxPSFFraction)
	return math.Max(p.Threshold, peak*f)
}
