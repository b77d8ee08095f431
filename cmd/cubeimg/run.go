package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cubeimg/cubeimg/internal/units"
	"github.com/cubeimg/cubeimg/pipeline"
	"github.com/cubeimg/cubeimg/tiles"
)

// runFlags holds the string forms of flags that take units or lists.
type runFlags struct {
	imsize, cell, threshold, maxResident, uvtaper, restoringbeam string
	quiet                                                        bool
	jsonPlan                                                     bool
	// cpuprofile is a file for a Go CPU profile of the run (go tool pprof).
	cpuprofile string
}

func newRunCmd() *cobra.Command {
	p := pipeline.DefaultParams()
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run --vis FILE --imagename NAME [flags]",
		Short: "Image a MeasurementSet or UVFITS file into a spectral cube store (tclean specmode='cube')",
		Long: `run images the visibilities of --vis into NAME.cube, a tiled cube store holding the image, psf,
residual, model, pb and mask of every channel, inside the memory bound --max-resident.

Flags carry tclean's parameter names and accept values as tclean writes them: --cell 0.15arcsec,
--threshold 4mJy, --start 230.5GHz or -10km/s, --max-resident 48GB. The visibilities are first read once
into a channel-major spool (NAME.spool, reused by later runs on the same input and selection); then
channels are imaged independently, several at once as the memory budget allows. A killed run continues
with --resume; --channels 12,40:44 --resume re-images only those channels.`,
		Example: `  cubeimg run --vis sim.ms --imagename demo --imsize 256 --cell 0.1arcsec \
      --weighting briggs --robust 0.5 --niter 1000 --threshold 5mJy --usemask auto-multithresh --fits`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.apply(&p, cmd); err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(goMemoryLimit(p.MaxResident))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var prog pipeline.Progress = pipeline.Discard
			if !f.quiet {
				prog = pipeline.NewProgress(os.Stderr, term.IsTerminal(int(os.Stderr.Fd())), 10*time.Second)
			}
			if f.cpuprofile != "" {
				stopProfile, err := startCPUProfile(f.cpuprofile)
				if err != nil {
					return err
				}
				defer stopProfile()
			}
			if f.jsonPlan {
				if !p.DryRun {
					return fmt.Errorf("--json goes with --dry-run")
				}
				plan, err := pipeline.DryRun(ctx, &p, prog)
				if plan != nil {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					if jerr := enc.Encode(plan); jerr != nil {
						return jerr
					}
				}
				return err
			}
			return runPipeline(ctx, &p, prog, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.AddFlagSet(f.flagSet(&p))
	fl.BoolVar(&f.jsonPlan, "json", false, "with --dry-run: print the plan as JSON (the fields of pipeline.Plan)")
	return cmd
}

// flagSet returns the flags of a run, bound to p and f: `cubeimg run` and `cubeimg slurm` (which
// passes them on to every task) share them.
func (f *runFlags) flagSet(p *pipeline.Params) *pflag.FlagSet {
	fl := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fl.SortFlags = false
	fl.StringVar(&p.Vis, "vis", "", "input MeasurementSet directory or UVFITS file")
	fl.StringVar(&p.ImageName, "imagename", "", "output name: writes NAME.cube (and NAME.spool, NAME.<ext>.fits)")
	fl.StringVar(&f.imsize, "imsize", "", "image size in pixels: N or NX,NY")
	fl.StringVar(&f.cell, "cell", "", "pixel size with unit: 0.15arcsec or 0.15arcsec,0.15arcsec (x,y)")
	fl.StringVar(&p.Phasecenter, "phasecenter", "", "phase centre: a field index or name (default: the selected field's)")
	fl.StringVar(&p.Specmode, "specmode", "cube", "spectral mode; only cube is implemented")
	fl.IntVar(&p.Nchan, "nchan", -1, "number of output channels (-1: all selected data channels)")
	fl.StringVar(&p.Start, "start", "", "first channel: a data channel index (5), a frequency (230.5GHz) or a velocity (-10km/s)")
	fl.StringVar(&p.Width, "width", "", "channel width in the unit of --start (channels, Hz or km/s); negative for decreasing order")
	fl.StringVar(&p.Outframe, "outframe", p.Outframe, "spectral frame of the output axis: LSRK or TOPO")
	fl.StringVar(&p.Restfreq, "restfreq", "", "rest frequency for velocities (e.g. 230.538GHz)")
	fl.StringVar(&p.Veltype, "veltype", p.Veltype, "velocity definition: radio or optical")
	fl.StringVar(&p.Interpolation, "interpolation", p.Interpolation, "data to image channel interpolation: nearest or linear")
	fl.StringVar(&p.Field, "field", "", "field index or name to image (default: the first field)")
	fl.StringVar(&p.Spw, "spw", "", "spectral windows to use, comma-separated indices (default: all that overlap the axis)")
	fl.StringVar(&p.Datacolumn, "datacolumn", p.Datacolumn, "visibility column: data, corrected or model")
	fl.StringVar(&p.Weighting, "weighting", p.Weighting, "natural, uniform, briggs or briggsbwtaper")
	fl.Float64Var(&p.Robust, "robust", p.Robust, "Briggs robust parameter in [-2, 2]")
	fl.Float64Var(&p.Fracbw, "fracbw", 0, "briggsbwtaper fractional bandwidth (0: from the cube's first and last channels)")
	fl.BoolVar(&p.Perchanweightdensity, "perchanweightdensity", p.Perchanweightdensity, "one weight-density grid per output channel (tclean default true)")
	fl.IntVar(&p.Npixels, "npixels", 0, "uniform/briggs density box half-width in cells (0: one cell)")
	fl.StringVar(&p.WeightingDensity, "weighting-density", "casa", "how uniform/briggs bin samples: casa (tclean's rule) or wsclean (WSClean 3's, to compare with it)")
	fl.StringVar(&f.uvtaper, "uvtaper", "", "Gaussian uv taper as an image-plane FWHM: '1arcsec' or '1arcsec,0.5arcsec,30deg'")
	fl.Float64Var(&p.GridderEps, "gridder-eps", p.GridderEps, "requested gridding accuracy (ES kernel support and padding follow from it)")
	fl.StringVar(&p.Kernel, "kernel", p.Kernel, "gridding kernel: es (accuracy-driven) or casa (7x7 prolate spheroid, padding 1.2, as tclean's standard gridder)")
	fl.StringVar(&p.FFT, "fft", "go", "FFT implementation: go (the default; reproducible bit for bit) or fftw (when built with FFTW)")
	fl.StringVar(&p.Deconvolver, "deconvolver", p.Deconvolver, "minor-cycle algorithm; only hogbom is implemented")
	fl.IntVar(&p.Niter, "niter", p.Niter, "maximum number of CLEAN components (counted over the cube, or per channel with --niter-scope channel)")
	fl.IntVar(&p.Cycleniter, "cycleniter", p.Cycleniter, "maximum components per channel per minor cycle (-1: niter)")
	fl.Float64Var(&p.Cyclefactor, "cyclefactor", p.Cyclefactor, "scales the PSF sidelobe level into the minor-cycle threshold")
	fl.Float64Var(&p.Minpsffraction, "minpsffraction", p.Minpsffraction, "lower bound of the cycle threshold as a fraction of the peak residual")
	fl.Float64Var(&p.Maxpsffraction, "maxpsffraction", p.Maxpsffraction, "upper bound of the cycle threshold as a fraction of the peak residual")
	fl.Float64Var(&p.Gain, "gain", p.Gain, "CLEAN loop gain")
	fl.StringVar(&f.threshold, "threshold", "0Jy", "stopping threshold on the peak residual, with unit (4mJy)")
	fl.Float64Var(&p.Nsigma, "nsigma", 0, "stop at nsigma times the robust (MAD) rms of each channel's residual; 0 = off")
	fl.IntVar(&p.Nmajor, "nmajor", p.Nmajor, "maximum number of major cycles (-1: no limit)")
	fl.StringVar(&p.NiterScope, "niter-scope", p.NiterScope, "cube: niter counts over the whole cube, as tclean; channel: each channel gets niter")
	fl.StringVar(&p.Usemask, "usemask", p.Usemask, "clean mask: none, user (--mask), auto-multithresh or pb")
	fl.StringVar(&p.Mask, "mask", "", "user mask: a FITS cube or cube store with the image's shape (non-zero = clean here)")
	fl.StringVar(&p.Automask.Preset, "automask-preset", "", "auto-multithresh parameters of an ALMA pipeline preset (e.g. alma-12m-long-cube); explicit flags override")
	fl.Float64Var(&p.Automask.Sidelobethreshold, "sidelobethreshold", p.Automask.Sidelobethreshold, "auto-multithresh: mask threshold in units of the PSF sidelobe level times the peak")
	fl.Float64Var(&p.Automask.Noisethreshold, "noisethreshold", p.Automask.Noisethreshold, "auto-multithresh: mask threshold in units of the noise")
	fl.Float64Var(&p.Automask.Lownoisethreshold, "lownoisethreshold", p.Automask.Lownoisethreshold, "auto-multithresh: threshold for growing the mask, in units of the noise")
	fl.Float64Var(&p.Automask.Negativethreshold, "negativethreshold", p.Automask.Negativethreshold, "auto-multithresh: threshold for masking absorption, in units of the noise (0 = off)")
	fl.Float64Var(&p.Automask.Smoothfactor, "smoothfactor", p.Automask.Smoothfactor, "auto-multithresh: mask smoothing kernel in beams")
	fl.Float64Var(&p.Automask.Minbeamfrac, "minbeamfrac", p.Automask.Minbeamfrac, "auto-multithresh: prune regions smaller than this fraction of the beam area")
	fl.Float64Var(&p.Automask.Cutthreshold, "cutthreshold", p.Automask.Cutthreshold, "auto-multithresh: cut level of the smoothed mask as a fraction of its peak")
	fl.IntVar(&p.Automask.Growiterations, "growiterations", p.Automask.Growiterations, "auto-multithresh: maximum binary dilation passes when growing the mask")
	fl.BoolVar(&p.Automask.Dogrowprune, "dogrowprune", p.Automask.Dogrowprune, "auto-multithresh: prune the grown mask")
	fl.Float64Var(&p.Automask.Minpercentchange, "minpercentchange", p.Automask.Minpercentchange, "auto-multithresh: stop masking a channel whose mask changes by less than this percent (-1 = off)")
	fl.BoolVar(&p.Automask.Fastnoise, "fastnoise", p.Automask.Fastnoise, "auto-multithresh: noise from all pixels (true) or from outside the mask (false)")
	fl.Float64Var(&p.Pbmask, "pbmask", 0, "mask out pixels where the primary beam is below this level (0 = off)")
	fl.StringVar(&f.restoringbeam, "restoringbeam", "", "restoring beam: empty (each channel's fitted beam), common, or 'bmaj[,bmin[,bpa]]' e.g. '0.5arcsec,0.4arcsec,30deg'")
	fl.BoolVar(&p.Pbcor, "pbcor", false, "also write image.pbcor = image / pb where pb >= pblimit")
	fl.Float64Var(&p.Pblimit, "pblimit", p.Pblimit, "primary-beam level below which pbcor and the pb mask blank pixels")
	fl.Float64Var(&p.Psfcutoff, "psfcutoff", p.Psfcutoff, "PSF level bounding the main lobe in the restoring-beam fit (0.01-0.99)")
	fl.StringVar(&p.BeamFit, "beam-fit", "casa", "restoring-beam fit: casa (tclean's: the main lobe above psfcutoff) or wsclean (WSClean 3's: a least-squares fit over a box of 10 theoretical beams, to compare with it)")
	fl.StringVar(&p.Telescope, "telescope", "", "primary-beam model: ALMA12m or ALMA7m (default: from the input's telescope and dish size)")
	fl.StringVar(&f.maxResident, "max-resident", "4GiB", "bound on the process's resident memory (48GB, 512MiB): mapped tiles, grids and buffers all count")
	fl.IntVar(&p.Workers, "workers", 0, "channels imaged at once (0: as many as cores and --max-resident allow)")
	fl.StringVar(&p.Channels, "channels", "", "image only these channels: '12,40:44' (a:b is a..b-1); with --resume re-images them")
	fl.BoolVar(&p.Resume, "resume", false, "continue an interrupted run in NAME.cube (committed channels are kept)")
	fl.BoolVar(&p.PrepareOnly, "prepare-only", false, "stop after the spool, the store and every channel's PSF and beam (first step of a cluster run)")
	fl.BoolVar(&p.SkipCommitted, "skip-committed", false, "with --channels, keep channels already committed instead of re-imaging them (requeued cluster tasks)")
	fl.BoolVar(&p.DryRun, "dry-run", false, "print the plan (memory per channel, workers, disk, estimated time) and stop")
	fl.StringVar(&p.Report, "report", "", "write a JSON run report (phase timings, peak RSS, bytes read and written) to this file")
	fl.BoolVar(&p.Fits, "fits", false, "also export every extension as NAME.<ext>.fits")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress output")
	fl.StringVar(&f.cpuprofile, "cpuprofile", "", "write a Go CPU profile of the run to this file (go tool pprof bin/cubeimg FILE)")
	return fl
}

func (f *runFlags) apply(p *pipeline.Params, cmd *cobra.Command) error {
	var err error
	if f.imsize != "" {
		parts := strings.Split(f.imsize, ",")
		if len(parts) > 2 {
			return fmt.Errorf("--imsize %q: want N or NX,NY", f.imsize)
		}
		for i := range 2 {
			s := parts[min(i, len(parts)-1)]
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("--imsize %q: %q is not a pixel count", f.imsize, s)
			}
			p.Imsize[i] = n
		}
	}
	if f.cell != "" {
		parts := strings.Split(f.cell, ",")
		if len(parts) > 2 {
			return fmt.Errorf("--cell %q: want one or two angles", f.cell)
		}
		for i := range 2 {
			s := parts[min(i, len(parts)-1)]
			if p.Cell[i], err = units.ParseAngle(s, "arcsec"); err != nil {
				return fmt.Errorf("--cell: %w", err)
			}
		}
	}
	if p.Threshold, err = units.ParseFlux(f.threshold); err != nil {
		return fmt.Errorf("--threshold: %w", err)
	}
	if p.MaxResident, err = tiles.ParseSize(f.maxResident); err != nil {
		return fmt.Errorf("--max-resident: %w", err)
	}
	if f.uvtaper != "" {
		p.Uvtaper = strings.Split(f.uvtaper, ",")
	}
	p.Restoringbeam = f.restoringbeam
	if p.Automask.Preset != "" {
		if err := pipeline.ApplyAutomaskPreset(&p.Automask, p.Automask.Preset, cmd.Flags().Changed); err != nil {
			return fmt.Errorf("--automask-preset: %w", err)
		}
	}
	return nil
}

// goMemoryLimit is the Go runtime's soft memory limit for a run under --max-resident: the budget
// less the store's tile cache (pipeline.TileCacheBytes), which
// is mapped file pages outside the Go heap. Without it the garbage collector lets the heap grow to
// twice its live size, beyond the budget: at 4096^2 under --max-resident 1GiB in a 1.1 GiB cgroup
// the anonymous memory reached 1.06 GiB and the page cache thrashed (165 GB read for a 5.6 GB
// cube); with this limit the peak RSS was 1049 MiB and 6 GB were read. GOMEMLIMIT overrides it.
func goMemoryLimit(maxResident int64) int64 {
	return max(maxResident-pipeline.TileCacheBytes(maxResident), 32<<20)
}

// startCPUProfile starts a CPU profile written to path; the returned function stops it.
func startCPUProfile(path string) (func(), error) {
	fh, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(fh); err != nil {
		fh.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := fh.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "--cpuprofile %s: %v\n", path, err)
		}
	}, nil
}

func runPipeline(ctx context.Context, p *pipeline.Params, prog pipeline.Progress, out io.Writer) error {
	return pipeline.Run(ctx, p, prog, out)
}
