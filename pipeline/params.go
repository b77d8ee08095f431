package pipeline

import (
	"errors"
	"fmt"
	"github.com/cubeimg/cubeimg/imaging/automask"
	"strings"
)

// Params holds everything a cube run needs, named as tclean names them. Angles are radians, flux
// densities Jy, sizes bytes. The command line (cmd/cubeimg run) fills it from tclean-style strings.
type Params struct {
	Vis       string // input MeasurementSet or UVFITS
	ImageName string // output prefix: ImageName.cube, ImageName.spool, ImageName.<ext>.fits

	// Image geometry.
	Imsize      [2]int
	Cell        [2]float64 // radians, both positive
	Phasecenter string     // "" = the selected field's phase centre; or a field index/name

	// Spectral axis (tclean specmode='cube').
	Specmode      string // cube
	Nchan         int
	Start, Width  string // channel index, frequency or velocity, with units
	Outframe      string // LSRK (default) or TOPO
	Restfreq      string
	Veltype       string // radio | optical
	Interpolation string // nearest | linear

	// Data selection.
	Field, Spw, Datacolumn string

	// Weighting.
	Weighting            string // natural | uniform | briggs | briggsbwtaper
	Robust               float64
	Fracbw               float64 // briggsbwtaper: 0 = from the cube's first and last channels
	Perchanweightdensity bool
	Npixels              int
	WeightingDensity     string   // casa (default) | wsclean: how the density grid bins samples
	Uvtaper              []string // tclean's uvtaper: [] or ["1arcsec"] or ["1arcsec","0.5arcsec","30deg"]

	// Gridding.
	GridderEps float64 // requested accuracy of the ES kernel
	FFT        string  // go (default) | fftw
	Kernel     string  // es | casa

	// Deconvolution and iteration control.
	Deconvolver    string // hogbom
	Niter          int
	Cycleniter     int
	Cyclefactor    float64
	Minpsffraction float64
	Maxpsffraction float64
	Gain           float64
	Threshold      float64 // Jy
	Nsigma         float64
	Nmajor         int
	NiterScope     string // cube | channel

	// Masking.
	Usemask  string // none | user | auto-multithresh | pb
	Mask     string // user mask: FITS file or cube store
	Automask AutomaskParams
	Pbmask   float64

	// Restoration and primary beam.
	Restoringbeam string // "" (per channel), common, or "bmaj[,bmin[,bpa]]"
	Pbcor         bool
	Pblimit       float64
	Psfcutoff     float64
	BeamFit       string // casa (default: main lobe above psfcutoff) | wsclean (WSClean 3's box fit)
	Telescope     string // primary-beam model: "" = from the input, ALMA12m, ALMA7m

	// Execution.
	MaxResident int64
	Workers     int
	Channels    string // channel selection: "12,40:44"
	Resume      bool
	// PrepareOnly stops after the spool, the store and every channel's PSF and beam (the first
	// step of a cluster run, `cubeimg slurm`).
	PrepareOnly bool
	// SkipCommitted keeps the committed channels of a --channels selection instead of re-imaging
	// them (a requeued cluster task).
	SkipCommitted bool
	DryRun        bool
	Report        string
	Fits          bool
}

// AutomaskParams are tclean's auto-multithresh parameters.
type AutomaskParams struct {
	Preset            string // "" or an ALMA preset name
	Sidelobethreshold float64
	Noisethreshold    float64
	Lownoisethreshold float64
	Negativethreshold float64
	Smoothfactor      float64
	Minbeamfrac       float64
	Cutthreshold      float64
	Growiterations    int
	Dogrowprune       bool
	Minpercentchange  float64
	Fastnoise         bool
}

// DefaultParams returns tclean's defaults where tclean has them, and cubeimg's otherwise.
func DefaultParams() Params {
	return Params{
		Specmode: "cube", Nchan: -1, Outframe: "LSRK", Veltype: "radio", Interpolation: "linear",
		Datacolumn: "data", Weighting: "natural", Robust: 0.5, Perchanweightdensity: true,
		GridderEps: 1e-5, Kernel: "es",
		Deconvolver: "hogbom", Niter: 0, Cycleniter: -1, Cyclefactor: 1.0, Minpsffraction: 0.05,
		Maxpsffraction: 0.8, Gain: 0.1, Nmajor: -1, NiterScope: "cube",
		Usemask: "none",
		Automask: AutomaskParams{Sidelobethreshold: 3.0, Noisethreshold: 5.0, Lownoisethreshold: 1.5,
			Negativethreshold: 0.0, Smoothfactor: 1.0, Minbeamfrac: 0.3, Cutthreshold: 0.01,
			Growiterations: 75, Dogrowprune: true, Minpercentchange: -1.0, Fastnoise: true},
		Pblimit: 0.2, Psfcutoff: 0.35, MaxResident: 4 << 30,
	}
}

