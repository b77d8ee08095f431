// Package synth makes synthetic single-channel interferometric images for the tests and
// benchmarks of the deconvolution packages, entirely in the image and uv planes: an ALMA-like uv
// coverage gridded onto a 2N x 2N uv grid gives a PSF whose sidelobes are those of a real array;
// dirty images of point and Gaussian sources and the "major cycle" (the model convolved with the
// PSF) are exact products of that uv grid, computed by FFT, so that no wrap-around or truncation
// enters the truth; noise is uv-plane noise with the image rms set to a chosen sigma.
package synth

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"sort"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// Channel is one synthetic channel of an n x n image.
type Channel struct {
	N    int
	Cell float64 // radians
	m    int     // 2N
	w    []float64
	sumW float64
	// PSF is the n x n peak-1 PSF centred on (N/2, N/2), as the deconvolution takes it.
	PSF []float32
}

// Source is a point (FWHM zero) or elliptical Gaussian source at pixel position (X, Y) of total
// flux Flux (Jy); Major and Minor are FWHM in pixels, PA in radians (imaging.Geometry and
// beam.Gaussian conventions).
type Source struct {
	X, Y         float64
	Flux         float64
	Major, Minor float64
	PA           float64
}

// Array returns the uv samples (wavelengths) of nant antennas scattered over a disk of radius
// radius metres, observed for an hour around transit at declination -30 deg at latitude -23 deg,
// at wavelength lambda, one sample per baseline per 2 minutes.
func Array(rng *rand.Rand, nant int, radius, lambda float64) (u, v []float64) {
	lat, dec := -23*math.Pi/180, -30*math.Pi/180
	type xyz struct{ x, y, z float64 }
	ant := make([]xyz, nant)
	for i := range ant {
		r := radius * math.Sqrt(rng.Float64()) * (0.3 + 0.7*rng.Float64())
		phi := 2 * math.Pi * rng.Float64()
		e, n := r*math.Cos(phi), r*math.Sin(phi)
		ant[i] = xyz{-math.Sin(lat) * n, e, math.Cos(lat) * n}
	}
	for h := -0.5; h <= 0.5; h += 2.0 / 60 {
		H := h * 15 * math.Pi / 180
		sh, ch := math.Sincos(H)
		sd, cd := math.Sincos(dec)
		for i := 0; i < nant; i++ {
			for j := i + 1; j < nant; j++ {
				lx, ly, lz := ant[j].x-ant[i].x, ant[j].y-ant[i].y, ant[j].z-ant[i].z
				u = append(u, (sh*lx+ch*ly)/lambda)
				v = append(v, (-sd*ch*lx+sd*sh*ly+cd*lz)/lambda)
			}
		}
	}
	return u, v
}

// NewChannel grids the uv samples (natural weights, nearest cell, each sample at (u, v) and
// (-u, -v)) of an n x n image (n a power of two) whose cell is chosen so that the PSF's FWHM is
// about beamPixels pixels, and makes the PSF. weightScale multiplies the weights of samples
// beyond the median uv distance (1 for none; < 1 mimics flagging of long baselines).
func NewChannel(n int, u, v []float64, beamPixels, weightScale float64) *Channel {
	c := &Channel{N: n, m: 2 * n}
	r := make([]float64, len(u))
	for i := range u {
		r[i] = math.Hypot(u[i], v[i])
	}
	sorted := append([]float64(nil), r...)
	sort.Float64s(sorted)
	med, u90 := sorted[len(sorted)/2], sorted[len(sorted)*9/10]
	// FWHM ~ 0.9 / u90 radians.
	c.Cell = 0.9 / u90 / beamPixels
	m := c.m
	c.w = make([]float64, m*m)
	for i := range u {
		wt := 1.0
		if r[i] > med {
			wt = weightScale
		}
		kx := int(math.Round(u[i] * float64(m) * c.Cell))
		ky := int(math.Round(v[i] * float64(m) * c.Cell))
		if iabs(kx) >= n || iabs(ky) >= n {
			continue
		}
		c.w[mod(ky, m)*m+mod(kx, m)] += wt
		c.w[mod(-ky, m)*m+mod(-kx, m)] += wt
		c.sumW += 2 * wt
	}
	grid := make([]complex128, m*m)
	for i, w := range c.w {
		grid[i] = complex(w, 0)
	}
	fft2(grid, m, +1)
	c.PSF = make([]float32, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c.PSF[y*n+x] = float32(real(grid[mod(y-n/2, m)*m+mod(x-n/2, m)]) / c.sumW)
		}
	}
	return c
}

// apply returns, in the n x n window, (1/sumW) sum_k W_k S_k exp(+2 pi i k x / M) for the
// spectrum S of an image placed with its pixel (0, 0) at grid offset (N/2, N/2).
func (c *Channel) apply(spec []complex128) []float32 {
	m, n := c.m, c.N
	for i := range spec {
		spec[i] *= complex(c.w[i]/c.sumW, 0)
	}
	fft2(spec, m, +1)
	out := make([]float32, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			out[y*n+x] = float32(real(spec[(y+n/2)*m+x+n/2]))
		}
	}
	return out
}

