//go:build !amd64 || purego

package fft

func pass4(y, x, tw []complex64, s, m int, dir Direction) { pass4Go(y, x, tw, s, m, dir) }

func pass2(y, x, tw []complex64, s, m int) { pass2Go(y, x, tw, s, m) }

func pass8(y, x, tw []complex64, s, m int, dir Direction) { pass8Go(y, x, tw, s, m, dir) }

func pass3(y, x, tw []complex64, s, m int, dir Direction) { pass3Go(y, x, tw, s, m, dir) }

func pass5(y, x, tw []complex64, s, m int, dir Direction) { pass5Go(y, x, tw, s, m, dir) }

var useAVX2 = false

func copyStrided(dst []complex64, dstStride int, src []complex64, srcStride, rows, width, ahead int) {
	panic("fft: copyStrided without assembly")
}

func gather4(dst []complex64, lanes int, r0, r1, r2, r3 *complex64, count int) {
	panic("fft: gather4 without assembly")
}

func scatter4(r0, r1, r2, r3 *complex64, src []complex64, lanes, count int) {
	panic("fft: scatter4 without assembly")
}

func copyStridedNT(dst []complex64, dstStride int, src []complex64, srcStride, rows, width int) {
	panic("fft: copyStridedNT without assembly")
}

func packPairsAVX2(dst, src *complex64, n, mode int, mask *[8]uint32, pf *complex64) {
	panic("fft: packPairsAVX2 without assembly")
}

var maskFwd [8]uint32

func unpackPairsAVX2(dst, z, m *complex64, n int, mask *[8]uint32, pf *complex64) {
	panic("fft: unpackPairsAVX2 without assembly")
}

func mirrorConjAVX2(dst, src *complex64, n int, mask *[8]uint32) {
	panic("fft: mirrorConjAVX2 without assembly")
}
