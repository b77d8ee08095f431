// Package beam fits the restoring beam to a PSF as CASA does and holds elliptical Gaussian beam
// arithmetic (convolution, deconvolution, common beam).
package beam
