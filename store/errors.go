package store

import "errors"

// Errors returned by the store. They are wrapped with context naming the file, extension and
// channel; test for them with errors.Is.
var (
	// ErrExists is returned by Create when the cube directory already exists and is not empty.
	ErrExists = errors.New("store: cube already exists")
	// ErrNoManifest is returned by Open when the directory holds no manifest (not a cube, or a
	// Create that did not finish).
	ErrNoManifest = errors.New("store: no manifest")
	// ErrCorrupt is returned when a manifest, channel record or data file header fails its
	// checksum or its validation.
	ErrCorrupt = errors.New("store: corrupt")
	// ErrVersion is returned for a format version this package cannot read.
	ErrVersion = errors.New("store: unsupported format version")
	// ErrReadOnly is returned for a write on a store opened read-only.
	ErrReadOnly = errors.New("store: opened read-only")
	// ErrNoExtension is returned for an extension name the cube does not have.
	ErrNoExtension = errors.New("store: no such extension")
	// ErrChannelRange is returned for a channel index outside [0, nchan).
	ErrChannelRange = errors.New("store: channel out of range")
	// ErrCommitted is returned by a write pin of a committed channel: call BeginChannel first to
	// reopen it.
	ErrCommitted = errors.New("store: channel is committed")
	// ErrPinnedForWrite is returned by Commit while a plane or tile of the channel is still held
	// for writing.
	ErrPinnedForWrite = errors.New("store: channel still pinned for writing")
	// ErrConflict is returned by Commit when another writer began the same channel after this one
	// did (two processes were given overlapping channel ranges).
	ErrConflict = errors.New("store: channel taken over by another writer")
	// ErrReleased is returned when a plane or tile is released twice.
	ErrReleased = errors.New("store: already released")
)
