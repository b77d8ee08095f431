package weighting

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging"
)

// randomSamples returns n samples over 1.1x the density grid's uv extent (some fall outside),
// with data weights in [0.5, 1.5) and a few zero (flagged).
func randomSamples(rng *rand.Rand, g imaging.Geometry, n int) *imaging.Samples {
	s := &imaging.Samples{U: make([]float64, n), V: make([]float64, n), W: make([]float64, n),
		Vis: make([]complex64, n), Weight: make([]float32, n)}
	for i := 0; i < n; i++ {
		s.U[i] = (2*rng.Float64() - 1) * 0.55 / g.CellX
		// Crowd v towards 0 so that cells hold several samples.
		s.V[i] = (2*rng.Float64() - 1) * 0.55 / g.CellY * rng.Float64()
		s.Weight[i] = float32(0.5 + rng.Float64())
		if rng.IntN(20) == 0 {
			s.Weight[i] = 0
		}
	}
	return s
}

// bruteCell is the density cell of (u, v) by the definition in ALGORITHMS.md section 2, and
// whether it is inside (0, N) on both axes.
func bruteCell(g imaging.Geometry, u, v float64) (int, int, bool) {
	x := math.Round(u*float64(g.Nx)*g.CellX + float64(g.Nx)/2)
	y := math.Round(v*float64(g.Ny)*g.CellY + float64(g.Ny)/2)
	return int(x), int(y), x > 0 && x < float64(g.Nx) && y > 0 && y < float64(g.Ny)
}

// bruteDensity is W_k for cell (x, y): the data weight of every sample whose (u, v) or (-u, -v)
// falls in it, by a loop over the samples.
func bruteDensity(g imaging.Geometry, s *imaging.Samples, x, y int) float64 {
	var w float64
	for j := range s.U {
		if s.Weight[j] <= 0 {
			continue
		}
		for _, sg := range []float64{1, -1} {
			if cx, cy, ok := bruteCell(g, sg*s.U[j], sg*s.V[j]); ok && cx == x && cy == y {
				w += float64(s.Weight[j])
			}
		}
	}
	return w
}

// bruteWeights computes the imaging weights with loops over samples and cells, straight from
// the formulas.
func bruteWeights(g imaging.Geometry, s *imaging.Samples, p Params) []float64 {
	out := make([]float64, len(s.U))
	var sumW, sumW2 float64
	dens := make([]float64, g.Nx*g.Ny) // dens[y*Nx+x] = bruteDensity(g, s, x, y)
	if p.Scheme != Natural {
		for y := 0; y < g.Ny; y++ {
			for x := 0; x < g.Nx; x++ {
				w := bruteDensity(g, s, x, y)
				dens[y*g.Nx+x] = w
				sumW += w
				sumW2 += w * w
			}
		}
	}
	f2 := math.Pow(5*math.Pow(10, -p.Robust), 2) / (sumW2 / sumW)
	for i := range s.U {
		om := float64(s.Weight[i])
		if om <= 0 {
			continue
		}
		w := om
		if p.Scheme != Natural {
			x, y, ok := bruteCell(g, s.U[i], s.V[i])
			if !ok {
				continue
			}
			var wk float64
			for yy := y - p.NPixels; yy <= y+p.NPixels; yy++ {
				for xx := x - p.NPixels; xx <= x+p.NPixels; xx++ {
					if xx >= 0 && xx < g.Nx && yy >= 0 && yy < g.Ny {
						wk += dens[yy*g.Nx+xx]
					}
				}
			}
			switch p.Scheme {
			case Uniform:
				w = om / wk
			case Briggs:
				w = om / (1 + wk*f2)
			case BriggsBWTaper:
				r := p.FracBW * math.Sqrt(math.Pow(s.U[i]*float64(g.Nx)*g.CellX, 2)+math.Pow(s.V[i]*float64(g.Ny)*g.CellY, 2))
				m := (4 - r) / (4 - 2*r)
				if r >= 1 {
					m = r + 0.5
				}
				w = om / (1 + wk*f2/m)
			}
		}
		if t := p.Taper; t != nil {
			// Rotate (u, v) so that u' lies along the PA (east of north).
			up := s.U[i]*math.Sin(t.PA) + s.V[i]*math.Cos(t.PA)
			vp := -s.U[i]*math.Cos(t.PA) + s.V[i]*math.Sin(t.PA)
			var a, b float64
			if t.UVPlane {
				a, b = math.Ln2/(t.Major*t.Major), math.Ln2/(t.Minor*t.Minor)
			} else {
				a = math.Pi * math.Pi * t.Major * t.Major / (4 * math.Ln2)
				b = math.Pi * math.Pi * t.Minor * t.Minor / (4 * math.Ln2)
			}
			w *= math.Exp(-a*up*up - b*vp*vp)
		}
		out[i] = w
	}
	return out
}

