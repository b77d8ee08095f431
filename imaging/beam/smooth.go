package beam

import (
	"math"
	"sync"
	"unsafe"
)

// Smoothing a plane with an elliptical Gaussian at any position angle is done in image space as
// two one-dimensional passes, with no FFT and no plane-sized scratch:
//
//	covariance S = s1^2 e_x e_x' + s2^2 d d',  d = (t, 1),
//	s2^2 = Syy,  t = Sxy / Syy,  s1^2 = Sxx - Sxy^2 / Syy  (>= 0 since S is positive definite),
//
// so the Gaussian is a Gaussian of variance s1^2 along rows followed by a Gaussian of variance
// s2^2 along the sheared direction d: out(x, y) = sum_k g2(k) row(y-k)(x - t k). The fractional
// shifts t k are interpolated with the Keys cubic (a = -1/2), which reproduces quadratics, so the
// interpolation adds no variance: the smoothing kernel has exactly the mean and covariance of the
// Gaussian and unit sum; its shape differs from the sampled Gaussian by the interpolation (an rms
// difference of 0.1% on beam-sized structure and 0.7% on white noise for a 2.5 x 1.5 pixel
// sigma beam, smooth_test.go). The one-dimensional kernels are sampled Gaussians truncated at 5 sigma;
// below one pixel their width is adjusted so that the sampled kernel has exactly the requested
// variance. Edges are zero-padded (a linear, not circular, convolution).
//
// Cost per pixel: (2 R1 + 1) multiply-adds for the row pass and up to 4 (2 R2 + 1) for the
// sheared pass, R = ceil(5 sigma). Rows of zeros (an empty part of a mask) cost nothing in the
// sheared pass.

// smoothPlan holds the one-dimensional kernels of a Gaussian at a given pixel scale.
type smoothPlan struct {
	kx []float32 // row pass, taps -rx..rx
	rx int
	ry int
	// pad is the margin kept on each side of a row-smoothed row: the sheared pass samples up to
	// |t| ry + 2 pixels beyond the plane, where the row-smoothed source is still nonzero.
	pad int
	// taps of the sheared pass: for output row y, source row y - k (k = ky[i].dy) is added with
	// coefficient c[m] at column offset off + m.
	ky []shearTap
}

type shearTap struct {
	dy  int
	off int
	n   int // number of coefficients used (1 or 4)
	c   [4]float32
}

func newSmoothPlan(g Gaussian, cellX, cellY float64) smoothPlan {
	sxx, sxy, syy := g.PixelMoments(cellX, cellY)
	var p smoothPlan
	var s1sq, t float64
	if syy > 0 {
		t = sxy / syy
		s1sq = math.Max(0, sxx-sxy*sxy/syy)
	} else {
		s1sq = sxx
	}
	var kx []float64
	kx, p.rx = kernel1D(math.Sqrt(s1sq))
	p.kx = make([]float32, len(kx))
	for i, v := range kx {
		p.kx[i] = float32(v)
	}
	ky, ry := kernel1D(math.Sqrt(math.Max(0, syy)))
	p.ry = ry
	for i, w := range ky {
		k := i - ry
		if w == 0 {
			continue
		}
		// Sample row y-k at column x - t k.
		s := -t * float64(k)
		fl := math.Floor(s)
		f := s - fl
		tap := shearTap{dy: k}
		if f < 1e-12 {
			tap.off, tap.n = int(fl), 1
			tap.c[0] = float32(w)
		} else if f > 1-1e-12 {
			tap.off, tap.n = int(fl)+1, 1
			tap.c[0] = float32(w)
		} else {
			tap.off, tap.n = int(fl)-1, 4
			c := keys(f)
			for m := range c {
				tap.c[m] = float32(w * c[m])
			}
		}
		p.ky = append(p.ky, tap)
		p.pad = max(p.pad, -tap.off, tap.off+tap.n-1)
	}
	p.pad = min(p.pad, p.rx)
	return p
}

// keys returns the Keys (a = -1/2) cubic convolution weights of the samples at offsets -1, 0, 1,
// 2 for interpolation at fraction f in (0, 1).
func keys(f float64) [4]float64 {
	f2, f3 := f*f, f*f*f
	return [4]float64{
		-0.5*f3 + f2 - 0.5*f,
		1.5*f3 - 2.5*f2 + 1,
		-1.5*f3 + 2*f2 + 0.5*f,
		0.5*f3 - 0.5*f2,
	}
}

