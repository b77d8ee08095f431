//go:build amd64 && !purego

package fft

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useAVX2 selects the AVX2+FMA assembly passes; it is fixed at start-up.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// Sign masks for u = -i(b-d) (forward: negate the imaginary lanes after the swap) and u = +i(b-d)
// (backward: negate the real lanes).
var (
	maskFwd = [8]uint32{0, 1 << 31, 0, 1 << 31, 0, 1 << 31, 0, 1 << 31}
	maskBwd = [8]uint32{1 << 31, 0, 1 << 31, 0, 1 << 31, 0, 1 << 31, 0}
)

//go:noescape
func pass4AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32)

//go:noescape
func pass2AVX2(y, x, tw []complex64, s, m int)

//go:noescape
func pass8AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32, rsqrt2 *float32)

//go:noescape
func pass3AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32, consts *[4]float32)

//go:noescape
func pass5AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32, consts *[4]float32)

var (
	rsqrt2  = float32(1 / math.Sqrt2)
	consts3 = [4]float32{0.5, float32(math.Sqrt(3) / 2)}
	consts5 = [4]float32{float32(math.Cos(2 * math.Pi / 5)), float32(math.Cos(4 * math.Pi / 5)),
		float32(math.Sin(2 * math.Pi / 5)), float32(math.Sin(4 * math.Pi / 5))}
)

func dirMask(dir Direction) *[8]uint32 {
	if dir == Backward {
		return &maskBwd
	}
	return &maskFwd
}

func pass3(y, x, tw []complex64, s, m int, dir Direction) {
	if useAVX2 && s%4 == 0 && len(x) >= 3*s*m && len(y) >= 3*s*m && len(tw) >= 2*m {
		pass3AVX2(y, x, tw, s, m, dirMask(dir), &consts3)
		return
	}
	pass3Go(y, x, tw, s, m, dir)
}

func pass5(y, x, tw []complex64, s, m int, dir Direction) {
	if useAVX2 && s%4 == 0 && len(x) >= 5*s*m && len(y) >= 5*s*m && len(tw) >= 4*m {
		pass5AVX2(y, x, tw, s, m, dirMask(dir), &consts5)
		return
	}
	pass5Go(y, x, tw, s, m, dir)
}

func pass8(y, x, tw []complex64, s, m int, dir Direction) {
	if useAVX2 && s%4 == 0 && len(x) >= 8*s*m && len(y) >= 8*s*m && len(tw) >= 7*m {
		mask := &maskFwd
		if dir == Backward {
			mask = &maskBwd
		}
		pass8AVX2(y, x, tw, s, m, mask, &rsqrt2)
		return
	}
	pass8Go(y, x, tw, s, m, dir)
}

func pass4(y, x, tw []complex64, s, m int, dir Direction) {
	if useAVX2 && s%4 == 0 && len(x) >= 4*s*m && len(y) >= 4*s*m && len(tw) >= 3*m {
		mask := &maskFwd
		if dir == Backward {
			mask = &maskBwd
		}
		pass4AVX2(y, x, tw, s, m, mask)
		return
	}
	pass4Go(y, x, tw, s, m, dir)
}

func pass2(y, x, tw []complex64, s, m int) {
	if useAVX2 && s%4 == 0 && len(x) >= 2*s*m && len(y) >= 2*s*m && len(tw) >= m {
		pass2AVX2(y, x, tw, s, m)
		return
	}
	pass2Go(y, x, tw, s, m)
}

//go:noescape
func copyStrided(dst []complex64, dstStride int, src []complex64, srcStride, rows, width, ahead int)

//go:noescape
func gather4(dst []complex64, lanes int, r0, r1, r2, r3 *complex64, count int)

//go:noescape
func scatter4(r0, r1, r2, r3 *complex64, src []complex64, lanes, count int)

//go:noescape
func copyStridedNT(dst []complex64, dstStride int, src []complex64, srcStride, rows, width int)

//go:noescape
func packPairsAVX2(dst, src *complex64, n, mode int, mask *[8]uint32, pf *complex64)

//go:noescape
func unpackPairsAVX2(dst, z, m *complex64, n int, mask *[8]uint32, pf *complex64)

//go:noescape
func mirrorConjAVX2(dst, src *complex64, n int, mask *[8]uint32)
