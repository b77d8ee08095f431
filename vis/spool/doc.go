// Package spool writes and reads the channel-major visibility spool: for each output channel its
// Stokes I samples, written in one pass over the input and reused by later runs.
package spool
