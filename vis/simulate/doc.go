// Package simulate makes ALMA-like observations of a sky model of point and Gaussian sources:
// array layouts, UVW for the hour angle and declination, per-channel fluxes and thermal noise.
package simulate
