// Package ms is a MeasurementSet view over package casatable: the MAIN table and the subtables
// an imager needs, read in row chunks with bounded memory, and an MS writer.
package ms
