package fft

// Real-image paths. A real image has a Hermitian transform, X[-ky, -kx] = conj(X[ky, kx]), so only
// the columns kx = 0 .. nx/2 need a column transform, and two real rows go through one complex row
// transform (z = a + i b).

// transformToReal writes Re(F(data)) over out into dst and destroys data. Re(F(g)) = F(h) with h
// the Hermitian part of g, (g[k] + conj(g[-k]))/2; the column pass computes F_y(h) for
// kx <= nx/2 only (rows of out only), whose rows are Hermitian in kx, and the row pass transforms
// the rows of out two at a time.
func (d *driver) transformToReal(dst []float32, data []complex64, dir Direction, out Rect) {
	d.checkLen(data)
	d.checkRect(out)
	if len(dst) != out.NX*out.NY {
		panic("fft: dst length does not match the output rectangle")
	}
	nx, ny := d.nx, d.ny
	h := nx / 2
	outRows, outRowSegs := span(out.Y0, out.NY, ny)
	_, outSegs := span(out.X0, out.NX, nx)
	if out.NX == 0 || out.NY == 0 {
		return
	}

	// Column pass over the Hermitian part, kx = 0..h. A strip writes only its own columns (<= h)
	// and reads its mirrors (>= nx-h, or itself for 0 and nx/2), so strips never race.
	lanes := d.colLanes
	d.strips(indices(h+1), lanes, func(w *worker, cols []int) {
		buf := w.col.buf()
		nb := len(cols)
		for ky := 0; ky < ny; ky++ {
			row := data[ky*nx : ky*nx+nx]
			mrow := data[((ny-ky)%ny)*nx:][:nx]
			o := buf[ky*lanes : ky*lanes+lanes]
			for l, kx := range cols {
				v, m := row[kx], mrow[(nx-kx)%nx]
				o[l] = complex(0.5*(real(v)+real(m)), 0.5*(imag(v)-imag(m)))
			}
			clear(o[nb:])
		}
		res := w.col.run(dir)
		scatterCols(data, nx, ny, cols, outRowSegs, res, lanes, false)
	})

	// Row pass: rows of out in pairs; lane l carries z = c_a + i c_b with the Hermitian rows
	// c_a, c_b completed from their halves.
	lanes = d.rowLanes
	pairs := indices((len(outRows) + 1) / 2)
	d.strips(pairs, lanes, func(w *worker, strip []int) {
		buf := w.row.buf()
		if len(strip) < lanes {
			clear(buf[:nx*lanes])
		}
		for l, p := range strip {
			ra := data[outRows[2*p]*nx:][:h+1]
			var rb []complex64
			if 2*p+1 < len(outRows) {
				rb = data[outRows[2*p+1]*nx:][:h+1]
			}
			for k := 0; k < nx; k++ {
				var a, b complex64
				switch {
				case k == 0 || 2*k == nx:
					a = complex(real(ra[k]), 0)
					if rb != nil {
						b = complex(real(rb[k]), 0)
					}
				case k <= h:
					a = ra[k]
					if rb != nil {
						b = rb[k]
					}
				default:
					a = conj64(ra[nx-k])
					if rb != nil {
						b = conj64(rb[nx-k])
					}
				}
				buf[k*lanes+l] = complex(real(a)-imag(b), imag(a)+real(b))
			}
		}
		res := w.row.run(dir)
		for l, p := range strip {
			da := dst[2*p*out.NX:][:out.NX]
			var db []float32
			if 2*p+1 < len(outRows) {
				db = dst[(2*p+1)*out.NX:][:out.NX]
			}
			i := 0
			for _, s := range outSegs {
				for x := s.lo; x < s.hi; x++ {
					v := res[x*lanes+l]
					da[i] = real(v)
					if db != nil {
						db[i] = imag(v)
					}
					i++
				}
			}
		}
	})
}

// transformFromReal sets data to F(image) where the real image src (in.NX x in.NY, row-major)
// sits at in and zeros elsewhere. Rows of in are transformed two at a time and unpacked into
// kx = 0..nx/2; the columns kx <= nx/2 are transformed reading only the rows of in, and each is
// written with its Hermitian mirror.
func (d *driver) transformFromReal(data []complex64, src []float32, dir Direction, in Rect) {
	d.checkLen(data)
	d.checkRect(in)
	if len(src) != in.NX*in.NY {
		panic("fft: src length does not match the input rectangle")
	}
	nx, ny := d.nx, d.ny
	h := nx / 2
	inRows, inRowSegs := span(in.Y0, in.NY, ny)
	_, inSegs := span(in.X0, in.NX, nx)
	if len(inRows) == 0 || in.NX == 0 {
		clear(data)
		return
	}

	lanes := d.rowLanes
	pairs := indices((len(inRows) + 1) / 2)
	d.strips(pairs, lanes, func(w *worker, strip []int) {
		buf := w.row.buf()
		clear(buf[:nx*lanes])
		for l, p := range strip {
			sa := src[2*p*in.NX:][:in.NX]
			var sb []float32
			if 2*p+1 < len(inRows) {
				sb = src[(2*p+1)*in.NX:][:in.NX]
			}
			i := 0
			for _, s := range inSegs {
				for x := s.lo; x < s.hi; x++ {
					var b float32
					if sb != nil {
						b = sb[i]
					}
					buf[x*lanes+l] = complex(sa[i], b)
					i++
				}
			}
		}
		res := w.row.run(dir)
		for l, p := range strip {
			ra := data[inRows[2*p]*nx:][:h+1]
			var rb []complex64
			if 2*p+1 < len(inRows) {
				rb = data[inRows[2*p+1]*nx:][:h+1]
			}
			for k := 0; k <= h; k++ {
				z := res[k*lanes+l]
				m := res[((nx-k)%nx)*lanes+l]
				ra[k] = complex(0.5*(real(z)+real(m)), 0.5*(imag(z)-imag(m)))
				if rb != nil {
					rb[k] = complex(0.5*(imag(z)+imag(m)), 0.5*(real(m)-real(z)))
				}
			}
		}
	})

	lanes = d.colLanes
	d.strips(indices(h+1), lanes, func(w *worker, cols []int) {
		gatherCols(w.col.buf(), lanes, data, nx, ny, cols, inRowSegs)
		res := w.col.run(dir)
		scatterCols(data, nx, ny, cols, nil, res, lanes, len(data)*8 >= d.streamBytes)
		// Mirrors: X[-ky, -kx] = conj(X[ky, kx]), skipping kx = 0 and nx/2 (their own mirrors).
		for ky := 0; ky < ny; ky++ {
			mrow := data[((ny-ky)%ny)*nx:][:nx]
			in := res[ky*lanes:][:len(cols)]
			for l, kx := range cols {
				if mx := nx - kx; mx > h && mx < nx {
					mrow[mx] = conj64(in[l])
				}
			}
		}
	})
}