func TestApply_MatchesBruteForce(t *testing.T) {
	g := imaging.Geometry{Nx: 40, Ny: 30, CellX: 1e-5, CellY: 2e-5}
	rng := rand.New(rand.NewPCG(1, 2))
	s := randomSamples(rng, g, 1500)
	taper := &Taper{Major: 3e-5, Minor: 1.5e-5, PA: 0.6}
	uvTaper := &Taper{Major: 0.3 / g.CellX, Minor: 0.2 / g.CellX, PA: -1.1, UVPlane: true}
	cases := []Params{
		{Scheme: Natural},
		{Scheme: Natural, Taper: taper},
		{Scheme: Uniform},
		{Scheme: Uniform, NPixels: 2},
		{Scheme: Briggs, Robust: -2},
		{Scheme: Briggs, Robust: 0},
		{Scheme: Briggs, Robust: 0.5},
		{Scheme: Briggs, Robust: 2},
		{Scheme: Briggs, Robust: 0.5, NPixels: 1, Taper: uvTaper},
		{Scheme: BriggsBWTaper, Robust: 0.5, FracBW: 0.01}, // r < 1 everywhere
		{Scheme: BriggsBWTaper, Robust: 0.5, FracBW: 0.2},  // r on both sides of 1
		{Scheme: BriggsBWTaper, Robust: -1, FracBW: 0.2, Taper: taper},
	}
	dst := make([]float32, len(s.U))
	for _, p := range cases {
		if err := Compute(dst, s, g, nil, p); err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		want := bruteWeights(g, s, p)
		var worst, nz float64
		for i := range want {
			if want[i] == 0 {
				if dst[i] != 0 {
					t.Fatalf("%v: sample %d weight %g, want 0", p.Scheme, i, dst[i])
				}
				continue
			}
			nz++
			worst = math.Max(worst, math.Abs(float64(dst[i])-want[i])/want[i])
		}
		t.Logf("%v robust %g npixels %d taper %v: %d non-zero weights, max relative error %.2g", p.Scheme, p.Robust, p.NPixels, p.Taper != nil, int(nz), worst)
		if worst > 1e-6 {
			t.Errorf("%+v: relative error %.3g > 1e-6", p, worst)
		}
		if nz < 1000 {
			t.Errorf("%+v: only %d non-zero weights", p, int(nz))
		}
	}
}

// TestBWTaperFactor_Continuous: m(r) is continuous at r = 1 with m(1) = 3/2, and m(0) = 1.
func TestBWTaperFactor_Continuous(t *testing.T) {
	if m := BWTaperFactor(0); m != 1 {
		t.Errorf("m(0) = %g", m)
	}
	if m := BWTaperFactor(1); m != 1.5 {
		t.Errorf("m(1) = %g", m)
	}
	for _, d := range []float64{1e-3, 1e-6, 1e-9} {
		lo, hi := BWTaperFactor(1-d), BWTaperFactor(1+d)
		if math.Abs(hi-lo) > 3*d {
			t.Errorf("m(1-%g) = %.12g, m(1+%g) = %.12g: jump", d, lo, d, hi)
		}
	}
	prev := BWTaperFactor(0)
	for r := 0.01; r < 3; r += 0.01 {
		m := BWTaperFactor(r)
		if m < prev {
			t.Fatalf("m decreases at r=%g", r)
		}
		prev = m
	}
}

func TestFracBW(t *testing.T) {
	// The reference job: 1000 channels of 0.2441382 MHz from 268.5 GHz (ALGORITHMS.md).
	f0 := 268.5e9
	f1 := f0 + 999*0.2441382e6
	if got := FracBW(f1, f0); math.Abs(got-9.07945e-4) > 1e-9 {
		t.Errorf("FracBW = %.9g, want 9.07945e-4", got)
	}
}

func TestValidate(t *testing.T) {
	bad := []Params{
		{Scheme: Briggs, Robust: 2.5},
		{Scheme: BriggsBWTaper, Robust: 0.5},
		{Scheme: BriggsBWTaper, Robust: 0.5, FracBW: 0.01, NPixels: 1},
		{Scheme: Uniform, NPixels: -1},
		{Scheme: Natural, Taper: &Taper{Major: 0, Minor: 1}},
		{Scheme: Scheme(9)},
	}
	for _, p := range bad {
		if err := p.Validate(); !errors.Is(err, ErrParams) {
			t.Errorf("%+v: err %v, want ErrParams", p, err)
		}
	}
	g := imaging.Geometry{Nx: 8, Ny: 8, CellX: 1, CellY: 1}
	s := &imaging.Samples{U: []float64{0}, V: []float64{0}, Vis: []complex64{1}, Weight: []float32{1}}
	if err := Apply(make([]float32, 1), s, nil, Params{Scheme: Uniform}); !errors.Is(err, ErrParams) {
		t.Errorf("uniform without density: %v", err)
	}
	for _, name := range []string{"natural", "Uniform", "briggs", "briggsbwtaper"} {
		if _, err := ParseScheme(name); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseScheme("superuniform"); err == nil {
		t.Error("superuniform parsed")
	}
	_ = g
}

// TestDensity_PerChannelVsCombined: building the density from several channels' samples (tclean
// perchanweightdensity=False) is the sum of the per-channel grids.
func TestDensity_PerChannelVsCombined(t *testing.T) {
	g := imaging.Geometry{Nx: 32, Ny: 32, CellX: 1e-5, CellY: 1e-5}
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := randomSamples(rng, g, 500), randomSamples(rng, g, 700)
	da, db, dab := NewDensity(g, nil), NewDensity(g, nil), NewDensity(g, nil)
	da.Add(a)
	db.Add(b)
	dab.Add(a)
	dab.Add(b)
	for k := range dab.Grid() {
		if d := dab.Grid()[k] - da.Grid()[k] - db.Grid()[k]; math.Abs(float64(d)) > 1e-5 {
			t.Fatalf("cell %d: combined %g != %g + %g", k, dab.Grid()[k], da.Grid()[k], db.Grid()[k])
		}
	}
	// Weights of channel a from the combined density differ from its own (the point of the option).
	wa := make([]float32, 500)
	wc := make([]float32, 500)
	Apply(wa, a, da, Params{Scheme: Briggs, Robust: 0})
	Apply(wc, a, dab, Params{Scheme: Briggs, Robust: 0})
	same := true
	for i := range wa {
		if wa[i] != wc[i] {
			same = false
		}
	}
	if same {
		t.Error("per-channel and combined densities gave identical weights")
	}
}
