package restore

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// Options configures the restoration. The zero value (or nil) means one goroutine.
type Options struct {
	// Workers is the number of goroutines (rows are split between them; the result does not
	// depend on it).
	Workers int
}

func workers(o *Options) int {
	if o == nil || o.Workers < 1 {
		return 1
	}
	return o.Workers
}

// Model adds to dst the model (Jy/pixel) convolved with the peak-1 Gaussian b, in Jy/beam:
// each nonzero model pixel adds its value times b centred on it, over the box where b exceeds
// 1e-6 of its peak (a linear convolution: nothing wraps around the edges). dst must not be the
// model plane. The cost is the number of components times the box area, so it does not grow with
// the image size. It allocates 8 bytes per nonzero model pixel.
func Model(dst, model []float32, nx, ny int, b beam.Gaussian, cellX, cellY float64, opt *Options) error {
	n := nx * ny
	if len(dst) < n || len(model) < n {
		return errors.New("restore: plane shorter than nx*ny")
	}
	if !b.Valid() {
		return fmt.Errorf("restore: restoring beam %v is not valid", b)
	}
	st := newStamp(b, cellX, cellY)
	// Components by row: rowStart[y] .. rowStart[y+1] index xs/vals.
	rowStart := make([]int32, ny+1)
	nnz := 0
	for y := 0; y < ny; y++ {
		rowStart[y] = int32(nnz)
		for _, v := range model[y*nx : (y+1)*nx] {
			if v != 0 {
				nnz++
			}
		}
	}
	rowStart[ny] = int32(nnz)
	if nnz == 0 {
		return nil
	}
	xs := make([]int32, 0, nnz)
	vals := make([]float32, 0, nnz)
	for y := 0; y < ny; y++ {
		for x, v := range model[y*nx : (y+1)*nx] {
			if v != 0 {
				xs = append(xs, int32(x))
				vals = append(vals, v)
			}
		}
	}
	band := func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			out := dst[y*nx : (y+1)*nx]
			for sy := max(0, y-st.ry); sy <= min(ny-1, y+st.ry); sy++ {
				krow := st.k[(y-sy+st.ry)*st.w : (y-sy+st.ry+1)*st.w]
				for c := rowStart[sy]; c < rowStart[sy+1]; c++ {
					cx, a := int(xs[c]), vals[c]
					lo, hi := max(0, cx-st.rx), min(nx, cx+st.rx+1)
					k := krow[lo-cx+st.rx : hi-cx+st.rx]
					o := out[lo:hi]
					for i := range o {
						o[i] += a * k[i]
					}
				}
			}
		}
	}
	w := min(workers(opt), ny)
	if w == 1 {
		band(0, ny)
		return nil
	}
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		y0, y1 := k*ny/w, (k+1)*ny/w
		wg.Add(1)
		go func() { defer wg.Done(); band(y0, y1) }()
	}
	wg.Wait()
	return nil
}

// stamp is a peak-1 Gaussian sampled on a (2ry+1) x (2rx+1) box.
type stamp struct {
	rx, ry, w int
	k         []float32
}

func newStamp(b beam.Gaussian, cellX, cellY float64) stamp {
	a, bb, c := b.Quadratic(cellX, cellY)
	sxx, _, syy := b.PixelMoments(cellX, cellY)
	// exp(-13.8) = 1e-6: the box holds the ellipse where the Gaussian exceeds 1e-6.
	const e = 13.8155
	rx := int(math.Ceil(math.Sqrt(2 * e * sxx)))
	ry := int(math.Ceil(math.Sqrt(2 * e * syy)))
	s := stamp{rx: rx, ry: ry, w: 2*rx + 1, k: make([]float32, (2*rx+1)*(2*ry+1))}
	for dy := -ry; dy <= ry; dy++ {
		for dx := -rx; dx <= rx; dx++ {
			q := a*float64(dx*dx) + bb*float64(dx*dy) + c*float64(dy*dy)
			if q < e {
				s.k[(dy+ry)*s.w+dx+rx] = float32(math.Exp(-q))
			}
		}
	}
	return s
}

// Info says how a channel was restored.
type Info struct {
	// Beam is the restoring beam.
	Beam beam.Gaussian
	// Kernel is the Gaussian the residual was smoothed with (restoring beam deconvolved by the
	// fitted beam; zero when the residual was not smoothed).
	Kernel beam.Gaussian
	// AreaRatio is the restoring beam's area over the fitted beam's: the factor applied to the
	// smoothed residual to keep it in Jy per restoring beam (1 when not smoothed).
	AreaRatio float64
	// ResidualNotConvolved is set when the fitted beam is larger than the restoring beam in some
	// direction: the residual cannot be brought to the restoring beam and is added as it is (in
	// Jy per fitted beam). This is what happens to a channel rejected from the common beam.
	ResidualNotConvolved bool
}

