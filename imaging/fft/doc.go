// Package fft computes 2-D complex64 discrete Fourier transforms: a pure-Go implementation and,
// under the fftw build tag, FFTW3 single precision through cgo, behind one interface.
package fft
