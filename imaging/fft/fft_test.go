package fft

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// implementations returns the implementations built into this test binary.
func implementations() []string {
	if FFTWAvailable() {
		return []string{ImplGo, ImplFFTW}
	}
	return []string{ImplGo}
}

// testOptions keeps test planning fast: FFTW_ESTIMATE and no wisdom file.
func testOptions(impl string, threads int) *Options {
	return &Options{Impl: impl, Threads: threads, Effort: EffortEstimate, WisdomFile: "-"}
}

func mustPlan(t testing.TB, nx, ny int, o *Options) PaddedPlan {
	t.Helper()
	p, err := NewPadded(nx, ny, o)
	if err != nil {
		t.Fatalf("NewPadded(%d, %d, %+v): %v", nx, ny, o, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func randomComplex(r *rand.Rand, n int) []complex64 {
	x := make([]complex64, n)
	for i := range x {
		x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
	}
	return x
}

// unitRoots returns exp(dir 2 pi i k/n) for k in [0, n) in float64, the twiddles of the direct sums.
func unitRoots(n int, dir Direction) []complex128 {
	w := make([]complex128, n)
	for k := range w {
		w[k] = cmplx.Rect(1, float64(dir)*2*math.Pi*float64(k)/float64(n))
	}
	return w
}

// directDFT2D is the 2-D DFT by its definition: for every output, the double sum over all inputs,
// in float64. O((nx ny)^2): small sizes only.
func directDFT2D(x []complex64, nx, ny int, dir Direction) []complex128 {
	wx, wy := unitRoots(nx, dir), unitRoots(ny, dir)
	out := make([]complex128, nx*ny)
	for ky := 0; ky < ny; ky++ {
		for kx := 0; kx < nx; kx++ {
			var s complex128
			for y := 0; y < ny; y++ {
				wyy := wy[(ky*y)%ny]
				row := x[y*nx : y*nx+nx]
				var sx complex128
				for xx, v := range row {
					sx += complex128(v) * wx[(kx*xx)%nx]
				}
				s += sx * wyy
			}
			out[ky*nx+kx] = s
		}
	}
	return out
}

// relErr returns ||got - want||_2 / ||want||_2 over the indices idx (all when idx is nil).
func relErr(got []complex64, want []complex128, idx []int) float64 {
	var num, den float64
	add := func(i int) {
		d := complex128(got[i]) - want[i]
		num += real(d)*real(d) + imag(d)*imag(d)
		den += real(want[i])*real(want[i]) + imag(want[i])*imag(want[i])
	}
	if idx == nil {
		for i := range want {
			add(i)
		}
	} else {
		for _, i := range idx {
			add(i)
		}
	}
	return math.Sqrt(num / den)
}

// rmsRelErr is the rms error over the indices idx divided by the rms of every element of scale:
// for outputs compared on a subset, it measures the error against the transform's typical
// magnitude rather than against values that may happen to be small.
func rmsRelErr(got []complex64, want []complex128, idx []int, scale []complex128) float64 {
	var num, den float64
	for k, i := range idx {
		d := complex128(got[k]) - want[i]
		num += real(d)*real(d) + imag(d)*imag(d)
	}
	for _, v := range scale {
		den += real(v)*real(v) + imag(v)*imag(v)
	}
	return math.Sqrt(num/float64(len(idx))) / math.Sqrt(den/float64(len(scale)))
}

// TestPlan2D_Transform_DirectDFT64 is the 64^2 acceptance point: every output of both
// implementations, both directions, against the direct double sum.
func TestPlan2D_Transform_DirectDFT64(t *testing.T) {
	const n = 64
	r := rand.New(rand.NewPCG(1, 64))
	x := randomComplex(r, n*n)
	for _, dir := range []Direction{Forward, Backward} {
		want := directDFT2D(x, n, n, dir)
		for _, impl := range implementations() {
			for _, threads := range []int{1, 2} {
				p := mustPlan(t, n, n, testOptions(impl, threads))
				got := append([]complex64(nil), x...)
				p.Transform(got, dir)
				e := relErr(got, want, nil)
				t.Logf("%s threads=%d dir=%+d: relative L2 error %.2e", impl, threads, dir, e)
				if e > 1e-6 {
					t.Errorf("%s threads=%d dir=%+d: relative error %.3e > 1e-6", impl, threads, dir, e)
				}
			}
		}
	}
}

// TestPlan2D_Transform_Sizes checks sizes made of every kind of factor (radix 4, 2, 3, 5, 7, 13,
// Bluestein for 17, 31, 37 and 127), non-square, against the direct double sum.
func TestPlan2D_Transform_Sizes(t *testing.T) {
	sizes := [][2]int{{1, 1}, {2, 3}, {5, 4}, {8, 8}, {12, 10}, {30, 45}, {48, 20}, {7, 26}, {17, 16}, {31, 37}, {127, 6}, {100, 9}}
	r := rand.New(rand.NewPCG(2, 2))
	for _, sz := range sizes {
		nx, ny := sz[0], sz[1]
		x := randomComplex(r, nx*ny)
		for _, dir := range []Direction{Forward, Backward} {
			want := directDFT2D(x, nx, ny, dir)
			ref := append([]complex64(nil), x...)
			newReference(nx, ny).Transform(ref, dir)
			if e := relErr(ref, want, nil); e > 1e-6 {
				t.Errorf("reference %dx%d dir=%+d: relative error %.3e > 1e-6", nx, ny, dir, e)
			}
			for _, impl := range implementations() {
				p := mustPlan(t, nx, ny, testOptions(impl, 2))
				got := append([]complex64(nil), x...)
				p.Transform(got, dir)
				if e := relErr(got, want, nil); e > 1e-6 {
					t.Errorf("%s %dx%d dir=%+d: relative error %.3e > 1e-6", impl, nx, ny, dir, e)
				}
			}
		}
	}
}

// TestLinePlan_DirectDFT checks the 1-D engine for every length up to 128 and some CASA-like
// padded sizes, with several lane counts (1 lane takes the portable kernels, 4 and 8 the vector
// ones), against a float64 direct DFT of each lane.
func TestLinePlan_DirectDFT(t *testing.T) {
	var lengths []int
	for n := 1; n <= 128; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 240, 243, 250, 256, 600, 625, 1000, 1024, 1200, 2048, 2400, 4096)
	r := rand.New(rand.NewPCG(3, 3))
	for _, n := range lengths {
		lp := newLinePlan(n)
		for _, b := range []int{1, 4, 8} {
			w := lp.newWork(b)
			x := randomComplex(r, n*b)
			for _, dir := range []Direction{Forward, Backward} {
				copy(w.bufs[0], x)
				got := lp.run(w, dir)
				wn := unitRoots(n, dir)
				var num, den float64
				for l := 0; l < b; l++ {
					for k := 0; k < n; k++ {
						var s complex128
						for j := 0; j < n; j++ {
							s += complex128(x[j*b+l]) * wn[(k*j)%n]
						}
						d := complex128(got[k*b+l]) - s
						num += real(d)*real(d) + imag(d)*imag(d)
						den += real(s)*real(s) + imag(s)*imag(s)
					}
				}
				if e := math.Sqrt(num / den); e > 1e-6 {
					t.Errorf("n=%d lanes=%d dir=%+d: relative error %.3e > 1e-6", n, b, dir, e)
				}
			}
		}
	}
}

// TestRoot checks the octant-reduced twiddles against math.Sincos at full angle.
func TestRoot(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 7, 8, 12, 100, 4096, 9600, 1 << 20} {
		for k := -n; k < 2*n; k += max(1, n/997) {
			got := root(k, n, Forward)
			s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
			if cmplx.Abs(got-complex(c, s)) > 1e-14 {
				t.Fatalf("root(%d, %d) = %v, want %v", k, n, got, complex(c, s))
			}
		}
	}
}

func TestNew_Errors(t *testing.T) {
	for _, c := range []struct {
		nx, ny int
		o      *Options
	}{
		{0, 4, nil}, {4, -1, nil}, {4, 4, &Options{Impl: "cufft"}}, {4, 4, &Options{Threads: -1}},
	} {
		if _, err := New(c.nx, c.ny, c.o); err == nil {
			t.Errorf("New(%d, %d, %+v): no error", c.nx, c.ny, c.o)
		}
	}
	if !FFTWAvailable() {
		if _, err := New(4, 4, &Options{Impl: ImplFFTW}); err == nil {
			t.Error("New with ImplFFTW: no error although FFTW is not built in")
		}
	}
}

func ExampleCentre() {
	fmt.Println(Centre(2400, 2400, 2000, 2000))
	// Output: {200 200 2000 2000}
}

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
