package fft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// paddedCases are grids and rectangles for the padded entry points: centred as the imager places
// an image (Centre), odd sizes, a Bluestein length (17), and rectangles wrapping around the edges.
func paddedCases() []struct {
	nx, ny int
	r      Rect
} {
	return []struct {
		nx, ny int
		r      Rect
	}{
		{64, 64, Centre(64, 64, 40, 40)},
		{48, 30, Centre(48, 30, 31, 17)},
		{45, 27, Rect{X0: 40, Y0: 20, NX: 13, NY: 12}}, // wraps on both axes
		{34, 17, Rect{X0: 3, Y0: 0, NX: 34, NY: 5}},
		{20, 36, Rect{X0: 19, Y0: 35, NX: 1, NY: 1}},
		{16, 16, Rect{X0: 5, Y0: 5, NX: 0, NY: 3}},
		{1, 8, Rect{X0: 0, Y0: 6, NX: 1, NY: 5}},
		{9, 1, Rect{X0: 7, Y0: 0, NX: 4, NY: 1}},
		{2, 2, Rect{X0: 1, Y0: 1, NX: 2, NY: 2}},
	}
}

// rectIndices lists the grid indices inside r, row by row (the order of the rectangle's own
// row-major arrays).
func rectIndices(nx, ny int, r Rect) []int {
	var idx []int
	for j := 0; j < r.NY; j++ {
		y := ((r.Y0+j)%ny + ny) % ny
		for i := 0; i < r.NX; i++ {
			x := ((r.X0+i)%nx + nx) % nx
			idx = append(idx, y*nx+x)
		}
	}
	return idx
}

func checkRel(t *testing.T, what string, e float64) {
	t.Helper()
	if e > 1e-6 || math.IsNaN(e) {
		t.Errorf("%s: relative error %.3e > 1e-6", what, e)
	}
}

func TestPaddedPlan_TransformSparse(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	for _, c := range paddedCases() {
		for _, impl := range implementations() {
			for _, dir := range []Direction{Forward, Backward} {
				name := fmt.Sprintf("%s %dx%d %+v dir=%+d", impl, c.nx, c.ny, c.r, dir)
				p := mustPlan(t, c.nx, c.ny, testOptions(impl, 2))
				x := randomComplex(r, c.nx*c.ny)
				zeroed := make([]complex64, len(x))
				for _, i := range rectIndices(c.nx, c.ny, c.r) {
					zeroed[i] = x[i]
				}
				// Outside the rectangle: NaN, which must never be read.
				data := make([]complex64, len(x))
				for i := range data {
					data[i] = complex(float32(math.NaN()), 0)
				}
				for _, i := range rectIndices(c.nx, c.ny, c.r) {
					data[i] = x[i]
				}
				p.TransformSparse(data, dir, c.r)
				want := directDFT2D(zeroed, c.nx, c.ny, dir)
				if c.r.NX == 0 || c.r.NY == 0 {
					for i, v := range data {
						if v != 0 {
							t.Fatalf("%s: element %d = %v, want 0", name, i, v)
						}
					}
					continue
				}
				checkRel(t, name, relErr(data, want, nil))
			}
		}
	}
}

func TestPaddedPlan_TransformCrop(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 2))
	for _, c := range paddedCases() {
		if c.r.NX == 0 || c.r.NY == 0 {
			continue
		}
		for _, impl := range implementations() {
			for _, dir := range []Direction{Forward, Backward} {
				name := fmt.Sprintf("%s %dx%d %+v dir=%+d", impl, c.nx, c.ny, c.r, dir)
				p := mustPlan(t, c.nx, c.ny, testOptions(impl, 2))
				x := randomComplex(r, c.nx*c.ny)
				want := directDFT2D(x, c.nx, c.ny, dir)
				p.TransformCrop(x, dir, c.r)
				idx := rectIndices(c.nx, c.ny, c.r)
				sub := make([]complex64, len(idx))
				for k, i := range idx {
					sub[k] = x[i]
				}
				checkRel(t, name, rmsRelErr(sub, want, idx, want))
			}
		}
	}
}

