package spool

import (
	"context"
	"testing"
)

// BenchmarkWriter_Add adds samples row by row over 1024 channels (the transpose the spool does),
// 100 MiB of buffer, writing runs as they fill.
func BenchmarkWriter_Add(b *testing.B) {
	const nchan = 1024
	w, err := NewWriter(b.TempDir(), nchan, &WriterOptions{BufferBytes: 100 << 20, UVScale: make([]float64, nchan)})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Add(i%nchan, float64(i%977), float64(i%1013), 1, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	w.Abort()
}

func BenchmarkWriter_AddNoFlush(b *testing.B) {
	const nchan = 1024
	w, err := NewWriter(b.TempDir(), nchan, &WriterOptions{BufferBytes: 400 << 20, UVScale: make([]float64, nchan)})
	if err != nil {
		b.Fatal(err)
	}
	n := min(b.N, w.slots/2)
	b.ResetTimer()
	for i := 0; i < n; i++ {
		if err := w.Add(i%nchan, float64(i%977), float64(i%1013), 1, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	w.Finish(context.Background(), Key{}, nil)
}
