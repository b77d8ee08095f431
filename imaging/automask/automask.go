package automask

import (
	"errors"
	"fmt"
	"math"

	"github.com/cubeimg/cubeimg/imaging/beam"
	"github.com/cubeimg/cubeimg/imaging/internal/robust"
)

// Values of the mask plane. The clean mask is every nonzero pixel; auto-multithresh also needs
// to know, between updates, which pixels belong to its positive (emission) mask, CASA's posmask:
// those hold Positive, pixels that are in the mask only through the negative mask (or a mask the
// caller started from) hold Other. Persist the byte values, not just nonzero, for an exact resume.
const (
	Outside  uint8 = 0
	Positive uint8 = 1
	Other    uint8 = 2
)

// Plane is one channel's planes, row-major nx*ny (imaging.Geometry).
type Plane struct {
	Nx, Ny   int
	Residual []float32
	// Mask is the clean mask, updated in place (values Outside, Positive, Other).
	Mask []uint8
	// PB, if not nil, is the primary beam; statistics use PB > Input.PBLimit and the mask is
	// kept inside PB > max(PBLimit, Params.PBMask), as CASA does.
	PB []float32
}

// Input is what an update needs besides the planes and parameters.
type Input struct {
	// Beam sets the pruning size (MinBeamFrac beam areas) and the smoothing kernel (SmoothFactor
	// times Beam). CASA uses the restoring beam of the residual: for a cube with per-channel
	// beams, the common beam of all channels (beam.Common); the channel's own fitted beam is the
	// per-channel alternative.
	Beam beam.Gaussian
	// CellX, CellY are the pixel sizes in radians.
	CellX, CellY float64
	// SidelobeLevel is the PSF sidelobe level S_psf (deconv.PSFSidelobe).
	SidelobeLevel float64
	// IterDone is the number of iterations done so far (tclean's iterdone, cube-wide with niter
	// scope cube); the previous mask grows only once it is > 0.
	IterDone int
	// ThresholdReached is set when the cycle threshold is the global threshold
	// (deconv.CycleControls.ThresholdReached), for MinPercentChange.
	ThresholdReached bool
	// PBLimit bounds the region when Plane.PB is set.
	PBLimit float32
	// Workers is the number of goroutines the smoothing may use.
	Workers int
}

// State is a channel's auto-multithresh state between updates; keep it with the channel (it is
// two small fields) and persist it with the mask.
type State struct {
	// Flagged is set once the channel is noise-limited and no longer masked (CASA's chanFlag):
	// later updates skip it.
	Flagged bool `json:"flagged"`
	// Updates counts the updates done.
	Updates int `json:"updates"`
}

// Result reports one update, as CASA's automask summary.
type Result struct {
	// Skipped is set when the channel was already flagged and nothing was done.
	Skipped bool
	// NoiseLimited is set when the noise threshold, not the sidelobe threshold, set the mask
	// threshold (CASA's threshold type "noise").
	NoiseLimited bool
	// Statistics of the residual in the region.
	Median, RMS, Max, Min float32
	// The thresholds used (Jy/beam, the median included).
	MaskThreshold, LowMaskThreshold, NegativeThreshold float32
	// Regions found in the threshold mask and pruned from it; the same for the grown mask.
	Regions, Pruned, GrowRegions, GrowPruned int
	// NegativePixels is the size of the negative mask.
	NegativePixels int
	// PrevPixels and Pixels are the mask sizes before and after the update.
	PrevPixels, Pixels int
	// FlaggedNow is set when this update flagged the channel (State.Flagged).
	FlaggedNow bool
}

// Scratch holds the buffers of an update: two byte planes (half a float32 plane), a smoothing ring
// of a few rows per worker and lists of pixel indices as long as the largest connected region or
// grow front. Reuse it across channels and updates of the same size.
type Scratch struct {
	nx, ny   int
	a, g     []uint8
	rowMax   []float32
	ring     []float32
	list     []int32
	frontier []int32
	rows     []bool
	hist     robust.Hist
}