func TestPaddedPlan_TransformToReal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 3))
	for _, c := range paddedCases() {
		for _, impl := range implementations() {
			for _, dir := range []Direction{Forward, Backward} {
				name := fmt.Sprintf("%s %dx%d %+v dir=%+d", impl, c.nx, c.ny, c.r, dir)
				p := mustPlan(t, c.nx, c.ny, testOptions(impl, 2))
				x := randomComplex(r, c.nx*c.ny)
				full := directDFT2D(x, c.nx, c.ny, dir)
				dst := make([]float32, c.r.NX*c.r.NY)
				p.TransformToReal(dst, x, dir, c.r)
				if len(dst) == 0 {
					continue
				}
				got := make([]complex64, len(dst))
				re := make([]complex128, len(full))
				for i, v := range full {
					re[i] = complex(real(v), 0)
				}
				for k := range dst {
					got[k] = complex(dst[k], 0)
				}
				checkRel(t, name, rmsRelErr(got, re, rectIndices(c.nx, c.ny, c.r), re))
			}
		}
	}
}

func TestPaddedPlan_TransformFromReal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 4))
	for _, c := range paddedCases() {
		for _, impl := range implementations() {
			for _, dir := range []Direction{Forward, Backward} {
				name := fmt.Sprintf("%s %dx%d %+v dir=%+d", impl, c.nx, c.ny, c.r, dir)
				p := mustPlan(t, c.nx, c.ny, testOptions(impl, 2))
				src := make([]float32, c.r.NX*c.r.NY)
				for i := range src {
					src[i] = float32(r.NormFloat64())
				}
				img := make([]complex64, c.nx*c.ny)
				for k, i := range rectIndices(c.nx, c.ny, c.r) {
					img[i] = complex(src[k], 0)
				}
				want := directDFT2D(img, c.nx, c.ny, dir)
				data := randomComplex(r, c.nx*c.ny) // previous content, to be ignored
				p.TransformFromReal(data, src, dir, c.r)
				if len(src) == 0 {
					for i, v := range data {
						if v != 0 {
							t.Fatalf("%s: element %d = %v, want 0", name, i, v)
						}
					}
					continue
				}
				checkRel(t, name, relErr(data, want, nil))
			}
		}
	}
}

// TestPaddedPlan_RoundTrip: FromReal then ToReal over the same rectangle returns the image times
// nx*ny (the transforms are unnormalised), on a CASA-like size with factors 2, 3 and 5.
func TestPaddedPlan_RoundTrip(t *testing.T) {
	const nx, ny = 360, 300
	in := Centre(nx, ny, 300, 250)
	r := rand.New(rand.NewPCG(5, 5))
	src := make([]float32, in.NX*in.NY)
	for i := range src {
		src[i] = float32(r.NormFloat64())
	}
	for _, impl := range implementations() {
		p := mustPlan(t, nx, ny, testOptions(impl, 2))
		grid := make([]complex64, nx*ny)
		p.TransformFromReal(grid, src, Forward, in)
		back := make([]float32, len(src))
		p.TransformToReal(back, grid, Backward, in)
		var num, den float64
		for i, v := range src {
			d := float64(back[i])/(nx*ny) - float64(v)
			num += d * d
			den += float64(v) * float64(v)
		}
		checkRel(t, impl+" round trip", math.Sqrt(num/den))
	}
}

// TestPaddedPlan_AtOrigin: a point source at the phase centre, image pixel (nx/2, ny/2), has a
// constant transform when the image sits AtOrigin, and a constant grid transforms back to a
// point at the phase centre: the wrapped rectangle does the fftshift.
func TestPaddedPlan_AtOrigin(t *testing.T) {
	const gx, gy, nx, ny = 48, 40, 30, 24
	r := AtOrigin(gx, gy, nx, ny)
	for _, impl := range implementations() {
		p := mustPlan(t, gx, gy, testOptions(impl, 2))
		src := make([]float32, nx*ny)
		src[(ny/2)*nx+nx/2] = 1
		grid := make([]complex64, gx*gy)
		p.TransformFromReal(grid, src, Forward, r)
		for i, v := range grid {
			if math.Abs(float64(real(v))-1) > 1e-6 || math.Abs(float64(imag(v))) > 1e-6 {
				t.Fatalf("%s: grid[%d] = %v, want 1", impl, i, v)
			}
		}
		dst := make([]float32, nx*ny)
		p.TransformToReal(dst, grid, Backward, r)
		for i, v := range dst {
			want := 0.0
			if i == (ny/2)*nx+nx/2 {
				want = gx * gy
			}
			if math.Abs(float64(v)-want) > 1e-4 {
				t.Fatalf("%s: dst[%d] = %v, want %v", impl, i, v, want)
			}
		}
	}
}
