// Package deconv holds the Hogbom minor cycle and tclean's iteration control (cycle thresholds,
// stop conditions).
package deconv
