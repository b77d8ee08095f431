package gridder

import (
	"math"

	"github.com/cubeimg/cubeimg/imaging/gridder/internal/quad"
)

//go:generate go run ./internal/esgen -o kerneldb.go
//go:generate go run ./internal/tapgen -o taps_gen.go

// esParams is one row of the ES kernel table: support W (taps per axis), padding factor Sigma,
// shape (Beta, E0) and the aliasing error Eps the kernel reaches at that padding.
type esParams struct {
	W        int
	Sigma    float64
	Beta, E0 float64
	Eps      float64
}

// esPhi is the exponential-of-semicircle kernel on x in [-1, 1] (0 outside).
func esPhi(beta, e0, x float64) float64 {
	if x <= -1 || x >= 1 {
		if x == -1 || x == 1 {
			return math.Exp(-beta)
		}
		return 0
	}
	return math.Exp(beta * (math.Pow(1-x*x, e0) - 1))
}

// polyKernel evaluates a separable kernel of w taps as w polynomials of degree d in the
// fractional grid offset. For a sample at grid coordinate a, the first tap is cell
// i0 = ceil(a - w/2) and f = i0 - (a - w/2) in [0, 1); tap k sits at offset t = f + k - w/2 cells
// from the sample, and its weight is phi(2t/w) = sum_j coef[j*w+k] y^j with y = 2f - 1.
type polyKernel struct {
	w, d int
	coef []float64 // (d+1)*w, layout [degree][tap], highest degree last
	sym  []float64 // (d+1)*ceil(w/2): the first ceil(w/2) taps of coef, for taps_gen.go
}

// fitPolyKernel fits phi on each tap by Chebyshev interpolation of degree d.
func fitPolyKernel(w, d int, phi func(x float64) float64) *polyKernel {
	n := d + 1
	k := &polyKernel{w: w, d: d, coef: make([]float64, n*w)}
	nodes := make([]float64, n)
	for i := range nodes {
		nodes[i] = math.Cos(math.Pi * (float64(i) + 0.5) / float64(n))
	}
	vals := make([]float64, n)
	cheb := make([]float64, n)
	mono := make([]float64, n)
	// tk, tkm1: monomial coefficients of T_j and T_{j-1}.
	tk := make([]float64, n)
	tkm1 := make([]float64, n)
	tnext := make([]float64, n)
	for tap := 0; tap < w; tap++ {
		for i, y := range nodes {
			f := (y + 1) / 2
			t := f + float64(tap) - float64(w)/2
			vals[i] = phi(2 * t / float64(w))
		}
		for j := 0; j < n; j++ {
			var s float64
			for i := range nodes {
				s += vals[i] * math.Cos(float64(j)*math.Pi*(float64(i)+0.5)/float64(n))
			}
			cheb[j] = 2 * s / float64(n)
		}
		cheb[0] /= 2
		for i := range mono {
			mono[i], tk[i], tkm1[i] = 0, 0, 0
		}
		tkm1[0] = 1 // T_0
		mono[0] += cheb[0]
		if n > 1 {
			tk[1] = 1 // T_1
			mono[1] += cheb[1]
		}
		for j := 2; j < n; j++ {
			// T_j = 2 y T_{j-1} - T_{j-2}
			for i := range tnext {
				tnext[i] = -tkm1[i]
				if i > 0 {
					tnext[i] += 2 * tk[i-1]
				}
			}
			copy(tkm1, tk)
			copy(tk, tnext)
			for i := range mono {
				mono[i] += cheb[j] * tk[i]
			}
		}
		for j := 0; j < n; j++ {
			k.coef[j*w+tap] = mono[j]
		}
	}
	h := (w + 1) / 2
	k.sym = make([]float64, n*h)
	for j := 0; j < n; j++ {
		copy(k.sym[j*h:(j+1)*h], k.coef[j*w:j*w+h])
	}
	return k
}

// ftEven returns the continuous Fourier transform of a kernel phi on [-w/2, w/2] cells at
// frequencies xi[i] (cycles per cell): W * integral_0^1 phi(x) cos(pi W xi x) dx, by
// Gauss-Legendre quadrature with nq nodes.
func ftEven(w int, phi func(x float64) float64, xi []float64, nq int, dst []float64) {
	x, wt := quad.HalfRule(nq)
	ph := make([]float64, len(x))
	for k := range x {
		ph[k] = phi(x[k]) * wt[k]
	}
	for i, f := range xi {
		var s float64
		for k := range x {
			s += ph[k] * math.Cos(math.Pi*float64(w)*f*x[k])
		}
		dst[i] = float64(w) * s
	}
}
