package spool

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpenRead opens and reads a spool whose manifest, index or samples were replaced by the
// fuzzer's bytes: it must return errors, never panic or allocate without bound.
func FuzzOpenRead(f *testing.F) {
	base := f.TempDir()
	w, err := NewWriter(base, 3, &WriterOptions{BufferBytes: 2 * minRegion * 3 * slotBytes * 2})
	if err != nil {
		f.Fatal(err)
	}
	for i := range 500 {
		w.Add(i%3, float64(i%17), float64(i%13), 0, complex(float32(i), 0), 1)
	}
	if err := w.Finish(context.Background(), Key{}, nil); err != nil {
		f.Fatal(err)
	}
	files := map[string][]byte{}
	for _, n := range []string{manifestName, indexName, samplesName} {
		b, err := os.ReadFile(filepath.Join(base, n))
		if err != nil {
			f.Fatal(err)
		}
		files[n] = b
	}
	f.Add(uint8(0), files[manifestName])
	f.Add(uint8(1), files[indexName])
	f.Add(uint8(2), files[samplesName][:100])
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		dir := t.TempDir()
		names := []string{manifestName, indexName, samplesName}
		for i, n := range names {
			b := files[n]
			if i == int(which)%3 {
				b = data
			}
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sp, err := Open(dir)
		if err != nil {
			return
		}
		defer sp.Close()
		var s Samples
		for k := range sp.NChan() {
			sp.Read(k, &s)
		}
		sp.Axis()
	})
}

// FuzzSelection resolves field and spw selections and time ranges against a small data set.
func FuzzSelection(f *testing.F) {
	for _, s := range []string{"", "0", "A,b", "0~2", "1~0", "*", "x", "0,,1", "0:1~3", "2024/03/01/12:00:00~2024/03/01/12:00:01"} {
		f.Add(s)
	}
	m := testMeta(freqs(100e6, 4), freqs(110e6, 4))
	f.Fuzz(func(t *testing.T, s string) {
		if fs, err := resolveFields(&m, s); err == nil {
			for _, i := range fs {
				if i < 0 || i >= len(m.Fields) {
					t.Fatalf("field %q gave id %d", s, i)
				}
			}
		}
		if ss, err := resolveSpws(&m, s); err == nil {
			for _, i := range ss {
				if i < 0 || i >= len(m.SpectralWindows) {
					t.Fatalf("spw %q gave id %d", s, i)
				}
			}
		}
		if tr, err := ParseTimeRange(s); err == nil && tr != ([2]float64{}) && !(tr[1] >= tr[0]) {
			t.Fatalf("timerange %q gave %v", s, tr)
		}
	})
}
