//go:build !linux

package spool

import (
	"context"
	"os"
)

// allocSamples returns n zeroed samples on the Go heap.
func allocSamples(n int) ([]sample, func()) { return make([]sample, n), func() {} }

// startWriteback does nothing where sync_file_range is not available.
func startWriteback(f *os.File, off, n int64) {}

// lockDir does not lock where flock is not available.
func lockDir(ctx context.Context, dir string) (func(), error) { return func() {}, nil }

// dropCache does nothing where posix_fadvise is not available.
func dropCache(f *os.File) {}