// Image writes the restored image of one channel to dst (Jy/beam): the model convolved with the
// restoring beam plus the residual.
//
// With restoring equal to fitted (or null: per-channel restoration, tclean's default) that is
// model * fitted + residual. With another restoring beam (--restoringbeam common or an explicit
// beam), the residual is brought to it as CASA does for a common beam: smoothed with the Gaussian
// restoring - fitted (beam.Deconvolve; a difference within casacore's point-source tolerance is
// used as it is, clamped at zero) and multiplied by the beam-area ratio restoring / fitted, so
// that it is in Jy per restoring beam. If the fitted beam is larger than the restoring beam in
// some direction, the residual is added unchanged and Info.ResidualNotConvolved is set.
//
// dst may be the residual plane itself (then the residual is overwritten); it must not be the
// model. The smoothing uses a few rows of scratch, the model convolution 8 bytes per component.
func Image(dst, model, residual []float32, nx, ny int, fitted, restoring beam.Gaussian, cellX, cellY float64, opt *Options) (Info, error) {
	n := nx * ny
	if n <= 0 || len(dst) < n || len(model) < n || len(residual) < n {
		return Info{}, errors.New("restore: plane shorter than nx*ny")
	}
	if restoring.IsNull() {
		restoring = fitted
	}
	info := Info{Beam: restoring, AreaRatio: 1}
	if !restoring.Valid() {
		return info, fmt.Errorf("restore: restoring beam %v is not valid", restoring)
	}
	same := restoring == fitted
	var kernel beam.Gaussian
	if !same {
		if !fitted.Valid() {
			return info, fmt.Errorf("restore: fitted beam %v is not valid", fitted)
		}
		var ok bool
		kernel, ok = residualKernel(restoring, fitted)
		if !ok {
			info.ResidualNotConvolved = true
			same = true
		}
	}
	if same {
		if &dst[0] != &residual[0] {
			copy(dst[:n], residual[:n])
		}
	} else {
		info.Kernel = kernel
		info.AreaRatio = restoring.Area() / fitted.Area()
		if kernel.Major > 0 {
			beam.Smooth(dst[:n], residual[:n], nx, ny, kernel, cellX, cellY, &beam.SmoothOptions{Workers: workers(opt)})
		} else if &dst[0] != &residual[0] {
			copy(dst[:n], residual[:n])
		}
		r := float32(info.AreaRatio)
		for i := range dst[:n] {
			dst[i] *= r
		}
	}
	return info, Model(dst, model, nx, ny, restoring, cellX, cellY, opt)
}

// residualKernel returns target - fitted as a Gaussian when the difference is positive
// semi-definite within casacore's tolerance (negative eigenvalues within it are clamped to 0).
func residualKernel(target, fitted beam.Gaussian) (beam.Gaussian, bool) {
	k, err := beam.Deconvolve(target, fitted)
	if err == nil {
		return k, true
	}
	if !errors.Is(err, beam.ErrPointSource) {
		return beam.Gaussian{}, false
	}
	// Within tolerance: the pixel covariance difference with negative eigenvalues clamped.
	const cell = 1.0
	txx, txy, tyy := target.PixelMoments(cell, cell)
	fxx, fxy, fyy := fitted.PixelMoments(cell, cell)
	a, b, c := txx-fxx, txy-fxy, tyy-fyy
	tr, d := a+c, math.Hypot(a-c, 2*b)
	l1, l2 := math.Max(0, 0.5*(tr+d)), math.Max(0, 0.5*(tr-d))
	if l1 == 0 {
		return beam.Gaussian{}, true
	}
	th := 0.5 * math.Atan2(2*b, a-c)
	s, co := math.Sincos(th)
	return beam.FromPixelMoments(l1*co*co+l2*s*s, (l1-l2)*s*co, l1*s*s+l2*co*co, cell, cell), true
}

// CommonRule is the outlier rejection of CommonBeam: a channel's beam is rejected when its area
// exceeds the median area by more than max(MinExcess, NSigma * 1.4826 MAD / median) times the
// median, or when it is null or invalid. Only larger beams are rejected: a smaller one cannot
// inflate the common beam.
type CommonRule struct {
	MinExcess float64
	NSigma    float64
}

// DefaultCommonRule rejects beams more than max(20%, 5 robust sigma) larger in area than the
// median beam.
func DefaultCommonRule() CommonRule { return CommonRule{MinExcess: 0.2, NSigma: 5} }

// Common is the outcome of CommonBeam.
type Common struct {
	// Beam is the common restoring beam: beam.Common of the beams kept.
	Beam beam.Gaussian
	// Rejected lists the channels (indices into the beams) left out, in order.
	Rejected []int
	// MedianArea and AreaLimit (steradians) are the rule's numbers.
	MedianArea, AreaLimit float64
}

// String describes the rule's outcome for logs and reports.
func (c *Common) String() string {
	return fmt.Sprintf("common beam %v from %s; rejected channels %v (area above %.4g of the median)",
		c.Beam, "casacore getCommonBeam", c.Rejected, c.AreaLimit/c.MedianArea)
}

// CommonBeam returns the common restoring beam of a cube's channel beams (--restoringbeam
// common): the outliers are rejected by rule, and the smallest beam every other channel's beam
// deconvolves from is computed with casacore's getCommonBeam semantics (beam.Common). Rejected
// channels are restored with the common beam too, their residual unchanged
// (Info.ResidualNotConvolved) unless their beam happens to fit.
func CommonBeam(beams []beam.Gaussian, rule CommonRule) (Common, error) {
	var res Common
	var areas []float64
	for _, b := range beams {
		if b.Valid() {
			areas = append(areas, b.Area())
		}
	}
	if len(areas) == 0 {
		return res, errors.New("restore: common beam: no valid channel beam")
	}
	sort.Float64s(areas)
	med := median(areas)
	dev := make([]float64, len(areas))
	for i, a := range areas {
		dev[i] = math.Abs(a - med)
	}
	sort.Float64s(dev)
	mad := median(dev)
	excess := math.Max(rule.MinExcess, rule.NSigma*1.4826*mad/med)
	res.MedianArea, res.AreaLimit = med, med*(1+excess)
	keep := make([]beam.Gaussian, 0, len(beams))
	for i, b := range beams {
		if !b.Valid() || b.Area() > res.AreaLimit {
			res.Rejected = append(res.Rejected, i)
			continue
		}
		keep = append(keep, b)
	}
	var err error
	res.Beam, err = beam.Common(keep)
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	return res, nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	return 0.5 * (sorted[(n-1)/2] + sorted[n/2])
}
