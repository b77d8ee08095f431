// Package imaging is the root of the numerical packages. They work on in-memory buffers and know
// nothing of files: fft, gridder, weighting, beam, deconv, automask and restore.
package imaging
