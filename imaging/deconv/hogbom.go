package deconv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
)

// Planes are one channel's planes as the pipeline keeps them: row-major nx*ny, pixel (x, y) at
// y*Nx + x (imaging.Geometry). Hogbom updates Residual and Model in place.
type Planes struct {
	Nx, Ny int
	// Residual (Jy/beam) is updated in place.
	Residual []float32
	// Model (Jy/pixel) accumulates the components.
	Model []float32
	// PSF is peak-normalised with its peak at pixel (Nx/2, Ny/2), the same size as the image.
	PSF []float32
	// Mask is the clean mask: components are searched only where Mask[i] != 0. nil means no mask
	// (every pixel).
	Mask []uint8
}

// MinorParams control one plane's minor cycle. Controller.MinorParams fills them.
type MinorParams struct {
	Gain float64
	// MaxIter is the number of iterations the plane may do in this minor cycle (CycleNiter).
	MaxIter int
	// CycleThreshold and NSigmaThreshold: the cycle stops once the peak residual in the mask is
	// at or below the larger of the two.
	CycleThreshold, NSigmaThreshold float64
	// PSFHalfWidth bounds the subtracted PSF patch; 0 means the full PSF (Params.PSFHalfWidth).
	PSFHalfWidth int
	// Workers is the number of goroutines the PSF subtraction may use (<= 1: one).
	Workers int
	// MaskBoxOnly limits the residual update to the bounding box of the mask's pixels: the
	// residual outside it keeps its values from before the cycle. The components, the model and
	// the residual inside the box are bit for bit those of the full update (the peak search only
	// reads masked pixels), so this is for callers that recompute the whole residual (a major
	// cycle) after every minor cycle that added components. With a mask covering a small part of
	// the image it saves most of the cost of each component.
	MaskBoxOnly bool
}

// MinorResult reports one plane's minor cycle.
type MinorResult struct {
	Iterations int
	// StartPeak and Peak are the largest |residual| in the mask before and after the cycle.
	StartPeak, Peak float32
	// Flux is the sum of the components added (Jy).
	Flux float64
	Stop MinorStop
}

// blockSide is the side of the square blocks whose in-mask maxima are kept between iterations.
const blockSide = 32

// parallelArea is the update area (pixels) below which the subtraction runs on one goroutine.
const parallelArea = 1 << 16

// Hogbom runs one Hogbom minor cycle on the planes, as CASA's hclean: find the pixel of largest
// |residual| inside the mask (row-major order, first one on ties), stop if it is at or below the
// threshold, add gain times its value to the model there, subtract gain times its value times the
// PSF centred on it from the residual, and repeat. See the package documentation for the PSF
// patch and the off-by-one CASA has and cubeimg does not. Hogbom is deterministic and does not
// depend on Workers. If ctx is cancelled it returns what it did with ctx's error; the planes then
// hold a consistent but unfinished state.
func Hogbom(ctx context.Context, pl Planes, p MinorParams) (MinorResult, error) {
	nx, ny := pl.Nx, pl.Ny
	n := nx * ny
	if nx <= 0 || ny <= 0 {
		return MinorResult{}, fmt.Errorf("deconv: Hogbom: bad plane size %d x %d", nx, ny)
	}
	if len(pl.Residual) < n || len(pl.Model) < n || len(pl.PSF) < n || (pl.Mask != nil && len(pl.Mask) < n) {
		return MinorResult{}, errors.New("deconv: Hogbom: a plane is shorter than nx*ny")
	}
	if !(p.Gain > 0) {
		return MinorResult{}, fmt.Errorf("deconv: Hogbom: gain %g must be positive", p.Gain)
	}
	if err := ctx.Err(); err != nil {
		return MinorResult{}, err
	}
	h := newHogbom(pl, p)
	if p.MaskBoxOnly && pl.Mask != nil {
		h.box = maskBox(pl.Mask[:n], nx)
	}
	h.scanAll()
	var res MinorResult
	pk, pi := h.peak()
	if pi < 0 {
		res.Stop = MinorZeroMask
		return res, nil
	}
	res.StartPeak, res.Peak = pk, pk
	thr := math.Max(p.CycleThreshold, p.NSigmaThreshold)
	thrStop := MinorCycleThreshold
	if p.NSigmaThreshold > p.CycleThreshold {
		thrStop = MinorNSigma
	}
	minPeak := pk
	for {
		if res.Iterations >= p.MaxIter {
			res.Stop = MinorNiter
			break
		}
		if float64(pk) <= thr {
			res.Stop = thrStop
			break
		}
		if res.Iterations&63 == 63 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		a := float32(p.Gain) * pl.Residual[pi]
		pl.Model[pi] += a
		res.Flux += float64(a)
		h.subtract(pi, a)
		res.Iterations++
		pk, pi = h.peak()
		res.Peak = pk
		if pi < 0 {
			// Only non-finite values remain in the mask.
			res.Stop = MinorDiverged
			break
		}
		if pk < minPeak {
			minPeak = pk
		} else if minPeak > 0 && (pk-minPeak)/minPeak > 0.1 {
			res.Stop = MinorDiverged
			break
		}
	}
	return res, nil
}

