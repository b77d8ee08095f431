package automask

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

const arcsec = math.Pi / (180 * 3600)

var (
	cell   = 0.1 * arcsec
	testBm = beam.Gaussian{Major: 0.5 * arcsec, Minor: 0.4 * arcsec, PA: 0.4}
)

// noisePlane returns beam-correlated Gaussian noise of rms sigma.
func noisePlane(rng *rand.Rand, nx, ny int, sigma float64) []float32 {
	w := make([]float32, nx*ny)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	beam.Smooth(w, w, nx, ny, testBm, cell, cell, nil)
	var s2 float64
	for _, v := range w {
		s2 += float64(v) * float64(v)
	}
	k := float32(sigma / math.Sqrt(s2/float64(len(w))))
	for i := range w {
		w[i] *= k
	}
	return w
}

// addSource adds a beam-shaped source of peak amp at (x, y).
func addSource(img []float32, nx, ny, sx, sy int, amp float64) {
	a, b, c := testBm.Quadratic(cell, cell)
	for y := max(0, sy-20); y < min(ny, sy+21); y++ {
		for x := max(0, sx-20); x < min(nx, sx+21); x++ {
			dx, dy := float64(x-sx), float64(y-sy)
			img[y*nx+x] += float32(amp * math.Exp(-(a*dx*dx + b*dx*dy + c*dy*dy)))
		}
	}
}

func input(sidelobe float64, iterDone int) Input {
	return Input{Beam: testBm, CellX: cell, CellY: cell, SidelobeLevel: sidelobe, IterDone: iterDone}
}

func count(m []uint8) int {
	n := 0
	for _, v := range m {
		if v != 0 {
			n++
		}
	}
	return n
}

func TestUpdate_SourcesAndNoise(t *testing.T) {
	const nx, ny = 192, 160
	const sigma = 1e-3
	rng := rand.New(rand.NewPCG(21, 22))
	res := noisePlane(rng, nx, ny, sigma)
	srcs := []struct {
		x, y int
		snr  float64
	}{{40, 40, 30}, {120, 50, 10}, {60, 120, 7}, {150, 130, 2.5}}
	for _, s := range srcs {
		addSource(res, nx, ny, s.x, s.y, s.snr*sigma)
	}
	mask := make([]uint8, nx*ny)
	p := Defaults()
	var st State
	sc := NewScratch(nx, ny)
	r, err := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, input(0.05, 0), &p, &st, sc)
	if err != nil {
		t.Fatal(err)
	}
	// S_psf 0.05 * 3 * 30 sigma = 4.5 sigma < 5 sigma: noise-limited.
	if !r.NoiseLimited || math.Abs(float64(r.RMS)-sigma) > 0.1*sigma {
		t.Errorf("result %+v: want noise-limited, rms near %v", r, sigma)
	}
	for _, s := range srcs {
		in := mask[s.y*nx+s.x] != 0
		if s.snr > 5 && (!in || mask[s.y*nx+s.x] != Positive) {
			t.Errorf("source of %v sigma at (%d, %d) not in the positive mask", s.snr, s.x, s.y)
		}
		if s.snr < 4 && in {
			t.Errorf("source of %v sigma at (%d, %d) in the mask", s.snr, s.x, s.y)
		}
	}
	// Masked pixels lie near the sources: within a few beams.
	far := 0
	for i, v := range mask {
		if v == 0 {
			continue
		}
		x, y := i%nx, i/nx
		near := false
		for _, s := range srcs {
			if math.Hypot(float64(x-s.x), float64(y-s.y)) < 15 {
				near = true
			}
		}
		if !near {
			far++
		}
	}
	if far > 0 {
		t.Errorf("%d masked pixels far from every source", far)
	}
	if st.Flagged || r.Pixels != count(mask) || r.Regions < 3 {
		t.Errorf("state %+v result %+v", st, r)
	}

	// A higher sidelobe level makes the plane sidelobe-limited: 0.1 * 3 * 30 sigma = 9 sigma,
	// and the 7 sigma source is no longer found.
	mask2 := make([]uint8, nx*ny)
	var st2 State
	r2, _ := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask2}, input(0.1, 0), &p, &st2, sc)
	if r2.NoiseLimited || mask2[120*nx+60] != 0 || mask2[40*nx+40] == 0 {
		t.Errorf("sidelobe-limited: %+v", r2)
	}

	// The sources are cleaned: the mask keeps its pixels (masks only grow).
	before := append([]uint8(nil), mask...)
	clean := noisePlane(rng, nx, ny, sigma)
	r3, _ := Update(Plane{Nx: nx, Ny: ny, Residual: clean, Mask: mask}, input(0.05, 100), &p, &st, sc)
	for i := range mask {
		if before[i] != 0 && mask[i] == 0 {
			t.Fatalf("pixel %d left the mask", i)
		}
	}
	if r3.Pixels < r3.PrevPixels {
		t.Errorf("mask shrank: %+v", r3)
	}
}

