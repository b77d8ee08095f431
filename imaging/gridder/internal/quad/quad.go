// Package quad holds the Gauss-Legendre quadrature used by the gridder to compute the Fourier
// transform of its kernels (grid correction) and by the kernel-table generator.
package quad

import "math"

// GaussLegendre returns the n nodes and weights of the Gauss-Legendre rule on [-1, 1], nodes in
// increasing order. It panics if n < 1.
func GaussLegendre(n int) (x, w []float64) {
	if n < 1 {
		panic("quad: GaussLegendre needs n >= 1")
	}
	x = make([]float64, n)
	w = make([]float64, n)
	m := (n + 1) / 2
	for i := 0; i < m; i++ {
		// Initial guess (Tricomi), then Newton on P_n.
		z := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(n) + 0.5))
		var dp float64
		for iter := 0; iter < 100; iter++ {
			p0, p1 := 1.0, z
			if n == 1 {
				p0, p1 = 0, z
			}
			for k := 2; k <= n; k++ {
				p0, p1 = p1, ((2*float64(k)-1)*z*p1-(float64(k)-1)*p0)/float64(k)
			}
			if n == 1 {
				p1, p0 = z, 1
			}
			// p1 = P_n(z), p0 = P_{n-1}(z)
			dp = float64(n) * (z*p1 - p0) / (z*z - 1)
			dz := p1 / dp
			z -= dz
			if math.Abs(dz) < 1e-16 {
				break
			}
		}
		// Recompute the derivative at the converged node for the weight.
		p0, p1 := 1.0, z
		for k := 2; k <= n; k++ {
			p0, p1 = p1, ((2*float64(k)-1)*z*p1-(float64(k)-1)*p0)/float64(k)
		}
		if n == 1 {
			p0, p1 = 1, z
		}
		dp = float64(n) * (z*p1 - p0) / (z*z - 1)
		wt := 2 / ((1 - z*z) * dp * dp)
		x[n-1-i], x[i] = z, -z
		w[n-1-i], w[i] = wt, wt
	}
	return x, w
}

// HalfRule returns nodes in (0, 1] and weights for integrating an even function over [-1, 1] as
// twice its integral over [0, 1]: sum_k w[k] f(x[k]) ~ integral_0^1 f. It uses the positive half
// of an n-point Gauss-Legendre rule with n = 2*m (so m nodes).
func HalfRule(m int) (x, w []float64) {
	gx, gw := GaussLegendre(2 * m)
	x = make([]float64, m)
	w = make([]float64, m)
	copy(x, gx[m:])
	copy(w, gw[m:])
	return x, w
}
