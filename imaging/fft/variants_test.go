package fft

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// checkPaths runs every entry point of p on random data and compares with the direct double sum.
func checkPaths(t *testing.T, name string, p PaddedPlan, r Rect, seed uint64) {
	t.Helper()
	nx, ny := p.Size()
	rng := rand.New(rand.NewPCG(seed, 9))
	x := randomComplex(rng, nx*ny)
	inRect := rectIndices(nx, ny, r)
	for _, dir := range []Direction{Forward, Backward} {
		want := directDFT2D(x, nx, ny, dir)

		got := append([]complex64(nil), x...)
		p.Transform(got, dir)
		checkRel(t, fmt.Sprintf("%s Transform dir=%+d", name, dir), relErr(got, want, nil))

		got = append(got[:0], x...)
		p.TransformCrop(got, dir, r)
		sub := make([]complex64, len(inRect))
		for k, i := range inRect {
			sub[k] = got[i]
		}
		checkRel(t, fmt.Sprintf("%s TransformCrop dir=%+d", name, dir), rmsRelErr(sub, want, inRect, want))

		sparse := make([]complex64, nx*ny)
		for _, i := range inRect {
			sparse[i] = x[i]
		}
		wantSparse := directDFT2D(sparse, nx, ny, dir)
		p.TransformSparse(sparse, dir, r)
		checkRel(t, fmt.Sprintf("%s TransformSparse dir=%+d", name, dir), relErr(sparse, wantSparse, nil))

		dst := make([]float32, r.NX*r.NY)
		got = append(got[:0], x...)
		p.TransformToReal(dst, got, dir, r)
		gotRe := make([]complex64, len(dst))
		re := make([]complex128, len(want))
		for i, v := range want {
			re[i] = complex(real(v), 0)
		}
		for k := range dst {
			gotRe[k] = complex(dst[k], 0)
		}
		checkRel(t, fmt.Sprintf("%s TransformToReal dir=%+d", name, dir), rmsRelErr(gotRe, re, inRect, re))

		src := make([]float32, r.NX*r.NY)
		img := make([]complex64, nx*ny)
		for k, i := range inRect {
			src[k] = real(x[i])
			img[i] = complex(src[k], 0)
		}
		wantImg := directDFT2D(img, nx, ny, dir)
		p.TransformFromReal(got, src, dir, r)
		checkRel(t, fmt.Sprintf("%s TransformFromReal dir=%+d", name, dir), relErr(got, wantImg, nil))
	}
}

// TestGoPlan_Variants runs every entry point of the pure-Go plan under the settings its tuning
// chooses between: strip widths, thread counts (including more threads than strips), streaming
// stores in the last pass, and the portable kernels instead of the assembly ones.
func TestGoPlan_Variants(t *testing.T) {
	type variant struct {
		name               string
		rowLanes, colLanes int
		threads            int
		stream             bool
		portable           bool
	}
	variants := []variant{
		{name: "default", threads: 1},
		{name: "lanes4", rowLanes: 4, colLanes: 4, threads: 2},
		{name: "lanes8x64", rowLanes: 8, colLanes: 64, threads: 3},
		{name: "stream", threads: 2, stream: true},
		{name: "portable", threads: 2, portable: true},
		{name: "portable-lanes4", rowLanes: 4, colLanes: 4, threads: 1, portable: true},
	}
	grids := []struct {
		nx, ny int
		r      Rect
	}{
		{64, 64, Centre(64, 64, 52, 52)},
		{48, 30, Rect{X0: 40, Y0: 25, NX: 20, NY: 11}},
		{36, 20, Centre(36, 20, 30, 17)},
	}
	saved := useAVX2
	defer func() { useAVX2 = saved }()
	for _, v := range variants {
		useAVX2 = saved && !v.portable
		for gi, g := range grids {
			p := newGoPlan(g.nx, g.ny, v.threads)
			if v.rowLanes != 0 {
				p.driver = newDriverLanes(g.nx, g.ny, v.threads, v.rowLanes, v.colLanes,
					goEngine{newLinePlan(g.nx)}, goEngine{newLinePlan(g.ny)})
			}
			if v.stream {
				p.streamBytes = 0
			}
			checkPaths(t, fmt.Sprintf("%s %dx%d", v.name, g.nx, g.ny), p, g.r, uint64(gi))
		}
	}
}
