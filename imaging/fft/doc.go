// Package fft computes 2-D complex64 discrete Fourier transforms for the imager: a pure-Go
// implementation and, under the fftw build tag, FFTW3 single precision through cgo, behind one
// interface, Plan2D, chosen by Options.Impl.
//
// The pure-Go transform is a batched Stockham FFT (radix 4, 2, 3, 5 and any prime up to 13
// directly, Bluestein's algorithm above) with precomputed twiddles, working on strips of rows
// (transposed into a small buffer) and of columns (a few contiguous columns per row) spread over
// Options.Threads goroutines. On amd64 its radix-4 and radix-2 passes use AVX2+FMA assembly when
// the CPU has it (build tag purego turns that off).
//
// Plans from New also implement PaddedPlan, the entry points for a gridder's padded grid: a
// transform whose input is zero outside a rectangle (TransformSparse), one whose output is needed
// only inside a rectangle (TransformCrop), and their real-image forms TransformToReal (the dirty
// image: the real part of the transform, only inside the image) and TransformFromReal (model
// prediction: a real image in a rectangle to its full Hermitian transform), which use the
// Hermitian symmetry to do about half the work.
//
// FFTW plans are made with FFTW_MEASURE by default and kept for the life of the process, one per
// shape; FFTW wisdom is loaded from and saved to a file (Options.WisdomFile) so that later runs
// plan in milliseconds. FFTW's planner is process-wide state: the package serialises all planning
// behind one lock.
//
// Transforms are unnormalised: Backward(Forward(x)) = nx*ny*x.
package fft
