// Package store owns the on-disk cube store: one directory per cube, an atomically replaced
// manifest, one preallocated file per extension with computed tile offsets, per-tile xxhash64
// checksums and per-channel commit records. The format is specified in FORMAT.md. It stands on
// package tiles (geometry, resident set, budget) and knows nothing of imaging.
//
// The main type is Store:
//
//	s, err := store.Create(path, spec, &store.Options{Budget: budget}) // or store.Open(path, opts)
//	p, err := s.Plane(ctx, store.ExtImage, c, store.Write)              // NX*NY row-major, in place
//	v := p.Float32s()                                                   // pixel (x, y) at v[y*NX+x]
//	...
//	p.Release()                                                         // v is invalid from here on
//	err = s.Commit(ctx, c, store.CommitInfo{Beam: b, SumWt: w, Info: info})
//
// Planes and tiles held with Plane and Tile are pinned in the store's resident set and counted
// against the budget until Release; their slices must not be used after Release (the memory may
// be unmapped). With the default full-width tiles a plane is the file's mapped bytes; with
// narrower tiles it is a copy gathered from the tiles and written back by Release. ReadTile and
// WriteTile copy a tile with pread/pwrite instead.
//
// Extensions are float32, except the mask, which is one byte per pixel (0 or 1): use Bytes, not
// Float32s, for it.
//
// Channel states are Empty (never written), InProgress and Committed. The first write of a
// channel marks it InProgress; Commit flushes, checksums and marks it Committed; BeginChannel
// reopens a committed channel for re-imaging. Several goroutines and several processes (on a
// shared file system) may write disjoint channels of one cube at once. Check recomputes every
// committed tile's checksum (cubestore verify); Inspect summarises a cube while others write it.
// ExportFITS and ImportFITS convert to and from FITS cubes with a BEAMS table (package
// store/fits has the FITS reader and writer).
//
// Linux only (mmap, madvise, fallocate, sync_file_range).
package store