func TestUpdate_NoiseOnlyChannelFlagged(t *testing.T) {
	const nx, ny = 128, 128
	rng := rand.New(rand.NewPCG(23, 24))
	res := noisePlane(rng, nx, ny, 2e-3)
	mask := make([]uint8, nx*ny)
	p := Defaults()
	var st State
	sc := NewScratch(nx, ny)
	r, err := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, input(0.05, 0), &p, &st, sc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pixels != 0 || !r.NoiseLimited || !r.FlaggedNow || !st.Flagged {
		t.Errorf("noise-only plane: %+v, state %+v; want an empty mask and the channel flagged", r, st)
	}
	addSource(res, nx, ny, 64, 64, 0.1)
	r, _ = Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, input(0.05, 10), &p, &st, sc)
	if !r.Skipped || count(mask) != 0 {
		t.Errorf("flagged channel: %+v; want skipped", r)
	}
}

func TestUpdate_PruneNegativeAndPB(t *testing.T) {
	const nx, ny = 128, 96
	rng := rand.New(rand.NewPCG(25, 26))
	res := noisePlane(rng, nx, ny, 1e-3)
	res[40*nx+50] = 0.05                  // a one-pixel spike: pruned
	addSource(res, nx, ny, 90, 60, -0.03) // absorption
	addSource(res, nx, ny, 40, 60, 0.03)  // emission
	addSource(res, nx, ny, 120, 10, 0.03) // emission outside the primary beam
	pb := make([]float32, nx*ny)
	for i := range pb {
		x, y := i%nx, i/nx
		pb[i] = float32(math.Exp(-(math.Pow(float64(x-64)/60, 2) + math.Pow(float64(y-48)/60, 2))))
	}
	p := Defaults()
	p.NegativeThreshold = 7
	mask := make([]uint8, nx*ny)
	var st State
	in := input(0.02, 0)
	in.PBLimit = 0.5
	r, err := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask, PB: pb}, in, &p, &st, NewScratch(nx, ny))
	if err != nil {
		t.Fatal(err)
	}
	if mask[40*nx+50] != 0 || r.Pruned < 1 {
		t.Errorf("spike: mask %d, pruned %d; want pruned", mask[40*nx+50], r.Pruned)
	}
	if mask[60*nx+90] != Other || r.NegativePixels == 0 {
		t.Errorf("absorption: mask %d, %d negative pixels; want it in the negative mask", mask[60*nx+90], r.NegativePixels)
	}
	if mask[60*nx+40] != Positive {
		t.Errorf("emission: mask %d, want Positive", mask[60*nx+40])
	}
	if mask[10*nx+120] != 0 {
		t.Error("source outside PB > pblimit is masked")
	}
	for i, v := range mask {
		if v != 0 && !(pb[i] > 0.5) {
			t.Fatalf("pixel %d masked with pb %v", i, pb[i])
		}
	}
}

