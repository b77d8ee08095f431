//go:build fftw && cgo

package fft

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFFTW_Wisdom: a measured plan writes the wisdom file (creating its directory), and the file
// holds FFTW single-precision wisdom.
func TestFFTW_Wisdom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache", "fftw-wisdom")
	p, err := New(48, 36, &Options{Impl: ImplFFTW, Threads: 1, Effort: EffortMeasure, WisdomFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("wisdom file not written: %v", err)
	}
	if !strings.Contains(string(b), "fftwf_wisdom") {
		t.Errorf("wisdom file %s does not hold fftwf wisdom:\n%.200s", path, b)
	}
	if DefaultImpl() != ImplFFTW {
		t.Errorf("DefaultImpl() = %q with FFTW built in, want %q", DefaultImpl(), ImplFFTW)
	}
}

// TestFFTW_Unaligned: an array not aligned like fftwf_malloc's gets its own plan and a correct
// result.
func TestFFTW_Unaligned(t *testing.T) {
	const nx, ny = 32, 16
	p := mustPlan(t, nx, ny, testOptions(ImplFFTW, 1))
	backing := make([]complex64, nx*ny+1)
	x := randomComplex(newTestRand(1), nx*ny)
	u := backing[1:]
	copy(u, x)
	p.Transform(u, Forward)
	checkRel(t, "unaligned", relErr(u, directDFT2D(x, nx, ny, Forward), nil))
}
