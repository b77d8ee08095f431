package ms

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchMS   string
	benchErr  error
)

// benchMSPath simulates (once per test binary run) an ALMA-like MS with 128 channels and 20
// minutes of 6 s integrations (179k rows, 370 MB of DATA) with ../shared/tools/simulate_ms.py.
func benchMSPath(b *testing.B) string {
	b.Helper()
	tool := shareddata.Path(b, "tools/simulate_ms.py")
	if _, err := os.Stat(systemPython); err != nil {
		b.Skipf("%s is absent; cannot simulate the benchmark MS", systemPython)
	}
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "cubeimg-msbench")
		if benchErr != nil {
			return
		}
		benchMS = filepath.Join(benchDir, "bench.ms")
		out, err := exec.Command(systemPython, tool, benchMS, "--nchan", "128", "--duration", "1200",
			"--no-weight-spectrum", "--overwrite").CombinedOutput()
		if err != nil {
			benchErr = errors.New(string(out))
		}
	})
	if benchErr != nil {
		b.Skipf("simulate_ms.py failed (python-casacore missing?): %v", benchErr)
	}
	return benchMS
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// BenchmarkDATARead compares reading the DATA column through the reader (complex64 cells of
// 4096-row chunks, decoded into the caller's buffer) with reading the bytes of the file that
// holds them with plain 4 MiB ReadAt calls, in the same run, both from the page cache. It
// reports both throughputs and their ratio (reader / plain), and the throughput of full row
// chunks (ReadRows: DATA, FLAG, WEIGHT, SIGMA, UVW, TIME ...).
func BenchmarkDATARead(b *testing.B) {
	path := benchMSPath(b)
	m, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	data := m.cols.data
	nrow := m.NumRows()
	nchan, ncorr, err := m.Meta().CellShape(0)
	if err != nil {
		b.Fatal(err)
	}
	cell := nchan * ncorr
	const chunk = 4096
	buf := make([]complex64, chunk*cell)
	offs := make([]int, chunk+1)
	dataBytes := int64(nrow) * int64(cell) * 8

	// The file holding DATA (TiledColumnStMan: table.f0_TSM0).
	var dataFile string
	for _, dm := range m.Main().DataManagers() {
		for _, c := range dm.Columns {
			if c == "DATA" {
				matches, _ := filepath.Glob(filepath.Join(path, "table.f"+itoa(dm.Seq)+"_TSM*"))
				if len(matches) == 1 {
					dataFile = matches[0]
				}
			}
		}
	}
	if dataFile == "" {
		b.Fatal("cannot find the DATA file")
	}
	f, err := os.Open(dataFile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	plainBuf := make([]byte, 4<<20)
	plain := func() time.Duration {
		t0 := time.Now()
		for off := int64(0); off < st.Size(); off += int64(len(plainBuf)) {
			n := min(int64(len(plainBuf)), st.Size()-off)
			if _, err := f.ReadAt(plainBuf[:n], off); err != nil && err != io.EOF {
				b.Fatal(err)
			}
		}
		return time.Since(t0)
	}
	reader := func() time.Duration {
		t0 := time.Now()
		for row0 := 0; row0 < nrow; row0 += chunk {
			n := min(chunk, nrow-row0)
			for i := 0; i <= n; i++ {
				offs[i] = i * cell
			}
			if err := data.ReadCells(row0, offs[:n+1], buf[:n*cell], nil); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(t0)
	}
	var c vis.Chunk
	rows := func() time.Duration {
		t0 := time.Now()
		for row0 := 0; row0 < nrow; row0 += chunk {
			if err := m.ReadRows(context.Background(), row0, min(chunk, nrow-row0), &c); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(t0)
	}
	plain() // bring the file into the page cache
	reader()
	b.ResetTimer()
	var tPlain, tReader, tRows time.Duration
	for i := 0; i < b.N; i++ {
		tPlain += plain()
		tReader += reader()
		tRows += rows()
	}
	mb := func(bytes int64, d time.Duration) float64 { return float64(bytes) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mb(st.Size(), tPlain), "plain-MB/s")
	b.ReportMetric(mb(dataBytes, tReader), "DATA-MB/s")
	b.ReportMetric(mb(dataBytes, tRows), "rows-DATA-MB/s")
	b.ReportMetric(mb(dataBytes, tReader)/mb(st.Size(), tPlain), "ratio")
	b.ReportMetric(float64(dataBytes)/1e6, "DATA-MB")
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