// naiveDilation is CASA's binaryDilationCore loop: each pass, every pixel of value 1 inside the
// constraint sets its 4-neighbours of value 0 to 1; passes repeat while something changes, at
// most iters times; the result is multiplied by the constraint.
func naiveDilation(mask []uint8, c []bool, nx, ny, iters int) []uint8 {
	img := make([]uint8, len(mask))
	for i, v := range mask {
		if v != 0 {
			img[i] = 1
		}
	}
	for it := 0; it < iters; it++ {
		next := append([]uint8(nil), img...)
		changed := false
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				i := y*nx + x
				if img[i] != 1 || !c[i] {
					continue
				}
				for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					qx, qy := x+d[0], y+d[1]
					if qx >= 0 && qx < nx && qy >= 0 && qy < ny && img[qy*nx+qx] == 0 && next[qy*nx+qx] == 0 {
						next[qy*nx+qx] = 1
						changed = true
					}
				}
			}
		}
		img = next
		if !changed {
			break
		}
	}
	for i := range img {
		if !c[i] {
			img[i] = 0
		}
	}
	return img
}

func TestGrow_MatchesCASADilation(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	const nx, ny = 40, 31
	for trial := 0; trial < 50; trial++ {
		mask := make([]uint8, nx*ny)
		c := make([]bool, nx*ny)
		for i := range mask {
			if rng.IntN(30) == 0 {
				mask[i] = uint8(1 + rng.IntN(2))
			}
			c[i] = rng.IntN(10) < 6
		}
		iters := rng.IntN(8)
		want := naiveDilation(mask, c, nx, ny, iters)
		sc := NewScratch(nx, ny)
		g := make([]uint8, nx*ny)
		sc.grow(g, mask, nx, ny, iters, func(i int) bool { return c[i] })
		for i := range g {
			if g[i] != want[i] {
				t.Fatalf("trial %d (iters %d): pixel %d grown %d, CASA's dilation %d", trial, iters, i, g[i], want[i])
			}
		}
	}
}

func TestPrune_Regions(t *testing.T) {
	const nx, ny = 10, 6
	m := []uint8{
		1, 1, 0, 0, 0, 0, 0, 0, 1, 1,
		1, 0, 0, 1, 0, 0, 0, 0, 0, 1,
		0, 0, 1, 1, 1, 0, 0, 0, 0, 1,
		0, 0, 0, 1, 0, 0, 1, 0, 0, 0,
		0, 0, 0, 0, 0, 1, 0, 1, 0, 0, // diagonal neighbours are not connected
		1, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	}
	sc := NewScratch(nx, ny)
	regions, pruned := sc.prune(m, nx, ny, 3.5)
	// Regions: {0,1,10} 3, {8,9,19,29} 4, {13,22,23,24,33} 5, {36} 1, {45} 1, {47} 1, {50} 1, {56} 1.
	if regions != 8 || pruned != 6 {
		t.Errorf("regions %d pruned %d, want 8 and 6", regions, pruned)
	}
	if count(m) != 9 || m[8] != 1 || m[13] != 1 || m[0] != 0 {
		t.Errorf("kept %d pixels: %v", count(m), m)
	}
}