type hogbom struct {
	pl    Planes
	halfW int
	// box, when not empty, bounds the residual update (MinorParams.MaskBoxOnly).
	box      rect
	workers  int
	nbx, nby int
	bmax     []float32 // in-mask max |residual| per block (-1: no mask pixel)
	bidx     []int32   // its pixel index, -1 if none
	rmax     []float32 // per block row
	ridx     []int32
	// per-worker running maxima of the blocks of one block row
	cur [][]float32
	idx [][]int32
}

func newHogbom(pl Planes, p MinorParams) *hogbom {
	h := &hogbom{pl: pl, halfW: p.PSFHalfWidth, workers: max(1, p.Workers)}
	h.nbx = (pl.Nx + blockSide - 1) / blockSide
	h.nby = (pl.Ny + blockSide - 1) / blockSide
	h.bmax = make([]float32, h.nbx*h.nby)
	h.bidx = make([]int32, h.nbx*h.nby)
	h.rmax = make([]float32, h.nby)
	h.ridx = make([]int32, h.nby)
	h.cur = make([][]float32, h.workers)
	h.idx = make([][]int32, h.workers)
	for w := range h.cur {
		h.cur[w] = make([]float32, h.nbx)
		h.idx[w] = make([]int32, h.nbx)
	}
	return h
}

// better reports whether (v, i) beats (bv, bi): larger, or equal with a smaller (earlier
// row-major) index. Indices < 0 mean "none".
func better(v float32, i int32, bv float32, bi int32) bool {
	if i < 0 {
		return false
	}
	if bi < 0 {
		return true
	}
	return v > bv || (v == bv && i < bi)
}

func (h *hogbom) scanAll() {
	h.rows(0, 0, h.nby, 0, h.nbx, rect{}, 0, 0)
}

// peak returns the largest |residual| in the mask and its index (-1 if none).
func (h *hogbom) peak() (float32, int) {
	var bv float32
	bi := int32(-1)
	for r := 0; r < h.nby; r++ {
		if better(h.rmax[r], h.ridx[r], bv, bi) {
			bv, bi = h.rmax[r], h.ridx[r]
		}
	}
	return bv, int(bi)
}

// rect is a half-open pixel rectangle [x0, x1) x [y0, y1).
type rect struct{ x0, x1, y0, y1 int }

// maskBox returns the bounding box of the non-zero pixels of mask (rows of nx pixels); empty
// (x1 == x0) when there are none.
func maskBox(mask []uint8, nx int) rect {
	b := rect{x0: nx, y0: len(mask) / nx}
	for y := 0; y*nx < len(mask); y++ {
		row := mask[y*nx : (y+1)*nx]
		first := -1
		for x, m := range row {
			if m != 0 {
				first = x
				break
			}
		}
		if first < 0 {
			continue
		}
		last := first
		for x := nx - 1; x > first; x-- {
			if row[x] != 0 {
				last = x
				break
			}
		}
		b.x0, b.x1 = min(b.x0, first), max(b.x1, last+1)
		b.y0, b.y1 = min(b.y0, y), max(b.y1, y+1)
	}
	if b.x1 <= b.x0 {
		return rect{}
	}
	return b
}

