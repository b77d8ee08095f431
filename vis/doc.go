// Package vis is the root of the visibility readers: CASA tables (casatable), the MeasurementSet
// view (ms), UVFITS (uvfits), the spectral axis and frame conversion (spectral), the channel-major
// spool (spool) and the simulator (simulate). vis knows nothing of imaging or of the cube store.
package vis
