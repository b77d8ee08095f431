package fft

import "math"

// The Stockham passes. See stage for the index convention; s is the block length (l times the
// number of lanes) and m the number of twiddle groups. pass4 and pass2 have assembly versions on
// amd64 (kernels_amd64.go); the functions here are the portable ones.

// mulI returns i*v.
func mulI(v complex64) complex64 { return complex(-imag(v), real(v)) }

func pass4Go(y, x, tw []complex64, s, m int, dir Direction) {
	for k := 0; k < m; k++ {
		w1, w2, w3 := tw[3*k], tw[3*k+1], tw[3*k+2]
		a := x[k*s : k*s+s]
		b := x[(k+m)*s : (k+m)*s+s]
		c := x[(k+2*m)*s : (k+2*m)*s+s]
		d := x[(k+3*m)*s : (k+3*m)*s+s]
		o := y[4*k*s : 4*k*s+4*s]
		y0, y1, y2, y3 := o[:s], o[s:2*s], o[2*s:3*s], o[3*s:4*s]
		if dir == Forward {
			for q := range a {
				apc, amc := a[q]+c[q], a[q]-c[q]
				bpd, bmd := b[q]+d[q], b[q]-d[q]
				u := complex(imag(bmd), -real(bmd)) // -i (b-d)
				y0[q] = apc + bpd
				y1[q] = w1 * (amc + u)
				y2[q] = w2 * (apc - bpd)
				y3[q] = w3 * (amc - u)
			}
		} else {
			for q := range a {
				apc, amc := a[q]+c[q], a[q]-c[q]
				bpd, bmd := b[q]+d[q], b[q]-d[q]
				u := complex(-imag(bmd), real(bmd)) // +i (b-d)
				y0[q] = apc + bpd
				y1[q] = w1 * (amc + u)
				y2[q] = w2 * (apc - bpd)
				y3[q] = w3 * (amc - u)
			}
		}
	}
}

// pass8Go is the radix-8 pass: a radix-2 split (a_t = x_t + x_{t+4} for the even outputs,
// b_t = (x_t - x_{t+4}) w8^t for the odd ones) followed by two 4-point DFTs.
func pass8Go(y, x, tw []complex64, s, m int, dir Direction) {
	c := float32(1 / math.Sqrt2)
	dirI := func(v complex64) complex64 { // dir * i * v
		if dir == Forward {
			return complex(imag(v), -real(v))
		}
		return complex(-imag(v), real(v))
	}
	scale := func(v complex64) complex64 { return complex(c*real(v), c*imag(v)) }
	for k := 0; k < m; k++ {
		w := tw[7*k : 7*k+7]
		var in [8][]complex64
		for t := range in {
			in[t] = x[(k+t*m)*s : (k+t*m)*s+s]
		}
		o := y[8*k*s : 8*k*s+8*s]
		for q := 0; q < s; q++ {
			a0, b0 := in[0][q]+in[4][q], in[0][q]-in[4][q]
			a1, b1 := in[1][q]+in[5][q], in[1][q]-in[5][q]
			a2, b2 := in[2][q]+in[6][q], in[2][q]-in[6][q]
			a3, b3 := in[3][q]+in[7][q], in[3][q]-in[7][q]
			b1 = scale(b1 + dirI(b1))
			b2 = dirI(b2)
			b3 = scale(dirI(b3) - b3)
			s02, d02, s13, d13 := a0+a2, a0-a2, a1+a3, dirI(a1-a3)
			o[q] = s02 + s13
			o[2*s+q] = w[1] * (d02 + d13)
			o[4*s+q] = w[3] * (s02 - s13)
			o[6*s+q] = w[5] * (d02 - d13)
			s02, d02, s13, d13 = b0+b2, b0-b2, b1+b3, dirI(b1-b3)
			o[s+q] = w[0] * (s02 + s13)
			o[3*s+q] = w[2] * (d02 + d13)
			o[5*s+q] = w[4] * (s02 - s13)
			o[7*s+q] = w[6] * (d02 - d13)
		}
	}
}

