package deconv

import (
	"math"

	"github.com/cubeimg/cubeimg/imaging/beam"
	"github.com/cubeimg/cubeimg/imaging/internal/robust"
)

// PlaneSummary is what the iteration control needs to know of one channel after a major cycle
// (and the mask update that follows it). The pipeline computes it with Summarize and hands it to
// Controller.Observe; it is small and can be kept for every channel of a cube.
type PlaneSummary struct {
	// PeakInMask is the largest |residual| inside the clean mask (0 if the mask is empty).
	PeakInMask float32
	// PeakNoMask is the largest |residual| over the plane (inside the primary-beam region).
	PeakNoMask float32
	// MaskPixels is the number of pixels in the clean mask.
	MaskPixels int
	// MaskStatic is set when the mask can no longer change (a user mask, or no mask): an empty
	// static mask stops the channel (StopZeroMask).
	MaskStatic bool
	// NoiseLimited is set when auto-multithresh has flagged the channel as noise-limited and skips
	// it (automask.State.Flagged): with an empty mask the channel stops with StopNoise.
	NoiseLimited bool
	// PSFSidelobe is the channel's PSF sidelobe level S_psf (PSFSidelobe).
	PSFSidelobe float32
	// RMS and Median are the robust noise of the residual (1.4826 MAD) and its median, used by
	// NSigma; zero when NSigma is off.
	RMS, Median float32
}

// Peak returns the peak residual a minor cycle starts from: in the mask when the mask has
// pixels, else over the plane (SDAlgorithmBase::deconvolve).
func (s *PlaneSummary) Peak() float32 {
	if s.MaskPixels > 0 {
		return s.PeakInMask
	}
	return s.PeakNoMask
}

// NSigmaThreshold returns the plane's n-sigma threshold: nsigma * RMS, plus Median when the
// masks come from auto-multithresh; 0 when NSigma is off.
func (s *PlaneSummary) NSigmaThreshold(p *Params) float64 {
	if p.NSigma <= 0 {
		return 0
	}
	t := p.NSigma * float64(s.RMS)
	if p.Automask {
		t += float64(s.Median)
	}
	return t
}

// SummaryInput holds the planes Summarize reads.
type SummaryInput struct {
	Nx, Ny   int
	Residual []float32
	// Mask is the clean mask (nonzero: clean here); nil means no mask: every pixel (of the
	// primary-beam region) may be cleaned.
	Mask []uint8
	// PB and PBLimit restrict the plane to PB > PBLimit when PB is not nil.
	PB      []float32
	PBLimit float32
	// PSFSidelobe is copied to the summary.
	PSFSidelobe float32
	// MaskStatic and NoiseLimited are copied to the summary.
	MaskStatic, NoiseLimited bool
}

// Summarize measures one residual plane for the iteration control: the peaks in and out of the
// mask, the mask size, and (when p.NSigma > 0) the robust noise of the residual with p.FastNoise
// as CASA's calcRobustRMS. It reads the plane once, plus about six passes for the robust noise.
func Summarize(in SummaryInput, p *Params) PlaneSummary {
	n := in.Nx * in.Ny
	if len(in.Residual) < n || (in.Mask != nil && len(in.Mask) < n) || (in.PB != nil && len(in.PB) < n) {
		panic("deconv: Summarize: plane shorter than nx*ny")
	}
	s := PlaneSummary{PSFSidelobe: in.PSFSidelobe, MaskStatic: in.MaskStatic, NoiseLimited: in.NoiseLimited}
	for i, v := range in.Residual[:n] {
		if in.PB != nil && !(in.PB[i] > in.PBLimit) {
			continue
		}
		a := abs32(v)
		if a > s.PeakNoMask {
			s.PeakNoMask = a
		}
		if in.Mask == nil || in.Mask[i] != 0 {
			s.MaskPixels++
			if a > s.PeakInMask {
				s.PeakInMask = a
			}
		}
	}
	if p.NSigma > 0 {
		r := robust.Region{PB: in.PB, PBLimit: in.PBLimit, Mask: in.Mask}
		e := robust.Estimate(in.Residual[:n], r, p.FastNoise, nil)
		s.RMS, s.Median = float32(e.RMS), float32(e.Median)
	}
	return s
}

// PSFSidelobe returns CASA's PSF sidelobe level S_psf (SIImageStore::getPSFSidelobeLevel):
// max(|min PSF|, max(PSF - G)), where G is the fitted beam as a peak-1 Gaussian centred on pixel
// (nx/2, ny/2), so the main lobe does not count but a poorly fitted one does. psf is peak-1,
// row-major nx*ny; cells in radians.
func PSFSidelobe(psf []float32, nx, ny int, fitted beam.Gaussian, cellX, cellY float64) float32 {
	if len(psf) < nx*ny {
		panic("deconv: PSFSidelobe: psf shorter than nx*ny")
	}
	var lo, hi float64
	a, b, c := fitted.Quadratic(cellX, cellY)
	// G < exp(-40) beyond this box: PSF - G = PSF there.
	sxx, _, syy := fitted.PixelMoments(cellX, cellY)
	rx := int(math.Ceil(math.Sqrt(80 * sxx)))
	ry := int(math.Ceil(math.Sqrt(80 * syy)))
	if !fitted.Valid() {
		rx, ry = -1, -1
	}
	cx, cy := nx/2, ny/2
	for y := 0; y < ny; y++ {
		row := psf[y*nx : (y+1)*nx]
		dy := float64(y - cy)
		inY := y-cy >= -ry && y-cy <= ry
		for x, v := range row {
			f := float64(v)
			lo = math.Min(lo, f)
			if inY && x-cx >= -rx && x-cx <= rx {
				dx := float64(x - cx)
				f -= math.Exp(-(a*dx*dx + b*dx*dy + c*dy*dy))
			}
			hi = math.Max(hi, f)
		}
	}
	return float32(math.Max(-lo, hi))
}

// PSFHalfWidthFor returns the smallest half-width w such that |psf| <= level everywhere outside
// the (2w+1)^2 box centred on pixel (nx/2, ny/2): the window Hogbom needs (Params.PSFHalfWidth)
// so that the PSF it leaves out is below level.
func PSFHalfWidthFor(psf []float32, nx, ny int, level float32) int {
	w := 0
	for y := 0; y < ny; y++ {
		dy := iabs(y - ny/2)
		for x, v := range psf[y*nx : (y+1)*nx] {
			if abs32(v) > level {
				w = max(w, dy, iabs(x-nx/2))
			}
		}
	}
	return w
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

func iabs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
