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
