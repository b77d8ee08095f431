//go:build fftw && cgo

package fftw

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// wisdomKey is a small threaded plan measured by the wisdom test.
var wisdomKey = Key{N0: 96, N1: 80, Sign: -1, Threads: 2, Effort: Measure}

// TestWisdomReadByNextProcess plans with FFTW_MEASURE and a wisdom file in this process, then
// checks that a new process (this test binary, running TestWisdomChild) accepts the file when it
// plans the same transform: a process reads wisdom only once, before its first plan, so only a
// fresh process shows whether the file can be read back (it could not while wisdom was imported
// before fftwf_init_threads, and every run planned its transforms again: 48 s at 5760^2).
func TestWisdomReadByNextProcess(t *testing.T) {
	if os.Getenv("CUBEIMG_FFTW_WISDOM_CHILD") != "" {
		t.Skip("child process")
	}
	path := filepath.Join(t.TempDir(), "wisdom")
	if _, err := Get(wisdomKey, path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no wisdom file written: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWisdomChild$", "-test.v")
	cmd.Env = append(os.Environ(), "CUBEIMG_FFTW_WISDOM_CHILD="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("a new process did not accept the wisdom file: %v\n%s", err, out)
	}
}

// TestWisdomChild is the new process of TestWisdomReadByNextProcess.
func TestWisdomChild(t *testing.T) {
	path := os.Getenv("CUBEIMG_FFTW_WISDOM_CHILD")
	if path == "" {
		t.Skip("run by TestWisdomReadByNextProcess")
	}
	if _, err := Get(wisdomKey, path); err != nil {
		t.Fatal(err)
	}
	if !WisdomLoaded(path) {
		t.Fatalf("FFTW rejected the wisdom file %s", path)
	}
}
