//go:build amd64 && !purego

package fft

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestAsmCopies checks the assembly strip movers element by element against plain index
// arithmetic.
func TestAsmCopies(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU without AVX2+FMA: the assembly is not used")
	}
	r := rand.New(rand.NewPCG(11, 1))
	const nx, ny, lanes = 40, 24, 12
	src := randomComplex(r, nx*ny+8)
	// Align the matrix to 32 bytes for the non-temporal stores.
	off := 0
	for uintptr(unsafe.Pointer(&src[off]))%32 != 0 {
		off++
	}
	data := src[off : off+nx*ny]

	buf := make([]complex64, ny*lanes)
	copyStrided(buf, lanes, data[8:], nx, ny, 8, 2)
	for y := 0; y < ny; y++ {
		for l := 0; l < 8; l++ {
			if buf[y*lanes+l] != data[y*nx+8+l] {
				t.Fatalf("copyStrided: buf[%d][%d] = %v, want %v", y, l, buf[y*lanes+l], data[y*nx+8+l])
			}
		}
	}
	out := make([]complex64, len(src))
	dst := out[off : off+nx*ny]
	copyStridedNT(dst[4:], nx, buf, lanes, ny, 8)
	for y := 0; y < ny; y++ {
		for l := 0; l < 8; l++ {
			if dst[y*nx+4+l] != buf[y*lanes+l] {
				t.Fatalf("copyStridedNT: dst[%d][%d] = %v, want %v", y, 4+l, dst[y*nx+4+l], buf[y*lanes+l])
			}
		}
		if dst[y*nx+3] != 0 || dst[y*nx+12] != 0 {
			t.Fatalf("copyStridedNT wrote outside row %d's range", y)
		}
	}

	rows := []int{3, 0, 17, 9}
	clear(buf)
	gather4(buf[4:], lanes, &data[rows[0]*nx+4], &data[rows[1]*nx+4], &data[rows[2]*nx+4], &data[rows[3]*nx+4], 16)
	for j := 0; j < 16; j++ {
		for k, y := range rows {
			if got, want := buf[4+j*lanes+k], data[y*nx+4+j]; got != want {
				t.Fatalf("gather4: lane %d element %d = %v, want %v", k, j, got, want)
			}
		}
	}
	clear(dst)
	scatter4(&dst[rows[0]*nx+4], &dst[rows[1]*nx+4], &dst[rows[2]*nx+4], &dst[rows[3]*nx+4], buf[4:], lanes, 16)
	for j := 0; j < 16; j++ {
		for k, y := range rows {
			if got, want := dst[y*nx+4+j], buf[4+j*lanes+k]; got != want {
				t.Fatalf("scatter4: row %d element %d = %v, want %v", y, j, got, want)
			}
		}
	}
}

// TestAsmPasses checks the assembly radix-8, 5, 4, 3 and 2 passes against the portable ones.
func TestAsmPasses(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU without AVX2+FMA: the assembly is not used")
	}
	r := rand.New(rand.NewPCG(11, 2))
	for _, c := range []struct{ s, m int }{{4, 1}, {4, 16}, {8, 4}, {64, 2}} {
		x := randomComplex(r, 4*c.s*c.m)
		tw := randomComplex(r, 3*c.m)
		for _, dir := range []Direction{Forward, Backward} {
			want := make([]complex64, len(x))
			got := make([]complex64, len(x))
			pass4Go(want, x, tw, c.s, c.m, dir)
			pass4(got, x, tw, c.s, c.m, dir)
			for i := range want {
				if d := want[i] - got[i]; real(d)*real(d)+imag(d)*imag(d) > 1e-10 {
					t.Fatalf("pass4 s=%d m=%d dir=%+d: [%d] = %v, want %v", c.s, c.m, dir, i, got[i], want[i])
				}
			}
		}
		x8 := randomComplex(r, 8*c.s*c.m)
		tw8 := randomComplex(r, 7*c.m)
		for _, dir := range []Direction{Forward, Backward} {
			want := make([]complex64, len(x8))
			got := make([]complex64, len(x8))
			pass8Go(want, x8, tw8, c.s, c.m, dir)
			pass8(got, x8, tw8, c.s, c.m, dir)
			for i := range want {
				if d := want[i] - got[i]; real(d)*real(d)+imag(d)*imag(d) > 1e-9 {
					t.Fatalf("pass8 s=%d m=%d dir=%+d: [%d] = %v, want %v", c.s, c.m, dir, i, got[i], want[i])
				}
			}
		}
		for _, pc := range []struct {
			p        int
			asm, ref func(y, x, tw []complex64, s, m int, dir Direction)
		}{{3, pass3, pass3Go}, {5, pass5, pass5Go}} {
			xp := randomComplex(r, pc.p*c.s*c.m)
			twp := randomComplex(r, (pc.p-1)*c.m)
			for _, dir := range []Direction{Forward, Backward} {
				want := make([]complex64, len(xp))
				got := make([]complex64, len(xp))
				pc.ref(want, xp, twp, c.s, c.m, dir)
				pc.asm(got, xp, twp, c.s, c.m, dir)
				for i := range want {
					if d := want[i] - got[i]; real(d)*real(d)+imag(d)*imag(d) > 1e-9 {
						t.Fatalf("pass%d s=%d m=%d dir=%+d: [%d] = %v, want %v", pc.p, c.s, c.m, dir, i, got[i], want[i])
					}
				}
			}
		}
		x = x[:2*c.s*c.m]
		want := make([]complex64, len(x))
		got := make([]complex64, len(x))
		pass2Go(want, x, tw, c.s, c.m)
		pass2(got, x, tw, c.s, c.m)
		for i := range want {
			if d := want[i] - got[i]; real(d)*real(d)+imag(d)*imag(d) > 1e-10 {
				t.Fatalf("pass2 s=%d m=%d: [%d] = %v, want %v", c.s, c.m, i, got[i], want[i])
			}
		}
	}
}
