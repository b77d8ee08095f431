// Package spool owns the channel-major Stokes I visibility spool: for each output channel of a
// cube, its samples (u, v, w in wavelengths at the sample's own frequency, complex64 Stokes I
// visibility, float32 data weight), written in one pass over a MeasurementSet or UVFITS file
// with bounded memory, stored in a directory beside the cube, and reused by later runs on the
// same input and selection.
//
// # Use
//
//	sp, built, err := spool.OpenOrBuild(ctx, "obs.ms", "cube.spool", &spool.Options{
//		Selection:     spool.Selection{Field: "NGC253", Spw: "0,1", DataColumn: "corrected"},
//		Spec:          spectral.Spec{NChan: 100, Start: "230.1GHz", Width: "1.2MHz", OutFrame: "LSRK"},
//		Interpolation: "linear",
//		MemoryBytes:   256 << 20,
//		Progress:      func(done, total int) { ... },
//	})
//	axis, _ := sp.Axis()                      // the output spectral axis (FITS header, fracBW)
//	var s spool.Samples
//	err = sp.Read(k, &s)                      // channel k, into budgeted buffers (ChannelBytes)
//
// OpenOrBuild compares the key of the spool in the directory (InputKey: every input file's size
// and modification time and the xxhash64 of every table.dat or of the UVFITS header;
// SelectionKey: the selection, axis parameters, interpolation and sample rules) and reuses it
// without reading the input's data, or builds a new one (Build). Build takes any vis.Reader.
//
// # The samples
//
// Rows are those of the selected fields, spectral windows and time range, cross-correlations only
// (autocorrelations are skipped: tclean does not grid them). Each row's channel frequencies are
// converted to the output frame at the row's own time and field direction (spectral.RowFactors,
// cached per time and field) and mapped onto the output channels with tclean's nearest or linear
// rule (spectral.MapCache, per spectral window and factor). Each contribution gives one sample:
//
//   - V = (p1 + p2)/2 of the two parallel hands, XX and YY or RR and LL in any correlation order
//     (a Stokes I correlation is taken as is); the cross hands are not used. A data description
//     without such a pair is an error when selected and met.
//   - weight = mean of the two hands' WEIGHT_SPECTRUM where the row has one, else of their WEIGHT
//     (ALGORITHMS.md 1.2); V and weight interpolated alike for linear.
//   - dropped (counted in Stats.SamplesFlagged) if FLAG_ROW is set, if either parallel hand of a
//     data channel it uses is flagged (a flagged neighbour flags an interpolated sample), if its
//     weight is not positive, or if any value is not finite.
//   - u, v, w = UVW * Freq / c, Freq being the sample's own frequency on the output axis frame
//     (tclean's rule), UVW as the file has it (uvw(ANTENNA2) - uvw(ANTENNA1), metres).
//
// Phase centres: the first selected field's PHASE_DIR (with every field selected, that of the
// data set's first row). Selected fields must share it; with every field selected, a row of
// another phase centre is an error (mosaics are not supported): select one with Field.
//
// # The output axis
//
// NewPlan builds it with spectral.NewAxis from tclean's nchan/start/width/restfreq/veltype/
// outframe, the selected data channels (one window in its own order, or several windows merged
// into one ascending list, each contributing the channels beyond those before it), and the
// reference tclean uses: the observatory (ObservatoryPosition: casacore's Observatories entry
// for the telescope name, else the first antenna), the phase centre and the TIME of the data
// set's first row. Spool.Axis rebuilds it from the manifest.
//
// # One pass, bounded memory
//
// The input is read once, in row order, in chunks sized from MemoryBytes (one being read while
// the previous one is formed into samples). Samples go to a Writer: two buffers outside the Go
// heap, each split into per-channel regions sized from the previous fill; when a region is full
// the buffer is sorted channel by channel (stable Morton order of uv cells, for gridding
// locality) and appended to samples.dat as one run by a second goroutine, while the other buffer
// fills. Memory is the chunks, the Writer's BufferBytes and a reserve, whatever the input size.
// A row's UVW is stored once (rows.dat), and each sample refers to its row and stores its
// frequency as a float32 offset from its channel's: 20 bytes per sample on disk rather than 36.
// FORMAT.md describes the files; Spool.Read forms u, v, w from the rows (held in memory once,
// 24 bytes per row: RowsBytes), merges a channel's runs back into one Morton order and checks
// each segment's xxhash64.
//
// # Not covered
//
// Mosaics (several phase centres), channel selections inside Spw (use start, width and nchan),
// tclean's cubic interpolation, FLOAT_DATA, Stokes parameters other than I, and REST-frame data
// onto another frame (as package spectral).
package spool
