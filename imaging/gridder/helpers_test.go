package gridder

import (
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/cubeimg/cubeimg/imaging"
	"github.com/cubeimg/cubeimg/imaging/fft"
)

// testFFT is a small mixed-radix (2, 3, 5, else direct) complex FFT for the tests, so they do
// not depend on the speed of imaging/fft's reference transform. Twiddles are tabulated per length.
type testFFT struct {
	nx, ny int
	tw     map[[2]int][]complex128 // (n, sign) -> exp(sign 2 pi i k / n)
}

func newTestFFT(nx, ny int) *testFFT { return &testFFT{nx: nx, ny: ny, tw: map[[2]int][]complex128{}} }

func (t *testFFT) Size() (int, int) { return t.nx, t.ny }
func (t *testFFT) Close() error     { return nil }

func (t *testFFT) twiddles(n int, sign float64) []complex128 {
	key := [2]int{n, int(sign)}
	if w, ok := t.tw[key]; ok {
		return w
	}
	w := make([]complex128, n)
	for k := range w {
		w[k] = cmplx.Rect(1, sign*2*math.Pi*float64(k)/float64(n))
	}
	t.tw[key] = w
	return w
}

func (t *testFFT) Transform(data []complex64, dir fft.Direction) {
	if len(data) != t.nx*t.ny {
		panic("testFFT: bad length")
	}
	sign := float64(dir)
	line := make([]complex128, max(t.nx, t.ny))
	out := make([]complex128, max(t.nx, t.ny))
	scratch := make([]complex128, 2*max(t.nx, t.ny))
	twx, twy := t.twiddles(t.nx, sign), t.twiddles(t.ny, sign)
	for y := 0; y < t.ny; y++ {
		l := line[:t.nx]
		for x := range l {
			l[x] = complex128(data[y*t.nx+x])
		}
		fftRec(out[:t.nx], l, 1, twx, 1, scratch)
		for x := range l {
			data[y*t.nx+x] = complex64(out[x])
		}
	}
	for x := 0; x < t.nx; x++ {
		l := line[:t.ny]
		for y := range l {
			l[y] = complex128(data[y*t.nx+x])
		}
		fftRec(out[:t.ny], l, 1, twy, 1, scratch)
		for y := range l {
			data[y*t.nx+x] = complex64(out[y])
		}
	}
}

// fft1 returns the DFT of x with exponent sign: X[k] = sum_j x[j] exp(sign 2 pi i j k / n).
func fft1(x []complex128, sign float64) []complex128 {
	n := len(x)
	tw := make([]complex128, n)
	for k := range tw {
		tw[k] = cmplx.Rect(1, sign*2*math.Pi*float64(k)/float64(n))
	}
	out := make([]complex128, n)
	fftRec(out, x, 1, tw, 1, make([]complex128, 2*n))
	return out
}

// fftRec writes into out (len m) the DFT of the m elements x[0], x[stride], ...; tw holds the
// twiddles of the full length N = m*twStride, scratch has room for 2m values.
func fftRec(out, x []complex128, stride int, tw []complex128, twStride int, scratch []complex128) {
	m := len(out)
	if m == 1 {
		out[0] = x[0]
		return
	}
	p := 0
	for _, f := range []int{2, 3, 5} {
		if m%f == 0 {
			p = f
			break
		}
	}
	N := len(tw)
	if p == 0 {
		for k := 0; k < m; k++ {
			var s complex128
			for j := 0; j < m; j++ {
				s += x[j*stride] * tw[(j*k*twStride)%N]
			}
			out[k] = s
		}
		return
	}
	q := m / p
	// Sub-transforms of the p decimated sequences go to scratch[r*q : (r+1)*q].
	sub := scratch[:m]
	for r := 0; r < p; r++ {
		fftRec(sub[r*q:(r+1)*q], x[r*stride:], stride*p, tw, twStride*p, scratch[m:])
	}
	for k := 0; k < m; k++ {
		var s complex128
		for r := 0; r < p; r++ {
			s += sub[r*q+k%q] * tw[(r*k*twStride)%N]
		}
		out[k] = s
	}
}

// randomSamples returns n samples filling the uv plane of g uniformly (|u| < 1/(2 CellX)),
// with random complex visibilities and positive weights.
func randomSamples(rng *rand.Rand, g imaging.Geometry, n int) (*imaging.Samples, []float32) {
	s := &imaging.Samples{
		U: make([]float64, n), V: make([]float64, n), W: make([]float64, n),
		Vis: make([]complex64, n), Weight: make([]float32, n),
	}
	wt := make([]float32, n)
	umax, vmax := 0.5/g.CellX, 0.5/g.CellY
	for i := 0; i < n; i++ {
		s.U[i] = (2*rng.Float64() - 1) * umax
		s.V[i] = (2*rng.Float64() - 1) * vmax
		s.Vis[i] = complex(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
		s.Weight[i] = float32(0.5 + rng.Float64())
		wt[i] = s.Weight[i]
	}
	return s, wt
}

// directDirty is the obviously-correct dirty image: sum_i wt_i Re[V_i e^{-2 pi i (u l + v m)}]
// / sum_i wt_i, with l = (Nx/2 - x) CellX, m = (y - Ny/2) CellY, in float64. psf uses V = 1.
func directDirty(g imaging.Geometry, s *imaging.Samples, wt []float32, psf bool) []float64 {
	img := make([]float64, g.Pixels())
	ex := make([]complex128, g.Nx)
	ey := make([]complex128, g.Ny)
	var sw float64
	for i := range s.U {
		if wt[i] == 0 {
			continue
		}
		sw += float64(wt[i])
		for x := range ex {
			l := float64(g.Nx/2-x) * g.CellX
			ex[x] = cmplx.Rect(1, -2*math.Pi*s.U[i]*l)
		}
		v := complex(float64(wt[i]), 0)
		if !psf {
			v *= complex128(s.Vis[i])
		}
		for y := range ey {
			m := float64(y-g.Ny/2) * g.CellY
			ey[y] = v * cmplx.Rect(1, -2*math.Pi*s.V[i]*m)
		}
		for y, fy := range ey {
			row := img[y*g.Nx : (y+1)*g.Nx]
			fr, fi := real(fy), imag(fy)
			for x, fx := range ex {
				row[x] += fr*real(fx) - fi*imag(fx)
			}
		}
	}
	for i := range img {
		img[i] /= sw
	}
	return img
}

// directPredict computes V_i = sum_pix model e^{+2 pi i (u l + v m)} in float64.
func directPredict(g imaging.Geometry, model []float32, s *imaging.Samples) []complex128 {
	out := make([]complex128, len(s.U))
	for i := range s.U {
		var acc complex128
		for y := 0; y < g.Ny; y++ {
			m := float64(y-g.Ny/2) * g.CellY
			for x := 0; x < g.Nx; x++ {
				v := model[y*g.Nx+x]
				if v == 0 {
					continue
				}
				l := float64(g.Nx/2-x) * g.CellX
				acc += complex(float64(v), 0) * cmplx.Rect(1, 2*math.Pi*(s.U[i]*l+s.V[i]*m))
			}
		}
		out[i] = acc
	}
	return out
}

func maxAbsDiff(a []float32, b []float64) (diff, peak float64) {
	for i := range a {
		diff = math.Max(diff, math.Abs(float64(a[i])-b[i]))
		peak = math.Max(peak, math.Abs(b[i]))
	}
	return diff, peak
}
