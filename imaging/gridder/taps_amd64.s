//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// func evalPoly8AVX2(k *polyKernel, y float64, dst *[maxTaps]float32)
// k.sym holds 10 degrees x 4 taps (layout [degree][tap]); with z = y*y the even part of tap t is
// sum_j c[8j+t] z^j (degrees 0, 2, .., 8 at rows 0, 8, .., 32) and the odd part y sum_j
// c[8j+4+t] z^j; dst[t] = even+odd and dst[7-t] = even-odd for t < 4.
TEXT ·evalPoly8AVX2(SB), NOSPLIT, $0-24
	MOVQ k+0(FP), AX
	MOVQ polyKernel_sym(AX), SI     // k.sym's data pointer (the caller checked len >= 40)
	MOVQ dst+16(FP), DI
	VBROADCASTSD y+8(FP), Y1        // y
	VMULPD       Y1, Y1, Y0         // z = y*y
	VMOVUPD      256(SI), Y2        // even: degree 8
	VMOVUPD      288(SI), Y3        // odd: degree 9
	VFMADD213PD  192(SI), Y0, Y2    // e = e*z + c[24:28]
	VFMADD213PD  224(SI), Y0, Y3    // o = o*z + c[28:32]
	VFMADD213PD  128(SI), Y0, Y2
	VFMADD213PD  160(SI), Y0, Y3
	VFMADD213PD  64(SI), Y0, Y2
	VFMADD213PD  96(SI), Y0, Y3
	VFMADD213PD  0(SI), Y0, Y2
	VFMADD213PD  32(SI), Y0, Y3
	VMULPD       Y1, Y3, Y3         // o *= y
	VADDPD       Y3, Y2, Y4         // e + o: taps 0..3
	VSUBPD       Y3, Y2, Y5         // e - o: taps 7..4
	VCVTPD2PSY   Y4, X4
	VCVTPD2PSY   Y5, X5
	VPSHUFD      $0x1b, X5, X5      // reverse: taps 4..7
	VMOVUPS      X4, 0(DI)
	VMOVUPS      X5, 16(DI)
	VZEROUPPER
	RET

// func gridAcc8AVX2(p *complex64, S int, ku, kv *[maxTaps]float32, v uint64)
TEXT ·gridAcc8AVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ S+8(FP), BX
	SHLQ $3, BX                    // row stride in bytes
	MOVQ ku+16(FP), SI
	MOVQ kv+24(FP), DX
	VBROADCASTSD v+32(FP), Y1      // (vr, vi, vr, vi, ...)
	VMOVUPS     0(SI), Y0          // k0 .. k7
	VUNPCKLPS   Y0, Y0, Y2         // k0 k0 k1 k1 | k4 k4 k5 k5
	VUNPCKHPS   Y0, Y0, Y3         // k2 k2 k3 k3 | k6 k6 k7 k7
	VPERM2F128  $0x20, Y3, Y2, Y4  // k0 k0 k1 k1 k2 k2 k3 k3
	VPERM2F128  $0x31, Y3, Y2, Y5  // k4 k4 k5 k5 k6 k6 k7 k7
	VMULPS      Y1, Y4, Y4         // v * ku[0:4]
	VMULPS      Y1, Y5, Y5         // v * ku[4:8]
	MOVQ        $8, CX
gloop:
	VBROADCASTSS 0(DX), Y6         // kv[r]
	VMOVUPS      0(DI), Y7
	VMOVUPS      32(DI), Y8
	VFMADD231PS  Y6, Y4, Y7        // row[0:4] += v ku[0:4] kv[r]
	VFMADD231PS  Y6, Y5, Y8
	VMOVUPS      Y7, 0(DI)
	VMOVUPS      Y8, 32(DI)
	ADDQ         $4, DX
	ADDQ         BX, DI
	DECQ         CX
	JNZ          gloop
	VZEROUPPER
	RET

// func degridAcc8AVX2(p *complex64, S int, ku, kv *[maxTaps]float32) (re, im float32)
TEXT ·degridAcc8AVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ S+8(FP), BX
	SHLQ $3, BX
	MOVQ ku+16(FP), SI
	MOVQ kv+24(FP), DX
	VMOVUPS     0(SI), Y0
	VUNPCKLPS   Y0, Y0, Y2
	VUNPCKHPS   Y0, Y0, Y3
	VPERM2F128  $0x20, Y3, Y2, Y4  // k0 k0 k1 k1 k2 k2 k3 k3
	VPERM2F128  $0x31, Y3, Y2, Y5  // k4 k4 k5 k5 k6 k6 k7 k7
	VXORPS      Y9, Y9, Y9         // sum over rows, (re, im) x 4 lanes
	MOVQ        $8, CX
dloop:
	VMULPS       0(DI), Y4, Y7     // row[0:4] * ku[0:4]
	VFMADD231PS  32(DI), Y5, Y7    // + row[4:8] * ku[4:8]
	VBROADCASTSS 0(DX), Y6
	VFMADD231PS  Y6, Y7, Y9        // sum += kv[r] * that
	ADDQ         $4, DX
	ADDQ         BX, DI
	DECQ         CX
	JNZ          dloop
	VEXTRACTF128 $1, Y9, X1
	VADDPS       X1, X9, X9        // (re, im, re, im)
	VMOVHLPS     X9, X9, X1
	VADDPS       X1, X9, X9        // (re, im, ., .)
	VMOVSS       X9, re+32(FP)
	VMOVSHDUP    X9, X1
	VMOVSS       X1, im+36(FP)
	VZEROUPPER
	RET
