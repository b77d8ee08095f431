// Package beam fits the restoring beam to a PSF, by CASA's rule (FitPSF, the default) or by
// WSClean's (FitPSFBox, to compare with it), and holds elliptical Gaussian beam arithmetic
// (convolution, deconvolution, common beam).
package beam
