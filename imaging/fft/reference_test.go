package fft

import (
	"math"
	"math/cmplx"
)

// reference is a slow, obviously-correct Plan2D (row then column DFT, an O(N^2) sum per line in
// float64): the test oracle that was New's default before the fast implementations.
type reference struct{ nx, ny int }

func newReference(nx, ny int) *reference { return &reference{nx, ny} }

func (r *reference) Size() (int, int) { return r.nx, r.ny }
func (r *reference) Close() error     { return nil }

func (r *reference) Transform(data []complex64, dir Direction) {
	if len(data) != r.nx*r.ny {
		panic("fft: data length does not match plan size")
	}
	line := make([]complex128, max(r.nx, r.ny))
	out := make([]complex128, max(r.nx, r.ny))
	for y := 0; y < r.ny; y++ {
		for x := 0; x < r.nx; x++ {
			line[x] = complex128(data[y*r.nx+x])
		}
		dft(out[:r.nx], line[:r.nx], dir)
		for x := 0; x < r.nx; x++ {
			data[y*r.nx+x] = complex64(out[x])
		}
	}
	for x := 0; x < r.nx; x++ {
		for y := 0; y < r.ny; y++ {
			line[y] = complex128(data[y*r.nx+x])
		}
		dft(out[:r.ny], line[:r.ny], dir)
		for y := 0; y < r.ny; y++ {
			data[y*r.nx+x] = complex64(out[y])
		}
	}
}

func dft(dst, src []complex128, dir Direction) {
	n := len(src)
	for k := 0; k < n; k++ {
		var s complex128
		for j := 0; j < n; j++ {
			ph := float64(dir) * 2 * math.Pi * float64((k*j)%n) / float64(n)
			s += src[j] * cmplx.Rect(1, ph)
		}
		dst[k] = s
	}
}
