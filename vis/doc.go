// Package vis is the root of the visibility readers: CASA tables (casatable), the MeasurementSet
// view (ms), UVFITS (uvfits), the spectral axis and frame conversion (spectral), the channel-major
// spool (spool) and the simulator (simulate). vis knows nothing of imaging or of the cube store.
//
// It defines what the readers share: Reader (a data set read in chunks of rows), Chunk (the
// rows' columns in caller-owned, reused buffers; cells channel-major with the correlation
// fastest, as in a MeasurementSet), Meta (spectral windows, polarizations, data descriptions,
// fields, antennas, observations), and ReadCounter, an io.ReaderAt wrapper counting the bytes
// read per file and the bytes read more than once.
package vis
