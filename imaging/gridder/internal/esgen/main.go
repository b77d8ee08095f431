// Command esgen derives the exponential-of-semicircle (ES) kernel parameters used by the gridder
// and writes them as a Go table (kerneldb.go in package gridder).
//
// The kernel on the support [-W/2, W/2] grid cells is phi(x) = exp(beta*((1-x^2)^e0 - 1)), x the
// offset over W/2. For each support W and padding factor sigma it finds (beta, e0) minimising the
// aliasing error of the gridded, FFT'd and grid-corrected image,
//
//	eps(W, sigma) = max over |xi| <= 1/(2 sigma) of sqrt(sum_{m != 0} phihat(xi+m)^2) / phihat(xi),
//
// with phihat the continuous Fourier transform of phi (xi in cycles per grid cell) computed by
// Gauss-Legendre quadrature. For random visibilities this is the rms error of an image pixel at
// frequency xi relative to the rms image, so the largest image error relative to the image peak
// is about eps. The minimisation is a Nelder-Mead search in (beta/W, e0).
//
// Run with `go generate ./imaging/gridder` (a minute or so on one core).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"math"
	"os"
	"sort"

	"github.com/cubeimg/cubeimg/imaging/gridder/internal/quad"
)

const (
	nNodes  = 1024 // quadrature nodes on [0, 1]
	nXi     = 41   // samples of xi in [0, 1/(2 sigma)]
	nAlias  = 8    // aliases m = ±1..±nAlias
	minW    = 4
	maxW    = 10
	sigmaLo = 1.15
	sigmaHi = 2.50
	sigmaSt = 0.05
)

type problem struct {
	w      int
	x, wt  []float64   // quadrature
	cosTab [][]float64 // [freq][node] cos(pi W xi x) * wt
	nXi    int
}

func newProblem(w int, sigma float64, x, wt []float64) *problem {
	p := &problem{w: w, x: x, wt: wt, nXi: nXi}
	for i := 0; i < nXi; i++ {
		xi0 := float64(i) / float64(nXi-1) / (2 * sigma)
		for m := -nAlias; m <= nAlias; m++ {
			xi := xi0 + float64(m)
			row := make([]float64, len(x))
			for k := range x {
				row[k] = math.Cos(math.Pi*float64(w)*xi*x[k]) * wt[k]
			}
			p.cosTab = append(p.cosTab, row)
		}
	}
	return p
}

// eps returns the aliasing error estimate for (beta, e0).
func (p *problem) eps(beta, e0 float64, phi []float64) float64 {
	for k, x := range p.x {
		phi[k] = math.Exp(beta * (math.Pow(1-x*x, e0) - 1))
	}
	worst := 0.0
	per := 2*nAlias + 1
	for i := 0; i < p.nXi; i++ {
		var main, alias float64
		for m := 0; m < per; m++ {
			row := p.cosTab[i*per+m]
			var s float64
			for k, c := range row {
				s += c * phi[k]
			}
			if m == nAlias {
				main = s
			} else {
				alias += s * s
			}
		}
		if main <= 0 {
			return math.Inf(1)
		}
		if e := math.Sqrt(alias) / main; e > worst {
			worst = e
		}
	}
	return worst
}

// nelderMead minimises f over 2 parameters from start with initial step sizes.
func nelderMead(f func([2]float64) float64, start, step [2]float64, iters int) ([2]float64, float64) {
	type vert struct {
		p [2]float64
		v float64
	}
	s := []vert{{start, f(start)}}
	for d := 0; d < 2; d++ {
		q := start
		q[d] += step[d]
		s = append(s, vert{q, f(q)})
	}
	for it := 0; it < iters; it++ {
		sort.Slice(s, func(i, j int) bool { return s[i].v < s[j].v })
		var c [2]float64
		for d := 0; d < 2; d++ {
			c[d] = (s[0].p[d] + s[1].p[d]) / 2
		}
		at := func(t float64) [2]float64 {
			var q [2]float64
			for d := 0; d < 2; d++ {
				q[d] = c[d] + t*(s[2].p[d]-c[d])
			}
			return q
		}
		r := at(-1)
		fr := f(r)
		switch {
		case fr < s[0].v:
			e := at(-2)
			if fe := f(e); fe < fr {
				s[2] = vert{e, fe}
			} else {
				s[2] = vert{r, fr}
			}
		case fr < s[1].v:
			s[2] = vert{r, fr}
		default:
			k := at(0.5)
			if fr < s[2].v {
				k = at(-0.5)
			}
			if fk := f(k); fk < math.Min(fr, s[2].v) {
				s[2] = vert{k, fk}
			} else {
				for i := 1; i < 3; i++ {
					for d := 0; d < 2; d++ {
						s[i].p[d] = s[0].p[d] + 0.5*(s[i].p[d]-s[0].p[d])
					}
					s[i].v = f(s[i].p)
				}
			}
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].v < s[j].v })
	return s[0].p, s[0].v
}

type entry struct {
	w                  int
	sigma, beta, e0, e float64
}

func main() {
	out := flag.String("o", "kerneldb.go", "output file")
	flag.Parse()
	x, wt := quad.HalfRule(nNodes)
	phi := make([]float64, len(x))
	var entries []entry
	prevB, prevE0 := 2.3, 0.5
	for w := minW; w <= maxW; w++ {
		for is := 0; ; is++ {
			sigma := sigmaLo + sigmaSt*float64(is)
			if sigma > sigmaHi+1e-9 {
				break
			}
			sigma = math.Round(sigma*100) / 100
			p := newProblem(w, sigma, x, wt)
			f := func(q [2]float64) float64 {
				b, e0 := q[0], q[1]
				if b < 0.5 || b > 4 || e0 < 0.3 || e0 > 1 {
					return 1e30
				}
				return math.Log(p.eps(b*float64(w), e0, phi))
			}
			// Two starts: the previous optimum and the paper's ES point.
			best, bestV := nelderMead(f, [2]float64{prevB, prevE0}, [2]float64{0.1, 0.05}, 120)
			if q, v := nelderMead(f, [2]float64{2.3, 0.5}, [2]float64{0.1, 0.05}, 120); v < bestV {
				best, bestV = q, v
			}
			prevB, prevE0 = best[0], best[1]
			e := entry{w, sigma, best[0] * float64(w), best[1], math.Exp(bestV)}
			log.Printf("W=%2d sigma=%.2f beta=%.6f e0=%.6f eps=%.3e", w, sigma, e.beta, e.e0, e.e)
			entries = append(entries, e)
		}
		prevB, prevE0 = 2.3, 0.5
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/esgen (go generate); DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package gridder\n\n")
	fmt.Fprintf(&b, "// esKernelDB lists, per support W and padding factor sigma, the ES kernel shape (beta, e0)\n")
	fmt.Fprintf(&b, "// minimising the aliasing error, and that error (see internal/esgen).\n")
	fmt.Fprintf(&b, "var esKernelDB = []esParams{\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "\t{W: %d, Sigma: %.2f, Beta: %.10g, E0: %.10g, Eps: %.4g},\n", e.w, e.sigma, e.beta, e.e0, e.e)
	}
	fmt.Fprintf(&b, "}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("format generated source: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("write %s: %v", *out, err)
	}
}
