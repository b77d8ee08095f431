package gridder

import (
	"errors"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/fft"
)

// ErrNoData is returned when no sample had a non-zero weight (for example a fully flagged
// channel); the image written is all zeros.
var ErrNoData = errors.New("gridder: no samples with non-zero weight")

func (p *Plan) checkFFT(f fft.Plan2D) {
	if nx, ny := f.Size(); nx != p.nu || ny != p.nv {
		panic("gridder: FFT plan size does not match GridSize")
	}
}

func (p *Plan) checkImage(img []float32) {
	if len(img) != p.geom.Pixels() {
		panic("gridder: image length does not match the geometry")
	}
}

// GridToImage transforms grid in place (forward FFT, f of size GridSize()) and writes into dst
// (Nx*Ny) the real part of the central Nx x Ny pixels, grid-corrected and multiplied by scale.
func (p *Plan) GridToImage(dst []float32, grid []complex64, f fft.Plan2D, scale float64) {
	p.checkImage(dst)
	if len(grid) != p.GridLen() {
		panic("gridder: grid length does not match the plan")
	}
	p.checkFFT(f)
	f.Transform(grid, fft.Forward)
	nx, ny := p.geom.Nx, p.geom.Ny
	for y := 0; y < ny; y++ {
		q := y - ny/2
		gy, cy := q, p.corrY[abs(q)]*scale
		if gy < 0 {
			gy += p.nv
		}
		if q&1 != 0 {
			cy = -cy
		}
		src := grid[gy*p.nu : (gy+1)*p.nu]
		row := dst[y*nx : (y+1)*nx]
		for x := range row {
			pp := x - nx/2
			gx, c := pp, p.corrX[abs(pp)]*cy
			if gx < 0 {
				gx += p.nu
			}
			if pp&1 != 0 {
				c = -c
			}
			row[x] = float32(float64(real(src[gx])) * c)
		}
	}
}

// ImageToGrid clears grid, writes the grid-corrected model image (Nx*Ny, Jy/pixel) into it and
// transforms it (backward FFT), ready for Degrid.
func (p *Plan) ImageToGrid(grid []complex64, model []float32, f fft.Plan2D) {
	p.checkImage(model)
	if len(grid) != p.GridLen() {
		panic("gridder: grid length does not match the plan")
	}
	p.checkFFT(f)
	clear(grid)
	nx, ny := p.geom.Nx, p.geom.Ny
	for y := 0; y < ny; y++ {
		q := y - ny/2
		gy, cy := q, p.corrY[abs(q)]
		if gy < 0 {
			gy += p.nv
		}
		if q&1 != 0 {
			cy = -cy
		}
		dst := grid[gy*p.nu : (gy+1)*p.nu]
		row := model[y*nx : (y+1)*nx]
		for x, m := range row {
			if m == 0 {
				continue
			}
			pp := x - nx/2
			gx, c := pp, p.corrX[abs(pp)]*cy
			if gx < 0 {
				gx += p.nu
			}
			if pp&1 != 0 {
				c = -c
			}
			dst[gx] = complex(float32(float64(m)*c), 0)
		}
	}
	f.Transform(grid, fft.Backward)
}

// Dirty writes into dst the dirty image in Jy/beam of samples s with imaging weights wt:
// dst(l, m) = sum_i wt_i Re[V_i exp(-2 pi i (u_i l + v_i m))] / sum_i wt_i, to the plan's accuracy.
// grid (GridLen()) is scratch, f an FFT plan of GridSize(). The error is ErrNoData when no
// weight is non-zero, or wraps ErrBadSamples.
func (p *Plan) Dirty(dst []float32, grid []complex64, f fft.Plan2D, s *imaging.Samples, wt []float32) (Stats, error) {
	return p.image(dst, grid, f, s, wt, false)
}

// PSF writes into dst the point-spread function of samples s with imaging weights wt,
// normalised to 1 at the phase centre (its peak). Stats.SumWeights is tclean's sumwt.
func (p *Plan) PSF(dst []float32, grid []complex64, f fft.Plan2D, s *imaging.Samples, wt []float32) (Stats, error) {
	return p.image(dst, grid, f, s, wt, true)
}

func (p *Plan) image(dst []float32, grid []complex64, f fft.Plan2D, s *imaging.Samples, wt []float32, psf bool) (Stats, error) {
	p.checkImage(dst)
	p.checkFFT(f)
	clear(grid)
	st, err := p.Grid(grid, s, wt, psf)
	if st.Norm == 0 {
		clear(dst)
		if err == nil {
			err = ErrNoData
		}
		return st, err
	}
	p.GridToImage(dst, grid, f, 1/st.Norm)
	if psf {
		c := (p.geom.Ny/2)*p.geom.Nx + p.geom.Nx/2
		if pk := dst[c]; pk > 0 {
			inv := 1 / float64(pk)
			for i, v := range dst {
				dst[i] = float32(float64(v) * inv)
			}
		}
	}
	return st, err
}

// Predict computes model visibilities dst[i] = sum over pixels of model(l, m)
// exp(+2 pi i (u_i l + v_i m)) for a model image in Jy/pixel (the degridding half of a
// Cotton-Schwab major cycle). grid (GridLen()) is scratch, f an FFT plan of GridSize().
func (p *Plan) Predict(dst []complex64, grid []complex64, f fft.Plan2D, model []float32, s *imaging.Samples) error {
	p.ImageToGrid(grid, model, f)
	return p.Degrid(dst, grid, s)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