// NewScratch returns scratch for nx x ny planes.
func NewScratch(nx, ny int) *Scratch {
	n := nx * ny
	return &Scratch{nx: nx, ny: ny, a: make([]uint8, n), g: make([]uint8, n)}
}

// ScratchBytes is the memory of NewScratch(nx, ny) before its lists grow: half a float32 plane
// (two byte planes) plus a 256 KiB histogram. The pixel lists grow to the size of the largest
// region or grow front (4 bytes per pixel; at most one more plane for a mask covering the whole
// image), and the smoothing ring to 2 ceil(5 sigma) + 3 rows per worker.
func ScratchBytes(nx, ny int) int64 { return int64(nx)*int64(ny)*2 + 1<<18 }

// Update runs one auto-multithresh update of one channel's mask (SDMaskHandler::
// autoMaskByMultiThreshold, ALGORITHMS.md 3): statistics, thresholds, threshold mask, prune,
// smooth and cut, grow of the previous mask into the low-noise region (once iterations have been
// done), negative mask, union with the previous mask (masks only grow), and the channel skip
// test. It is deterministic and does not depend on Input.Workers.
func Update(pl Plane, in Input, p *Params, st *State, sc *Scratch) (Result, error) {
	var res Result
	nx, ny := pl.Nx, pl.Ny
	n := nx * ny
	if nx <= 0 || ny <= 0 || len(pl.Residual) < n || len(pl.Mask) < n || (pl.PB != nil && len(pl.PB) < n) {
		return res, fmt.Errorf("automask: planes shorter than %d x %d", nx, ny)
	}
	if sc == nil || sc.nx != nx || sc.ny != ny {
		return res, fmt.Errorf("automask: scratch is not for %d x %d planes", nx, ny)
	}
	if err := p.Validate(); err != nil {
		return res, err
	}
	if !in.Beam.Valid() || !(in.CellX > 0) || !(in.CellY > 0) {
		return res, errors.New("automask: a valid beam and positive cell sizes are needed")
	}
	for _, v := range pl.Mask[:n] {
		if v != 0 {
			res.PrevPixels++
		}
	}
	if st.Flagged {
		res.Skipped, res.Pixels = true, res.PrevPixels
		return res, nil
	}
	st.Updates++
	resid, mask := pl.Residual[:n], pl.Mask[:n]

	// Region: statistics use PB > PBLimit; the mask stays inside PB > max(PBLimit, PBMask).
	region := robust.Region{PB: pl.PB, PBLimit: in.PBLimit}
	maskLimit := in.PBLimit
	if p.PBMask > float64(maskLimit) {
		maskLimit = float32(p.PBMask)
	}
	pb := pl.PB
	inMaskRegion := func(i int) bool { return pb == nil || pb[i] > maskLimit }

	// 0. Statistics.
	lo, hi, cnt := robust.MinMax(resid, region)
	if cnt == 0 {
		res.Pixels = res.PrevPixels
		return res, nil
	}
	noise := noiseStats(resid, region, mask, p.FastNoise, &sc.hist)
	res.Max, res.Min = hi, lo
	res.Median, res.RMS = float32(noise.Median), float32(noise.RMS)

	// 1. Thresholds (CASA computes them in single precision).
	absMax := math.Max(math.Abs(float64(hi)), math.Abs(float64(lo)))
	side := float32(in.SidelobeLevel * p.SidelobeThreshold * absMax)
	noiseT := float32(p.NoiseThreshold * noise.RMS)
	low := float32(p.LowNoiseThreshold * noise.RMS)
	neg := float32(p.NegativeThreshold * noise.RMS)
	med := float32(noise.Median)
	negMask := -max(side, neg) + med
	side += med
	noiseT += med
	low += med
	res.MaskThreshold = max(side, noiseT)
	res.LowMaskThreshold = max(side, low)
	res.NegativeThreshold = negMask
	res.NoiseLimited = res.MaskThreshold != side

	modBeam := beam.Gaussian{Major: p.SmoothFactor * in.Beam.Major, Minor: p.SmoothFactor * in.Beam.Minor, PA: in.Beam.PA}
	pruneSize := p.MinBeamFrac * in.Beam.PixelArea(in.CellX, in.CellY)
	smoothOpt := &beam.SmoothOptions{Workers: in.Workers}
	if l := beam.SmoothScratchLen(nx, modBeam, in.CellX, in.CellY, max(1, in.Workers)); len(sc.ring) < l {
		sc.ring = make([]float32, l)
	}
	smoothOpt.Scratch = sc.ring

	// 2-4. Threshold mask, prune, smooth and cut: the new mask, in sc.a.
	a := sc.a[:n]
	for i, v := range resid {
		a[i] = 0
		if above(v, res.MaskThreshold) && (pb == nil || pb[i] > maskLimit) {
			a[i] = 1
		}
	}
	if p.MinBeamFrac > 0 {
		res.Regions, res.Pruned = sc.prune(a, nx, ny, pruneSize)
	}
	sc.smoothCut(a, nx, ny, modBeam, in, p.CutThreshold, smoothOpt)

	// 5. Grow the previous mask into the low-noise region (sc.g).
	g := sc.g[:n]
	clear(g)
	if in.IterDone > 0 && p.GrowIterations > 0 && res.PrevPixels > 0 {
		c := func(i int) bool { return inMaskRegion(i) && above(resid[i], res.LowMaskThreshold) }
		sc.grow(g, mask, nx, ny, p.GrowIterations, c)
		if p.MinBeamFrac > 0 && p.DoGrowPrune {
			res.GrowRegions, res.GrowPruned = sc.prune(g, nx, ny, pruneSize)
		}
		sc.smoothCut(g, nx, ny, modBeam, in, p.CutThreshold, smoothOpt)
	}

	// 6. The positive mask: previous positive mask, grown and new masks. Written to mask below.
	// 7. The negative mask (sc.g is free again once merged into sc.a).
	for i := range a {
		if g[i] != 0 {
			a[i] = 1
		}
	}
	if p.NegativeThreshold > 0 {
		for i, v := range resid {
			g[i] = 0
			if above(v, negMask) && (pb == nil || pb[i] > maskLimit) {
				g[i] = 1
			}
		}
		sc.smoothCut(g, nx, ny, modBeam, in, p.CutThreshold, smoothOpt)
		for _, v := range g {
			if v != 0 {
				res.NegativePixels++
			}
		}
	} else {
		clear(g)
	}

	// 8. Final mask: previous mask, positive and negative masks, inside the region. Only pixels
	// that change are stored to: the mask is often a memory-mapped plane, whose every page
	// written to is written back.
	for i := range mask {
		if pb != nil && !(pb[i] > maskLimit) {
			if mask[i] != Outside {
				mask[i] = Outside
			}
			continue
		}
		switch {
		case a[i] != 0 || mask[i] == Positive:
			if mask[i] != Positive {
				mask[i] = Positive
			}
		case g[i] != 0 || mask[i] != Outside:
			if mask[i] != Other {
				mask[i] = Other
			}
		}
		if mask[i] != Outside {
			res.Pixels++
		}
	}

	// 9. Channel skip (SDMaskHandler::skipChannels).
	if res.NoiseLimited {
		diff := math.Abs(float64(res.Pixels - res.PrevPixels))
		frac := p.MinPercentChange / 100
		if res.Pixels == 0 || (frac >= 0 && in.ThresholdReached && (diff == 0 || diff < frac*float64(res.PrevPixels))) {
			st.Flagged, res.FlaggedNow = true, true
		}
	}
	return res, nil
}

