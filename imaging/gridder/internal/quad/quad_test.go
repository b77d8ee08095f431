package quad

import (
	"math"
	"testing"
)

func TestGaussLegendre_Polynomials(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 33, 200} {
		x, w := GaussLegendre(n)
		// Exact for polynomials of degree <= 2n-1: integral of x^k over [-1,1].
		for k := 0; k <= 2*n-1 && k < 40; k++ {
			var s float64
			for i := range x {
				s += w[i] * math.Pow(x[i], float64(k))
			}
			want := 0.0
			if k%2 == 0 {
				want = 2 / float64(k+1)
			}
			if math.Abs(s-want) > 1e-13 {
				t.Fatalf("n=%d k=%d: got %.16g want %.16g", n, k, s, want)
			}
		}
		for i := 1; i < n; i++ {
			if !(x[i] > x[i-1]) {
				t.Fatalf("n=%d nodes not increasing at %d", n, i)
			}
		}
	}
}

func TestHalfRule_Cosine(t *testing.T) {
	x, w := HalfRule(64)
	var s float64
	for i := range x {
		s += w[i] * math.Cos(7*x[i])
	}
	if want := math.Sin(7) / 7; math.Abs(s-want) > 1e-14 {
		t.Fatalf("integral cos(7x) over [0,1] = %.16g, want %.16g", s, want)
	}
}
