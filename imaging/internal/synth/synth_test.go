package synth

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestChannel_Consistency(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	u, v := Array(rng, 20, 300, 1.3e-3)
	c := NewChannel(64, u, v, 5, 1)
	n := c.N
	if p := c.PSF[n/2*n+n/2]; math.Abs(float64(p)-1) > 1e-6 {
		t.Fatalf("PSF peak %v", p)
	}
	// A point at an integer pixel is the shifted PSF, and the convolution of a delta model.
	d := c.Dirty([]Source{{X: 20, Y: 40, Flux: 2}})
	model := make([]float32, n*n)
	model[40*n+20] = 2
	conv := c.Convolve(model)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if math.Abs(float64(d[y*n+x]-conv[y*n+x])) > 1e-5 {
				t.Fatalf("(%d,%d): dirty %v, convolved %v", x, y, d[y*n+x], conv[y*n+x])
			}
			if qx, qy := x-20+n/2, y-40+n/2; qx >= 0 && qx < n && qy >= 0 && qy < n {
				if math.Abs(float64(d[y*n+x]-2*c.PSF[qy*n+qx])) > 1e-5 {
					t.Fatalf("(%d,%d): dirty %v, 2 PSF %v", x, y, d[y*n+x], 2*c.PSF[qy*n+qx])
				}
			}
		}
	}
	b := FitBeam(c.PSF, n, c.Cell)
	if px := math.Sqrt(b.Major*b.Minor) / c.Cell; px < 3 || px > 8 {
		t.Errorf("beam %v is %v pixels, want about 5", b, px)
	}
	// A Gaussian of vanishing width is the point source.
	g := c.Dirty([]Source{{X: 20, Y: 40, Flux: 2, Major: 1e-4, Minor: 1e-4}})
	for i := range g {
		if math.Abs(float64(g[i]-d[i])) > 1e-5 {
			t.Fatalf("pixel %d: tiny Gaussian %v, point %v", i, g[i], d[i])
		}
	}
}
