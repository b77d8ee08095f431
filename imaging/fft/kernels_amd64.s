//go:build amd64 && !purego

#include "textflag.h"

// Stockham passes on blocks of s complex64 (s a multiple of 4), four lanes per YMM register.
// A complex product v*w with w broadcast as (wr, wi) is fmaddsub(v, wr, swap(v)*wi).

// func pass4AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32)
TEXT ·pass4AVX2(SB), NOSPLIT, $0-96
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tw_base+48(FP), DX
	MOVQ s+72(FP), CX
	MOVQ m+80(FP), BX
	MOVQ mask+88(FP), AX
	VMOVUPS (AX), Y15
	SHLQ $3, CX             // block length in bytes
	LEAQ (CX)(CX*2), R8     // 3 blocks
	MOVQ BX, R9
	IMULQ CX, R9            // distance between the input quarters
	LEAQ (R9)(R9*2), R10    // 3 quarters

loopk:
	VBROADCASTSS 0(DX), Y8
	VBROADCASTSS 4(DX), Y9
	VBROADCASTSS 8(DX), Y10
	VBROADCASTSS 12(DX), Y11
	VBROADCASTSS 16(DX), Y12
	VBROADCASTSS 20(DX), Y13
	MOVQ CX, R11
	SHRQ $5, R11

