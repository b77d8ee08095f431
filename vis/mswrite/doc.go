// Package mswrite writes CASA tables and MeasurementSets in pure Go, streaming rows to disk so that
// multi-GB tables are written in bounded memory.
//
// What it owns:
//   - table.dat: the AipsIO object stream (always big-endian) holding the table and column
//     descriptions, table and column keywords (including subtable links and the MEASINFO /
//     QuantumUnits keywords that casacore's measures read), the column-to-data-manager binding and
//     each data manager's own header; and table.info.
//   - StandardStMan data files (table.fN, plus table.fNi for variable-shape arrays): bucket files
//     with one bucket index, a string heap for strings longer than 8 bytes and for string arrays,
//     and the indirect-array file. Fixed-shape array columns are stored directly in the buckets.
//   - The MeasurementSet v2 layout (ms.go): MAIN and the subtables ANTENNA, DATA_DESCRIPTION, FEED,
//     FIELD, FLAG_CMD, HISTORY, OBSERVATION, POINTING, POLARIZATION, PROCESSOR, SOURCE,
//     SPECTRAL_WINDOW and STATE with the column descriptions casacore's MS classes require.
//
// What it leaves out: reading (package casatable does that), other storage managers (tiled,
// incremental), rewriting or appending to an existing table, table locking (no table.lock is
// written; casacore creates one when it opens the table), and 64-bit row counts (a table holds at
// most 2^31-1 rows).
//
// Conventions: array shapes are given in casacore order, the first axis varying fastest (an MS
// DATA cell is [ncorr, nchan]: corr varies fastest), and array data are flat slices in that order.
// Rows are appended in column-major chunks (Table.Append); nothing but one bucket per data manager,
// one string-heap bucket and the bucket index (8 bytes per bucket) is held in memory.
package mswrite
