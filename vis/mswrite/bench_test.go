package mswrite

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkTable_AppendData writes 64 MiB of MS-like DATA (complex64 cells [2, 1024], in their own
// StandardStMan with 1 MiB buckets) and, as the baseline, the same bytes encoded little-endian
// and written with a 1 MiB bufio.Writer to one file:
//
//	go test -run '^$' -bench AppendData -benchtime 3x ./vis/mswrite
func BenchmarkTable_AppendData(b *testing.B) {
	const nchan, ncorr, rows, chunk = 1024, 2, 4096, 256
	cellBytes := int64(nchan * ncorr * 8)
	data := make([]complex64, chunk*nchan*ncorr)
	for i := range data {
		data[i] = complex(float32(i%97), -float32(i%89))
	}
	b.Run("mswrite", func(b *testing.B) {
		b.SetBytes(rows * cellBytes)
		for i := 0; i < b.N; i++ {
			dir := filepath.Join(b.TempDir(), "t")
			tb, err := Create(dir, []ColumnDesc{FixedArray("DATA", TpComplex, []int{ncorr, nchan}, "").In("Data")},
				&Options{BucketBytes: map[string]int{"Data": 1 << 20}})
			if err != nil {
				b.Fatal(err)
			}
			for r := 0; r < rows; r += chunk {
				if err := tb.Append(chunk, map[string]any{"DATA": data}); err != nil {
					b.Fatal(err)
				}
			}
			if err := tb.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain-write", func(b *testing.B) {
		b.SetBytes(rows * cellBytes)
		buf := make([]byte, chunk*cellBytes)
		for i := 0; i < b.N; i++ {
			f, err := os.Create(filepath.Join(b.TempDir(), "plain"))
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			for r := 0; r < rows; r += chunk {
				for k, v := range data {
					binary.LittleEndian.PutUint32(buf[8*k:], math.Float32bits(real(v)))
					binary.LittleEndian.PutUint32(buf[8*k+4:], math.Float32bits(imag(v)))
				}
				if _, err := w.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}
