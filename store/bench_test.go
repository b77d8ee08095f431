package store

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sys/unix"

	"github.com/cubeimg/cubeimg/tiles"
)

// Benchmarks compare the store with plain file I/O of the same bytes in the same run and report
// the ratio (store / baseline throughput) as a metric. The cube is 64 channels of 1024 x 1024
// float32 (256 MiB) in the default 1 MiB full-width tiles, so everything fits in the page cache:
// the ratios measure the store's own overhead (mapping, faults, checksums, records), not the disk.
const (
	benchN     = 2048
	benchNChan = 16
	benchBytes = int64(benchN) * benchN * 4 * benchNChan
)

func benchCube(b *testing.B) *Store {
	b.Helper()
	spec := testSpec(benchN, benchN, benchNChan)
	spec.Extensions = []Extension{{Name: ExtImage, DType: Float32}}
	s, err := Create(filepath.Join(b.TempDir(), "bench.cube"), spec, &Options{ResidentCap: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// plainFile is the baseline: a preallocated file of the same size as the cube's data.
func plainFile(b *testing.B) *os.File {
	b.Helper()
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "plain"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	if err := unix.Fallocate(int(f.Fd()), 0, 0, benchBytes+tiles.PageSize); err != nil {
		b.Fatal(err)
	}
	return f
}

func benchLayout(b *testing.B) tiles.Layout {
	w, h := tiles.DefaultTileShape(benchN, benchN)
	l, err := tiles.NewLayout(tiles.Grid{NX: benchN, NY: benchN, TileW: w, TileH: h}, benchNChan, 4, dataHeaderSize)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func srcTile() []byte {
	src := make([]byte, benchN*256*4)
	for i := range src {
		src[i] = byte(i * 31)
	}
	return src
}

// report prints, for one comparison, the throughput of the store and of the baseline over
// bytes, each from its fastest trial (the machine is shared: the best of several trials filters
// out interference), and their ratio.
func report(b *testing.B, name string, store, base []time.Duration, bytes int64) {
	sMB := float64(bytes) / 1e6 / slices.Min(store).Seconds()
	bMB := float64(bytes) / 1e6 / slices.Min(base).Seconds()
	b.ReportMetric(sMB, name+"-store-MB/s")
	b.ReportMetric(bMB, name+"-plain-MB/s")
	b.ReportMetric(sMB/bMB, name+"-ratio")
}

// BenchmarkTileWrite: filling every tile in place through Write pins (mmap), and through
// WriteTile (pwrite), vs pwrite of the same bytes to a plain preallocated file; then the same
// with durability: store Commit per channel (flush, fdatasync, xxhash64 of every tile, record)
// vs pwrite + fdatasync per channel. Each measurement writes a fresh cube and a fresh file, and
// both are deleted afterwards so page-cache memory is recycled alike; one untimed round warms up.
func BenchmarkTileWrite(b *testing.B) {
	src := srcTile()
	ctx := context.Background()
	type variant struct {
		name    string
		durable bool
		pwrite  bool // through WriteTile rather than a pin
	}
	variants := []variant{{"write-pin", false, false}, {"write-copy", false, true}, {"commit-pin", true, false}}
	tStore := make([][]time.Duration, len(variants))
	tPlain := make([][]time.Duration, len(variants))
	for i := -1; i < b.N; i++ {
		for vi, v := range variants {
			var el, pl time.Duration
			runStore := func() {
				s := benchCube(b)
				l, _ := s.Layout(ExtImage)
				// Claiming a channel (its in-progress record: write, fsync, rename, fsync) is a
				// fixed cost per channel, reported by BenchmarkChannelOverhead.
				for c := 0; c < benchNChan; c++ {
					if err := s.BeginChannel(c, nil); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				for c := 0; c < benchNChan; c++ {
					for t := 0; t < l.NumTiles(); t++ {
						if v.pwrite {
							if err := s.WriteTile(ExtImage, c, t, src); err != nil {
								b.Fatal(err)
							}
							continue
						}
						tl, err := s.Tile(ctx, ExtImage, c, t, Write)
						if err != nil {
							b.Fatal(err)
						}
						copy(tl.Bytes(), src)
						tl.Release()
					}
					if v.durable {
						if err := s.Commit(ctx, c, CommitInfo{}); err != nil {
							b.Fatal(err)
						}
					}
				}
				el = time.Since(start)
				s.Close()
				os.RemoveAll(s.Dir())

			}
			runPlain := func() {
				f := plainFile(b)
				l := benchLayout(b)
				start := time.Now()
				for c := 0; c < benchNChan; c++ {
					for t := 0; t < l.NumTiles(); t++ {
						if _, err := f.WriteAt(src, l.TileOffset(c, t)); err != nil {
							b.Fatal(err)
						}
					}
					if v.durable {
						unix.Fdatasync(int(f.Fd()))
					}
				}
				pl = time.Since(start)
				f.Close()
				os.Remove(f.Name())
			}
			// Alternate which side runs first: the first allocates page-cache memory the
			// second may reuse.
			if i%2 == 0 {
				runStore()
				runPlain()
			} else {
				runPlain()
				runStore()
			}
			if i >= 0 {
				tStore[vi] = append(tStore[vi], el)
				tPlain[vi] = append(tPlain[vi], pl)
			}
		}
	}
	for vi, v := range variants {
		report(b, v.name, tStore[vi], tPlain[vi], benchBytes)
	}
}

// BenchmarkChannelOverhead: the fixed cost of BeginChannel and of Commit of an empty-ish
// channel (one 4 KiB tile per extension): record writes with fsync of file and directory.
func BenchmarkChannelOverhead(b *testing.B) {
	spec := testSpec(32, 32, 1)
	s, err := Create(filepath.Join(b.TempDir(), "o.cube"), spec, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var tb, tc time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := s.BeginChannel(0, nil); err != nil {
			b.Fatal(err)
		}
		tb += time.Since(start)
		start = time.Now()
		if err := s.Commit(context.Background(), 0, CommitInfo{}); err != nil {
			b.Fatal(err)
		}
		tc += time.Since(start)
	}
	b.ReportMetric(float64(tb.Microseconds())/float64(b.N)/1000, "begin-ms")
	b.ReportMetric(float64(tc.Microseconds())/float64(b.N)/1000, "commit-ms")
}

// BenchmarkTileRead: reading every tile through Read pins (copied out, as pread copies) vs pread.
func BenchmarkTileRead(b *testing.B) {
	s := benchCube(b)
	defer s.Close()
	l, _ := s.Layout(ExtImage)
	src := srcTile()
	ctx := context.Background()
	f := plainFile(b)
	defer f.Close()
	for c := 0; c < benchNChan; c++ {
		for t := 0; t < l.NumTiles(); t++ {
			s.WriteTile(ExtImage, c, t, src)
			f.WriteAt(src, l.TileOffset(c, t))
		}
	}
	dst := make([]byte, len(src))
	var tStore, tPlain []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for c := 0; c < benchNChan; c++ {
			for t := 0; t < l.NumTiles(); t++ {
				tl, err := s.Tile(ctx, ExtImage, c, t, Read)
				if err != nil {
					b.Fatal(err)
				}
				copy(dst, tl.Bytes())
				tl.Release()
			}
		}
		tStore = append(tStore, time.Since(start))
		start = time.Now()
		for c := 0; c < benchNChan; c++ {
			for t := 0; t < l.NumTiles(); t++ {
				if _, err := f.ReadAt(dst, l.TileOffset(c, t)); err != nil {
					b.Fatal(err)
				}
			}
		}
		tPlain = append(tPlain, time.Since(start))
	}
	report(b, "read", tStore, tPlain, benchBytes)
}

func fillBenchCube(b *testing.B, s *Store) {
	l, _ := s.Layout(ExtImage)
	src := srcTile()
	for c := 0; c < benchNChan; c++ {
		for t := 0; t < l.NumTiles(); t++ {
			if err := s.WriteTile(ExtImage, c, t, src); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Commit(context.Background(), c, CommitInfo{Beam: Beam{1, 1, 0}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFITSExport: ExportFITS of the cube vs copying a file of the same size (read and
// write in 4 MiB pieces, then fsync, as the export does).
func BenchmarkFITSExport(b *testing.B) {
	s := benchCube(b)
	defer s.Close()
	fillBenchCube(b, s)
	plain := plainFile(b)
	plain.Close()
	dir := b.TempDir()
	var tStore, tPlain []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, "out.fits")
		start := time.Now()
		if err := s.ExportFITS(context.Background(), ExtImage, out, nil); err != nil {
			b.Fatal(err)
		}
		tStore = append(tStore, time.Since(start))
		os.Remove(out)
		start = time.Now()
		copyFile(b, plain.Name(), filepath.Join(dir, "copy"))
		tPlain = append(tPlain, time.Since(start))
		os.Remove(filepath.Join(dir, "copy"))
	}
	report(b, "export", tStore, tPlain, benchBytes)
}

func copyFile(b *testing.B, from, to string) {
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4<<20)
	if _, err := io.CopyBuffer(struct{ io.Writer }{out}, struct{ io.Reader }{in}, buf); err != nil {
		b.Fatal(err)
	}
	out.Sync()
	out.Close()
}

// BenchmarkVerify: Check (pread + xxhash64 of every committed tile) vs a plain sequential pread of
// the same bytes.
func BenchmarkVerify(b *testing.B) {
	s := benchCube(b)
	defer s.Close()
	fillBenchCube(b, s)
	f, _ := os.Open(filepath.Join(s.Dir(), "image.dat"))
	defer f.Close()
	buf := make([]byte, 1<<20)
	var tStore, tPlain []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rep, err := s.Check(context.Background(), nil)
		if err != nil || !rep.OK() || rep.Bytes != benchBytes {
			b.Fatalf("check: %v %d bytes", err, rep.Bytes)
		}
		tStore = append(tStore, time.Since(start))
		start = time.Now()
		var sink uint64
		for off := int64(dataHeaderSize); off < dataHeaderSize+benchBytes; off += int64(len(buf)) {
			f.ReadAt(buf, off)
			sink += uint64(buf[0])
		}
		tPlain = append(tPlain, time.Since(start))
		_ = sink
	}
	report(b, "verify", tStore, tPlain, benchBytes)
	_ = xxhash.Sum64
}
