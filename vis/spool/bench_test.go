package spool

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/cubeimg/cubeimg/internal/procstat"
	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/ms"
	"github.com/cubeimg/cubeimg/vis/simulate"
)

// BenchmarkWriter_Add adds samples row by row over 1024 channels (the transpose the spool does),
// with 100 MiB of buffers, writing runs as they fill.
func BenchmarkWriter_Add(b *testing.B) {
	const nchan = 1024
	w, err := NewWriter(b.TempDir(), nchan, &WriterOptions{BufferBytes: 100 << 20, UVScale: make([]float64, nchan)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(sampleBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Add(i%nchan, float64(i%977), float64(i%1013), 1, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	w.Abort()
}

// BenchmarkSpool_Read reads back every channel of a 256-channel spool of several runs (merge of
// the runs into one Morton order included).
func BenchmarkSpool_Read(b *testing.B) {
	const nchan, per = 256, 20000
	dir := b.TempDir()
	w, err := NewWriter(dir, nchan, &WriterOptions{BufferBytes: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < nchan*per; i++ {
		x := float64(i % 7919)
		w.Add(i%nchan, x*math.Cos(x), x*math.Sin(x), 1, 1, 1)
	}
	if err := w.Finish(context.Background(), Key{}, nil); err != nil {
		b.Fatal(err)
	}
	sp, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	var s Samples
	b.SetBytes(nchan * per * sampleBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range nchan {
			if err := sp.Read(k, &s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(sp.Manifest().Runs)), "runs")
}

// BenchmarkSpool_Build spools a simulated 60 MB MS (256 channels, 10 integrations) with a
// 64 MiB memory limit, against plain sequential reads of the MS files in the same run (from the
// page cache, and cold: the files evicted first, as the spool reads them):
//
//	go test -run '^$' -bench Spool_Build -benchtime 3x ./vis/spool
//
// BenchmarkSpool_Build_2GB does the same for a 2.0 GB MS (1024 channels, 89 integrations) with
// --max-resident 256MiB, and reads the MS back through vis/ms within the same limit; it runs only
// with CUBEIMG_BENCH_2GB=1 (it writes 2 GB of MS and 3 GB of spool):
//
//	CUBEIMG_BENCH_2GB=1 go test -run '^$' -bench Spool_Build_2GB -benchtime 1x -timeout 30m ./vis/spool
func BenchmarkSpool_Build(b *testing.B) {
	cfg := simulate.DefaultConfig()
	cfg.NChan, cfg.DurationS = 256, 10*6.048
	benchSpool(b, cfg, 64<<20)
}

func BenchmarkSpool_Build_2GB(b *testing.B) {
	if os.Getenv("CUBEIMG_BENCH_2GB") != "1" {
		b.Skip("set CUBEIMG_BENCH_2GB=1 to spool a 2 GB simulated MS")
	}
	cfg := simulate.DefaultConfig()
	cfg.NChan, cfg.DurationS = 1024, 9*60
	benchSpool(b, cfg, 256<<20)
}

// benchSpool simulates cfg once, then per iteration, all in the same run:
//
//   - read-warm: a plain sequential read of the MS files (1 MiB reads) from the page cache;
//   - read-cold: the same after evicting the files from the page cache (fsync, fadvise);
//   - spool: the build from the evicted MS with memory limit limit (peak RSS from a reset);
//   - write: a plain write, fsynced, of as many bytes as the spool holds (the output's floor);
//   - msread: a read of the evicted MS through vis/ms in chunks of limit/8 (peak RSS again; the reader holds the raw bytes of a chunk too).
//
// The Go heap is limited to the same bound (debug.SetMemoryLimit), as the pipeline does with
// --max-resident. floor/read-cold is the ratio the spool would reach if it cost no more than
// reading its input and writing its output.
func benchSpool(b *testing.B, cfg simulate.Config, limit int64) {
	work := b.TempDir()
	cfg.MS = filepath.Join(work, "bench.ms")
	cfg.Workers = runtime.GOMAXPROCS(0)
	if _, err := simulate.Run(context.Background(), cfg); err != nil {
		b.Fatal(err)
	}
	old := debug.SetMemoryLimit(limit)
	defer debug.SetMemoryLimit(old)
	msSize := treeBytes(cfg.MS)
	b.SetBytes(msSize)
	b.ResetTimer()
	var tWarm, tCold, tSpool, tWrite, tMS time.Duration
	var peakSpool, peakMS, spoolSize, base int64
	var runs int
	timed := func(d *time.Duration, f func()) {
		t0 := time.Now()
		f()
		*d += time.Since(t0)
	}
	for i := 0; i < b.N; i++ {
		timed(&tWarm, func() { plainRead(b, cfg.MS, msSize) })
		evict(cfg.MS)
		timed(&tCold, func() { plainRead(b, cfg.MS, msSize) })

		dir := filepath.Join(work, "bench.spool")
		os.RemoveAll(dir)
		evict(cfg.MS)
		runtime.GC()
		debug.FreeOSMemory()
		resetPeak()
		base = peak()
		timed(&tSpool, func() {
			sp, built, err := OpenOrBuild(context.Background(), cfg.MS, dir, &Options{MemoryBytes: limit})
			if err != nil || !built {
				b.Fatal(built, err)
			}
			runs = len(sp.Manifest().Runs)
			sp.Close()
		})
		peakSpool = max(peakSpool, peak())
		spoolSize = treeBytes(dir)
		timed(&tWrite, func() { plainWrite(b, filepath.Join(work, "plain"), spoolSize) })
		os.RemoveAll(dir)

		evict(cfg.MS)
		runtime.GC()
		debug.FreeOSMemory()
		resetPeak()
		timed(&tMS, func() { msRead(b, cfg.MS, limit/8) })
		peakMS = max(peakMS, peak())
	}
	b.StopTimer()
	mbs := func(bytes int64, d time.Duration) float64 { return float64(bytes) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbs(msSize, tWarm), "read-warm-MB/s")
	b.ReportMetric(mbs(msSize, tCold), "read-cold-MB/s")
	b.ReportMetric(mbs(msSize, tSpool), "spool-MB/s")
	b.ReportMetric(tWarm.Seconds()/tSpool.Seconds(), "spool/read-warm")
	b.ReportMetric(tCold.Seconds()/tSpool.Seconds(), "spool/read-cold")
	b.ReportMetric(mbs(spoolSize, tWrite), "write-MB/s")
	b.ReportMetric(tCold.Seconds()/(tCold.Seconds()+tWrite.Seconds()), "floor/read-cold")
	b.ReportMetric(mbs(msSize, tMS), "msread-MB/s")
	b.ReportMetric(float64(peakSpool)/(1<<20), "spool-peak-MiB")
	b.ReportMetric(float64(peakMS)/(1<<20), "msread-peak-MiB")
	b.ReportMetric(float64(base)/(1<<20), "base-RSS-MiB")
	b.ReportMetric(float64(spoolSize)/(1<<20), "spool-MiB")
	b.ReportMetric(float64(runs), "runs")
	// The limit bounds what the build adds to the process (the Go runtime and the test binary
	// were resident before it: base).
	if peakSpool-base > limit || peakMS-base > limit {
		b.Errorf("peak RSS %d MiB (spool), %d MiB (MS read) above the %d MiB limit plus the %d MiB the process held before", peakSpool>>20, peakMS>>20, limit>>20, base>>20)
	}
}

// evict drops the files under dir from the page cache (fsync, then fadvise DONTNEED), so that
// the next read comes from the disk.
func evict(dir string) {
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			if f, err := os.OpenFile(p, os.O_RDWR, 0); err == nil {
				f.Sync()
				dropCache(f)
				f.Close()
			}
		}
		return nil
	})
}

func treeBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// plainRead reads every file under dir sequentially with a 1 MiB buffer, checking it read want
// bytes.
func plainRead(b *testing.B, dir string, want int64) {
	buf := make([]byte, 1<<20)
	var n int64
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		k, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf)
		n += k
		return err
	})
	if err != nil || n != want {
		b.Fatalf("read %d bytes of %d: %v", n, want, err)
	}
}

// plainWrite writes size bytes to path with 4 MiB writes (the spool's write size), then removes it.
func plainWrite(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	for n := int64(0); n < size; n += int64(len(buf)) {
		if _, err := f.Write(buf[:min(int64(len(buf)), size-n)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	os.Remove(path)
}

// msRead reads every row of the MS through vis/ms in chunks of about chunkBytes.
func msRead(b *testing.B, path string, chunkBytes int64) {
	m, err := ms.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	nchan, ncorr, err := m.Meta().CellShape(0)
	if err != nil {
		b.Fatal(err)
	}
	rows := int(max(1, chunkBytes/int64(nchan*ncorr*13+256)))
	var c vis.Chunk
	for r := 0; r < m.NumRows(); r += rows {
		if err := m.ReadRows(context.Background(), r, min(rows, m.NumRows()-r), &c); err != nil {
			b.Fatal(err)
		}
	}
}

// resetPeak resets the process's peak RSS (VmHWM) to its current RSS (Linux clear_refs 5).
func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peak() int64 {
	m, err := procstat.ReadMemory()
	if err != nil {
		return 0
	}
	return m.VmHWM
}
