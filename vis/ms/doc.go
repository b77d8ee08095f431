// Package ms is a MeasurementSet view over package casatable: the MAIN table and the subtables
// an imager needs (SPECTRAL_WINDOW, POLARIZATION, DATA_DESCRIPTION, FIELD, ANTENNA,
// OBSERVATION), with MAIN rows read in chunks of a caller-chosen size into a vis.Chunk whose
// buffers are reused. MS implements vis.Reader.
//
// Open chooses the visibility column (DATA, CORRECTED_DATA or MODEL_DATA) and fails, naming
// the column, if it is absent. Rows of different data descriptions may have different cell
// shapes; every read checks a row's cell against its data description's shape. Errors name the
// MeasurementSet, table, column and file; a missing, truncated or corrupted file is an error,
// never a panic.
//
// Not covered: FLOAT_DATA (single dish), FLAG_CATEGORY, the ephemeris (NUM_POLY > 0) part of
// PHASE_DIR (the direction at the field's reference time is used), and writing (package
// vis/mswrite).
package ms
