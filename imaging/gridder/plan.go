package gridder

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/cubeimg/cubeimg/imaging"
)

// Kernel selects the convolution kernel of a Plan.
type Kernel int

const (
	// KernelES is the exponential-of-semicircle kernel; support and padding are chosen from
	// Options.Epsilon by a cost model (the default).
	KernelES Kernel = iota
	// KernelCASA is CASA tclean's standard gridder: a 7 x 7 prolate spheroid tabulated at
	// oversampling 100, a padded grid of CASA's size rule (about 1.2 N) and its grid correction.
	KernelCASA
)

// String returns "es" or "casa".
func (k Kernel) String() string {
	switch k {
	case KernelES:
		return "es"
	case KernelCASA:
		return "casa"
	}
	return fmt.Sprintf("Kernel(%d)", int(k))
}

// ParseKernel parses a --kernel value: "es" (or "") or "casa".
func ParseKernel(s string) (Kernel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "es":
		return KernelES, nil
	case "casa":
		return KernelCASA, nil
	}
	return 0, fmt.Errorf("gridder: unknown kernel %q (want es or casa)", s)
}

const (
	// DefaultEpsilon is the accuracy requested when Options.Epsilon is 0.
	DefaultEpsilon = 1e-5
	// MinEpsilon is the best accuracy the single-precision grid reaches.
	MinEpsilon = 1e-6
	// MaxEpsilon is the coarsest accuracy accepted.
	MaxEpsilon = 1e-2

	maxTaps   = 16 // array bound for per-sample kernel weights
	maxESTaps = 8  // widest ES kernel used with a complex64 grid
	tileSize  = 16 // uv tile edge in grid cells (sort key and local buffer)
)

// Options configures NewPlan. The zero value (or nil) chooses the defaults.
type Options struct {
	// Kernel is KernelES (default) or KernelCASA.
	Kernel Kernel
	// Epsilon is the requested accuracy of KernelES: the largest error of a dirty image of
	// random visibilities relative to its peak. 0 means DefaultEpsilon; valid range
	// [MinEpsilon, MaxEpsilon]. Ignored by KernelCASA.
	Epsilon float64
	// SigmaMin and SigmaMax bound the padding factor tried by the cost model (KernelES).
	// 0 means 1.15 and 2.5.
	SigmaMin, SigmaMax float64
	// NVis is the expected number of samples per gridding call, used only by the cost model to
	// weigh gridding against the FFT. 0 means Nx*Ny.
	NVis int
	// Threads is the number of goroutines a call may use; 0 means runtime.GOMAXPROCS(0).
	Threads int
}

// Plan holds everything that depends only on the image geometry and the options: the kernel,
// the padded grid size and the grid-correction factors. A Plan is immutable and safe for
// concurrent use; every call takes its uv grid from the caller.
type Plan struct {
	geom    imaging.Geometry
	kind    Kernel
	w       int     // taps per axis
	nu, nv  int     // padded grid size
	eps     float64 // estimated accuracy
	uScale  float64 // grid cells per wavelength along u (nu * CellX)
	vScale  float64
	threads int
	ntu     int // tiles along u
	ntv     int

	es    *polyKernel // KernelES
	esPar esParams
	casaT []float32 // KernelCASA table
	corrX []float64 // grid correction by |pixel offset from centre|, len Nx/2+1
	corrY []float64

	evalFn   evalPolyFunc // unrolled inner loops for p.w (taps_gen.go)
	gridFn   gridAccFunc
	degridFn degridAccFunc
}

// ErrEpsilon is returned by NewPlan for an accuracy outside [MinEpsilon, MaxEpsilon].
var ErrEpsilon = errors.New("gridder: epsilon out of range")

