// Package gridder grids visibilities onto a uv grid and degrids them from it with a separable
// exponential-of-semicircle kernel chosen from a requested accuracy, or CASA's prolate spheroid;
// it makes dirty images and PSFs from samples and predicts visibilities from a model image.
//
// A Plan (NewPlan) is made once per image geometry and holds the kernel, the padded grid size
// and the grid correction. Every call takes its buffers from the caller: the complex64 uv grid
// (Plan.GridLen cells, 8 bytes each) and an fft.Plan2D of Plan.GridSize. Calls allocate only
// small per-goroutine tile buffers; Plan.SortSamples allocates about 28 bytes per sample while it
// runs. Samples sorted by uv tile (Plan.SortSamples) grid several times faster.
//
// Sign and pixel conventions are those of DEVELOPERS.md: Dirty computes
// sum_i w_i Re[V_i exp(-2 pi i (u_i l + v_i m))] / sum_i w_i with l = (Nx/2 - x) CellX and
// m = (y - Ny/2) CellY, and Predict computes sum over pixels of model exp(+2 pi i (u l + v m)).
// The standard gridder ignores w.
package gridder
