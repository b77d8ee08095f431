//go:build amd64 && !purego

package gridder

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useAVX2 selects the AVX2+FMA assembly of the W = 8 tap loops; it is fixed at start-up.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// evalPoly8AVX2 is evalPoly8 with the four even and four odd Horner chains in two vectors.
//
//go:noescape
func evalPoly8AVX2(k *polyKernel, y float64, dst *[maxTaps]float32)

// gridAcc8AVX2 adds v * ku[c] * kv[r] to the 8 x 8 cells at p (row stride S cells), v the
// complex value packed as float32 bits (real in the low half).
//
//go:noescape
func gridAcc8AVX2(p *complex64, S int, ku, kv *[maxTaps]float32, v uint64)

// degridAcc8AVX2 returns the sum of p[r*S + c] * ku[c] * kv[r], r, c < 8.
//
//go:noescape
func degridAcc8AVX2(p *complex64, S int, ku, kv *[maxTaps]float32) (re, im float32)

// asmTapFuncs returns the assembly tap loops for support w, or nils where there are none (w other
// than 8, a CPU without AVX2 and FMA).
func asmTapFuncs(w int) (evalPolyFunc, gridAccFunc, degridAccFunc) {
	if w != 8 || !useAVX2 {
		return nil, nil, nil
	}
	grid := func(buf []complex64, off, S int, ku, kv *[maxTaps]float32, vr, vi float32) {
		_ = buf[off+7*S+7] // the last cell written (&buf[off] checks the first)
		if S < 8 {
			panic("gridder: gridAcc8 outside the buffer")
		}
		gridAcc8AVX2(&buf[off], S, ku, kv, uint64(math.Float32bits(vr))|uint64(math.Float32bits(vi))<<32)
	}
	degrid := func(buf []complex64, off, S int, ku, kv *[maxTaps]float32) (float32, float32) {
		_ = buf[off+7*S+7]
		if S < 8 {
			panic("gridder: degridAcc8 outside the buffer")
		}
		return degridAcc8AVX2(&buf[off], S, ku, kv)
	}
	eval := func(k *polyKernel, y float64, dst *[maxTaps]float32) {
		_ = (*[40]float64)(k.sym) // the W = 8 layout: 10 degrees x 4 taps
		evalPoly8AVX2(k, y, dst)
	}
	return eval, grid, degrid
}
