package deconv

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// naiveHogbom is the obvious CASA hclean loop: a full row-major scan for the largest |residual| in
// the mask (first one on ties), then the PSF subtraction over the overlap (or window).
func naiveHogbom(pl Planes, gain float32, maxIter int, thr float32, halfW int) (iters int) {
	nx, ny := pl.Nx, pl.Ny
	for iters < maxIter {
		best, bv := -1, float32(0)
		for i, v := range pl.Residual {
			if pl.Mask != nil && pl.Mask[i] == 0 {
				continue
			}
			a := float32(math.Abs(float64(v)))
			if best < 0 || a > bv {
				best, bv = i, a
			}
		}
		if best < 0 || bv <= thr {
			break
		}
		px, py := best%nx, best/nx
		a := gain * pl.Residual[best]
		pl.Model[best] += a
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				qx, qy := nx/2+x-px, ny/2+y-py
				if qx < 0 || qx >= nx || qy < 0 || qy >= ny {
					continue
				}
				if halfW > 0 && (iabs(x-px) > halfW || iabs(y-py) > halfW) {
					continue
				}
				pl.Residual[y*nx+x] -= a * pl.PSF[qy*nx+qx]
			}
		}
		iters++
	}
	return iters
}

// testPSF is a peak-1 elliptical Gaussian main lobe with a negative ring and an oscillating
// pattern, centred on (nx/2, ny/2).
func testPSF(nx, ny int) []float32 {
	psf := make([]float32, nx*ny)
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			dx, dy := float64(x-nx/2), float64(y-ny/2)
			r := math.Hypot(dx/1.3, dy)
			v := math.Exp(-0.5*(dx*dx/6+dy*dy/3+0.8*dx*dy/4)) - 0.12*math.Exp(-0.5*(r-5)*(r-5)/2) +
				0.04*math.Cos(0.9*dx+0.4*dy)*math.Exp(-r/25)
			psf[y*nx+x] = float32(v)
		}
	}
	psf[ny/2*nx+nx/2] = 1
	return psf
}

func randomPlanes(rng *rand.Rand, nx, ny int, withMask bool) Planes {
	pl := Planes{Nx: nx, Ny: ny, Residual: make([]float32, nx*ny), Model: make([]float32, nx*ny), PSF: testPSF(nx, ny)}
	for i := range pl.Residual {
		pl.Residual[i] = float32(rng.NormFloat64() * 0.01)
	}
	// A few sources convolved with the PSF, some at the edges, and exact ties.
	for k := 0; k < 6; k++ {
		sx, sy, f := rng.IntN(nx), rng.IntN(ny), float32(0.5+rng.Float64())
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				qx, qy := nx/2+x-sx, ny/2+y-sy
				if qx >= 0 && qx < nx && qy >= 0 && qy < ny {
					pl.Residual[y*nx+x] += f * pl.PSF[qy*nx+qx]
				}
			}
		}
	}
	if withMask {
		pl.Mask = make([]uint8, nx*ny)
		for i := range pl.Mask {
			if rng.IntN(3) > 0 {
				pl.Mask[i] = 1
			}
		}
	}
	return pl
}

func clonePlanes(p Planes) Planes {
	q := p
	q.Residual = append([]float32(nil), p.Residual...)
	q.Model = append([]float32(nil), p.Model...)
	return q
}

// TestHogbom_MatchesNaive checks that the block-maximum search and the fused update give exactly
// the components and residual of the naive CASA loop, with and without mask and window, with
// several worker counts, on odd and even sizes.
func TestHogbom_MatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][2]int{{64, 64}, {75, 50}, {33, 97}} {
		for _, withMask := range []bool{false, true} {
			for _, halfW := range []int{0, 7} {
				pl := randomPlanes(rng, sz[0], sz[1], withMask)
				ref := clonePlanes(pl)
				nref := naiveHogbom(ref, 0.1, 300, 0.02, halfW)
				for _, workers := range []int{1, 3} {
					got := clonePlanes(pl)
					res, err := Hogbom(context.Background(), got, MinorParams{Gain: 0.1, MaxIter: 300, CycleThreshold: 0.02, PSFHalfWidth: halfW, Workers: workers})
					if err != nil {
						t.Fatal(err)
					}
					if res.Iterations != nref {
						t.Fatalf("%v mask %v w %d workers %d: %d iterations, naive %d", sz, withMask, halfW, workers, res.Iterations, nref)
					}
					for i := range got.Residual {
						if got.Residual[i] != ref.Residual[i] || got.Model[i] != ref.Model[i] {
							t.Fatalf("%v mask %v w %d workers %d: pixel %d differs: residual %v/%v model %v/%v",
								sz, withMask, halfW, workers, i, got.Residual[i], ref.Residual[i], got.Model[i], ref.Model[i])
						}
					}
				}
			}
		}
	}
}