func TestUpdate_MinPercentChange(t *testing.T) {
	const nx, ny = 96, 96
	rng := rand.New(rand.NewPCG(29, 30))
	res := noisePlane(rng, nx, ny, 1e-3)
	addSource(res, nx, ny, 48, 48, 0.02)
	p := Defaults()
	p.MinPercentChange = 1
	mask := make([]uint8, nx*ny)
	var st State
	sc := NewScratch(nx, ny)
	in := input(0.01, 0)
	if _, err := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, in, &p, &st, sc); err != nil {
		t.Fatal(err)
	}
	// Same residual, cycle threshold not at the threshold: the mask does not change but the
	// channel is not flagged; once the threshold is reached it is.
	in.IterDone = 50
	p.GrowIterations = 0
	r, _ := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, in, &p, &st, sc)
	if st.Flagged || r.Pixels != r.PrevPixels {
		t.Errorf("before the threshold: %+v flagged %v", r, st.Flagged)
	}
	in.ThresholdReached = true
	r, _ = Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, in, &p, &st, sc)
	if !st.Flagged || !r.FlaggedNow || r.Pixels == 0 {
		t.Errorf("threshold reached, unchanged mask: %+v flagged %v; want flagged with its mask", r, st.Flagged)
	}
}

func TestPresets(t *testing.T) {
	p, err := Preset("alma-12m-long-cube")
	if err != nil {
		t.Fatal(err)
	}
	want := Params{SidelobeThreshold: 2.5, NoiseThreshold: 5.0, LowNoiseThreshold: 1.5, NegativeThreshold: 7.0,
		SmoothFactor: 1, MinBeamFrac: 0.3, CutThreshold: 0.01, GrowIterations: 50, DoGrowPrune: true,
		MinPercentChange: 1.0, FastNoise: true}
	if p != want {
		t.Errorf("alma-12m-long-cube = %+v, want %+v", p, want)
	}
	p, _ = Preset("ALMA-7m")
	if p.SidelobeThreshold != 1.25 || p.LowNoiseThreshold != 2.0 || p.MinBeamFrac != 0.1 || p.GrowIterations != 75 || p.FastNoise {
		t.Errorf("alma-7m = %+v", p)
	}
	p, _ = Preset(ALMA12mPreset(250, true))
	if p.NoiseThreshold != 4.25 || p.NegativeThreshold != 15 || p.GrowIterations != 50 {
		t.Errorf("short cube = %+v", p)
	}
	if ALMA12mPreset(350, false) != "alma-12m-medium-cont" || ALMA12mPreset(400, true) != "alma-12m-long-cube" {
		t.Error("ALMA12mPreset boundaries")
	}
	if _, err := Preset("vla"); err == nil {
		t.Error("unknown preset: want an error")
	}
	for _, n := range PresetNames() {
		p, _ := Preset(n)
		if err := p.Validate(); err != nil || PresetDescription(n) == "" {
			t.Errorf("preset %s: %v", n, err)
		}
	}
	if d := Defaults(); d.Validate() != nil || d.GrowIterations != 75 || d.MinPercentChange != -1 {
		t.Errorf("defaults %+v", d)
	}
}

// TestUpdate_Deterministic: the mask does not depend on the number of workers or on what the
// scratch held before.
func TestUpdate_Deterministic(t *testing.T) {
	const nx, ny = 160, 128
	rng := rand.New(rand.NewPCG(35, 36))
	res := noisePlane(rng, nx, ny, 1e-3)
	for k := 0; k < 12; k++ {
		addSource(res, nx, ny, 10+rng.IntN(nx-20), 10+rng.IntN(ny-20), 0.01+0.05*rng.Float64())
	}
	p, _ := Preset("alma-12m-long-cube")
	run := func(workers int, sc *Scratch) []uint8 {
		mask := make([]uint8, nx*ny)
		var st State
		for it := 0; it < 3; it++ {
			in := input(0.05, it*10)
			in.Workers = workers
			if _, err := Update(Plane{Nx: nx, Ny: ny, Residual: res, Mask: mask}, in, &p, &st, sc); err != nil {
				t.Fatal(err)
			}
		}
		return mask
	}
	sc := NewScratch(nx, ny)
	ref := run(1, NewScratch(nx, ny))
	for _, w := range []int{1, 2, 3} {
		got := run(w, sc)
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("workers %d (reused scratch): pixel %d = %d, want %d", w, i, got[i], ref[i])
			}
		}
	}
}
