//go:build amd64 && !purego

#include "textflag.h"

// func copyStrided(dst []complex64, dstStride int, src []complex64, srcStride, rows, width, ahead int)
// Copies rows x width complex64 (width a multiple of 4) from src (row stride srcStride) to dst (row
// stride dstStride), prefetching the source `ahead` rows in advance.
TEXT ·copyStrided(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI
	MOVQ dstStride+24(FP), R8
	MOVQ src_base+32(FP), SI
	MOVQ srcStride+56(FP), R9
	MOVQ rows+64(FP), BX
	MOVQ width+72(FP), CX
	MOVQ ahead+80(FP), R10
	SHLQ $3, R8
	SHLQ $3, R9
	SHLQ $3, CX
	IMULQ R9, R10          // prefetch distance in bytes

rowloop:
	LEAQ (SI)(R10*1), R11
	XORQ AX, AX
pfloop:
	PREFETCHT0 (R11)(AX*1)
	ADDQ $64, AX
	CMPQ AX, CX
	JLT pfloop

	XORQ AX, AX
cploop:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT cploop

	ADDQ R9, SI
	ADDQ R8, DI
	DECQ BX
	JNZ rowloop
	VZEROUPPER
	RET

// The 4x4 transpose of complex64 (64-bit) elements held in Y0..Y3 (rows) into Y8..Y11 (columns).
#define TRANSPOSE4 \
	VUNPCKLPD Y1, Y0, Y4; \
	VUNPCKHPD Y1, Y0, Y5; \
	VUNPCKLPD Y3, Y2, Y6; \
	VUNPCKHPD Y3, Y2, Y7; \
	VPERM2F128 $0x20, Y6, Y4, Y8; \
	VPERM2F128 $0x20, Y7, Y5, Y9; \
	VPERM2F128 $0x31, Y6, Y4, Y10; \
	VPERM2F128 $0x31, Y7, Y5, Y11

// func gather4(dst []complex64, lanes int, r0, r1, r2, r3 *complex64, count int)
// dst[j*lanes + k] = rk[j] for k < 4, j < count (count a multiple of 4).
TEXT ·gather4(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ lanes+24(FP), R8
	MOVQ r0+32(FP), AX
	MOVQ r1+40(FP), BX
	MOVQ r2+48(FP), CX
	MOVQ r3+56(FP), DX
	MOVQ count+64(FP), SI
	SHLQ $3, R8               // lane stride in bytes
	LEAQ (R8)(R8*2), R9       // 3 strides
	XORQ R10, R10             // byte offset into the rows
	SHRQ $2, SI
	JZ gdone

gloop:
	VMOVUPS (AX)(R10*1), Y0
	VMOVUPS (BX)(R10*1), Y1
	VMOVUPS (CX)(R10*1), Y2
	VMOVUPS (DX)(R10*1), Y3
	TRANSPOSE4
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R8*1)
	VMOVUPS Y10, (DI)(R8*2)
	VMOVUPS Y11, (DI)(R9*1)
	LEAQ (DI)(R8*4), DI
	ADDQ $32, R10
	DECQ SI
	JNZ gloop

gdone:
	VZEROUPPER
	RET

// func scatter4(r0, r1, r2, r3 *complex64, src []complex64, lanes, count int)
// rk[j] = src[j*lanes + k] for k < 4, j < count (count a multiple of 4).
TEXT ·scatter4(SB), NOSPLIT, $0-72
	MOVQ r0+0(FP), AX
	MOVQ r1+8(FP), BX
	MOVQ r2+16(FP), CX
	MOVQ r3+24(FP), DX
	MOVQ src_base+32(FP), DI
	MOVQ lanes+56(FP), R8
	MOVQ count+64(FP), SI
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	XORQ R10, R10
	SHRQ $2, SI
	JZ sdone

sloop:
	VMOVUPS (DI), Y0
	VMOVUPS (DI)(R8*1), Y1
	VMOVUPS (DI)(R8*2), Y2
	VMOVUPS (DI)(R9*1), Y3
	TRANSPOSE4
	VMOVUPS Y8, (AX)(R10*1)
	VMOVUPS Y9, (BX)(R10*1)
	VMOVUPS Y10, (CX)(R10*1)
	VMOVUPS Y11, (DX)(R10*1)
	LEAQ (DI)(R8*4), DI
	ADDQ $32, R10
	DECQ SI
	JNZ sloop

sdone:
	VZEROUPPER
	RET

// func copyStridedNT(dst []complex64, dstStride int, src []complex64, srcStride, rows, width int)
// copyStrided with non-temporal stores: dst must be 32-byte aligned, and so must every row of it.
TEXT ·copyStridedNT(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ dstStride+24(FP), R8
	MOVQ src_base+32(FP), SI
	MOVQ srcStride+56(FP), R9
	MOVQ rows+64(FP), BX
	MOVQ width+72(FP), CX
	SHLQ $3, R8
	SHLQ $3, R9
	SHLQ $3, CX

ntrow:
	XORQ AX, AX

ntcopy:
	VMOVUPS (SI)(AX*1), Y0
	VMOVNTPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT ntcopy
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ BX
	JNZ ntrow
	SFENCE
	VZEROUPPER
	RET

// func packPairsAVX2(dst, src *complex64, n, mode int, mask *[8]uint32, pf *complex64)
// dst[l] = a + i b for (a, b) = (src[2l], src[2l+1]), l < n (n a multiple of 4). mode 0: as is;
// 1: a and b conjugated first (mask negates the imaginary parts); 2: Re a + i Re b. The 2n
// complex64 at pf are prefetched (the caller's next rows).
TEXT ·packPairsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ mode+24(FP), DX
	MOVQ mask+32(FP), AX
	MOVQ pf+40(FP), BX
	VMOVUPS (AX), Y15
	MOVQ CX, AX
	SHLQ $4, AX             // 2n complex64 in bytes
	ADDQ BX, AX
ppf:
	PREFETCHT0 (BX)
	ADDQ $64, BX
	CMPQ BX, AX
	JLT ppf
	PREFETCHT0 (BX)
	SHRQ $2, CX
	JZ pdone
	CMPQ DX, $2
	JEQ preal

ploop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	CMPQ DX, $1
	JNE pplain
	VXORPS Y15, Y0, Y0
	VXORPS Y15, Y1, Y1

pplain:
	VPERMILPS $0x4B, Y0, Y2
	VPERMILPS $0x4B, Y1, Y3
	VADDSUBPS Y2, Y0, Y0
	VADDSUBPS Y3, Y1, Y1
	VSHUFPS $0x44, Y1, Y0, Y0
	VPERMPD $0xD8, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $64, SI
	ADDQ $32, DI
	DECQ CX
	JNZ ploop
	JMP pdone

preal:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VPERMILPS $0x08, Y0, Y0
	VPERMILPS $0x08, Y1, Y1
	VSHUFPS $0x44, Y1, Y0, Y0
	VPERMPD $0xD8, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $64, SI
	ADDQ $32, DI
	DECQ CX
	JNZ preal

pdone:
	VZEROUPPER
	RET

// func unpackPairsAVX2(dst, z, m *complex64, n int, mask *[8]uint32, pf *complex64)
// For l < n (a multiple of 4): dst[2l] = (z[l] + conj m[l])/2, dst[2l+1] = (z[l] - conj m[l])/(2i).
// mask negates imaginary parts. The 2n complex64 at pf are prefetched (the caller's next rows).
TEXT ·unpackPairsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ mask+32(FP), AX
	MOVQ pf+40(FP), BX
	VMOVUPS (AX), Y15
	MOVL $0x3f000000, AX    // 0.5
	MOVL AX, X14
	VBROADCASTSS X14, Y14
	MOVQ CX, AX
	SHLQ $4, AX
	ADDQ BX, AX
upf:
	PREFETCHT0 (BX)
	ADDQ $64, BX
	CMPQ BX, AX
	JLT upf
	PREFETCHT0 (BX)
	SHRQ $2, CX
	JZ udone

uloop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VXORPS Y15, Y1, Y1        // conj m
	VADDPS Y1, Y0, Y2         // s = z + conj m
	VSUBPS Y1, Y0, Y3         // t = z - conj m
	VMULPS Y14, Y2, Y2        // A = s/2
	VPERMILPS $0xB1, Y3, Y3   // (t_im, t_re)
	VXORPS Y15, Y3, Y3        // (t_im, -t_re) = -i t
	VMULPS Y14, Y3, Y3        // B
	VUNPCKLPD Y3, Y2, Y4      // A0 B0 | A2 B2
	VUNPCKHPD Y3, Y2, Y5      // A1 B1 | A3 B3
	VPERM2F128 $0x20, Y5, Y4, Y6
	VPERM2F128 $0x31, Y5, Y4, Y7
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $64, DI
	DECQ CX
	JNZ uloop

udone:
	VZEROUPPER
	RET

// func mirrorConjAVX2(dst, src *complex64, n int, mask *[8]uint32)
// dst[-k] = conj(src[k]) for 0 < k < n... precisely: dst points at the element that receives
// conj(src[0]) and the copy runs backwards: dst[-j] = conj(src[j]) for j < n (n a multiple of 4).
TEXT ·mirrorConjAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ mask+24(FP), AX
	VMOVUPS (AX), Y15
	SUBQ $24, DI              // the 4 destination elements end at dst
	SHRQ $2, CX
	JZ mdone

mloop:
	VMOVUPS (SI), Y0
	VPERMPD $0x1B, Y0, Y0     // reverse the four elements
	VXORPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	SUBQ $32, DI
	DECQ CX
	JNZ mloop

mdone:
	VZEROUPPER
	RET
