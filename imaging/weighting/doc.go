// Package weighting computes imaging weights from data weights: natural, uniform, briggs,
// briggsbwtaper and uvtaper, as CASA tclean does.
package weighting
