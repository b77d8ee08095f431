package gridder

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTapFuncs_MatchGeneric: the unrolled loops of taps_gen.go compute what the plain loops do.
func TestTapFuncs_MatchGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for w := 4; w <= 8; w++ {
		ue, ug, ud := tapFuncs(w)
		ge, gg, gd := genericTapFuncs(w)
		e := esKernelDB[0]
		for _, x := range esKernelDB {
			if x.W == w && x.Sigma == 1.5 {
				e = x
			}
		}
		phi := func(x float64) float64 { return esPhi(e.Beta, e.E0, x) }
		k := fitPolyKernel(w, polyDegree(w), phi)
		var a, b [maxTaps]float32
		for i := 0; i < 100; i++ {
			y := 2*rng.Float64() - 1
			ue(k, y, &a)
			ge(k, y, &b)
			for tap := 0; tap < w; tap++ {
				if d := math.Abs(float64(a[tap] - b[tap])); d > 1e-6 {
					t.Fatalf("W=%d evalPoly tap %d at y=%g: %g vs %g", w, tap, y, a[tap], b[tap])
				}
			}
		}
		S := tileSize + w - 1
		bu1 := make([]complex64, S*S)
		bu2 := make([]complex64, S*S)
		off := 3*S + 5
		ug(bu1, off, S, &a, &b, 0.7, -1.3)
		gg(bu2, off, S, &a, &b, 0.7, -1.3)
		for i := range bu1 {
			if bu1[i] != bu2[i] {
				t.Fatalf("W=%d gridAcc cell %d: %v vs %v", w, i, bu1[i], bu2[i])
			}
		}
		r1, i1 := ud(bu1, off, S, &a, &b)
		r2, i2 := gd(bu1, off, S, &a, &b)
		if math.Abs(float64(r1-r2)) > 1e-5*math.Abs(float64(r2)) || math.Abs(float64(i1-i2)) > 1e-5*math.Abs(float64(i2)) {
			t.Fatalf("W=%d degridAcc: (%g,%g) vs (%g,%g)", w, r1, i1, r2, i2)
		}
	}
}

// TestPolyKernel_Interior: the per-tap polynomials reproduce the ES kernel away from its edge
// (where (1-x^2)^e0 is not smooth and the kernel is below exp(-beta) anyway).
func TestPolyKernel_Interior(t *testing.T) {
	for _, e := range esKernelDB {
		if e.W > maxESTaps {
			continue
		}
		phi := func(x float64) float64 { return esPhi(e.Beta, e.E0, x) }
		k := fitPolyKernel(e.W, polyDegree(e.W), phi)
		var buf [maxTaps]float64
		worst := 0.0
		for i := 0; i < 200; i++ {
			f := (float64(i) + 0.5) / 200
			k.eval64(f, buf[:e.W])
			for tap := 1; tap < e.W-1; tap++ { // inner taps
				x := 2 * (f + float64(tap) - float64(e.W)/2) / float64(e.W)
				worst = math.Max(worst, math.Abs(buf[tap]-phi(x)))
			}
		}
		if worst > e.Eps {
			t.Errorf("W=%d sigma=%.2f: inner-tap polynomial error %.3g > table eps %.3g", e.W, e.Sigma, worst, e.Eps)
		}
	}
}

// eval64 writes the w tap weights for fractional offset f into dst.
func (k *polyKernel) eval64(f float64, dst []float64) {
	y := 2*f - 1
	w := k.w
	dst = dst[:w]
	copy(dst, k.coef[k.d*w:(k.d+1)*w])
	for j := k.d - 1; j >= 0; j-- {
		c := k.coef[j*w : (j+1)*w]
		c = c[:len(dst)]
		for i := range dst {
			dst[i] = dst[i]*y + c[i]
		}
	}
}

// TestAsmTapFuncs_MatchGo: where there is assembly (W = 8 on amd64 with AVX2 and FMA), it
// computes what the generated Go loops do, to float32 rounding (FMA rounds once where Go rounds
// twice), on random kernels' arguments, values and cell contents.
func TestAsmTapFuncs_MatchGo(t *testing.T) {
	ae, ag, ad := asmTapFuncs(8)
	if ae == nil {
		t.Skip("no assembly tap loops on this CPU or build")
	}
	ue, ug, ud := tapFuncs(8)
	rng := rand.New(rand.NewPCG(23, 24))
	for _, e := range esKernelDB {
		if e.W != 8 {
			continue
		}
		phi := func(x float64) float64 { return esPhi(e.Beta, e.E0, x) }
		k := fitPolyKernel(8, polyDegree(8), phi)
		for i := 0; i < 200; i++ {
			var a, b [maxTaps]float32
			y := 2*rng.Float64() - 1
			ae(k, y, &a)
			ue(k, y, &b)
			for tap := 0; tap < maxTaps; tap++ {
				if d := math.Abs(float64(a[tap] - b[tap])); d > 1e-7 {
					t.Fatalf("sigma %.2f evalPoly8 tap %d at y=%g: asm %g, Go %g", e.Sigma, tap, y, a[tap], b[tap])
				}
			}
		}
	}
	S := tileSize + 7
	for trial := 0; trial < 50; trial++ {
		var ku, kv [maxTaps]float32
		for i := 0; i < 8; i++ {
			ku[i], kv[i] = rng.Float32(), rng.Float32()
		}
		bu1 := make([]complex64, S*S)
		for i := range bu1 {
			bu1[i] = complex(rng.Float32()-0.5, rng.Float32()-0.5)
		}
		bu2 := append([]complex64(nil), bu1...)
		off := rng.IntN(S-8) + rng.IntN(S-8)*S
		vr, vi := 4*rng.Float32()-2, 4*rng.Float32()-2
		ag(bu1, off, S, &ku, &kv, vr, vi)
		ug(bu2, off, S, &ku, &kv, vr, vi)
		changed := 0
		for i := range bu1 {
			d := bu1[i] - bu2[i]
			if math.Abs(float64(real(d))) > 1e-6 || math.Abs(float64(imag(d))) > 1e-6 {
				t.Fatalf("gridAcc8 cell %d: asm %v, Go %v", i, bu1[i], bu2[i])
			}
			if r, c := (i-off)/S, (i-off)%S; i >= off && r < 8 && c < 8 {
				changed++
			}
		}
		if changed != 64 {
			t.Fatalf("window of 64 cells expected, %d", changed)
		}
		// Cells outside the 8 x 8 window are untouched (bit for bit against the Go loop).
		for i := range bu1 {
			r, c := (i-off)/S, (i-off)%S
			if (i < off || r >= 8 || c >= 8) && bu1[i] != bu2[i] {
				t.Fatalf("gridAcc8 wrote cell %d outside its window", i)
			}
		}
		r1, i1 := ad(bu1, off, S, &ku, &kv)
		r2, i2 := ud(bu1, off, S, &ku, &kv)
		if math.Abs(float64(r1-r2)) > 1e-5 || math.Abs(float64(i1-i2)) > 1e-5 {
			t.Fatalf("degridAcc8: asm (%g, %g), Go (%g, %g)", r1, i1, r2, i2)
		}
	}
}
