//go:build !amd64 || purego

package fft

func pass4(y, x, tw []complex64, s, m int, dir Direction) { pass4Go(y, x, tw, s, m, dir) }

func pass2(y, x, tw []complex64, s, m int) { pass2Go(y, x, tw, s, m) }
