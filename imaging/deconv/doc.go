// Package deconv holds the Hogbom minor cycle and tclean's iteration control (cycle thresholds,
// stop conditions), on in-memory planes, one channel at a time (ALGORITHMS.md 1.5, 1.6).
//
// # Pieces
//
//   - Hogbom runs one minor cycle of one channel on its residual, model, PSF and mask planes
//     (Planes), in place, and returns a MinorResult (iterations, peak before and after, flux
//     added, MinorStop).
//   - Summarize measures a residual plane after a major cycle and mask update (PlaneSummary:
//     peak in and out of the mask, mask size, robust rms for nsigma); PSFSidelobe gives the
//     channel's PSF sidelobe level S_psf once per channel.
//   - Controller turns summaries into tclean's decisions: the stop test after each major cycle,
//     the cycle threshold max(threshold, peak * clamp(cyclefactor * S_psf, minpsffraction,
//     maxpsffraction)) and cycleniter of the next minor cycle, and the iteration count
//     (iterdone), for the whole cube (ScopeCube) or per channel (ScopeChannel).
//   - Stop (per channel and group) and MinorStop (per minor cycle) are typed reasons with tclean's
//     codes and a text form.
//
// # Niter scopes
//
// ScopeCube is tclean's: niter counts the iterations of all channels together; after each major
// cycle the stop test and the cycle threshold use the largest peak residual and the largest PSF
// sidelobe level over the channels still cleaning; in each minor cycle every channel may do up to
// min(cycleniter, niter - iterdone) iterations, with iterdone counted at the start of the cycle,
// so that, as in tclean, the last minor cycle may overshoot niter by up to nchan - 1 times that.
// ScopeChannel gives each channel its own niter and test, as a separate tclean per channel
// would. Both scopes stop a single channel, without stopping the others, for divergence
// (tclean's rules 5 and 6 applied to that channel's residual) and for an empty mask that
// auto-multithresh has flagged as noise-limited (StopNoise) or that cannot change (a user mask).
// A stopped channel no longer contributes to the cube's peak. (In tclean a divergence stops the
// whole cube.) The result of ScopeCube does not depend on the order in which the channels of one
// round are processed.
//
// # PSF patch
//
// Hogbom subtracts, by default, the full image-sized PSF over its overlap with the image, as
// CASA's hclean does (Params.PSFHalfWidth = 0). Reason: it is exact, so the residual the minor
// cycle sees is the true residual of the model and Hogbom behaves as CASA's on the same planes;
// fewer major cycles are needed. Effect: every component costs one pass over up to nx*ny pixels
// of residual and PSF (about 13 bytes of memory traffic per pixel), so iterations per second fall
// as 1/(nx*ny) (README: deconvolution). The in-mask peak search does not add a pass: the maximum
// of each 32x32 block is refreshed while its rows are updated, and the peak is the maximum over
// blocks, with CASA's row-major first-pixel tie rule.
//
// With PSFHalfWidth = w > 0 the subtraction is limited to a (2w+1)^2 patch around each component
// (Clark-like) and costs O(w^2) per component regardless of the image size, plus refreshing the
// blocks it touches. Effect: the residual beyond w from a component keeps that component's
// sidelobes until the next major cycle, so the minor cycle may pick peaks that are partly
// sidelobes of flux already cleaned, and more major cycles may be needed; the cycle threshold
// (at least minpsffraction of the peak) bounds how deep a minor cycle works on such a residual.
// PSFHalfWidthFor gives the w outside which |PSF| stays below a level.
//
// # Off-by-one
//
// CASA's hclean loop runs iter = 0 .. cycleniter inclusive, so each minor-cycle call can commit
// cycleniter + 1 components while reporting cycleniter. cubeimg does not reproduce this: MaxIter
// is a true cap on the components committed, and the iterations reported are the components
// added (a test counts them). Results may therefore differ from CASA's by one component per
// plane and minor cycle.
//
// # Divergence
//
// tclean tests a plane's minor-cycle divergence (the peak residual 10% above its minimum in this
// cycle) only after each "step" (all of cycleniter, or 2000 iterations when cycleniter >= 5000).
// Hogbom tests it after every component, so that a diverging plane stops before its residual
// grows by orders of magnitude; the rule itself is tclean's.
//
// # Memory
//
// Hogbom works in place and allocates only its block maxima (8 bytes per 32x32 block, 1/512 of a
// float32 plane) and per-worker row buffers. Summarize allocates a 256 KiB histogram. One
// channel's deconvolution holds its residual, model and PSF (3 float32 planes) and a uint8 mask
// (1/4 plane), plus half a plane of auto-multithresh scratch (automask.ScratchBytes): 3.75
// planes; restoring it adds the output image plane (the automask scratch is not needed then).
// README (deconvolution) has the measured peak.
//
// # Use from the pipeline
//
// Controller is not safe for concurrent use: serialise Observe, Decide and Record. Hogbom,
// Summarize and PSFSidelobe on different channels may run concurrently. The PSF must be
// peak-normalised (a PSF whose peak is not 1 makes Hogbom over- or under-subtract, and the
// channel may diverge). A channel whose minor cycle did no iteration has an unchanged residual
// and needs no major cycle, but it still takes a mask update and an Observe in the next round.
package deconv
