package simulate

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkEngine_Model evaluates the default sky (three points and a Gaussian) on one baseline
// over 1024 channels, with the phase recurrence and, as the baseline, with one sincos per
// channel and source:
//
//	go test -run '^$' -bench Engine ./vis/simulate
func BenchmarkEngine_Model(b *testing.B) {
	const nchan = 1024
	freqs := make([]float64, nchan)
	for k := range freqs {
		freqs[k] = 230e9 + float64(k)*976562.5
	}
	sky := DefaultSky(nchan)
	e := newEngine(sky, freqs, freqs[nchan/2])
	vis := make([]complex128, nchan)
	b.Run("recurrence", func(b *testing.B) {
		b.SetBytes(nchan * 8) // bytes of complex64 DATA per correlation produced
		for i := 0; i < b.N; i++ {
			e.model(120+float64(i%7), -80, 5, vis)
		}
	})
	b.Run("direct-sincos", func(b *testing.B) {
		b.SetBytes(nchan * 8)
		for i := 0; i < b.N; i++ {
			u, v, w := 120+float64(i%7), -80.0, 5.0
			clear(vis)
			for ci := range e.comps {
				c := &e.comps[ci]
				tau := (u*c.l + v*c.m + w*c.nm1) / speedOfLight
				for k, nu := range freqs {
					s, co := math.Sincos(2 * math.Pi * tau * nu)
					amp := c.flux[k]
					if c.gaussian {
						um, un := u*c.sinPA+v*c.cosPA, u*c.cosPA-v*c.sinPA
						amp *= math.Exp(-(c.kMaj*um*um + c.kMin*un*un) * nu * nu)
					}
					vis[k] += complex(amp*co, amp*s)
				}
			}
		}
	})
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

func msBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// benchRun simulates cfg b.N times and reports MB/s of MS written and the process's peak RSS;
// the "plain-write" sub-benchmark writes the same number of bytes with a 1 MiB bufio.Writer.
func benchRun(b *testing.B, cfg Config) {
	var size int64
	b.Run("simulate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			c := cfg
			c.MS = filepath.Join(dir, "bench.ms")
			if _, err := Run(context.Background(), c); err != nil {
				b.Fatal(err)
			}
			size = msBytes(c.MS)
			b.SetBytes(size)
			os.RemoveAll(dir)
		}
		b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		b.ReportMetric(float64(size)/(1<<20), "MS-MiB")
	})
	b.Run("plain-write", func(b *testing.B) {
		buf := make([]byte, 1<<20)
		for i := range buf {
			buf[i] = byte(i)
		}
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			f, err := os.Create(filepath.Join(dir, "plain"))
			if err != nil {
				b.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			for n := int64(0); n < size; n += int64(len(buf)) {
				if _, err := w.Write(buf[:min(int64(len(buf)), size-n)]); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
			f.Close()
			os.RemoveAll(dir)
		}
	})
}

// BenchmarkRun simulates a 61 MB MS (256 channels, 10 integrations, compact array):
//
//	go test -run '^$' -bench 'Run$' -benchtime 3x ./vis/simulate
func BenchmarkRun(b *testing.B) {
	c := DefaultConfig()
	c.NChan = 256
	c.DurationS = 10 * 6.048
	benchRun(b, c)
}

// BenchmarkRun_2GB simulates a 2.0 GB MS (1024 channels, 89 integrations, 80 367 rows, with
// WEIGHT_SPECTRUM) and reports the peak RSS of the whole test process. It needs 2 GB free in
// $TMPDIR and runs only when CUBEIMG_BENCH_2GB=1:
//
//	CUBEIMG_BENCH_2GB=1 go test -run '^$' -bench Run_2GB -benchtime 1x ./vis/simulate
func BenchmarkRun_2GB(b *testing.B) {
	if os.Getenv("CUBEIMG_BENCH_2GB") != "1" {
		b.Skip("set CUBEIMG_BENCH_2GB=1 to simulate a 2 GB MeasurementSet (needs 2 GB in $TMPDIR)")
	}
	c := DefaultConfig()
	c.NChan = 1024
	c.DurationS = 9 * 60
	benchRun(b, c)
}
