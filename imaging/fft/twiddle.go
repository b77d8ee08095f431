package fft

import "math"

// root returns exp(sign * 2 pi i k / n) in float64, reducing k modulo n and using the symmetries of
// the unit circle so that the argument of the sine and cosine stays within [0, pi/4]: the rounded
// complex64 twiddles are then correct to half an ulp.
func root(k, n int, sign Direction) complex128 {
	k %= n
	if k < 0 {
		k += n
	}
	// Angle 2 pi k / n; reduce by octants using exact integer arithmetic on 8k vs n.
	var c, s float64
	k8 := 8 * k
	switch {
	case k8 <= n: // [0, pi/4]
		s, c = math.Sincos(2 * math.Pi * float64(k) / float64(n))
	case k8 <= 2*n: // (pi/4, pi/2]: cos = sin(pi/2 - a)
		s2, c2 := math.Sincos(2 * math.Pi * float64(n-4*k) / float64(4*n))
		c, s = s2, c2
	case 2*k <= n: // (pi/2, pi]: a = pi/2 + b
		b := root(4*k-n, 4*n, Backward)
		c, s = -imag(b), real(b)
	default: // (pi, 2 pi): a = 2 pi - b, b in (0, pi)
		b := root(n-k, n, Backward)
		c, s = real(b), -imag(b)
	}
	return complex(c, float64(sign)*s)
}
