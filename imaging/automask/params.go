package automask

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Params are tclean's auto-multithresh parameters (ALGORITHMS.md 3). Defaults returns CASA's
// defaults; Preset the ALMA pipeline's values.
type Params struct {
	// SidelobeThreshold, NoiseThreshold and LowNoiseThreshold scale the sidelobe level times the
	// peak, and the robust rms, into the mask and grow thresholds.
	SidelobeThreshold float64
	NoiseThreshold    float64
	LowNoiseThreshold float64
	// NegativeThreshold (x rms), when > 0, adds a mask of absorption below -max(sidelobe
	// threshold, NegativeThreshold * rms).
	NegativeThreshold float64
	// SmoothFactor scales the beam that smooths the masks.
	SmoothFactor float64
	// MinBeamFrac: regions smaller than MinBeamFrac beam areas are pruned (0: no pruning).
	MinBeamFrac float64
	// CutThreshold: a smoothed mask keeps the pixels above CutThreshold times its maximum.
	CutThreshold float64
	// GrowIterations is the number of dilation passes of the previous mask into the low-noise
	// region.
	GrowIterations int
	// DoGrowPrune prunes the grown mask as the threshold mask.
	DoGrowPrune bool
	// MinPercentChange (>= 0) also stops masking a noise-limited channel once the cycle threshold
	// is the global threshold and its mask changed by less than this percentage; -1 disables.
	MinPercentChange float64
	// FastNoise takes the noise over the whole plane (true) or outside the mask, Chauvenet
	// clipped when there is none (false).
	FastNoise bool
	// PBMask, when > 0, limits the mask to where the primary beam exceeds it.
	PBMask float64
}

// Defaults returns CASA tclean's defaults: sidelobethreshold 3.0, noisethreshold 5.0,
// lownoisethreshold 1.5, negativethreshold 0.0, smoothfactor 1.0, minbeamfrac 0.3,
// cutthreshold 0.01, growiterations 75, dogrowprune True, minpercentchange -1.0, fastnoise True,
// pbmask 0.0.
func Defaults() Params {
	return Params{
		SidelobeThreshold: 3.0, NoiseThreshold: 5.0, LowNoiseThreshold: 1.5, NegativeThreshold: 0.0,
		SmoothFactor: 1.0, MinBeamFrac: 0.3, CutThreshold: 0.01, GrowIterations: 75,
		DoGrowPrune: true, MinPercentChange: -1.0, FastNoise: true,
	}
}

type preset struct {
	side, noise, low, minbeam, neg float64
	grow                           int
	fast                           bool
	desc                           string
}

// The ALMA pipeline's values (pipeline hif/heuristics/imageparams_alma.py get_autobox_params,
// ALGORITHMS.md 3). b75 is the 75th-percentile baseline length. Parameters not in the table keep
// CASA's defaults (smoothfactor 1.0, cutthreshold 0.01); all presets use dogrowprune True and
// minpercentchange 1.0.
var presets = map[string]preset{
	"alma-12m-short-cube":  {2.0, 4.25, 1.5, 0.3, 15.0, 50, false, "ALMA 12 m, b75 < 300 m, cube"},
	"alma-12m-short-cont":  {2.0, 4.25, 1.5, 0.3, 0.0, 75, false, "ALMA 12 m, b75 < 300 m, continuum"},
	"alma-12m-medium-cube": {2.0, 5.0, 1.5, 0.3, 7.0, 50, false, "ALMA 12 m, 300 m <= b75 < 400 m, cube"},
	"alma-12m-medium-cont": {2.0, 5.0, 1.5, 0.3, 0.0, 75, false, "ALMA 12 m, 300 m <= b75 < 400 m, continuum"},
	"alma-12m-long-cube":   {2.5, 5.0, 1.5, 0.3, 7.0, 50, true, "ALMA 12 m, b75 >= 400 m, cube"},
	"alma-12m-long-cont":   {2.5, 5.0, 1.5, 0.3, 0.0, 75, true, "ALMA 12 m, b75 >= 400 m, continuum"},
	"alma-7m":              {1.25, 5.0, 2.0, 0.1, 0.0, 75, false, "ALMA 7 m (ACA), cube or continuum"},
}

// PresetNames returns the names Preset accepts, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PresetDescription returns the one-line description of a preset ("" if unknown).
func PresetDescription(name string) string { return presets[strings.ToLower(name)].desc }

// Preset returns the ALMA pipeline's auto-multithresh parameters by name (PresetNames):
// alma-12m-{short,medium,long}-{cube,cont} for the 12 m array by 75th-percentile baseline
// (< 300 m, 300-400 m, >= 400 m) and alma-7m. The reference job uses alma-12m-long-cube.
func Preset(name string) (Params, error) {
	pr, ok := presets[strings.ToLower(name)]
	if !ok {
		return Params{}, fmt.Errorf("automask: unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	p := Defaults()
	p.SidelobeThreshold, p.NoiseThreshold, p.LowNoiseThreshold = pr.side, pr.noise, pr.low
	p.MinBeamFrac, p.NegativeThreshold, p.GrowIterations = pr.minbeam, pr.neg, pr.grow
	p.DoGrowPrune, p.MinPercentChange, p.FastNoise = true, 1.0, pr.fast
	return p, nil
}

// ALMA12mPreset returns the name of the 12 m preset for a 75th-percentile baseline length b75
// (metres), for a cube or continuum image.
func ALMA12mPreset(b75 float64, cube bool) string {
	kind := "cont"
	if cube {
		kind = "cube"
	}
	switch {
	case b75 < 300:
		return "alma-12m-short-" + kind
	case b75 < 400:
		return "alma-12m-medium-" + kind
	}
	return "alma-12m-long-" + kind
}

// Validate returns an error naming the tclean parameter out of its range.
func (p *Params) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...)))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"sidelobethreshold", p.SidelobeThreshold}, {"noisethreshold", p.NoiseThreshold},
		{"lownoisethreshold", p.LowNoiseThreshold}, {"negativethreshold", p.NegativeThreshold},
		{"minbeamfrac", p.MinBeamFrac}, {"cutthreshold", p.CutThreshold}, {"pbmask", p.PBMask},
	} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			bad(f.name, "%g must be finite and not negative", f.v)
		}
	}
	if !(p.SmoothFactor > 0) {
		bad("smoothfactor", "%g must be positive", p.SmoothFactor)
	}
	if p.CutThreshold >= 1 {
		bad("cutthreshold", "%g must be below 1", p.CutThreshold)
	}
	if p.GrowIterations < 0 {
		bad("growiterations", "%d is negative", p.GrowIterations)
	}
	if len(errs) > 0 {
		return fmt.Errorf("automask: %w", errors.Join(errs...))
	}
	return nil
}

// FromPB sets mask (nx*ny) to Positive where pb > level and Outside elsewhere: tclean's
// usemask='pb' mask, or the region a pbmask restricts auto-multithresh to.
func FromPB(mask []uint8, pb []float32, level float32) {
	for i := range mask {
		mask[i] = Outside
		if pb[i] > level {
			mask[i] = Positive
		}
	}
}