// TestHogbom_Ties checks CASA's tie rule: of equal |residual|, the first pixel in row-major
// order (y, then x) is cleaned first, whatever its block.
func TestHogbom_Ties(t *testing.T) {
	const nx, ny = 80, 70
	for _, c := range []struct{ a, b int }{
		{5*nx + 70, 6*nx + 1},   // same block row, later block but earlier row
		{40*nx + 3, 40*nx + 60}, // same row, different blocks
		{33*nx + 40, 65*nx + 2}, // different block rows
	} {
		pl := Planes{Nx: nx, Ny: ny, Residual: make([]float32, nx*ny), Model: make([]float32, nx*ny), PSF: make([]float32, nx*ny)}
		pl.PSF[ny/2*nx+nx/2] = 1 // a delta PSF leaves no ghosts
		pl.Residual[c.a], pl.Residual[c.b] = -2, 2
		if _, err := Hogbom(context.Background(), pl, MinorParams{Gain: 0.5, MaxIter: 1}); err != nil {
			t.Fatal(err)
		}
		if pl.Model[c.a] != -1 || pl.Model[c.b] != 0 {
			t.Errorf("tie between %d and %d: model %v, %v; want the first cleaned", c.a, c.b, pl.Model[c.a], pl.Model[c.b])
		}
	}
}

// TestHogbom_PointSource cleans one source of known flux, no noise: the model holds the flux at
// the source pixel and the residual is at the threshold.
func TestHogbom_PointSource(t *testing.T) {
	const nx, ny = 64, 64
	psf := testPSF(nx, ny)
	pl := Planes{Nx: nx, Ny: ny, Residual: make([]float32, nx*ny), Model: make([]float32, nx*ny), PSF: psf}
	sx, sy, flux := 20, 37, float32(2.5)
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			qx, qy := nx/2+x-sx, ny/2+y-sy
			if qx >= 0 && qx < nx && qy >= 0 && qy < ny {
				pl.Residual[y*nx+x] = flux * psf[qy*nx+qx]
			}
		}
	}
	res, err := Hogbom(context.Background(), pl, MinorParams{Gain: 0.1, MaxIter: 1000, CycleThreshold: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != MinorCycleThreshold || res.Peak > 1e-3 || res.StartPeak != flux {
		t.Errorf("result %+v: want cyclethreshold stop, peak <= 1e-3, start peak %v", res, flux)
	}
	// Each iteration removes 10% of what is left: 2.5 * 0.9^k <= 1e-3 at k = 75.
	if res.Iterations != 75 {
		t.Errorf("%d iterations, want 75", res.Iterations)
	}
	var sum float64
	for i, v := range pl.Model {
		if v != 0 && i != sy*nx+sx {
			t.Errorf("component at pixel %d, want only %d", i, sy*nx+sx)
		}
		sum += float64(v)
	}
	if math.Abs(sum-float64(flux)) > 1.1e-3 || math.Abs(sum-res.Flux) > 1e-6 {
		t.Errorf("model flux %v (reported %v), want %v within the threshold", sum, res.Flux, flux)
	}
}

func TestHogbom_Stops(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	base := randomPlanes(rng, 48, 48, false)
	ctx := context.Background()
	// cycleniter: exactly MaxIter components (no CASA off-by-one).
	pl := clonePlanes(base)
	res, _ := Hogbom(ctx, pl, MinorParams{Gain: 0.1, MaxIter: 17})
	nonzero := 0
	for _, v := range pl.Model {
		if v != 0 {
			nonzero++
		}
	}
	if res.Stop != MinorNiter || res.Iterations != 17 || nonzero > 17 {
		t.Errorf("MaxIter 17: %d iterations, %d model pixels, stop %v", res.Iterations, nonzero, res.Stop)
	}
	// MaxIter 0 does nothing.
	pl = clonePlanes(base)
	if res, _ = Hogbom(ctx, pl, MinorParams{Gain: 0.1, MaxIter: 0}); res.Iterations != 0 || res.Stop != MinorNiter {
		t.Errorf("MaxIter 0: %+v", res)
	}
	// n-sigma above the cycle threshold.
	pl = clonePlanes(base)
	res, _ = Hogbom(ctx, pl, MinorParams{Gain: 0.1, MaxIter: 10000, CycleThreshold: 0.05, NSigmaThreshold: 0.3})
	if res.Stop != MinorNSigma || res.Peak > 0.3 {
		t.Errorf("nsigma: %+v", res)
	}
	// Empty mask.
	pl = clonePlanes(base)
	pl.Mask = make([]uint8, 48*48)
	if res, _ = Hogbom(ctx, pl, MinorParams{Gain: 0.1, MaxIter: 10}); res.Stop != MinorZeroMask || res.Iterations != 0 {
		t.Errorf("empty mask: %+v", res)
	}
	// A PSF ten times too weak with gain 0.5: each component leaves the peak at -4 times itself,
	// the peak grows and the cycle stops as diverged after its first component.
	pl = clonePlanes(base)
	for i := range pl.PSF {
		pl.PSF[i] *= 10
	}
	res, _ = Hogbom(ctx, pl, MinorParams{Gain: 0.5, MaxIter: 1000})
	if res.Stop != MinorDiverged || res.Iterations != 1 || res.Peak <= res.StartPeak {
		t.Errorf("diverging PSF: %+v", res)
	}
	// Cancelled context.
	pl = clonePlanes(base)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Hogbom(cctx, pl, MinorParams{Gain: 0.01, MaxIter: 1000}); err == nil {
		t.Error("cancelled context: want an error")
	}
}

func TestPSFSidelobe(t *testing.T) {
	const nx, ny = 64, 64
	const cell = 1e-6
	g := beam.Gaussian{Major: 3 * cell, Minor: 2 * cell, PA: 0.3}
	a, b, c := g.Quadratic(cell, cell)
	psf := make([]float32, nx*ny)
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			dx, dy := float64(x-nx/2), float64(y-ny/2)
			psf[y*nx+x] = float32(math.Exp(-(a*dx*dx + b*dx*dy + c*dy*dy)))
		}
	}
	psf[10*nx+50] = -0.13 // a negative sidelobe
	psf[50*nx+12] = 0.09  // a positive one
	if s := PSFSidelobe(psf, nx, ny, g, cell, cell); math.Abs(float64(s)-0.13) > 1e-6 {
		t.Errorf("S_psf = %v, want 0.13", s)
	}
	psf[10*nx+50] = -0.05
	if s := PSFSidelobe(psf, nx, ny, g, cell, cell); math.Abs(float64(s)-0.09) > 1e-6 {
		t.Errorf("S_psf = %v, want 0.09", s)
	}
	// A fitted beam narrower than the main lobe leaves PSF - G > 0 on the flanks: it counts.
	narrow := beam.Gaussian{Major: 2 * cell, Minor: 1.5 * cell, PA: 0.3}
	if s := PSFSidelobe(psf, nx, ny, narrow, cell, cell); s < 0.2 {
		t.Errorf("narrower fit: S_psf = %v, want the flank residual (> 0.2)", s)
	}
	if w := PSFHalfWidthFor(psf, nx, ny, 0.08); w != 20 {
		t.Errorf("PSFHalfWidthFor = %d, want 20 (the 0.09 sidelobe at dx = -20, dy = 18)", w)
	}
}

