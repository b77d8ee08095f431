// Package restore makes the restored image of a channel from its model and residual, computes
// the common restoring beam of a cube with outlier rejection, and the primary beam and pbcor.
//
//   - Image: model convolved with the restoring beam plus residual, per channel with the
//     channel's fitted beam (tclean's default), or with a common or explicit beam, the residual
//     then smoothed by restoring - fitted and scaled by the beam-area ratio so that it is in Jy
//     per restoring beam (CASA's common-beam restoration, ALGORITHMS.md 1.4). The model is
//     convolved by stamping a precomputed Gaussian at each component (exact, linear: nothing
//     wraps around the edges, where CASA's FFT convolution wraps); the residual by beam.Smooth.
//   - CommonBeam: casacore's getCommonBeam after rejecting channels whose beam area exceeds the
//     median area by more than max(20%, 5 x 1.4826 MAD) (CommonRule), reporting the rejected
//     channels. CASA has no rejection: one heavily flagged channel inflates its common beam.
//   - PrimaryBeam and PBCor: CASA's Airy models of the ALMA 12 m (10.7 m effective diameter,
//     0.75 m blockage) and 7 m (6.25 m, 0.75 m) antennas as the pb extension, and image / pb
//     where pb >= pblimit.
//
// Memory: Image needs no plane of scratch: the output plane (which may be the residual plane),
// 8 bytes per model component and a few rows for the smoothing.
package restore
