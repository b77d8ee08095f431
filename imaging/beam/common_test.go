package beam

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestCommon_LargestBeamWorks(t *testing.T) {
	beams := []Gaussian{
		{Major: 1.0 * arcsec, Minor: 0.8 * arcsec, PA: radOfDeg(10)},
		{Major: 1.2 * arcsec, Minor: 1.0 * arcsec, PA: radOfDeg(12)},
		{Major: 1.1 * arcsec, Minor: 0.9 * arcsec, PA: radOfDeg(11)},
		{},
	}
	got, err := Common(beams)
	if err != nil {
		t.Fatal(err)
	}
	if got != beams[1] {
		t.Errorf("Common = %v, want the largest beam %v", got, beams[1])
	}
}

// TestCommon_RightAngles is casacore's explicit right-angle case: the result has the two major
// axes as its axes, PA of the larger.
func TestCommon_RightAngles(t *testing.T) {
	a := Gaussian{Major: 2 * arcsec, Minor: 1 * arcsec, PA: 0}
	b := Gaussian{Major: 2 * arcsec, Minor: 1 * arcsec, PA: math.Pi / 2}
	got, err := Common([]Gaussian{a, b})
	if err != nil {
		t.Fatal(err)
	}
	want := Gaussian{Major: 2 * arcsec, Minor: 2 * arcsec, PA: 0}
	if got != want {
		t.Errorf("Common = %v, want %v", got, want)
	}
	if !CanDeconvolve(got, a) || !CanDeconvolve(got, b) {
		t.Error("beams do not deconvolve from the common beam")
	}
}

// TestCommon_Enclosing checks on random beam sets that every beam deconvolves from the result,
// that the result is about no larger than the trivial answer (the circle of the largest major
// axis: casacore's greedy recursion can exceed it by a little with three or more beams), and that
// it is close to minimal: shrinking it by 1% makes some beam fail.
func TestCommon_Enclosing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(6)
		beams := make([]Gaussian, n)
		maxMaj := 0.0
		for i := range beams {
			maj := (1 + rng.Float64()) * arcsec
			beams[i] = Gaussian{Major: maj, Minor: maj * (0.3 + 0.7*rng.Float64()), PA: NormalizePA(rng.Float64() * math.Pi)}
			maxMaj = math.Max(maxMaj, maj)
		}
		c, err := Common(append([]Gaussian(nil), beams...))
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range beams {
			if !CanDeconvolve(c, b) {
				t.Fatalf("trial %d: beam %d %v does not deconvolve from %v", trial, i, b, c)
			}
		}
		if c.Area() > (Gaussian{Major: maxMaj * 1.03, Minor: maxMaj * 1.03}).Area() {
			t.Errorf("trial %d: common %v larger than the circle of the largest major axis %v", trial, c, maxMaj)
		}
		shrunk := Gaussian{Major: c.Major * 0.99, Minor: c.Minor * 0.99, PA: c.PA}
		ok := true
		for _, b := range beams {
			if !CanDeconvolve(shrunk, b) {
				ok = false
			}
		}
		if ok {
			t.Errorf("trial %d: common beam %v is not minimal: 1%% smaller still works", trial, c)
		}
	}
}

func TestCommon_Errors(t *testing.T) {
	if _, err := Common(nil); err == nil {
		t.Error("no beams: want error")
	}
	if _, err := Common([]Gaussian{{}, {}}); err == nil {
		t.Error("null beams: want error")
	}
	if _, err := Common([]Gaussian{{Major: 1, Minor: 2}}); err == nil {
		t.Error("minor > major: want error")
	}
}
