//go:build fftw && cgo

// Package fftw is the cgo binding to FFTW3 single precision (libfftw3f, libfftw3f_threads) used by
// package fft: planning, a process-wide plan cache, wisdom files and execution. It lives in its own
// package because a package using cgo cannot hold Go assembly.
//
// FFTW's planner is process-wide state inside FFTW: every call that creates a plan or touches
// wisdom holds one lock. Plans are cached by shape for the life of the process (executing a plan
// is thread-safe), so each shape is planned once per process, and wisdom makes that planning fast
// in later processes.
package fftw

/*
#cgo LDFLAGS: -lfftw3f_threads -lfftw3f -lm -lpthread
#include <stdlib.h>
#include <fftw3.h>

static fftwf_plan plan_lines(int n, int lanes, fftwf_complex *buf, int sign, unsigned flags) {
	return fftwf_plan_many_dft(1, &n, lanes, buf, NULL, lanes, 1, buf, NULL, lanes, 1, sign, flags);
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unsafe"
)

// Effort is the planner's rigour.
type Effort int

const (
	Measure Effort = iota
	Estimate
	Patient
)

// Key identifies a plan: an in-place transform of either a ny x nx array (Lines false: N0 = ny,
// N1 = nx) or Lanes interleaved lines of length N0 (Lines true: element j of lane l at
// j*N1 + l). Sign is -1 (forward) or +1.
type Key struct {
	Lines     bool
	N0, N1    int
	Sign      int
	Threads   int
	Effort    Effort
	Unaligned bool // for arrays not aligned like fftwf_malloc's
}

// Plan is an FFTW plan; it is never destroyed (see the package doc).
type Plan struct{ p C.fftwf_plan }

var planner = struct {
	mu      sync.Mutex
	threads bool            // fftwf_init_threads done
	wisdom  map[string]bool // wisdom files already imported: whether FFTW accepted them
	plans   map[Key]Plan
}{wisdom: map[string]bool{}, plans: map[Key]Plan{}}

func flags(k Key) C.uint {
	var f C.uint
	switch k.Effort {
	case Estimate:
		f = C.FFTW_ESTIMATE
	case Patient:
		f = C.FFTW_PATIENT
	default:
		f = C.FFTW_MEASURE
	}
	if k.Unaligned {
		f |= C.FFTW_UNALIGNED
	}
	return f
}

// Get returns the cached plan for k, planning it if needed. wisdom is a wisdom file read before
// the first planning in the process and rewritten after every measured plan ("" for none).
func Get(k Key, wisdom string) (Plan, error) {
	planner.mu.Lock()
	defer planner.mu.Unlock()
	if p, ok := planner.plans[k]; ok {
		return p, nil
	}
	// Threads first: fftwf_init_threads registers the threaded solvers, and wisdom that names a
	// solver FFTW does not know yet is rejected as a whole (fftwf_import_wisdom returns 0).
	if !planner.threads {
		if C.fftwf_init_threads() == 0 {
			return Plan{}, fmt.Errorf("fftw: fftwf_init_threads failed")
		}
		planner.threads = true
	}
	if _, done := planner.wisdom[wisdom]; wisdom != "" && !done {
		cpath := C.CString(wisdom)
		// A missing or stale file only costs planning time.
		planner.wisdom[wisdom] = C.fftwf_import_wisdom_from_filename(cpath) != 0
		C.free(unsafe.Pointer(cpath))
	}
	size := k.N0 * k.N1
	mem := C.fftwf_malloc(C.size_t(size*8 + 8))
	if mem == nil {
		return Plan{}, fmt.Errorf("fftw: fftwf_malloc of %d bytes for planning failed", size*8)
	}
	defer C.fftwf_free(mem)
	buf := (*C.fftwf_complex)(mem)
	if k.Unaligned {
		buf = (*C.fftwf_complex)(unsafe.Add(mem, 8))
	}
	C.fftwf_plan_with_nthreads(C.int(max(k.Threads, 1)))
	var p C.fftwf_plan
	if k.Lines {
		p = C.plan_lines(C.int(k.N0), C.int(k.N1), buf, C.int(k.Sign), flags(k))
	} else {
		p = C.fftwf_plan_dft_2d(C.int(k.N0), C.int(k.N1), buf, buf, C.int(k.Sign), flags(k))
	}
	if p == nil {
		return Plan{}, fmt.Errorf("fftw: cannot plan %+v", k)
	}
	planner.plans[k] = Plan{p}
	if wisdom != "" && k.Effort != Estimate {
		saveWisdom(wisdom)
	}
	return Plan{p}, nil
}

// WisdomLoaded reports whether FFTW accepted the wisdom file path when this process first planned
// with it.
func WisdomLoaded(path string) bool {
	planner.mu.Lock()
	defer planner.mu.Unlock()
	return planner.wisdom[path]
}

// saveWisdom writes FFTW's accumulated wisdom to path through a temporary file and a rename, so
// concurrent processes never read a partial file. It is best effort: a cache directory that
// cannot be written costs planning time in the next run, nothing else.
func saveWisdom(path string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	ctmp := C.CString(tmp)
	ok := C.fftwf_export_wisdom_to_filename(ctmp) != 0
	C.free(unsafe.Pointer(ctmp))
	if !ok || os.Rename(tmp, path) != nil {
		os.Remove(tmp)
	}
}

// Execute runs p in place on data, which must have the plan's size and, unless the plan is
// Unaligned, be Aligned.
func (p Plan) Execute(data []complex64) {
	ptr := (*C.fftwf_complex)(unsafe.Pointer(&data[0]))
	C.fftwf_execute_dft(p.p, ptr, ptr)
}

// Aligned reports whether data starts at FFTW's SIMD alignment.
func Aligned(data []complex64) bool {
	return C.fftwf_alignment_of((*C.float)(unsafe.Pointer(&data[0]))) == 0
}

// Buffer is memory from fftwf_malloc (SIMD-aligned, outside the Go heap).
type Buffer struct {
	mem  unsafe.Pointer
	Data []complex64
}

// Alloc returns a buffer of n complex64, or an error when memory runs out.
func Alloc(n int) (*Buffer, error) {
	mem := C.fftwf_malloc(C.size_t(n * 8))
	if mem == nil {
		return nil, fmt.Errorf("fftw: fftwf_malloc of %d bytes failed", n*8)
	}
	return &Buffer{mem: mem, Data: unsafe.Slice((*complex64)(mem), n)}, nil
}

// Free releases b; b.Data must not be used afterwards.
func (b *Buffer) Free() {
	if b.mem != nil {
		C.fftwf_free(b.mem)
		b.mem, b.Data = nil, nil
	}
}
