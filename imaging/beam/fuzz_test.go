package beam

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
)

// FuzzFitPSF fits arbitrary 16 x 16 images (bytes read as float32): the fit may fail, but must
// not panic, and a beam it returns must be normalised.
func FuzzFitPSF(f *testing.F) {
	g := imaging.Geometry{Nx: 16, Ny: 16, CellX: 1, CellY: 1}
	seed := make([]byte, 4*g.Pixels())
	for i, v := range gaussianImage(g, Gaussian{Major: 4, Minor: 3, PA: 0.4}) {
		binary.LittleEndian.PutUint32(seed[4*i:], math.Float32bits(v))
	}
	f.Add(seed, 0.35)
	f.Add(make([]byte, 4*g.Pixels()), 0.5)
	f.Fuzz(func(t *testing.T, data []byte, cutoff float64) {
		psf := make([]float32, g.Pixels())
		for i := range psf {
			if 4*i+4 <= len(data) {
				psf[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			}
		}
		res, err := FitPSF(psf, g, cutoff)
		if err != nil {
			return
		}
		b := res.Beam
		if !(b.Major >= b.Minor && b.Minor > 0) || b.PA <= -math.Pi/2 || b.PA > math.Pi/2 {
			t.Fatalf("fit returned %+v", b)
		}
		SidelobeLevel(psf, g, b)
	})
}