func pass2Go(y, x, tw []complex64, s, m int) {
	for k := 0; k < m; k++ {
		w := tw[k]
		a := x[k*s : k*s+s]
		b := x[(k+m)*s : (k+m)*s+s]
		o := y[2*k*s : 2*k*s+2*s]
		y0, y1 := o[:s], o[s:2*s]
		for q := range a {
			y0[q] = a[q] + b[q]
			y1[q] = w * (a[q] - b[q])
		}
	}
}

func pass3Go(y, x, tw []complex64, s, m int, dir Direction) {
	h := float32(dir) * float32(math.Sqrt(3)/2)
	for k := 0; k < m; k++ {
		w1, w2 := tw[2*k], tw[2*k+1]
		a := x[k*s : k*s+s]
		b := x[(k+m)*s : (k+m)*s+s]
		c := x[(k+2*m)*s : (k+2*m)*s+s]
		o := y[3*k*s : 3*k*s+3*s]
		y0, y1, y2 := o[:s], o[s:2*s], o[2*s:3*s]
		for q := range a {
			bpc, bmc := b[q]+c[q], b[q]-c[q]
			t1 := a[q] - complex(0.5*real(bpc), 0.5*imag(bpc))
			t2 := complex(-h*imag(bmc), h*real(bmc)) // dir i sqrt(3)/2 (b-c)
			y0[q] = a[q] + bpc
			y1[q] = w1 * (t1 + t2)
			y2[q] = w2 * (t1 - t2)
		}
	}
}

func pass5Go(y, x, tw []complex64, s, m int, dir Direction) {
	c1 := float32(math.Cos(2 * math.Pi / 5))
	c2 := float32(math.Cos(4 * math.Pi / 5))
	s1 := float32(dir) * float32(math.Sin(2*math.Pi/5))
	s2 := float32(dir) * float32(math.Sin(4*math.Pi/5))
	for k := 0; k < m; k++ {
		w1, w2, w3, w4 := tw[4*k], tw[4*k+1], tw[4*k+2], tw[4*k+3]
		a := x[k*s : k*s+s]
		b := x[(k+m)*s : (k+m)*s+s]
		c := x[(k+2*m)*s : (k+2*m)*s+s]
		d := x[(k+3*m)*s : (k+3*m)*s+s]
		e := x[(k+4*m)*s : (k+4*m)*s+s]
		o := y[5*k*s : 5*k*s+5*s]
		y0, y1, y2, y3, y4 := o[:s], o[s:2*s], o[2*s:3*s], o[3*s:4*s], o[4*s:5*s]
		for q := range a {
			av := a[q]
			s14, d14 := b[q]+e[q], b[q]-e[q]
			s23, d23 := c[q]+d[q], c[q]-d[q]
			r1 := av + complex(c1*real(s14)+c2*real(s23), c1*imag(s14)+c2*imag(s23))
			r2 := av + complex(c2*real(s14)+c1*real(s23), c2*imag(s14)+c1*imag(s23))
			// i1 = (s1 d14 + s2 d23), i2 = (s2 d14 - s1 d23); multiplied by i below.
			i1 := complex(s1*real(d14)+s2*real(d23), s1*imag(d14)+s2*imag(d23))
			i2 := complex(s2*real(d14)-s1*real(d23), s2*imag(d14)-s1*imag(d23))
			y0[q] = av + s14 + s23
			y1[q] = w1 * (r1 + mulI(i1))
			y4[q] = w4 * (r1 - mulI(i1))
			y2[q] = w2 * (r2 + mulI(i2))
			y3[q] = w3 * (r2 - mulI(i2))
		}
	}
}

// passGeneric is the direct O(p) per output butterfly for any radix p.
func passGeneric(y, x, tw, roots []complex64, p, s, m int) {
	for k := 0; k < m; k++ {
		for q := 0; q < s; q++ {
			for r := 0; r < p; r++ {
				var acc complex64
				for t := 0; t < p; t++ {
					acc += x[(k+t*m)*s+q] * roots[(r*t)%p]
				}
				if r > 0 {
					acc *= tw[k*(p-1)+r-1]
				}
				y[(p*k+r)*s+q] = acc
			}
		}
	}
}
