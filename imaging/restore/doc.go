// Package restore restores a model with a beam, per channel or with a common beam, and computes
// the primary beam for pbcor.
package restore
