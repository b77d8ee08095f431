package gridder

import "math"

// CASA's standard gridder (GridFT): a prolate spheroidal convolution function of 7 x 7 taps
// (support 3 cells each side) tabulated at oversampling 100, a padded grid of about 1.2 N, and
// the grid correction 1/grdsf. See ALGORITHMS.md section 1.2.
const (
	casaSupport      = 3
	casaTaps         = 2*casaSupport + 1
	casaOversampling = 100
	casaPadding      = 1.2
)

// grdsf is Schwab's rational approximation of the prolate spheroidal wave function (alpha = 1,
// m = 6) on nu in [0, 1]; 0 outside.
func grdsf(nu float64) float64 {
	p0 := [5]float64{8.203343e-2, -3.644705e-1, 6.278660e-1, -5.335581e-1, 2.312756e-1}
	q0 := [3]float64{1, 8.212018e-1, 2.078043e-1}
	p1 := [5]float64{4.028559e-3, -3.697768e-2, 1.021332e-1, -1.201436e-1, 6.412774e-2}
	q1 := [3]float64{1, 9.599102e-1, 2.918724e-1}
	if nu < 0 || nu > 1 {
		return 0
	}
	p, q, end := p0, q0, 0.75
	if nu >= 0.75 {
		p, q, end = p1, q1, 1.0
	}
	eta := nu*nu - end*end
	num := p[0] + eta*(p[1]+eta*(p[2]+eta*(p[3]+eta*p[4])))
	den := q[0] + eta*(q[1]+eta*q[2])
	if den == 0 {
		return 0
	}
	return num / den
}

// casaKernelTable returns C(d) = (1 - nu^2) grdsf(nu), nu = d/3, at d = i/100 cells for
// i = 0..(support+1)*100-1; entries at d >= 3 are 0.
func casaKernelTable() []float32 {
	t := make([]float32, casaOversampling*(casaSupport+1))
	for i := 0; i < casaOversampling*casaSupport; i++ {
		nu := float64(i) / float64(casaOversampling*casaSupport)
		t[i] = float32((1 - nu*nu) * grdsf(nu))
	}
	return t
}

// casaPaddedSize is CASA's padded grid length for an image axis of n pixels: the smallest even
// number >= max(n, floor(1.2 n - 0.5)) whose only prime factors are 2, 3 and 5.
func casaPaddedSize(n int) int {
	m := int(math.Floor(casaPadding*float64(n) - 0.5))
	if m < n {
		m = n
	}
	return nextEven235(m)
}

// nextEven235 returns the smallest even number >= n (and >= 2) with prime factors 2, 3, 5 only.
func nextEven235(n int) int {
	if n < 2 {
		n = 2
	}
	if n%2 != 0 {
		n++
	}
	for !is235(n) {
		n += 2
	}
	return n
}

func is235(n int) bool {
	for _, f := range []int{2, 3, 5} {
		for n > 1 && n%f == 0 {
			n /= f
		}
	}
	return n == 1
}
