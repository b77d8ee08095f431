// Package uvfits reads random-groups UVFITS visibility files.
package uvfits
