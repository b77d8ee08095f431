// Package store owns the on-disk cube store: one directory per cube, an atomically replaced
// manifest, one preallocated file per extension, per-tile checksums and per-channel commit state.
// The format is specified in FORMAT.md. It stands on package tiles and knows nothing of imaging.
package store