// TestHogbom_MaskBoxOnly checks that limiting the update to the mask's bounding box gives
// exactly the components, result, model and in-box residual of the full update, and leaves the
// residual outside the box as it was, for compact and scattered masks, with and without a
// window, on one and several workers.
func TestHogbom_MaskBoxOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sz := range [][2]int{{96, 80}, {75, 50}} {
		for _, box := range []rect{{10, 40, 20, 45}, {0, 75, 3, 4}, {30, 31, 30, 31}, {60, 75, 0, 50}} {
			for _, halfW := range []int{0, 7} {
				pl := randomPlanes(rng, sz[0], sz[1], false)
				nx := pl.Nx
				// Mask: a random half of the box's pixels, plus its corners so the box is exact.
				pl.Mask = make([]uint8, nx*pl.Ny)
				for y := box.y0; y < box.y1; y++ {
					for x := box.x0; x < box.x1; x++ {
						if rng.IntN(2) == 0 || (x == box.x0 || x == box.x1-1) && (y == box.y0 || y == box.y1-1) {
							pl.Mask[y*nx+x] = 1
						}
					}
				}
				if got := maskBox(pl.Mask, nx); got != box {
					t.Fatalf("maskBox = %+v, want %+v", got, box)
				}
				for _, workers := range []int{1, 3} {
					mp := MinorParams{Gain: 0.1, MaxIter: 200, CycleThreshold: 0.001, PSFHalfWidth: halfW, Workers: workers}
					full := clonePlanes(pl)
					rf, err := Hogbom(context.Background(), full, mp)
					if err != nil {
						t.Fatal(err)
					}
					mp.MaskBoxOnly = true
					part := clonePlanes(pl)
					rp, err := Hogbom(context.Background(), part, mp)
					if err != nil {
						t.Fatal(err)
					}
					if rp != rf || rf.Iterations == 0 {
						t.Fatalf("%v box %+v w %d workers %d: result %+v, full update %+v", sz, box, halfW, workers, rp, rf)
					}
					for i := range part.Residual {
						x, y := i%nx, i/nx
						in := x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1
						want := pl.Residual[i]
						if in {
							want = full.Residual[i]
						}
						if part.Model[i] != full.Model[i] || part.Residual[i] != want {
							t.Fatalf("%v box %+v w %d workers %d: pixel (%d, %d) in box %v: model %v/%v residual %v, want %v",
								sz, box, halfW, workers, x, y, in, part.Model[i], full.Model[i], part.Residual[i], want)
						}
					}
				}
			}
		}
	}
	if b := maskBox(make([]uint8, 64), 8); b.x1 > b.x0 {
		t.Errorf("maskBox of an empty mask = %+v", b)
	}
}
