// Package automask implements CASA's auto-multithresh clean mask (Kepley et al. 2020; CASA's
// SDMaskHandler::autoMaskByMultiThreshold, ALGORITHMS.md 3) for one plane at a time, in place,
// with memory bounded by a few planes: CASA builds about eight temporary images per plane and
// copies the whole cube, which is where tclean died on the reference job.
//
// Update runs one mask update of one channel after a major cycle: robust statistics of the
// residual (median, 1.4826 MAD; fastnoise over the plane, otherwise outside the mask or
// Chauvenet-clipped), the sidelobe, noise, low-noise and negative thresholds (all offset by the
// median), the threshold mask, pruning of 4-connected regions smaller than minbeamfrac beams,
// smoothing with smoothfactor times the beam and a cut at cutthreshold of the maximum, growth of
// the previous mask through up to growiterations 4-connected steps into the low-noise region
// (once iterations have been done), pruned and smoothed again with dogrowprune, the negative
// mask, and the union with the previous mask: masks only grow. A channel whose threshold was set
// by the noise is flagged (State.Flagged) and skipped from then on when its mask is empty, or,
// with minpercentchange >= 0, when the cycle threshold has reached the global threshold and its
// mask changed by less than minpercentchange percent. deconv.PlaneSummary.NoiseLimited carries
// the flag to the iteration control, which stops a flagged channel with an empty mask
// (deconv.StopNoise).
//
// Every parameter of tclean is in Params with CASA's defaults (Defaults); Preset returns the ALMA
// pipeline's 12 m and 7 m values by name. A user mask (--usemask user) or no mask is the
// pipeline's: it hands the deconvolution a mask plane and does not call Update.
//
// Differences from CASA, all deliberate: the smoothing is an image-space Gaussian convolution
// with zero padding (beam.Smooth) rather than an FFT convolution; the grow step is a breadth-
// first search equivalent to CASA's repeated dilation (same result, one pass); the positive mask
// CASA keeps in a separate image is kept in the mask plane's byte values (Positive, Other).
//
// Memory: the planes (residual float32, mask uint8, optional PB) plus Scratch: half a float32
// plane (ScratchBytes: two byte planes), lists of pixel indices as long as the largest region or
// grow front, and a smoothing ring of a few rows. The smoothed masks are never stored: each is
// smoothed twice, streaming rows, once for its maximum and once for the cut.
package automask
