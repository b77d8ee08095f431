// Package casatable reads and writes CASA tables (table.dat and the storage managers that real
// MeasurementSets use) in pure Go.
package casatable
