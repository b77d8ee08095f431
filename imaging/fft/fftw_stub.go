//go:build !fftw || !cgo

package fft

import "errors"

// FFTWAvailable reports whether the package was built with FFTW (build tag fftw, cgo).
func FFTWAvailable() bool { return false }

func newFFTWPlan(nx, ny int, o *Options) (PaddedPlan, error) {
	return nil, errors.New("fft: FFTW not built in")
}
