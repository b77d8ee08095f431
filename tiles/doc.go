// Package tiles owns tile geometry, the exact resident set of memory-mapped tiles and the
// process-wide memory budget (Budget) that every large buffer of a run draws from.
package tiles
