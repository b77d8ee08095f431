// Package weighting computes imaging weights from data weights: natural, uniform, briggs,
// briggsbwtaper and uvtaper, as CASA tclean does (ALGORITHMS.md section 2).
//
// The density schemes look samples up in a Density grid built from whichever samples the caller
// adds: one output channel's for tclean's perchanweightdensity=True, several channels' for False.
// briggsbwtaper's fractional bandwidth is a cube-global value the caller passes in (FracBW).
package weighting