// Validate checks the parameters for values tclean would refuse, naming the flag.
func (p *Params) Validate() error {
	var errs []error
	bad := func(flag, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s: %s", flag, fmt.Sprintf(format, args...)))
	}
	if p.Vis == "" {
		bad("vis", "an input MeasurementSet or UVFITS file is required")
	}
	if p.ImageName == "" {
		bad("imagename", "an output name is required")
	}
	if p.Imsize[0] <= 0 || p.Imsize[1] <= 0 {
		bad("imsize", "must be positive, got %v", p.Imsize)
	}
	if !(p.Cell[0] > 0) || !(p.Cell[1] > 0) {
		bad("cell", "must be positive, e.g. 0.15arcsec")
	}
	if p.Specmode != "cube" {
		bad("specmode", "%q: only cube is implemented", p.Specmode)
	}
	switch strings.ToLower(p.Outframe) {
	case "lsrk", "topo":
	default:
		bad("outframe", "%q: want LSRK or TOPO", p.Outframe)
	}
	switch p.Veltype {
	case "radio", "optical":
	default:
		bad("veltype", "%q: want radio or optical", p.Veltype)
	}
	switch p.Interpolation {
	case "nearest", "linear":
	default:
		bad("interpolation", "%q: want nearest or linear", p.Interpolation)
	}
	switch p.Weighting {
	case "natural", "uniform", "briggs", "briggsbwtaper":
	default:
		bad("weighting", "%q: want natural, uniform, briggs or briggsbwtaper", p.Weighting)
	}
	if p.Weighting == "briggsbwtaper" && !p.Perchanweightdensity {
		bad("weighting", "briggsbwtaper needs --perchanweightdensity (as in tclean)")
	}
	if p.WeightingDensity == "wsclean" && p.Imsize[0] != p.Imsize[1] {
		bad("weighting-density", "wsclean's rule is implemented for square images, got %v", p.Imsize)
	}
	if p.Robust < -2 || p.Robust > 2 {
		bad("robust", "%g outside [-2, 2]", p.Robust)
	}
	if p.Fracbw < 0 {
		bad("fracbw", "%g is negative", p.Fracbw)
	}
	if !(p.GridderEps > 0 && p.GridderEps < 0.1) {
		bad("gridder-eps", "%g outside (0, 0.1)", p.GridderEps)
	}
	switch p.Kernel {
	case "es", "casa":
	default:
		bad("kernel", "%q: want es or casa", p.Kernel)
	}
	if p.Deconvolver != "hogbom" {
		bad("deconvolver", "%q: only hogbom is implemented", p.Deconvolver)
	}
	if p.Niter < 0 {
		bad("niter", "%d is negative", p.Niter)
	}
	if !(p.Gain > 0 && p.Gain <= 1) {
		bad("gain", "%g outside (0, 1]", p.Gain)
	}
	if p.Cyclefactor <= 0 {
		bad("cyclefactor", "%g must be positive", p.Cyclefactor)
	}
	if p.Minpsffraction < 0 || p.Maxpsffraction > 1 || p.Minpsffraction > p.Maxpsffraction {
		bad("minpsffraction", "need 0 <= minpsffraction (%g) <= maxpsffraction (%g) <= 1", p.Minpsffraction, p.Maxpsffraction)
	}
	if p.Threshold < 0 {
		bad("threshold", "%g is negative", p.Threshold)
	}
	if p.Nsigma < 0 {
		bad("nsigma", "%g is negative", p.Nsigma)
	}
	switch p.NiterScope {
	case "cube", "channel":
	default:
		bad("niter-scope", "%q: want cube or channel", p.NiterScope)
	}
	switch p.Usemask {
	case "none", "user", "auto-multithresh", "pb":
	default:
		bad("usemask", "%q: want none, user, auto-multithresh or pb", p.Usemask)
	}
	if p.Usemask == "user" && p.Mask == "" {
		bad("mask", "--usemask user needs --mask FILE")
	}
	if p.BeamFit != "" && p.BeamFit != "casa" && p.BeamFit != "wsclean" {
		bad("beam-fit", "%q: want casa or wsclean", p.BeamFit)
	}
	if !(p.Psfcutoff >= 0.01 && p.Psfcutoff <= 0.99) {
		bad("psfcutoff", "%g outside [0.01, 0.99]", p.Psfcutoff)
	}
	if p.MaxResident <= 0 {
		bad("max-resident", "must be positive")
	}
	if p.Workers < 0 {
		bad("workers", "%d is negative", p.Workers)
	}
	return errors.Join(errs...)
}

// ApplyAutomaskPreset sets the auto-multithresh parameters of an ALMA pipeline preset
// (automask.PresetNames), except those the user set explicitly (changed reports a flag name as
// set).
func ApplyAutomaskPreset(a *AutomaskParams, name string, changed func(flag string) bool) error {
	pr, err := automask.Preset(name)
	if err != nil {
		return err
	}
	set := func(flag string, dst *float64, v float64) {
		if !changed(flag) {
			*dst = v
		}
	}
	set("sidelobethreshold", &a.Sidelobethreshold, pr.SidelobeThreshold)
	set("noisethreshold", &a.Noisethreshold, pr.NoiseThreshold)
	set("lownoisethreshold", &a.Lownoisethreshold, pr.LowNoiseThreshold)
	set("negativethreshold", &a.Negativethreshold, pr.NegativeThreshold)
	set("smoothfactor", &a.Smoothfactor, pr.SmoothFactor)
	set("minbeamfrac", &a.Minbeamfrac, pr.MinBeamFrac)
	set("cutthreshold", &a.Cutthreshold, pr.CutThreshold)
	set("minpercentchange", &a.Minpercentchange, pr.MinPercentChange)
	if !changed("growiterations") {
		a.Growiterations = pr.GrowIterations
	}
	if !changed("dogrowprune") {
		a.Dogrowprune = pr.DoGrowPrune
	}
	if !changed("fastnoise") {
		a.Fastnoise = pr.FastNoise
	}
	a.Preset = name
	return nil
}
