package fft

// bluestein computes a length-n DFT for any n as a circular convolution of length m (a power of
// two >= 2n-1): with c[j] = exp(dir pi i j^2/n), X[k] = c[k] sum_j (x[j] c[j]) conj(c[k-j]).
// It serves line lengths with a prime factor above maxDirectRadix; it costs about three
// transforms of length m instead of one of length n.
type bluestein struct {
	n, m  int
	inner *linePlan
	// chirp[d][j] = c[j] for direction d; kern[d] = FFT_m of the conj(c) sequence, divided by m.
	chirp [2][]complex64
	kern  [2][]complex64
}

type bluesteinWork struct {
	b    int
	bufs [2][]complex64
}

func newBluestein(n int) *bluestein {
	m := 1
	for m < 2*n-1 {
		m *= 2
	}
	bs := &bluestein{n: n, m: m, inner: newLinePlan(m)}
	w := bs.inner.newWork(1)
	for d, sign := range []Direction{Forward, Backward} {
		c := make([]complex64, n)
		for j := range c {
			jj := int64(j) * int64(j) % int64(2*n)
			c[j] = complex64(root(int(jj), 2*n, sign))
		}
		bs.chirp[d] = c
		seq := w.bufs[0]
		clear(seq)
		for j := 0; j < n; j++ {
			v := conj64(c[j])
			seq[j] = v
			if j > 0 {
				seq[m-j] = v
			}
		}
		res := bs.inner.passes(w.bufs[0], w.bufs[1], 1, Forward)
		k := make([]complex64, m)
		inv := 1 / float32(m)
		for i, v := range res {
			k[i] = complex(real(v)*inv, imag(v)*inv)
		}
		bs.kern[d] = k
	}
	return bs
}

func conj64(v complex64) complex64 { return complex(real(v), -imag(v)) }

func (bs *bluestein) newWork(b int) *bluesteinWork {
	return &bluesteinWork{b: b, bufs: [2][]complex64{
		make([]complex64, bs.m*b), make([]complex64, bs.m*b),
	}}
}

// run transforms the w.b lanes of buf (length n*b) in place.
func (bs *bluestein) run(buf []complex64, w *bluesteinWork, dir Direction) {
	d := dirIndex(dir)
	b := w.b
	chirp, kern := bs.chirp[d], bs.kern[d]
	a := w.bufs[0]
	for j := 0; j < bs.n; j++ {
		cj := chirp[j]
		src := buf[j*b : j*b+b]
		dst := a[j*b : j*b+b]
		for l, v := range src {
			dst[l] = v * cj
		}
	}
	clear(a[bs.n*b:])
	f := bs.inner.passes(a, w.bufs[1], b, Forward)
	for j := 0; j < bs.m; j++ {
		kj := kern[j]
		row := f[j*b : j*b+b]
		for l := range row {
			row[l] *= kj
		}
	}
	other := w.bufs[0]
	if &f[0] == &other[0] {
		other = w.bufs[1]
	}
	g := bs.inner.passes(f, other, b, Backward)
	for j := 0; j < bs.n; j++ {
		cj := chirp[j]
		src := g[j*b : j*b+b]
		dst := buf[j*b : j*b+b]
		for l, v := range src {
			dst[l] = v * cj
		}
	}
}
