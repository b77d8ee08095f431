package casatable

import (
	"math/rand"
	"testing"
)

func TestUnpackBits_MatchesBitByBit(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	b := make([]byte, 64)
	r.Read(b)
	for off := 0; off < 20; off++ {
		for n := 0; n < 400; n += 7 {
			if off+n > 8*len(b) {
				continue
			}
			dst := make([]bool, n)
			unpackBits(dst, b, off)
			for i := range dst {
				k := off + i
				if want := b[k/8]>>(k%8)&1 == 1; dst[i] != want {
					t.Fatalf("offset %d length %d bit %d: %v, want %v", off, n, i, dst[i], want)
				}
			}
		}
	}
}

func BenchmarkUnpackBits(b *testing.B) {
	src := make([]byte, 1<<16)
	dst := make([]bool, 8*len(src)-3)
	b.SetBytes(int64(len(dst)))
	for i := 0; i < b.N; i++ {
		unpackBits(dst, src, 3)
	}
}