// kernel1D returns a normalised sampled Gaussian with exactly the variance sigma^2, as taps
// -r..r. Above about one pixel the plain sampled Gaussian has that variance to better than 1e-8;
// below, the sampled width is found by bisection.
func kernel1D(sigma float64) ([]float64, int) {
	if !(sigma > 1e-6) {
		return []float64{1}, 0
	}
	sampled := func(s float64) ([]float64, float64) {
		r := int(math.Ceil(5 * s))
		if r < 1 {
			r = 1
		}
		k := make([]float64, 2*r+1)
		var sum, m2 float64
		for i := -r; i <= r; i++ {
			v := math.Exp(-0.5 * float64(i*i) / (s * s))
			k[i+r] = v
			sum += v
			m2 += v * float64(i*i)
		}
		for i := range k {
			k[i] /= sum
		}
		return k, m2 / sum
	}
	k, v := sampled(sigma)
	if math.Abs(v-sigma*sigma) <= 1e-9*sigma*sigma {
		return k, len(k) / 2
	}
	lo, hi := 0.0, sigma+1
	for i := 0; i < 100; i++ {
		mid := 0.5 * (lo + hi)
		if _, vm := sampled(mid); vm < sigma*sigma {
			lo = mid
		} else {
			hi = mid
		}
	}
	k, _ = sampled(0.5 * (lo + hi))
	return k, len(k) / 2
}

// SmoothOptions configures Smooth. The zero value (or nil) means one worker and scratch allocated
// by Smooth.
type SmoothOptions struct {
	// Workers is the number of goroutines; each smooths a band of rows. Values < 2 mean one.
	Workers int
	// Scratch, if at least SmoothScratchLen long, is used instead of allocating.
	Scratch []float32
	// NonzeroRows, if at least ny long, receives for each output row whether it may hold nonzero
	// values (false: the row is all zero), so that callers can skip the empty rows of a smoothed
	// mask.
	NonzeroRows []bool
}

// SmoothScratchLen returns the scratch length (float32 elements) Smooth and SmoothRows need with
// the given number of workers: a ring of 2 R2 + 3 rows per worker (rows padded by at most R1 on
// each side), where R = ceil(5 sigma) pixels. It is a small multiple of one row, not of a plane.
func SmoothScratchLen(nx int, g Gaussian, cellX, cellY float64, workers int) int {
	if workers < 1 {
		workers = 1
	}
	p := newSmoothPlan(g, cellX, cellY)
	return workers * p.bandLen(nx)
}

func (p *smoothPlan) bandLen(nx int) int { return (2*p.ry+1)*(nx+2*p.pad) + 2*nx }

// Smooth writes to dst (nx*ny float32, row-major) the plane src convolved with the Gaussian g
// normalised to unit sum, at cells cellX x cellY radians (imaging.Geometry). src may be a float32
// plane or a uint8 mask (nonzero values count as their value). dst may be the same slice as src
// (in place; Smooth then uses one worker); other overlaps are not allowed. A zero-size g copies
// src. Smooth panics if the slices are shorter than nx*ny.
func Smooth[T float32 | uint8](dst []float32, src []T, nx, ny int, g Gaussian, cellX, cellY float64, opt *SmoothOptions) {
	if len(dst) < nx*ny {
		panic("beam: Smooth: plane shorter than nx*ny")
	}
	var o SmoothOptions
	if opt != nil {
		o = *opt
	}
	if s, ok := any(src).([]float32); ok && len(s) > 0 && unsafe.SliceData(s) == unsafe.SliceData(dst) {
		o.Workers = 1
	}
	rows := o.NonzeroRows
	if len(rows) < ny {
		rows = nil
	}
	SmoothRows(src, nx, ny, g, cellX, cellY, &o, func(y, x0 int, row []float32) {
		out := dst[y*nx : (y+1)*nx]
		clear(out[:x0])
		copy(out[x0:], row)
		clear(out[x0+len(row):])
		if rows != nil {
			rows[y] = row != nil
		}
	})
}

// SmoothRows is Smooth without an output plane: it calls emit(y, x0, row) for each output row y,
// where row holds columns [x0, x0+len(row)) and the other columns are zero (row is nil for an all
// zero row; the slice is reused after emit returns). Each worker handles a band
// of rows in increasing order; emit must be safe for concurrent calls on different rows. When
// emit for row y is called, source rows up to y + R2 have been read and rows after it have not,
// so with one worker emit may write row y of src itself (smoothing in place). opt.NonzeroRows is
// ignored.
func SmoothRows[T float32 | uint8](src []T, nx, ny int, g Gaussian, cellX, cellY float64, opt *SmoothOptions, emit func(y, x0 int, row []float32)) {
	n := nx * ny
	if len(src) < n {
		panic("beam: Smooth: plane shorter than nx*ny")
	}
	if n == 0 {
		return
	}
	p := newSmoothPlan(g, cellX, cellY)
	workers := 1
	var scratch []float32
	if opt != nil {
		workers = max(1, opt.Workers)
		scratch = opt.Scratch
	}
	workers = min(workers, ny)
	per := p.bandLen(nx)
	if len(scratch) < workers*per {
		scratch = make([]float32, workers*per)
	}
	if workers == 1 {
		smoothBand(src, nx, ny, 0, ny, &p, scratch[:per], emit)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		y0, y1 := w*ny/workers, (w+1)*ny/workers
		wg.Add(1)
		go func(buf []float32) {
			defer wg.Done()
			smoothBand(src, nx, ny, y0, y1, &p, buf, emit)
		}(scratch[w*per : (w+1)*per])
	}
	wg.Wait()
}