// NewPlan returns the plan for images of geometry g.
func NewPlan(g imaging.Geometry, opts *Options) (*Plan, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if g.Nx < 2 || g.Ny < 2 {
		return nil, fmt.Errorf("gridder: image size %d x %d too small", g.Nx, g.Ny)
	}
	if !(g.CellX > 0 && g.CellY > 0) || math.IsInf(g.CellX, 0) || math.IsInf(g.CellY, 0) {
		return nil, fmt.Errorf("gridder: bad cell size %g x %g rad", g.CellX, g.CellY)
	}
	p := &Plan{geom: g, kind: o.Kernel, threads: o.Threads}
	if p.threads <= 0 {
		p.threads = runtime.GOMAXPROCS(0)
	}
	switch o.Kernel {
	case KernelES:
		if err := p.chooseES(o); err != nil {
			return nil, err
		}
	case KernelCASA:
		p.w = casaTaps
		p.nu, p.nv = casaPaddedSize(g.Nx), casaPaddedSize(g.Ny)
		p.casaT = casaKernelTable()
		p.eps = math.NaN()
	default:
		return nil, fmt.Errorf("gridder: unknown kernel %v", o.Kernel)
	}
	p.setTapFuncs()
	p.uScale = float64(p.nu) * g.CellX
	p.vScale = float64(p.nv) * g.CellY
	p.ntu = (p.nu + tileSize - 1) / tileSize
	p.ntv = (p.nv + tileSize - 1) / tileSize
	p.corrX = p.correction(g.Nx, p.nu)
	p.corrY = p.correction(g.Ny, p.nv)
	return p, nil
}

// chooseES picks (W, sigma) from the kernel table by the cost model and builds the kernel.
func (p *Plan) chooseES(o Options) error {
	eps := o.Epsilon
	if eps == 0 {
		eps = DefaultEpsilon
	}
	if !(eps >= MinEpsilon && eps <= MaxEpsilon) {
		return fmt.Errorf("%w: %g not in [%g, %g]", ErrEpsilon, eps, MinEpsilon, MaxEpsilon)
	}
	smin, smax := o.SigmaMin, o.SigmaMax
	if smin == 0 {
		smin = 1.15
	}
	if smax == 0 {
		smax = 2.5
	}
	nvis := o.NVis
	if nvis <= 0 {
		nvis = p.geom.Nx * p.geom.Ny
	}
	best := -1
	bestCost := math.Inf(1)
	var bestNu, bestNv int
	for i, e := range esKernelDB {
		if e.W > maxESTaps || e.Sigma < smin-1e-9 || e.Sigma > smax+1e-9 || e.Eps*esSafety > eps {
			continue
		}
		nu := nextEven235(int(math.Ceil(e.Sigma * float64(p.geom.Nx))))
		nv := nextEven235(int(math.Ceil(e.Sigma * float64(p.geom.Ny))))
		nu, nv = max(nu, 16), max(nv, 16)
		c := fftCost(nu, nv) + float64(nvis)*gridCost(e.W)
		if c < bestCost {
			best, bestCost, bestNu, bestNv = i, c, nu, nv
		}
	}
	if best < 0 {
		return fmt.Errorf("%w: no kernel reaches %g with sigma in [%g, %g]", ErrEpsilon, eps, smin, smax)
	}
	e := esKernelDB[best]
	p.esPar = e
	p.w = e.W
	p.nu, p.nv = bestNu, bestNv
	p.eps = e.Eps * esSafety
	phi := func(x float64) float64 { return esPhi(e.Beta, e.E0, x) }
	p.es = fitPolyKernel(e.W, polyDegree(e.W), phi)
	return nil
}

// polyDegree is the degree of the per-tap polynomials for a kernel of w taps (taps_gen.go is
// generated for it). Higher degrees do not help: the kernel's (1-x^2)^e0 edge at the outermost
// taps limits the fit, and the image error measured against a direct DFT is the same at degree
// w, w+1 or w+3 (TestKernelTable_Accuracy); w+1 keeps the inner taps within the table's
// accuracy (TestPolyKernel_Interior).
func polyDegree(w int) int { return w + 1 }

