// Package automask implements CASA's auto-multithresh clean mask per plane.
package automask
