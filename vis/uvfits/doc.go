// Package uvfits reads random-groups UVFITS visibility files (AIPS, CASA exportuvfits, Miriad,
// pyuvdata) as a vis.Reader: each group becomes one row per IF, u, v, w are converted from
// light-seconds to metres, antenna numbers (BASELINE = 256*a1 + a2, the 2048/65536 form for
// more than 255 antennas, or ANTENNA1/ANTENNA2 parameters) to 0-based indices, the DATE
// parameters (one or two, PZERO applied) to MJD seconds, and each sample's weight is the third
// COMPLEX component. Channel frequencies come from the FREQ axis plus the AIPS FQ table's
// IF FREQ offsets; antennas from the AIPS AN table (positions ARRAYX/Y/Z + STABXYZ).
//
// With or without an IF axis, FQ and AN tables present or absent. Without an AN table
// Meta.Antennas is empty and Ant1/Ant2 are the file's antenna numbers minus one, unchecked;
// with one, a row naming an antenna the table lacks is an error. Not covered: multi-source files' SU table (FieldID is SOURCE-1 when a
// SOURCE parameter exists, otherwise 0), FREQSEL other than 1, compressed (BITPIX 8 uvfix) or
// tiled FITS, and writing.
package uvfits
