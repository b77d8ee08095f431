//go:build !linux

package spool

import "os"

// allocSamples returns n zeroed samples on the Go heap.
func allocSamples(n int) ([]sample, func()) { return make([]sample, n), func() {} }

// startWriteback does nothing where sync_file_range is not available.
func startWriteback(f *os.File, off, n int64) {}
