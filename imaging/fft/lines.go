package fft

// This file holds the pure-Go 1-D engine: batched, self-sorting (Stockham) decimation-in-frequency
// transforms of b interleaved lines. Element j of lane l sits at buf[j*b+l], so every butterfly
// works on b contiguous complex64 values that share one twiddle factor: the inner loops run over
// contiguous memory and vectorise (kernels_amd64.s) whatever the stage.

// maxDirectRadix is the largest prime factor handled by a direct radix-p stage; a line length
// with a larger prime factor goes through Bluestein's algorithm.
const maxDirectRadix = 13

// stage is one radix-p pass of a Stockham transform of length n.
//
// With l the product of the radices of the earlier stages and m = n/(l*p), the pass reads p
// blocks x[(k + t*m)*S : +S] (t = 0..p-1) for each k in 0..m-1, where S = l*b, and writes the
// p outputs, each multiplied by W^(r*k) with W = exp(dir 2 pi i/(m p)), to y[(p*k + r)*S : +S].
type stage struct {
	radix int
	l, m  int
	// tw[d][k*(radix-1) + r-1] = W^(r k) for direction d (0 forward, 1 backward).
	tw [2][]complex64
	// roots[d][t] = exp(dir 2 pi i t/radix), for the generic odd-radix butterfly.
	roots [2][]complex64
}

// linePlan is a 1-D transform of length n applied to batches of interleaved lines.
type linePlan struct {
	n      int
	stages []stage
	blue   *bluestein // non-nil when n has a prime factor above maxDirectRadix
}

func dirIndex(dir Direction) int {
	if dir == Forward {
		return 0
	}
	return 1
}

// factorize splits n into the radices of its stages. The power of two 2^e goes into radix-8
// stages (fewer passes over the strip buffers), with one or two radix-4 stages for the rest
// (2^(3a+1) = 8^(a-1) 4^2, 2^(3a+2) = 8^a 4); then come 3, 5 and other primes. It reports false if
// a prime factor exceeds maxDirectRadix.
func factorize(n int) ([]int, bool) {
	e := 0
	for n%2 == 0 {
		e++
		n /= 2
	}
	var f []int
	switch {
	case e == 1:
		f = append(f, 2)
	case e%3 == 1:
		f = append(f, 4, 4)
		e -= 4
	case e%3 == 2:
		f = append(f, 4)
		e -= 2
	}
	for ; e >= 3; e -= 3 {
		f = append([]int{8}, f...)
	}
	for p := 3; p <= maxDirectRadix && n > 1; p++ {
		for n%p == 0 {
			f = append(f, p)
			n /= p
		}
	}
	if n > 1 {
		return nil, false
	}
	return f, true
}

func newLinePlan(n int) *linePlan {
	lp := &linePlan{n: n}
	radices, ok := factorize(n)
	if !ok {
		lp.blue = newBluestein(n)
		return lp
	}
	l := 1
	for _, p := range radices {
		m := n / (l * p)
		st := stage{radix: p, l: l, m: m}
		for d, sign := range []Direction{Forward, Backward} {
			tw := make([]complex64, m*(p-1))
			for k := 0; k < m; k++ {
				for r := 1; r < p; r++ {
					tw[k*(p-1)+r-1] = complex64(root(r*k, m*p, sign))
				}
			}
			st.tw[d] = tw
			if p != 2 && p != 4 {
				roots := make([]complex64, p)
				for t := range roots {
					roots[t] = complex64(root(t, p, sign))
				}
				st.roots[d] = roots
			}
		}
		lp.stages = append(lp.stages, st)
		l *= p
	}
	return lp
}

// lineWork is the per-goroutine scratch of a linePlan for batches of b lanes.
type lineWork struct {
	b    int
	bufs [2][]complex64
	blue *bluesteinWork
}

func (lp *linePlan) newWork(b int) *lineWork {
	w := &lineWork{b: b}
	if lp.blue != nil {
		w.blue = lp.blue.newWork(b)
	}
	w.bufs[0] = make([]complex64, lp.n*b)
	w.bufs[1] = make([]complex64, lp.n*b)
	return w
}

// run transforms the b lanes held in w.bufs[0] and returns the buffer holding the result
// (w.bufs[0] or w.bufs[1]).
func (lp *linePlan) run(w *lineWork, dir Direction) []complex64 {
	if lp.blue != nil {
		lp.blue.run(w.bufs[0], w.blue, dir)
		return w.bufs[0]
	}
	return lp.passes(w.bufs[0], w.bufs[1], w.b, dir)
}

// passes runs the Stockham stages on x with y as the second buffer and returns the one holding the
// result.
func (lp *linePlan) passes(x, y []complex64, b int, dir Direction) []complex64 {
	d := dirIndex(dir)
	n := lp.n
	x, y = x[:n*b], y[:n*b]
	for i := range lp.stages {
		st := &lp.stages[i]
		s := st.l * b
		switch st.radix {
		case 8:
			pass8(y, x, st.tw[d], s, st.m, dir)
		case 4:
			pass4(y, x, st.tw[d], s, st.m, dir)
		case 2:
			pass2(y, x, st.tw[d], s, st.m)
		case 3:
			pass3(y, x, st.tw[d], s, st.m, dir)
		case 5:
			pass5(y, x, st.tw[d], s, st.m, dir)
		default:
			passGeneric(y, x, st.tw[d], st.roots[d], st.radix, s, st.m)
		}
		x, y = y, x
	}
	return x
}