// subtract removes a times the PSF centred on pixel pi from the residual over the PSF's overlap
// with the image (or the window), and refreshes the block maxima it touched.
func (h *hogbom) subtract(pi int, a float32) {
	nx, ny := h.pl.Nx, h.pl.Ny
	px, py := pi%nx, pi/nx
	// The PSF index of pixel (x, y) is (nx/2 + x - px, ny/2 + y - py); it must lie in [0, n).
	r := rect{x0: max(0, px-nx/2), x1: min(nx, px+nx-nx/2), y0: max(0, py-ny/2), y1: min(ny, py+ny-ny/2)}
	if h.halfW > 0 {
		r.x0, r.x1 = max(r.x0, px-h.halfW), min(r.x1, px+h.halfW+1)
		r.y0, r.y1 = max(r.y0, py-h.halfW), min(r.y1, py+h.halfW+1)
	}
	if h.box.x1 > h.box.x0 {
		// The peak pixel is in the mask, so inside the box: the intersection is not empty.
		r.x0, r.x1 = max(r.x0, h.box.x0), min(r.x1, h.box.x1)
		r.y0, r.y1 = max(r.y0, h.box.y0), min(r.y1, h.box.y1)
	}
	by0, by1 := r.y0/blockSide, (r.y1-1)/blockSide+1
	bx0, bx1 := r.x0/blockSide, (r.x1-1)/blockSide+1
	off := (ny/2-py)*nx + (nx/2 - px) // psf index = pixel index + off
	w := h.workers
	if (r.x1-r.x0)*(r.y1-r.y0) < parallelArea {
		w = 1
	}
	w = min(w, by1-by0)
	if w <= 1 {
		h.rows(0, by0, by1, bx0, bx1, r, a, off)
		return
	}
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		b0, b1 := by0+k*(by1-by0)/w, by0+(k+1)*(by1-by0)/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.rows(k, b0, b1, bx0, bx1, r, a, off)
		}()
	}
	wg.Wait()
}

// rows processes block rows [by0, by1) as worker w: subtracts a*PSF over r (if a != 0; the PSF
// index of a pixel is its index plus off), rescans blocks [bx0, bx1) of those rows and refreshes
// the row maxima. Different block rows are independent.
func (h *hogbom) rows(w, by0, by1, bx0, bx1 int, r rect, a float32, off int) {
	nx, ny := h.pl.Nx, h.pl.Ny
	res, psf, mask := h.pl.Residual, h.pl.PSF, h.pl.Mask
	nb := bx1 - bx0
	cur, idx := h.cur[w][:nb], h.idx[w][:nb]
	for by := by0; by < by1; by++ {
		for i := range cur {
			cur[i], idx[i] = 0, -1
		}
		ya, yb := by*blockSide, min(ny, (by+1)*blockSide)
		xa, xb := bx0*blockSide, min(nx, bx1*blockSide)
		for y := ya; y < yb; y++ {
			row := res[y*nx : (y+1)*nx]
			if a != 0 && y >= r.y0 && y < r.y1 {
				seg := row[r.x0:r.x1]
				ps := psf[y*nx+r.x0+off : y*nx+r.x1+off]
				for i := range seg {
					seg[i] -= a * ps[i]
				}
			}
			for b := 0; b < nb; b++ {
				x0 := xa + b*blockSide
				x1 := min(xb, x0+blockSide)
				bv, bi := cur[b], idx[b]
				if mask == nil {
					for x := x0; x < x1; x++ {
						if v := abs32(row[x]); v > bv || bi < 0 && v == v {
							bv, bi = v, int32(y*nx+x)
						}
					}
				} else {
					mrow := mask[y*nx : (y+1)*nx]
					for x := x0; x < x1; x++ {
						if mrow[x] == 0 {
							continue
						}
						if v := abs32(row[x]); v > bv || bi < 0 && v == v {
							bv, bi = v, int32(y*nx+x)
						}
					}
				}
				cur[b], idx[b] = bv, bi
			}
		}
		base := by * h.nbx
		copy(h.bmax[base+bx0:base+bx1], cur)
		copy(h.bidx[base+bx0:base+bx1], idx)
		var rv float32
		ri := int32(-1)
		for b := base; b < base+h.nbx; b++ {
			if better(h.bmax[b], h.bidx[b], rv, ri) {
				rv, ri = h.bmax[b], h.bidx[b]
			}
		}
		h.rmax[by], h.ridx[by] = rv, ri
	}
}