// esSafety multiplies the table's aliasing estimate (an rms ratio) to bound the largest image
// error relative to the image peak, and leaves room for the polynomial and float32 rounding.
const esSafety = 2.0

// Cost model (seconds, one core). FFT of an n-point complex64 grid: cFFT * n log2 n, between
// FFTW single precision (0.30 ns, ../shared/DESIGN.md section 4) and a plain Go radix-4 FFT
// (0.9 ns). Gridding or degridding one sorted sample with w x w taps: cVis + cTap*w*w, fitted to
// BenchmarkGridSupport (39, 45, 55, 68, 78 ns for w = 4..8 on the development machine).
// Constants, not measurements at run time: they only steer the choice of (w, sigma).
const (
	cFFT = 0.5e-9
	cVis = 25e-9
	cTap = 0.9e-9
)

func fftCost(nu, nv int) float64 {
	n := float64(nu) * float64(nv)
	return cFFT * n * math.Log2(n)
}

func gridCost(w int) float64 { return cVis + cTap*float64(w*w) }

// correction returns 1/(transform of the kernel) at pixel offsets 0..n/2 from the image
// centre for an axis of n pixels on a padded grid of ng cells.
func (p *Plan) correction(n, ng int) []float64 {
	c := make([]float64, n/2+1)
	switch p.kind {
	case KernelES:
		xi := make([]float64, len(c))
		for i := range xi {
			xi[i] = float64(i) / float64(ng)
		}
		e := p.esPar
		phi := func(x float64) float64 { return esPhi(e.Beta, e.E0, x) }
		ftEven(e.W, phi, xi, 64+4*e.W, c)
		for i := range c {
			c[i] = 1 / c[i]
		}
	case KernelCASA:
		for i := range c {
			g := grdsf(float64(i) / (float64(ng) / 2))
			if g > 1e-6 {
				c[i] = 1 / g
			}
		}
	}
	return c
}

func (p *Plan) setTapFuncs() {
	p.evalFn, p.gridFn, p.degridFn = asmTapFuncs(p.w)
	if p.evalFn == nil {
		p.evalFn, p.gridFn, p.degridFn = tapFuncs(p.w)
	}
	if p.evalFn == nil {
		p.evalFn, p.gridFn, p.degridFn = genericTapFuncs(p.w)
	}
}

// Geometry returns the image geometry of the plan.
func (p *Plan) Geometry() imaging.Geometry { return p.geom }

// Kernel returns the kernel kind.
func (p *Plan) Kernel() Kernel { return p.kind }

// GridSize returns the padded uv-grid size nu x nv.
func (p *Plan) GridSize() (nu, nv int) { return p.nu, p.nv }

// GridLen returns nu*nv, the length of the complex64 uv grid every call takes from its caller
// (8*GridLen() bytes).
func (p *Plan) GridLen() int { return p.nu * p.nv }

// Support returns the number of kernel taps per axis.
func (p *Plan) Support() int { return p.w }

// Sigma returns the padding factors nu/Nx and nv/Ny.
func (p *Plan) Sigma() (float64, float64) {
	return float64(p.nu) / float64(p.geom.Nx), float64(p.nv) / float64(p.geom.Ny)
}

// Epsilon returns the estimated accuracy of the ES kernel (NaN for KernelCASA).
func (p *Plan) Epsilon() float64 { return p.eps }

// String describes the plan for logs.
func (p *Plan) String() string {
	su, sv := p.Sigma()
	if p.kind == KernelCASA {
		return fmt.Sprintf("casa prolate spheroid W=%d grid %dx%d (sigma %.3f x %.3f)", p.w, p.nu, p.nv, su, sv)
	}
	return fmt.Sprintf("es W=%d beta=%.4g e0=%.4g poly degree %d grid %dx%d (sigma %.3f x %.3f) eps %.2g",
		p.w, p.esPar.Beta, p.esPar.E0, p.es.d, p.nu, p.nv, su, sv, p.eps)
}
