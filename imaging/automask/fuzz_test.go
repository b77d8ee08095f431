package automask

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// FuzzUpdate runs updates on small planes built from the fuzz input (values, NaNs, a PB, any
// parameters in range): no panic, masks only grow inside the region, and the reported size is
// the mask's.
func FuzzUpdate(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 200, 100, 7, 8, 9, 10, 11, 12}, uint8(3), uint8(5), uint8(2), uint8(1))
	f.Add([]byte{255, 255, 127, 127, 0, 0, 192, 127}, uint8(0), uint8(0), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, side, noise, grow, neg uint8) {
		const nx, ny = 23, 17
		res := make([]float32, nx*ny)
		pb := make([]float32, nx*ny)
		for i := range res {
			if 4*i+4 <= len(data) {
				res[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			} else if len(data) > 0 {
				res[i] = float32(data[i%len(data)]) / 50
			}
			pb[i] = float32(i%11) / 10
		}
		p := Defaults()
		p.SidelobeThreshold = float64(side) / 2
		p.NoiseThreshold = float64(noise) / 2
		p.GrowIterations = int(grow)
		p.NegativeThreshold = float64(neg)
		p.FastNoise = side%2 == 0
		p.MinPercentChange = float64(int(noise%3) - 1)
		mask := make([]uint8, nx*ny)
		var st State
		sc := NewScratch(nx, ny)
		for it := 0; it < 3; it++ {
			before := append([]uint8(nil), mask...)
			in := Input{Beam: beam.Gaussian{Major: 3e-6, Minor: 2e-6, PA: 0.3}, CellX: 1e-6, CellY: 1e-6,
				SidelobeLevel: 0.1, IterDone: it, ThresholdReached: it == 2, PBLimit: 0.2}
			var pl Plane = Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}
			if neg%2 == 1 {
				pl.PB = pb
			}
			r, err := Update(pl, in, &p, &st, sc)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for i, v := range mask {
				if v > Other {
					t.Fatalf("mask value %d", v)
				}
				if v != 0 {
					n++
				}
				if before[i] != 0 && v == 0 && (pl.PB == nil || pb[i] > 0.2) {
					t.Fatalf("pixel %d left the mask", i)
				}
			}
			if n != r.Pixels {
				t.Fatalf("reported %d pixels, mask has %d", r.Pixels, n)
			}
			for i := range res {
				res[i] *= 0.5
			}
		}
	})
}
