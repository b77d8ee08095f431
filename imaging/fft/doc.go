// Package fft computes 2-D complex64 discrete Fourier transforms for the imager: a pure-Go
// implementation and, under the fftw build tag, FFTW3 single precision through cgo, behind one
// interface, Plan2D, chosen by Options.Impl.
//
// The pure-Go transform is a batched self-sorting (Stockham) FFT with precomputed twiddles:
// radix-8, 4 and 2 passes for the powers of two, radix-3 and 5 passes for CASA's padded sizes
// (9600 = 2^7 3 5^2), a direct pass for the primes 7, 11 and 13, and Bluestein's algorithm for
// lengths with a larger prime factor. It works on strips of rows (transposed four at a time into
// a small buffer) and strips of columns (32 contiguous columns per row), spread over
// Options.Threads goroutines, so every butterfly runs on contiguous lanes sharing one twiddle.
// On amd64 with AVX2 and FMA the passes and the strip movers are assembly; elsewhere (or with
// the build tag purego) they are plain Go. No cgo is involved.
//
// Plans from New also implement PaddedPlan, the entry points for a gridder's padded grid: a
// transform whose input is zero outside a rectangle (TransformSparse), one whose output is needed
// only inside a rectangle (TransformCrop), and their real-image forms TransformToReal (the dirty
// image: the real part of the transform, over the image only) and TransformFromReal (model
// prediction: a real image in a rectangle to its full Hermitian transform), which use the
// Hermitian symmetry to transform half the rows and half the image's columns. AtOrigin and
// Centre give the rectangle an image occupies.
//
// FFTW plans are made with FFTW_MEASURE by default and kept for the life of the process, one per
// shape; FFTW wisdom is read from and written to a file (Options.WisdomFile) so that later runs
// plan in milliseconds. FFTW's planner is process-wide state: the package serialises all
// planning behind one lock (internal/fftw).
//
// Transforms are unnormalised: Backward(Forward(x)) = nx*ny*x. The pure-Go plan's scratch is
// about 600*max(nx, ny) bytes per thread (5.5 MiB per thread at 9600), allocated by New.
package fft