loopq:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	VMOVUPS (SI)(R9*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VADDPS Y2, Y0, Y4       // a+c
	VSUBPS Y2, Y0, Y0       // a-c
	VADDPS Y3, Y1, Y5       // b+d
	VSUBPS Y3, Y1, Y1       // b-d
	VPERMILPS $0xB1, Y1, Y1
	VXORPS Y15, Y1, Y1      // u = -+i (b-d)
	VADDPS Y5, Y4, Y2       // y0
	VSUBPS Y5, Y4, Y4       // a+c-b-d
	VADDPS Y1, Y0, Y3       // a-c+u
	VSUBPS Y1, Y0, Y0       // a-c-u
	VMOVUPS Y2, (DI)
	VPERMILPS $0xB1, Y3, Y5
	VMULPS Y9, Y5, Y5
	VFMADDSUB231PS Y8, Y3, Y5
	VMOVUPS Y5, (DI)(CX*1)
	VPERMILPS $0xB1, Y4, Y6
	VMULPS Y11, Y6, Y6
	VFMADDSUB231PS Y10, Y4, Y6
	VMOVUPS Y6, (DI)(CX*2)
	VPERMILPS $0xB1, Y0, Y7
	VMULPS Y13, Y7, Y7
	VFMADDSUB231PS Y12, Y0, Y7
	VMOVUPS Y7, (DI)(R8*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ R11
	JNZ loopq

	ADDQ R8, DI
	ADDQ $24, DX
	DECQ BX
	JNZ loopk
	VZEROUPPER
	RET

// func pass2AVX2(y, x, tw []complex64, s, m int)
TEXT ·pass2AVX2(SB), NOSPLIT, $0-88
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tw_base+48(FP), DX
	MOVQ s+72(FP), CX
	MOVQ m+80(FP), BX
	SHLQ $3, CX
	MOVQ BX, R9
	IMULQ CX, R9

loopk2:
	VBROADCASTSS 0(DX), Y8
	VBROADCASTSS 4(DX), Y9
	MOVQ CX, R11
	SHRQ $5, R11

loopq2:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	VADDPS Y1, Y0, Y2
	VSUBPS Y1, Y0, Y0
	VMOVUPS Y2, (DI)
	VPERMILPS $0xB1, Y0, Y3
	VMULPS Y9, Y3, Y3
	VFMADDSUB231PS Y8, Y0, Y3
	VMOVUPS Y3, (DI)(CX*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ R11
	JNZ loopq2

	ADDQ CX, DI
	ADDQ $8, DX
	DECQ BX
	JNZ loopk2
	VZEROUPPER
	RET

// v *= (wr, wi) broadcast from memory at off(DX); T1, T2 are scratch.
#define TWIDDLE(off, v, T1, T2) \
	VPERMILPS $0xB1, v, T1; \
	VBROADCASTSS off+4(DX), T2; \
	VMULPS T2, T1, T1; \
	VBROADCASTSS off(DX), T2; \
	VFMADDSUB231PS T2, v, T1; \
	VMOVAPS T1, v

// v = dir*i*v (Y15 holds the direction's sign mask).
#define MULDIRI(v) \
	VPERMILPS $0xB1, v, v; \
	VXORPS Y15, v, v

// func pass8AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32, rsqrt2 *float32)
TEXT ·pass8AVX2(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tw_base+48(FP), DX
	MOVQ s+72(FP), CX
	MOVQ m+80(FP), BX
	MOVQ mask+88(FP), AX
	VMOVUPS (AX), Y15
	MOVQ rsqrt2+96(FP), AX
	VBROADCASTSS (AX), Y14
	SHLQ $3, CX             // block length in bytes
	LEAQ (CX)(CX*2), R8     // 3 blocks
	MOVQ BX, R9
	IMULQ CX, R9            // distance between the input eighths
	LEAQ (R9)(R9*2), R10    // 3 eighths
	LEAQ (SI)(R9*4), R12    // inputs 4..7
	LEAQ (DI)(CX*4), R13    // outputs 4..7

loop8k:
	MOVQ CX, R11
	SHRQ $5, R11

loop8q:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	VMOVUPS (SI)(R9*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS (R12), Y4
	VMOVUPS (R12)(R9*1), Y5
	VMOVUPS (R12)(R9*2), Y6
	VMOVUPS (R12)(R10*1), Y7
	VADDPS Y4, Y0, Y8       // a0
	VSUBPS Y4, Y0, Y0       // b0
	VADDPS Y5, Y1, Y9       // a1
	VSUBPS Y5, Y1, Y1
	VADDPS Y6, Y2, Y10      // a2
	VSUBPS Y6, Y2, Y2
	VADDPS Y7, Y3, Y11      // a3
	VSUBPS Y7, Y3, Y3
	// b1 = (x1-x5) w8, b2 = (x2-x6) w8^2, b3 = (x3-x7) w8^3 with w8 = (1 + dir i)/sqrt2
	VMOVAPS Y1, Y4
	MULDIRI(Y4)
	VADDPS Y4, Y1, Y1
	VMULPS Y14, Y1, Y1      // b1
	MULDIRI(Y2)             // b2
	VMOVAPS Y3, Y4
	MULDIRI(Y4)
	VSUBPS Y3, Y4, Y3
	VMULPS Y14, Y3, Y3      // b3
	// even outputs from a0..a3
	VADDPS Y10, Y8, Y4      // a0+a2
	VSUBPS Y10, Y8, Y8      // a0-a2
	VADDPS Y11, Y9, Y5      // a1+a3
	VSUBPS Y11, Y9, Y9      // a1-a3
	MULDIRI(Y9)
	VADDPS Y5, Y4, Y6       // y0
	VMOVUPS Y6, (DI)
	VSUBPS Y5, Y4, Y4       // y4
	TWIDDLE(24, Y4, Y6, Y7)
	VMOVUPS Y4, (R13)
	VADDPS Y9, Y8, Y10      // y2
	TWIDDLE(8, Y10, Y6, Y7)
	VMOVUPS Y10, (DI)(CX*2)
	VSUBPS Y9, Y8, Y8       // y6
	TWIDDLE(40, Y8, Y6, Y7)
	VMOVUPS Y8, (R13)(CX*2)
	// odd outputs from b0..b3
	VADDPS Y2, Y0, Y4       // b0+b2
	VSUBPS Y2, Y0, Y0       // b0-b2
	VADDPS Y3, Y1, Y5       // b1+b3
	VSUBPS Y3, Y1, Y1       // b1-b3
	MULDIRI(Y1)
	VADDPS Y5, Y4, Y6       // y1
	TWIDDLE(0, Y6, Y8, Y9)
	VMOVUPS Y6, (DI)(CX*1)
	VSUBPS Y5, Y4, Y4       // y5
	TWIDDLE(32, Y4, Y8, Y9)
	VMOVUPS Y4, (R13)(CX*1)
	VADDPS Y1, Y0, Y2       // y3
	TWIDDLE(16, Y2, Y8, Y9)
	VMOVUPS Y2, (DI)(R8*1)
	VSUBPS Y1, Y0, Y0       // y7
	TWIDDLE(48, Y0, Y8, Y9)
	VMOVUPS Y0, (R13)(R8*1)
	ADDQ $32, SI
	ADDQ $32, R12
	ADDQ $32, DI
	ADDQ $32, R13
	DECQ R11
	JNZ loop8q

	ADDQ R8, DI             // next group: 8 blocks on, of which 1 is done
	LEAQ (DI)(CX*4), DI
	ADDQ R8, R13
	LEAQ (R13)(CX*4), R13
	ADDQ $56, DX
	DECQ BX
	JNZ loop8k
	VZEROUPPER
	RET

// func pass3AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32, consts *[4]float32)
// consts: 0.5, sqrt(3)/2.
TEXT ·pass3AVX2(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tw_base+48(FP), DX
	MOVQ s+72(FP), CX
	MOVQ m+80(FP), BX
	MOVQ mask+88(FP), AX
	VMOVUPS (AX), Y15
	MOVQ consts+96(FP), AX
	VBROADCASTSS 0(AX), Y14
	VBROADCASTSS 4(AX), Y13
	SHLQ $3, CX
	MOVQ BX, R9
	IMULQ CX, R9            // distance between the input thirds

loop3k:
	MOVQ CX, R11
	SHRQ $5, R11

loop3q:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	VMOVUPS (SI)(R9*2), Y2
	VADDPS Y2, Y1, Y3       // b+c
	VSUBPS Y2, Y1, Y1       // b-c
	VADDPS Y3, Y0, Y4       // y0
	VMOVUPS Y4, (DI)
	VFNMADD231PS Y14, Y3, Y0 // t1 = a - (b+c)/2
	MULDIRI(Y1)
	VMULPS Y13, Y1, Y1      // t2 = dir i sqrt3/2 (b-c)
	VADDPS Y1, Y0, Y6       // y1
	TWIDDLE(0, Y6, Y7, Y8)
	VMOVUPS Y6, (DI)(CX*1)
	VSUBPS Y1, Y0, Y0       // y2
	TWIDDLE(8, Y0, Y7, Y8)
	VMOVUPS Y0, (DI)(CX*2)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ R11
	JNZ loop3q

	LEAQ (DI)(CX*2), DI
	ADDQ $16, DX
	DECQ BX
	JNZ loop3k
	VZEROUPPER
	RET

// func pass5AVX2(y, x, tw []complex64, s, m int, mask *[8]uint32, consts *[4]float32)
// consts: cos(2pi/5), cos(4pi/5), sin(2pi/5), sin(4pi/5).
TEXT ·pass5AVX2(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tw_base+48(FP), DX
	MOVQ s+72(FP), CX
	MOVQ m+80(FP), BX
	MOVQ mask+88(FP), AX
	VMOVUPS (AX), Y15
	MOVQ consts+96(FP), AX
	VBROADCASTSS 0(AX), Y14 // c1
	VBROADCASTSS 4(AX), Y13 // c2
	VBROADCASTSS 8(AX), Y12 // s1
	VBROADCASTSS 12(AX), Y11 // s2
	SHLQ $3, CX
	LEAQ (CX)(CX*2), R8     // 3 blocks
	MOVQ BX, R9
	IMULQ CX, R9            // distance between the input fifths
	LEAQ (R9)(R9*2), R10    // 3 fifths

loop5k:
	MOVQ CX, R11
	SHRQ $5, R11

loop5q:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	VMOVUPS (SI)(R9*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS (SI)(R9*4), Y4
	VADDPS Y4, Y1, Y5       // s14
	VSUBPS Y4, Y1, Y1       // d14
	VADDPS Y3, Y2, Y6       // s23
	VSUBPS Y3, Y2, Y2       // d23
	VADDPS Y5, Y0, Y7
	VADDPS Y6, Y7, Y7       // y0
	VMOVUPS Y7, (DI)
	VMOVAPS Y0, Y7
	VFMADD231PS Y14, Y5, Y7
	VFMADD231PS Y13, Y6, Y7 // r1 = a + c1 s14 + c2 s23
	VMOVAPS Y0, Y8
	VFMADD231PS Y13, Y5, Y8
	VFMADD231PS Y14, Y6, Y8 // r2 = a + c2 s14 + c1 s23
	VMULPS Y12, Y1, Y9
	VFMADD231PS Y11, Y2, Y9 // i1 = s1 d14 + s2 d23
	VMULPS Y11, Y1, Y10
	VFNMADD231PS Y12, Y2, Y10 // i2 = s2 d14 - s1 d23
	MULDIRI(Y9)
	MULDIRI(Y10)
	VADDPS Y9, Y7, Y0       // y1
	TWIDDLE(0, Y0, Y5, Y6)
	VMOVUPS Y0, (DI)(CX*1)
	VSUBPS Y9, Y7, Y7       // y4
	TWIDDLE(24, Y7, Y5, Y6)
	VMOVUPS Y7, (DI)(CX*4)
	VADDPS Y10, Y8, Y1      // y2
	TWIDDLE(8, Y1, Y5, Y6)
	VMOVUPS Y1, (DI)(CX*2)
	VSUBPS Y10, Y8, Y8      // y3
	TWIDDLE(16, Y8, Y5, Y6)
	VMOVUPS Y8, (DI)(R8*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ R11
	JNZ loop5q

	LEAQ (DI)(CX*4), DI
	ADDQ $32, DX
	DECQ BX
	JNZ loop5k
	VZEROUPPER
	RET