// above is CASA's makeMaskByPerChanThreshold test: v > t, or v < t for a negative threshold.
func above(v, t float32) bool {
	if t < 0 {
		return v < t
	}
	return v > t
}

func noiseStats(resid []float32, region robust.Region, mask []uint8, fast bool, h *robust.Hist) robust.Noise {
	region.Mask = mask
	return robust.Estimate(resid, region, fast, h)
}

// smoothCut replaces the 0/1 mask m by the pixels where m smoothed with b exceeds cut times the
// maximum of the smoothed mask. It smooths twice, streaming rows, instead of keeping a smoothed
// float32 plane: once (with the workers) for the maximum, once (one worker, writing m in place
// behind the smoothing) for the cut.
func (sc *Scratch) smoothCut(m []uint8, nx, ny int, b beam.Gaussian, in Input, cut float64, opt *beam.SmoothOptions) {
	empty := true
	for _, v := range m {
		if v != 0 {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	if len(sc.rowMax) < ny {
		sc.rowMax = make([]float32, ny)
	}
	rowMax := sc.rowMax[:ny]
	beam.SmoothRows(m, nx, ny, b, in.CellX, in.CellY, opt, func(y, _ int, row []float32) {
		var mx float32
		for _, v := range row {
			if v > mx {
				mx = v
			}
		}
		rowMax[y] = mx
	})
	var mx float32
	for _, v := range rowMax {
		mx = max(mx, v)
	}
	t := float32(cut) * mx
	one := *opt
	one.Workers = 1
	beam.SmoothRows(m, nx, ny, b, in.CellX, in.CellY, &one, func(y, x0 int, row []float32) {
		out := m[y*nx : (y+1)*nx]
		clear(out[:x0])
		clear(out[x0+len(row):])
		seg := out[x0 : x0+len(row)]
		for x, v := range row {
			seg[x] = 0
			if v > t {
				seg[x] = 1
			}
		}
	})
}

// prune removes the 4-connected regions of the 0/1 mask m with fewer than size pixels
// (SDMaskHandler::YAPruneRegions) and returns the number of regions and of regions removed.
func (sc *Scratch) prune(m []uint8, nx, ny int, size float64) (regions, pruned int) {
	const visited = 2
	for start := range m {
		if m[start] != 1 {
			continue
		}
		regions++
		list := append(sc.list[:0], int32(start))
		m[start] = visited
		for h := 0; h < len(list); h++ {
			i := int(list[h])
			x, y := i%nx, i/nx
			if x > 0 && m[i-1] == 1 {
				m[i-1] = visited
				list = append(list, int32(i-1))
			}
			if x < nx-1 && m[i+1] == 1 {
				m[i+1] = visited
				list = append(list, int32(i+1))
			}
			if y > 0 && m[i-nx] == 1 {
				m[i-nx] = visited
				list = append(list, int32(i-nx))
			}
			if y < ny-1 && m[i+nx] == 1 {
				m[i+nx] = visited
				list = append(list, int32(i+nx))
			}
		}
		if float64(len(list)) < size {
			pruned++
			for _, i := range list {
				m[i] = 0
			}
		}
		sc.list = list
	}
	for i, v := range m {
		if v == visited {
			m[i] = 1
		}
	}
	return regions, pruned
}

// grow writes to g (0/1) CASA's grown mask: the pixels of the constraint c reachable from the
// mask pixels in c through at most iters 4-connected steps inside c (SDMaskHandler::
// binaryDilation with the cross structuring element: only constraint pixels propagate, and the
// result is multiplied by the constraint).
func (sc *Scratch) grow(g, mask []uint8, nx, ny, iters int, c func(int) bool) {
	front := sc.frontier[:0]
	for i, v := range mask {
		if v != 0 && c(i) {
			g[i] = 1
			front = append(front, int32(i))
		}
	}
	next := sc.list[:0]
	for it := 0; it < iters && len(front) > 0; it++ {
		next = next[:0]
		for _, j := range front {
			i := int(j)
			x, y := i%nx, i/nx
			try := func(q int) {
				if g[q] == 0 && c(q) {
					g[q] = 1
					next = append(next, int32(q))
				}
			}
			if x > 0 {
				try(i - 1)
			}
			if x < nx-1 {
				try(i + 1)
			}
			if y > 0 {
				try(i - nx)
			}
			if y < ny-1 {
				try(i + nx)
			}
		}
		front, next = next, front
	}
	sc.frontier, sc.list = front, next
}
