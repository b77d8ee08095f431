// Package fits reads and writes the parts of FITS (Flexible Image Transport System, version
// 4.0) that cube stores need: header cards (header.go, kept small so it can be fuzzed), walking
// the HDUs of a file, primary image arrays of any BITPIX, and binary tables of fixed-width scalar
// columns (the BEAMS table of per-channel restoring beams, CASAMBM = T).
//
// Not covered: long-string CONTINUE values (read as commentary), HIERARCH keywords, random
// groups, variable-length array columns, ASCII tables, compressed images, checksums (CHECKSUM
// and DATASUM are left alone).
package fits

// BlockSize is the size of a FITS logical record: headers and data are padded to it.
const BlockSize = 2880

// CardSize is the size of one header card.
const CardSize = 80
