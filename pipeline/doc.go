// Package pipeline drives a cube run: it reads the spool from vis, computes with imaging, writes
// through store; it owns the per-channel state machine, scheduling, checkpoints, progress and the report.
package pipeline
