package fft_test

import (
	"fmt"

	"github.com/cubeimg/cubeimg/imaging/fft"
)

// A dirty image from a padded uv grid whose origin is at grid index (0, 0): the real part of the
// forward transform over the image's pixels only. AtOrigin puts the phase centre at image pixel
// (nx/2, ny/2) without any shift.
func ExamplePaddedPlan_TransformToReal() {
	const gridN, imageN = 240, 200 // sigma 1.2
	p, err := fft.NewPadded(gridN, gridN, &fft.Options{Impl: fft.ImplGo, Threads: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close()
	grid := make([]complex64, gridN*gridN)
	for i := range grid {
		grid[i] = 1 // a flat uv plane: a point source at the phase centre
	}
	img := make([]float32, imageN*imageN)
	p.TransformToReal(img, grid, fft.Forward, fft.AtOrigin(gridN, gridN, imageN, imageN))
	fmt.Println(img[(imageN/2)*imageN+imageN/2], img[0])
	// Output: 57600 0
}
