package procstat

import (
	"os"
	"testing"
)

func TestReadMemory_GrowsWithTouchedPages(t *testing.T) {
	before, err := ReadMemory()
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		if i%4096 == 0 {
			buf[i] = 1
		}
	}
	after, err := ReadMemory()
	if err != nil {
		t.Fatal(err)
	}
	if after.VmHWM-before.VmHWM < 60<<20 && after.VmHWM < 64<<20 {
		t.Fatalf("VmHWM %d -> %d after touching 64 MiB", before.VmHWM, after.VmHWM)
	}
	if after.RssAnon <= 0 || after.VmRSS < after.RssAnon {
		t.Fatalf("implausible: %+v", after)
	}
	_ = buf[len(buf)-1]
}

func TestReadIO_CountsWrites(t *testing.T) {
	before, err := ReadIO()
	if err != nil {
		t.Skipf("no /proc/self/io: %v", err)
	}
	f, err := os.CreateTemp(t.TempDir(), "io")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	after, err := ReadIO()
	if err != nil {
		t.Fatal(err)
	}
	if d := after.WChar - before.WChar; d < 1<<20 {
		t.Fatalf("wchar grew by %d, want >= 1 MiB", d)
	}
}
