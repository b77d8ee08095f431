package fft

import "unsafe"

// Real-image paths. A real image has a Hermitian transform, X[-ky, -kx] = conj(X[ky, kx]), so only
// the rows ky = 0 .. ny/2 need a row transform, and two real columns go through one complex column
// transform (z = a + i b). The costlier column pass then runs over half the columns of the image
// rectangle only.

// transformToReal writes Re(F(data)) over out into dst and destroys data.
//
// Re(F(g)) = F(h) with h the Hermitian part of g, (g[k] + conj(g[-k]))/2. The row pass transforms
// the rows ky = 0..ny/2 of h, writing only the columns of out (to whole strips); after it each
// column is Hermitian in ky, so the column pass transforms the columns of out two at a time,
// z = c_a + i c_b, reading rows 0..ny/2 only, and Re z, Im z are the two output columns.
func (d *driver) transformToReal(dst []float32, data []complex64, dir Direction, out Rect) {
	d.checkLen(data)
	d.checkRect(out)
	if len(dst) != out.NX*out.NY {
		panic("fft: dst length does not match the output rectangle")
	}
	if out.NX == 0 || out.NY == 0 {
		return
	}
	nx, ny := d.nx, d.ny
	hy := ny / 2
	cols := newAxisSet(out.X0, out.NX, nx)
	bs := cols.blocks(2 * d.colLanes) // a lane carries two columns
	outRows, _ := span(out.Y0, out.NY, ny)

	// Row pass. A strip writes only its own rows (<= hy) and reads their mirrors (>= ny-hy, or
	// the row itself for 0 and ny/2), so strips never race.
	lanes := d.rowLanes
	rowOut := blockSegs(bs)
	d.strips(indices(hy+1), lanes, func(w *worker, rows []int) {
		buf := w.row.buf()
		herm := w.herm(4 * nx)
		if len(rows) < lanes {
			clear(buf[:nx*lanes])
		}
		for l0 := 0; l0 < len(rows); l0 += 4 {
			group := rows[l0:min(l0+4, len(rows))]
			for k, ky := range group {
				hermitianRow(herm[k*nx:(k+1)*nx], data[ky*nx:][:nx], data[((ny-ky)%ny)*nx:][:nx])
			}
			transposeIn(buf[l0:], lanes, herm, nx, indices(len(group)), []seg{{0, nx}})
		}
		res := w.row.run(dir)
		scatterRows(data, nx, rows, rowOut, res, lanes)
	})

	// Column pass: lane l of a strip carries columns lo+2l and lo+2l+1, so a strip row is one
	// contiguous run of data, and a lane's Re, Im are two adjacent outputs: the strip's result
	// rows, read as float32, are the output rows.
	lanes = d.colLanes
	d.parallel(len(bs), func(w *worker, i int) {
		b := bs[i]
		nc := b.hi - b.lo
		nb := (nc + 1) / 2
		buf := w.col.buf()
		const ahead = 8 // rows prefetched ahead: a strided walk defeats the hardware prefetchers
		for ky := 0; ky <= hy; ky++ {
			chunk := data[ky*nx+b.lo : ky*nx+b.hi]
			pf := &chunk[0]
			if ky+ahead <= hy {
				pf = &data[(ky+ahead)*nx+b.lo]
			}
			o := buf[ky*lanes : ky*lanes+nb]
			if ky == 0 || 2*ky == ny {
				packPairs(o, chunk, packReal, pf) // self-mirrored: c is real there
				continue
			}
			packPairs(o, chunk, packPlain, pf)
			packPairs(buf[(ny-ky)*lanes:(ny-ky)*lanes+nb], chunk, packConj, nil) // c[-ky] = conj c[ky]
		}
		res := w.col.run(dir)
		p0 := b.lo - cols.x0 // position of column lo within out
		if p0 < 0 {
			p0 += nx
		}
		contig := b.full && p0+nc <= out.NX
		for j, y := range outRows {
			f := unsafe.Slice((*float32)(unsafe.Pointer(&res[y*lanes])), 2*nb)[:nc]
			o := dst[j*out.NX : (j+1)*out.NX]
			if contig {
				copy(o[p0:p0+nc], f)
				continue
			}
			for k, v := range f {
				if x := b.lo + k; cols.has(x) {
					p := x - cols.x0
					if p < 0 {
						p += nx
					}
					o[p] = v
				}
			}
		}
	})
}

// hermitianRow sets h[kx] = (row[kx] + conj(mirror[-kx]))/2.
func hermitianRow(h, row, mirror []complex64) {
	n := len(row)
	h[0] = complex(0.5*(real(row[0])+real(mirror[0])), 0.5*(imag(row[0])-imag(mirror[0])))
	for kx := 1; kx < n; kx++ {
		v, m := row[kx], mirror[n-kx]
		h[kx] = complex(0.5*(real(v)+real(m)), 0.5*(imag(v)-imag(m)))
	}
}

// Modes of packPairs.
const (
	packPlain = iota // a + i b
	packConj         // conj(a) + i conj(b)
	packReal         // Re a + i Re b
)