// Dirty returns the noiseless dirty image (Jy/beam) of the sources, exact for any position.
func (c *Channel) Dirty(srcs []Source) []float32 {
	m, n := c.m, c.N
	spec := make([]complex128, m*m)
	for ky := 0; ky < m; ky++ {
		fy := float64(signed(ky, m)) / float64(m)
		for kx := 0; kx < m; kx++ {
			i := ky*m + kx
			if c.w[i] == 0 {
				continue
			}
			fx := float64(signed(kx, m)) / float64(m)
			var s complex128
			for _, src := range srcs {
				amp := src.Flux
				if src.Major > 0 {
					g := beam.Gaussian{Major: src.Major, Minor: src.Minor, PA: src.PA}
					sxx, sxy, syy := g.PixelMoments(1, 1)
					amp *= math.Exp(-2 * math.Pi * math.Pi * (sxx*fx*fx + 2*sxy*fx*fy + syy*fy*fy))
				}
				ph := -2 * math.Pi * (fx*(src.X+float64(n/2)) + fy*(src.Y+float64(n/2)))
				s += cmplx.Rect(amp, ph)
			}
			spec[i] = s
		}
	}
	return c.apply(spec)
}

// Convolve returns model (Jy/pixel, n x n) convolved with the PSF, exactly (no truncation of the
// PSF, no wrap-around within the image): the image-plane major cycle.
func (c *Channel) Convolve(model []float32) []float32 {
	m, n := c.m, c.N
	spec := make([]complex128, m*m)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			spec[(y+n/2)*m+x+n/2] = complex(float64(model[y*n+x]), 0)
		}
	}
	fft2(spec, m, -1)
	return c.apply(spec)
}

// Noise returns uv-plane noise (each gridded cell gets complex Gaussian noise of variance
// proportional to its weight) with image rms sigma.
func (c *Channel) Noise(rng *rand.Rand, sigma float64) []float32 {
	m, n := c.m, c.N
	spec := make([]complex128, m*m)
	for i, w := range c.w {
		if w > 0 {
			spec[i] = complex(rng.NormFloat64(), rng.NormFloat64()) * complex(math.Sqrt(w), 0)
		}
	}
	fft2(spec, m, +1)
	out := make([]float32, n*n)
	var s2 float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := real(spec[(y+n/2)*m+x+n/2])
			out[y*n+x] = float32(v)
			s2 += v * v
		}
	}
	k := sigma / math.Sqrt(s2/float64(n*n))
	for i := range out {
		out[i] *= float32(k)
	}
	return out
}

// FitBeam fits an elliptical Gaussian to the PSF's main lobe: a least-squares fit of
// ln PSF = -(a dx^2 + b dx dy + c dy^2) over the pixels above 0.35 connected to the peak (a
// quick stand-in for CASA's fit, which imaging/beam's fit.go provides).
func FitBeam(psf []float32, n int, cell float64) beam.Gaussian {
	cx, cy := n/2, n/2
	var ata [3][3]float64
	var atb [3]float64
	seen := make([]bool, n*n)
	stack := []int{cy*n + cx}
	seen[cy*n+cx] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%n, i/n
		dx, dy := float64(x-cx), float64(y-cy)
		row := [3]float64{dx * dx, dx * dy, dy * dy}
		val := -math.Log(float64(psf[i]))
		for a := 0; a < 3; a++ {
			atb[a] += row[a] * val
			for b := 0; b < 3; b++ {
				ata[a][b] += row[a] * row[b]
			}
		}
		for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			qx, qy := x+d[0], y+d[1]
			if qx < 0 || qx >= n || qy < 0 || qy >= n || seen[qy*n+qx] || psf[qy*n+qx] <= 0.35 {
				continue
			}
			seen[qy*n+qx] = true
			stack = append(stack, qy*n+qx)
		}
	}
	p := solve3(ata, atb)
	// exponent a dx^2 + b dx dy + c dy^2 = 1/2 r' S^-1 r: S^-1 = [[2a, b], [b, 2c]].
	ia, ib, ic := 2*p[0], p[1], 2*p[2]
	det := ia*ic - ib*ib
	return beam.FromPixelMoments(ic/det, -ib/det, ia/det, cell, cell)
}

func solve3(a [3][3]float64, b [3]float64) [3]float64 {
	for i := 0; i < 3; i++ {
		p := i
		for r := i + 1; r < 3; r++ {
			if math.Abs(a[r][i]) > math.Abs(a[p][i]) {
				p = r
			}
		}
		a[i], a[p] = a[p], a[i]
		b[i], b[p] = b[p], b[i]
		for r := i + 1; r < 3; r++ {
			f := a[r][i] / a[i][i]
			for c := i; c < 3; c++ {
				a[r][c] -= f * a[i][c]
			}
			b[r] -= f * b[i]
		}
	}
	var x [3]float64
	for i := 2; i >= 0; i-- {
		s := b[i]
		for c := i + 1; c < 3; c++ {
			s -= a[i][c] * x[c]
		}
		x[i] = s / a[i][i]
	}
	return x
}

// fft2 transforms the m x m array in place (m a power of two), exponent sign dir, unnormalised.
func fft2(a []complex128, m, dir int) {
	line := make([]complex128, m)
	for y := 0; y < m; y++ {
		fft1(a[y*m:(y+1)*m], dir)
	}
	for x := 0; x < m; x++ {
		for y := 0; y < m; y++ {
			line[y] = a[y*m+x]
		}
		fft1(line, dir)
		for y := 0; y < m; y++ {
			a[y*m+x] = line[y]
		}
	}
}

func fft1(a []complex128, dir int) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for l := 2; l <= n; l <<= 1 {
		w := cmplx.Rect(1, float64(dir)*2*math.Pi/float64(l))
		for i := 0; i < n; i += l {
			wk := complex(1, 0)
			for k := 0; k < l/2; k++ {
				t := wk * a[i+k+l/2]
				a[i+k+l/2] = a[i+k] - t
				a[i+k] += t
				wk *= w
			}
		}
	}
}

func signed(k, m int) int {
	if k >= m/2 {
		return k - m
	}
	return k
}

func mod(a, m int) int { return ((a % m) + m) % m }

func iabs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
