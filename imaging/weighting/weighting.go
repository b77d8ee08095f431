package weighting

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/cubeimg/cubeimg/imaging"
)

// Scheme is a tclean weighting scheme.
type Scheme int

const (
	// Natural weighting: w = data weight.
	Natural Scheme = iota
	// Uniform weighting: w = data weight / gridded density.
	Uniform
	// Briggs weighting (rmode 'norm') with a robust parameter.
	Briggs
	// BriggsBWTaper is Briggs weighting with CASA's bandwidth taper (CAS-13021) for cubes.
	BriggsBWTaper
)

// String returns the tclean name of the scheme.
func (s Scheme) String() string {
	switch s {
	case Natural:
		return "natural"
	case Uniform:
		return "uniform"
	case Briggs:
		return "briggs"
	case BriggsBWTaper:
		return "briggsbwtaper"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// ParseScheme parses a tclean weighting name.
func ParseScheme(s string) (Scheme, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "natural":
		return Natural, nil
	case "uniform":
		return Uniform, nil
	case "briggs":
		return Briggs, nil
	case "briggsbwtaper":
		return BriggsBWTaper, nil
	}
	return 0, fmt.Errorf("weighting: unknown scheme %q (want natural, uniform, briggs or briggsbwtaper)", s)
}

// Taper is tclean's Gaussian uvtaper, applied after the density weighting.
type Taper struct {
	// Major and Minor are the taper widths: image-plane FWHM in radians, or, with UVPlane,
	// uv-plane HWHM in wavelengths.
	Major, Minor float64
	// PA is the position angle of the major axis, radians east of north.
	PA float64
	// UVPlane says Major and Minor are uv-plane HWHM in wavelengths.
	UVPlane bool
}

// coefficients returns a, b of exp(-(a u'^2 + b v'^2)) (ALGORITHMS.md section 2).
func (t *Taper) coefficients() (a, b float64) {
	f := func(x float64) float64 {
		if t.UVPlane {
			return math.Ln2 / (x * x)
		}
		return math.Pi * math.Pi * x * x / (4 * math.Ln2)
	}
	return f(t.Major), f(t.Minor)
}

// Factor returns the taper's multiplier for a sample at (u, v) wavelengths: exp(-(a u'^2 + b
// v'^2)), with u' the projection of (u, v) (u east, v north) on the direction at PA east of
// north and v' the perpendicular one.
func (t *Taper) Factor(u, v float64) float64 {
	a, b := t.coefficients()
	s, c := math.Sincos(t.PA)
	ru := s*u + c*v
	rv := -c*u + s*v
	return math.Exp(-(a*ru*ru + b*rv*rv))
}

// Params selects the weighting.
type Params struct {
	Scheme Scheme
	// Robust is Briggs' robustness R, in [-2, 2] (Briggs and BriggsBWTaper).
	Robust float64
	// NPixels sums the density over a (2*NPixels+1)^2 box of cells around each sample's cell
	// (tclean npixels; 0 is the sample's own cell). Uniform and Briggs only.
	NPixels int
	// FracBW is the fractional bandwidth 2(nu_max - nu_min)/(nu_max + nu_min) of the whole cube,
	// from its first and last channel frequencies: one value for every channel and worker
	// (BriggsBWTaper; must be > 0). See FracBW.
	FracBW float64
	// Taper is an optional uvtaper.
	Taper *Taper
	// Rule is how samples are binned into density cells (Compute): DensityCASA, the default,
	// as ALGORITHMS.md section 2; DensityWSClean, WSClean 3's binning, for comparisons with it.
	Rule DensityRule
}

// DensityRule says how the density grid bins samples.
type DensityRule int

const (
	// DensityCASA: uv cell 1/(N cell) of the unpadded image, nearest cell, each sample at (u, v)
	// and (-u, -v) (CASA tclean; the default).
	DensityCASA DensityRule = iota
	// DensityWSClean: uv cell of the image padded by WSClean's default 1.2 (an even size), the
	// cell below (floor), each sample once on the half plane v >= 0 (WSClean 3's briggs and
	// uniform weighting). Provided to compare with WSClean; it gives other weights than CASA.
	DensityWSClean
)

// ParseDensityRule parses "casa" (or "") and "wsclean".
func ParseDensityRule(s string) (DensityRule, error) {
	switch strings.ToLower(s) {
	case "", "casa":
		return DensityCASA, nil
	case "wsclean":
		return DensityWSClean, nil
	}
	return 0, fmt.Errorf("%w: density rule %q (want casa or wsclean)", ErrParams, s)
}

// wscleanPadding is WSClean's default -padding.
const wscleanPadding = 1.2

// ErrParams is wrapped by the errors for invalid Params.
var ErrParams = errors.New("weighting: invalid parameters")

// Validate checks p.
func (p *Params) Validate() error {
	switch p.Scheme {
	case Natural, Uniform, Briggs, BriggsBWTaper:
	default:
		return fmt.Errorf("%w: unknown scheme %v", ErrParams, p.Scheme)
	}
	if (p.Scheme == Briggs || p.Scheme == BriggsBWTaper) && !(p.Robust >= -2 && p.Robust <= 2) {
		return fmt.Errorf("%w: robust %g not in [-2, 2]", ErrParams, p.Robust)
	}
	if p.NPixels < 0 {
		return fmt.Errorf("%w: npixels %d < 0", ErrParams, p.NPixels)
	}
	if p.Rule == DensityWSClean && (p.NPixels != 0 || p.Scheme == BriggsBWTaper) {
		return fmt.Errorf("%w: the wsclean density rule has no npixels and no briggsbwtaper", ErrParams)
	}
	if p.Scheme == BriggsBWTaper {
		if !(p.FracBW > 0) || math.IsInf(p.FracBW, 0) {
			return fmt.Errorf("%w: briggsbwtaper needs the cube's fractional bandwidth > 0, got %g", ErrParams, p.FracBW)
		}
		if p.NPixels != 0 {
			return fmt.Errorf("%w: briggsbwtaper needs npixels = 0, got %d", ErrParams, p.NPixels)
		}
	}
	if t := p.Taper; t != nil {
		if !(t.Major > 0 && t.Minor > 0) || math.IsInf(t.Major, 0) || math.IsInf(t.Minor, 0) || math.IsNaN(t.PA) {
			return fmt.Errorf("%w: uvtaper %g x %g at PA %g", ErrParams, t.Major, t.Minor, t.PA)
		}
	}
	return nil
}

// FracBW returns 2(nuMax - nuMin)/(nuMax + nuMin) for the first and last channel frequencies of
// the whole cube (in any order), as CASA's briggsbwtaper takes it.
func FracBW(f1, f2 float64) float64 {
	lo, hi := math.Min(f1, f2), math.Max(f1, f2)
	if !(lo > 0) {
		return 0
	}
	return 2 * (hi - lo) / (hi + lo)
}

// BWTaperFactor is briggsbwtaper's m(r) for r = fracBW times the uv distance in density cells:
// r + 1/2 for r >= 1, (4 - r)/(4 - 2r) below (continuous: m(0) = 1, m(1) = 3/2).
func BWTaperFactor(r float64) float64 {
	if r >= 1 {
		return r + 0.5
	}
	return (4 - r) / (4 - 2*r)
}

// Density is the gridded data weight W_k on the Nx x Ny density grid of an image geometry: uv
// cell 1/(N cell) (the unpadded image's), each sample deposited at (u, v) and at (-u, -v) in
// cell (round(u Nx CellX + Nx/2), round(v Ny CellY + Ny/2)). Cells on the grid's first row or
// column and outside it take nothing. Which samples go in is the caller's choice: one output
// channel's (tclean perchanweightdensity=True) or all channels' (False).
type Density struct {
	g    imaging.Geometry
	grid []float32
	rule DensityRule
	n    int // DensityWSClean: the padded size; the grid is n x n/2
}

// DensityLen returns the number of float32 cells of the density grid of g (Nx*Ny).
func DensityLen(g imaging.Geometry) int { return g.Nx * g.Ny }

// NewDensity returns an empty density grid for g held in buf (len DensityLen(g); nil
// allocates). buf is cleared.
func NewDensity(g imaging.Geometry, buf []float32) *Density {
	if g.Nx < 2 || g.Ny < 2 || !(g.CellX > 0 && g.CellY > 0) {
		panic("weighting: bad geometry")
	}
	if buf == nil {
		buf = make([]float32, DensityLen(g))
	}
	if len(buf) != DensityLen(g) {
		panic("weighting: density buffer length does not match the geometry")
	}
	clear(buf)
	return &Density{g: g, grid: buf}
}

// NewDensityRule is NewDensity with a binning rule other than CASA's.
func NewDensityRule(g imaging.Geometry, buf []float32, rule DensityRule) *Density {
	d := NewDensity(g, buf)
	if rule == DensityWSClean {
		n := int(math.Round(wscleanPadding * float64(g.Nx)))
		if n%2 != 0 {
			n++
		}
		if n*(n/2) > len(d.grid) {
			panic("weighting: density buffer too small for the wsclean rule")
		}
		d.rule, d.n, d.grid = rule, n, d.grid[:n*(n/2)]
	}
	return d
}

// Grid returns the density cells (row-major, v along rows), sharing memory with d.
func (d *Density) Grid() []float32 { return d.grid }

// Reset clears the grid.
func (d *Density) Reset() { clear(d.grid) }

// cell returns the density cell of (u, v) and whether it is inside (0, N) on both axes.
func (d *Density) cell(u, v float64) (int, int, bool) {
	if d.rule == DensityWSClean {
		if v < 0 {
			u, v = -u, -v
		}
		n := d.n
		x := math.Floor(u*float64(n)*d.g.CellX + float64(n/2))
		y := math.Floor(v * float64(n) * d.g.CellY)
		if !(x >= 0 && x < float64(n) && y < float64(n/2)) {
			return 0, 0, false
		}
		return int(x), int(y), true
	}
	x := math.Round(u*float64(d.g.Nx)*d.g.CellX + float64(d.g.Nx)/2)
	y := math.Round(v*float64(d.g.Ny)*d.g.CellY + float64(d.g.Ny)/2)
	if !(x > 0 && x < float64(d.g.Nx) && y > 0 && y < float64(d.g.Ny)) {
		return 0, 0, false
	}
	return int(x), int(y), true
}

// Add deposits the data weights s.Weight of the samples of s at (u, v) and (-u, -v).
func (d *Density) Add(s *imaging.Samples) {
	checkSamples(s)
	nx := d.g.Nx
	for i, w := range s.Weight {
		if !(w > 0) || math.IsInf(float64(w), 0) {
			continue
		}
		u, v := s.U[i], s.V[i]
		if d.rule == DensityWSClean {
			if x, y, ok := d.cell(u, v); ok {
				d.grid[y*d.n+x] += w
			}
			continue
		}
		if x, y, ok := d.cell(u, v); ok {
			d.grid[y*nx+x] += w
		}
		if x, y, ok := d.cell(-u, -v); ok {
			d.grid[y*nx+x] += w
		}
	}
}

// sums returns sum_k W_k and sum_k W_k^2.
func (d *Density) sums() (s1, s2 float64) {
	for _, w := range d.grid {
		if w > 0 {
			s1 += float64(w)
			s2 += float64(w) * float64(w)
		}
	}
	return s1, s2
}

// at returns the density of cell (x, y), summed over the (2n+1)^2 box around it.
func (d *Density) at(x, y, n int) float64 {
	if d.rule == DensityWSClean {
		return float64(d.grid[y*d.n+x])
	}
	nx := d.g.Nx
	if n == 0 {
		return float64(d.grid[y*nx+x])
	}
	var s float64
	for yy := max(y-n, 0); yy <= min(y+n, d.g.Ny-1); yy++ {
		row := d.grid[yy*nx : (yy+1)*nx]
		for xx := max(x-n, 0); xx <= min(x+n, nx-1); xx++ {
			s += float64(row[xx])
		}
	}
	return s
}

// BriggsF2 returns Briggs' f^2 = (5 10^-R)^2 sum_k W_k / sum_k W_k^2 on the density grid
// (0 for an empty grid).
func (d *Density) BriggsF2(robust float64) float64 {
	s1, s2 := d.sums()
	if s2 == 0 {
		return 0
	}
	a := 5 * math.Pow(10, -robust)
	return a * a * s1 / s2
}

func checkSamples(s *imaging.Samples) {
	n := len(s.Weight)
	if len(s.U) != n || len(s.V) != n {
		panic("weighting: Samples slices differ in length")
	}
}

// Apply writes into dst (len s.Len()) the imaging weights of the samples of s from their data
// weights s.Weight, per ALGORITHMS.md section 2:
//
//	natural:       w = ω
//	uniform:       w = ω / W_k
//	briggs:        w = ω / (1 + W_k f²)
//	briggsbwtaper: w = ω / (1 + W_k f² / m(r)),  r = FracBW sqrt(u_c² + v_c²)
//
// then times the uvtaper. W_k is d's density at the sample's cell (box-summed for NPixels > 0)
// and f² = d.BriggsF2(Robust); samples outside the density grid get 0 under the density
// schemes. d may be nil for Natural. Zero data weights give zero imaging weights.
func Apply(dst []float32, s *imaging.Samples, d *Density, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	checkSamples(s)
	if len(dst) != len(s.Weight) {
		panic("weighting: dst and samples differ in length")
	}
	if p.Scheme != Natural && d == nil {
		return fmt.Errorf("%w: %v weighting needs a density grid", ErrParams, p.Scheme)
	}
	var f2 float64
	if p.Scheme == Briggs || p.Scheme == BriggsBWTaper {
		f2 = d.BriggsF2(p.Robust)
	}
	var ta, tb, ts, tc float64
	if p.Taper != nil {
		ta, tb = p.Taper.coefficients()
		ts, tc = math.Sincos(p.Taper.PA)
	}
	for i, w := range s.Weight {
		if !(w > 0) || math.IsInf(float64(w), 0) {
			dst[i] = 0
			continue
		}
		u, v := s.U[i], s.V[i]
		out := float64(w)
		if p.Scheme != Natural {
			x, y, ok := d.cell(u, v)
			if !ok {
				dst[i] = 0
				continue
			}
			wk := d.at(x, y, p.NPixels)
			switch p.Scheme {
			case Uniform:
				out /= wk
			case Briggs:
				out /= 1 + wk*f2
			case BriggsBWTaper:
				uc := u * float64(d.g.Nx) * d.g.CellX
				vc := v * float64(d.g.Ny) * d.g.CellY
				m := BWTaperFactor(p.FracBW * math.Hypot(uc, vc))
				out /= 1 + wk*f2/m
			}
		}
		if p.Taper != nil {
			ru := ts*u + tc*v
			rv := -tc*u + ts*v
			out *= math.Exp(-(ta*ru*ru + tb*rv*rv))
		}
		dst[i] = float32(out)
	}
	return nil
}

// Compute is Apply with the density built from s itself (tclean perchanweightdensity=True when
// s is one output channel's samples). buf (len DensityLen(g), or nil to allocate) holds the
// density grid; it is not needed for Natural.
func Compute(dst []float32, s *imaging.Samples, g imaging.Geometry, buf []float32, p Params) error {
	if p.Scheme == Natural {
		return Apply(dst, s, nil, p)
	}
	d := NewDensityRule(g, buf, p.Rule)
	d.Add(s)
	return Apply(dst, s, d, p)
}
