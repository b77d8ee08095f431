package preview

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite_PNGWithBothPanels(t *testing.T) {
	const nx, ny, nchan = 64, 48, 20
	c := Cube{Nx: nx, Ny: ny, Peak: make([]float32, nx*ny), PeakX: 40, PeakY: 10, Title: "test cube", Unit: "Jy/beam"}
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			c.Peak[y*nx+x] = float32(math.Exp(-(math.Pow(float64(x-40), 2) + math.Pow(float64(y-10), 2)) / 20))
		}
	}
	for k := 0; k < nchan; k++ {
		c.FreqHz = append(c.FreqHz, 230e9+float64(k)*1e6)
		c.Spectrum = append(c.Spectrum, math.Exp(-math.Pow(float64(k-10)/3, 2)))
	}
	path := filepath.Join(t.TempDir(), "p.png")
	if err := Write(path, c); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 800 || b.Dy() < 300 {
		t.Fatalf("image %v too small", b)
	}
	// The heat map's hottest colour (red) must appear somewhere in the left half.
	red := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Min.X+b.Dx()/2; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r > 0xa000 && g < 0x6000 && bl < 0x6000 {
				red++
			}
		}
	}
	if red == 0 {
		t.Fatal("no red pixels of the peak in the heat map")
	}
	if err := Write(path, Cube{Nx: 2, Ny: 2, Peak: make([]float32, 3)}); err == nil {
		t.Fatal("mismatched peak map accepted")
	}
}