// smoothBand computes output rows [y0, y1) using a ring of row-smoothed source rows. Each ring
// row keeps the column intervals where it may be nonzero (the source's nonzero runs widened by
// the row kernel), so that sparse planes (masks) cost in proportion to their support.
func smoothBand[T float32 | uint8](src []T, nx, ny, y0, y1 int, p *smoothPlan, buf []float32, emit func(int, int, []float32)) {
	nring := 2*p.ry + 1
	pad := p.pad
	w := nx + 2*pad // a ring row holds columns -pad .. nx+pad-1
	ring := buf[:nring*w]
	tmp := buf[nring*w : nring*w+nx]
	out := buf[nring*w+nx : nring*w+2*nx]
	clear(out)
	olo, ohi := 0, 0 // the columns of out written for the previous row
	// spans[i] holds the intervals [a, b) (columns, -pad-based) of ring slot i.
	spans := make([][]int32, nring)
	ringRow := func(y int) ([]float32, []int32) {
		i := y % nring
		return ring[i*w : (i+1)*w], spans[i]
	}
	rowPass := func(y int) {
		i := y % nring
		xr := ring[i*w : (i+1)*w]
		sp := spans[i][:0]
		row := src[y*nx : (y+1)*nx]
		for x := 0; x < nx; {
			if row[x] == 0 {
				x++
				continue
			}
			a := x
			for x < nx && row[x] != 0 {
				tmp[x] = float32(row[x])
				x++
			}
			lo, hi := int32(max(-pad, a-p.rx)), int32(min(nx+pad, x+p.rx))
			if n := len(sp); n > 0 && sp[n-1] >= lo {
				sp[n-1] = hi
			} else {
				sp = append(sp, lo, hi)
			}
			// Zero the gap after the run for the row pass's reads.
			for g := x; g < min(nx, x+2*p.rx+1); g++ {
				if row[g] != 0 {
					break
				}
				tmp[g] = 0
			}
			for g := a - 1; g >= max(0, a-2*p.rx-1); g-- {
				if row[g] != 0 {
					break
				}
				tmp[g] = 0
			}
		}
		spans[i] = sp
		// Only the spans are read back: clear them (the ring may hold anything elsewhere).
		for k := 0; k < len(sp); k += 2 {
			clear(xr[int(sp[k])+pad : int(sp[k+1])+pad])
		}
		for k := 0; k < len(sp); k += 2 {
			ilo, ihi := int(sp[k]), int(sp[k+1])
			for j, c := range p.kx {
				d := j - p.rx // out[x] += c * row[x - d] for x in [ilo, ihi), x - d in [0, nx)
				lo, hi := max(ilo, d), min(ihi, nx+d)
				if lo >= hi {
					continue
				}
				axpy(xr[lo+pad:hi+pad], tmp[lo-d:hi-d], c)
			}
		}
	}
	// Fill the ring with rows y0 - ry .. y0 + ry - 1.
	for y := max(0, y0-p.ry); y < min(ny, y0+p.ry); y++ {
		rowPass(y)
	}
	for y := y0; y < y1; y++ {
		if y+p.ry < ny {
			rowPass(y + p.ry)
		}
		clear(out[olo:ohi]) // the part the previous row wrote
		olo, ohi = nx, 0
		for ti := range p.ky {
			tap := &p.ky[ti]
			sy := y - tap.dy
			if sy < 0 || sy >= ny {
				continue
			}
			row, sp := ringRow(sy)
			for k := 0; k < len(sp); k += 2 {
				ilo, ihi := int(sp[k]), int(sp[k+1])
				for m := 0; m < tap.n; m++ {
					d := tap.off + m // out[x] += c * row[x + d] for x + d in [ilo, ihi)
					lo, hi := max(0, ilo-d), min(nx, ihi-d)
					if lo >= hi {
						continue
					}
					axpy(out[lo:hi], row[lo+d+pad:hi+d+pad], tap.c[m])
					olo, ohi = min(olo, lo), max(ohi, hi)
				}
			}
		}
		if olo < ohi {
			emit(y, olo, out[olo:ohi])
		} else {
			olo, ohi = 0, 0
			emit(y, 0, nil)
		}
	}
}

// axpy sets y[i] += a*x[i].
func axpy(y, x []float32, a float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += a * x[i]
	}
}
