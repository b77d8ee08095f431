// Package casatable reads CASA (casacore) tables in pure Go: table.dat (AipsIO framing, the
// table and column descriptions, table and column keywords including subtable links, the row
// count kept in table.lock) and the storage managers MeasurementSets use:
//
//   - StandardStMan: scalars, fixed-shape (direct) arrays, variable-shape (indirect) arrays in
//     table.f<N>i, strings of any length, string arrays, record columns;
//   - IncrementalStMan: scalars, direct and indirect arrays, strings;
//   - TiledShapeStMan (any number of hypercubes), TiledColumnStMan and TiledCellStMan.
//
// Big- and little-endian tables are read alike. Cells without a value (a TiledShapeStMan row
// outside every hypercube, an indirect array never written) are reported as undefined, not as
// errors.
//
// Left out: writing, StManAipsIO, TiledDataStMan, MemoryStMan, compressed or external
// managers (Dysco, Adios2, ...), MultiFile (table.mf) containers, reference and concatenated
// tables, coordinate and id columns of tiled hypercolumns, and pre-1996 table formats. Opening
// a column stored by an unsupported manager gives an error naming the table, the column, the
// manager and its file.
//
// Reads go through io.ReaderAt on each file (Options.WrapReaderAt can wrap it, e.g. to count
// bytes). Column.ReadCells reads the rows asked for with a few large reads: for a tiled column
// the values of consecutive rows in one tile are a single contiguous range, read straight into
// the caller's slice on a little-endian host. Reading a table's rows once, in order and in
// chunks, reads each byte of the data files at most once.
//
// The format notes in the source files follow casacore's tables/Tables and tables/DataMan.
package casatable
