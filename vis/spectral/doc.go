// Package spectral defines the output spectral axis of a cube as tclean does (nchan, start,
// width in channels, frequency or velocity) and converts topocentric frequencies to LSRK.
package spectral