// packPairs sets dst[l] = a + i b (or its packConj, packReal variants) for the pair
// (a, b) = (src[2l], src[2l+1]); a missing last b counts as zero.
func packPairs(dst, src []complex64, mode int, prefetch *complex64) {
	if n := min(len(dst), len(src)/2) &^ 3; useAVX2 && n > 0 {
		if prefetch == nil {
			prefetch = &src[0]
		}
		packPairsAVX2(&dst[0], &src[0], n, mode, &maskFwd, prefetch)
		dst, src = dst[n:], src[2*n:]
	}
	get := func(l int) (complex64, complex64) {
		a := src[2*l]
		var b complex64
		if 2*l+1 < len(src) {
			b = src[2*l+1]
		}
		return a, b
	}
	switch mode {
	case packPlain:
		for l := range dst {
			a, b := get(l)
			dst[l] = complex(real(a)-imag(b), imag(a)+real(b))
		}
	case packConj:
		for l := range dst {
			a, b := get(l)
			dst[l] = complex(real(a)+imag(b), real(b)-imag(a))
		}
	default:
		for l := range dst {
			a, b := get(l)
			dst[l] = complex(real(a), real(b))
		}
	}
}

// transformFromReal sets data to F(image) where the real image src (in.NX x in.NY, row-major)
// sits at in and zeros elsewhere.
//
// The column pass transforms the columns of in two at a time (z = a + i b, reading the rows of
// in from src) and unpacks the two spectra into rows 0..ny/2; the row pass transforms those rows,
// reading the columns of in only, and writes each row with its Hermitian mirror.
func (d *driver) transformFromReal(data []complex64, src []float32, dir Direction, in Rect) {
	d.checkLen(data)
	d.checkRect(in)
	if len(src) != in.NX*in.NY {
		panic("fft: src length does not match the input rectangle")
	}
	if in.NX == 0 || in.NY == 0 {
		clear(data)
		return
	}
	nx, ny := d.nx, d.ny
	hy := ny / 2
	cols := newAxisSet(in.X0, in.NX, nx)
	bs := cols.blocks(2 * d.colLanes) // a lane carries two columns
	inRows, _ := span(in.Y0, in.NY, ny)

	// Column pass: lane l of a strip carries columns lo+2l (real part) and lo+2l+1 (imaginary
	// part), so a row of the image, read as complex64, fills a strip row. Columns outside in
	// are zero, and the strip writes their (zero) spectra too, whole strips at a time.
	lanes := d.colLanes
	d.parallel(len(bs), func(w *worker, i int) {
		b := bs[i]
		nc := b.hi - b.lo
		nb := (nc + 1) / 2
		buf := w.col.buf()
		clear(buf[:ny*lanes])
		p0 := b.lo - cols.x0 // position of column lo within in
		if p0 < 0 {
			p0 += nx
		}
		contig := b.full && p0+nc <= in.NX
		for j, y := range inRows {
			s := src[j*in.NX : (j+1)*in.NX]
			f := unsafe.Slice((*float32)(unsafe.Pointer(&buf[y*lanes])), 2*nb)
			if contig {
				copy(f, s[p0:p0+nc])
				continue
			}
			for k := range nc {
				if x := b.lo + k; cols.has(x) {
					p := x - cols.x0
					if p < 0 {
						p += nx
					}
					f[k] = s[p]
				}
			}
		}
		res := w.col.run(dir)
		const ahead = 8 // rows prefetched ahead, as in transformToReal
		for ky := 0; ky <= hy; ky++ {
			var pf *complex64
			if ky+ahead <= hy {
				pf = &data[(ky+ahead)*nx+b.lo]
			}
			unpackPairs(data[ky*nx+b.lo:ky*nx+b.hi], res[ky*lanes:ky*lanes+nb], res[((ny-ky)%ny)*lanes:][:nb], pf)
		}
	})

	// Row pass over ky = 0..ny/2. A strip writes its rows and their mirrors (> ny/2, or the row
	// itself for 0 and ny/2) and reads only its own rows, so strips never race.
	lanes = d.rowLanes
	inSegs := blockSegs(bs)
	d.strips(indices(hy+1), lanes, func(w *worker, rows []int) {
		gatherRows(w.row.buf(), lanes, data, nx, rows, inSegs)
		res := w.row.run(dir)
		scatterRows(data, nx, rows, []seg{{0, nx}}, res, lanes)
		for _, ky := range rows {
			my := (ny - ky) % ny
			if my <= hy {
				continue // ky = 0 or ny/2: its own mirror
			}
			mirrorConj(data[my*nx:][:nx], data[ky*nx:][:nx])
		}
	})
}

// unpackPairs splits the transforms z[l] = A + i B of lane pairs into dst[2l] = A and
// dst[2l+1] = B, given m[l] = z at the mirrored frequency: A = (z + conj m)/2,
// B = (z - conj m)/(2i).
func unpackPairs(dst, z, m []complex64, prefetch *complex64) {
	if n := min(len(z), len(dst)/2) &^ 3; useAVX2 && n > 0 {
		if prefetch == nil {
			prefetch = &dst[0]
		}
		unpackPairsAVX2(&dst[0], &z[0], &m[0], n, &maskFwd, prefetch)
		dst, z, m = dst[2*n:], z[n:], m[n:]
	}
	for l, zv := range z {
		mv := m[l]
		dst[2*l] = complex(0.5*(real(zv)+real(mv)), 0.5*(imag(zv)-imag(mv)))
		if 2*l+1 < len(dst) {
			dst[2*l+1] = complex(0.5*(imag(zv)+imag(mv)), 0.5*(real(mv)-real(zv)))
		}
	}
}

// mirrorConj sets mrow[-kx] = conj(row[kx]) (indices modulo the length).
func mirrorConj(mrow, row []complex64) {
	n := len(row)
	mrow[0] = conj64(row[0])
	k := 1
	if m := (n - 1) &^ 3; useAVX2 && m > 0 {
		mirrorConjAVX2(&mrow[n-1], &row[1], m, &maskFwd)
		k += m
	}
	for ; k < n; k++ {
		mrow[n-k] = conj64(row[k])
	}
}
