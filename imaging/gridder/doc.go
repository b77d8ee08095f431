// Package gridder grids visibilities onto a uv grid and degrids them from it with a separable
// exponential-of-semicircle kernel chosen from a requested accuracy, or CASA's prolate spheroid;
// it makes dirty images and PSFs from samples and predicts visibilities from a model image.
package gridder
