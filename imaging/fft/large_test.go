package fft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPlan2D_Transform_DirectDFT2048 is the 2048^2 acceptance point. A full 2-D direct DFT at
// 2048^2 is 1.8e13 complex operations, so the test checks two ways:
//
//  1. Direct sums, on a random sample of outputs: 8 random output columns and 8 random output
//     rows, 32768 outputs in all, each the exact double sum over all 4.2 M inputs in float64.
//     For column kx, R[y] = sum_x x[y,x] w^(kx x) and then X[ky,kx] = sum_y R[y] w^(ky y) for
//     every ky: the same double sum, grouped so a whole column costs 2 x 4.2 M operations.
//  2. Every output, against a float64 radix-2 FFT written here (fft64), which
//     TestFFT64_DirectDFT checks against the direct double sum at 64^2 to 1e-13.
//
// Both must agree to 1e-6 in relative L2 norm, for both implementations and both directions.
func TestPlan2D_Transform_DirectDFT2048(t *testing.T) {
	const n = 2048
	r := rand.New(rand.NewPCG(7, 2048))
	x := randomComplex(r, n*n)
	cols := r.Perm(n)[:8]
	rows := r.Perm(n)[:8]
	for _, dir := range []Direction{Forward, Backward} {
		sampleIdx, sample := directSample(x, n, n, cols, rows, dir)
		ref := make([]complex128, n*n)
		for i, v := range x {
			ref[i] = complex128(v)
		}
		fft64(ref, n, n, dir)
		for _, impl := range implementations() {
			p := mustPlan(t, n, n, testOptions(impl, 2))
			got := append([]complex64(nil), x...)
			p.Transform(got, dir)
			sub := make([]complex64, len(sampleIdx))
			for k, i := range sampleIdx {
				sub[k] = got[i]
			}
			eSample := relErr(sub, sample, nil)
			eFull := relErr(got, ref, nil)
			t.Logf("%s dir=%+d: relative L2 error %.2e on %d direct sums, %.2e on all outputs vs float64 FFT",
				impl, dir, eSample, len(sample), eFull)
			checkRel(t, fmt.Sprintf("%s dir=%+d direct sums", impl, dir), eSample)
			checkRel(t, fmt.Sprintf("%s dir=%+d float64 FFT", impl, dir), eFull)
		}
	}
}

// directSample returns the indices and float64 direct-sum values of every output in the columns
// cols and rows rows of the 2-D DFT of x.
func directSample(x []complex64, nx, ny int, cols, rows []int, dir Direction) ([]int, []complex128) {
	wx, wy := unitRoots(nx, dir), unitRoots(ny, dir)
	var idx []int
	var val []complex128
	partial := make([]complex128, max(nx, ny))
	for _, kx := range cols {
		for y := 0; y < ny; y++ { // R[y] = sum_x x[y,x] wx^(kx x)
			var s complex128
			for xx, v := range x[y*nx : y*nx+nx] {
				s += complex128(v) * wx[(kx*xx)%nx]
			}
			partial[y] = s
		}
		for ky := 0; ky < ny; ky++ {
			var s complex128
			for y := 0; y < ny; y++ {
				s += partial[y] * wy[(ky*y)%ny]
			}
			idx = append(idx, ky*nx+kx)
			val = append(val, s)
		}
	}
	for _, ky := range rows {
		clear(partial)
		for y := 0; y < ny; y++ { // C[x] = sum_y x[y,x] wy^(ky y)
			w := wy[(ky*y)%ny]
			for xx, v := range x[y*nx : y*nx+nx] {
				partial[xx] += complex128(v) * w
			}
		}
		for kx := 0; kx < nx; kx++ {
			var s complex128
			for xx := 0; xx < nx; xx++ {
				s += partial[xx] * wx[(kx*xx)%nx]
			}
			idx = append(idx, ky*nx+kx)
			val = append(val, s)
		}
	}
	return idx, val
}

// fft64 is a textbook in-place 2-D FFT in float64 (iterative radix-2 with bit reversal, rows then
// columns) for power-of-two sizes: the test's independent full-array oracle.
func fft64(a []complex128, nx, ny int, dir Direction) {
	line := make([]complex128, max(nx, ny))
	for y := 0; y < ny; y++ {
		fft64Line(a[y*nx:y*nx+nx], dir)
	}
	for x := 0; x < nx; x++ {
		col := line[:ny]
		for y := range col {
			col[y] = a[y*nx+x]
		}
		fft64Line(col, dir)
		for y, v := range col {
			a[y*nx+x] = v
		}
	}
}

func fft64Line(a []complex128, dir Direction) {
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
	w := unitRoots(n, dir)
	for size := 2; size <= n; size <<= 1 {
		half, step := size/2, n/size
		for start := 0; start < n; start += size {
			for k := 0; k < half; k++ {
				t := a[start+k+half] * w[k*step]
				a[start+k+half] = a[start+k] - t
				a[start+k] += t
			}
		}
	}
}

func TestFFT64_DirectDFT(t *testing.T) {
	const n = 64
	r := rand.New(rand.NewPCG(7, 64))
	x := randomComplex(r, n*n)
	for _, dir := range []Direction{Forward, Backward} {
		want := directDFT2D(x, n, n, dir)
		got := make([]complex128, n*n)
		for i, v := range x {
			got[i] = complex128(v)
		}
		fft64(got, n, n, dir)
		var num, den float64
		for i := range got {
			d := got[i] - want[i]
			num += real(d)*real(d) + imag(d)*imag(d)
			den += real(want[i])*real(want[i]) + imag(want[i])*imag(want[i])
		}
		if e := math.Sqrt(num / den); e > 1e-13 {
			t.Errorf("fft64 dir=%+d: relative error %.3e vs direct DFT", dir, e)
		}
	}
}
