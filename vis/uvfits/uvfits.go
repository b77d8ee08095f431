package uvfits

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/cubeimg/cubeimg/vis"
)

// speedOfLight in m/s: UVFITS u, v, w are light travel times in seconds.
const speedOfLight = 299792458.0

// Options tune Open. nil means the defaults.
type Options struct {
	// WrapReaderAt, if set, wraps the file's reader (e.g. vis.ReadCounter.Wrap).
	WrapReaderAt func(path string, r io.ReaderAt) io.ReaderAt
}

// File is an open random-groups UVFITS file. It implements vis.Reader: each group becomes one
// row per IF (spectral window), whose DataDescID is the IF index.
type File struct {
	path   string
	r      io.ReaderAt
	size   int64
	closer io.Closer

	Primary    *Header     // the primary header
	Extensions []Extension // the extensions found after the groups

	bitpix                                            int64
	bscale, bzero                                     float64
	gcount                                            int64
	pcount                                            int
	params                                            []param  // scaled random parameters, in file order
	paramNames                                        []string // PTYPEn as written
	dataOff                                           int64    // start of the groups
	groupBytes                                        int64
	groupValues                                       int // values per group (parameters + data)
	ncomplex                                          int // 2 (re, im) or 3 (re, im, weight)
	nstokes, nfreq, nif                               int
	strideComplex, strideStokes, strideFreq, strideIF int // in values, within the data part

	iU, iV, iW, iBaseline, iAnt1, iAnt2, iSubarray, iIntTim, iSource, iFreqSel int
	iDate                                                                      []int

	meta vis.Meta

	haveAN    bool   // an AIPS AN table was found: antenna numbers are checked against it
	tail      []byte // the last group read, for a chunk that ends inside a group
	tailGroup int64
}

// Extension describes a FITS extension.
type Extension struct {
	Name    string // EXTNAME, e.g. "AIPS AN"
	Header  *Header
	NRows   int
	Columns []string
}

type param struct {
	name        string
	scale, zero float64
}

// Open opens a random-groups UVFITS file.
func Open(path string, opts *Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("uvfits: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("uvfits: %w", err)
	}
	var r io.ReaderAt = f
	if opts != nil && opts.WrapReaderAt != nil {
		r = opts.WrapReaderAt(path, r)
	}
	u, err := NewReader(r, st.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	u.closer = f
	return u, nil
}

// NewReader reads a UVFITS file from r (size bytes); name is used in errors and Meta.Path.
func NewReader(r io.ReaderAt, size int64, name string) (*File, error) {
	u := &File{path: name, r: fullReader{r}, size: size, tailGroup: -1}
	if err := u.init(); err != nil {
		return nil, fmt.Errorf("uvfits: %s: %w", name, err)
	}
	return u, nil
}

// fullReader makes ReadAt report io.ErrUnexpectedEOF for short reads and accept io.EOF with a
// full buffer.
type fullReader struct{ r io.ReaderAt }

func (f fullReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.r.ReadAt(p, off)
	if n == len(p) {
		return n, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Close closes the file (if opened by Open).
func (u *File) Close() error {
	if u.closer != nil {
		return u.closer.Close()
	}
	return nil
}

// Meta describes the data set.
func (u *File) Meta() *vis.Meta { return &u.meta }

// NumRows is the number of groups times the number of IFs.
func (u *File) NumRows() int { return int(u.gcount) * u.nif }

// NumGroups is GCOUNT.
func (u *File) NumGroups() int { return int(u.gcount) }

// ParamNames lists the random parameters (PTYPEn) in file order.
func (u *File) ParamNames() []string { return u.paramNames }

var _ vis.Reader = (*File)(nil)

func (u *File) init() error {
	h, dataOff, err := readHeader(u.r, 0, u.size)
	if err != nil {
		return err
	}
	u.Primary = h
	if s, _ := h.Bool("SIMPLE"); !s {
		return fmt.Errorf("not a FITS file (SIMPLE is not T): %w", ErrFormat)
	}
	if g, _ := h.Bool("GROUPS"); !g {
		return fmt.Errorf("not a random-groups file (GROUPS is not T): %w", ErrFormat)
	}
	if n1, _ := h.Int("NAXIS1"); n1 != 0 {
		return fmt.Errorf("NAXIS1 = %d, random groups need 0: %w", n1, ErrFormat)
	}
	u.bitpix, _ = h.Int("BITPIX")
	u.bscale = h.FloatOr("BSCALE", 1)
	u.bzero = h.FloatOr("BZERO", 0)
	u.gcount, _ = h.Int("GCOUNT")
	pc, _ := h.Int("PCOUNT")
	size, err := dataSize(h)
	if err != nil {
		return err
	}
	if pc < 0 || pc > 1000 || u.gcount < 0 {
		return fmt.Errorf("PCOUNT %d, GCOUNT %d: %w", pc, u.gcount, ErrFormat)
	}
	u.pcount = int(pc)
	u.dataOff = dataOff
	if u.gcount > 0 {
		u.groupBytes = size / u.gcount
	}
	u.groupValues = int(u.groupBytes / (abs(u.bitpix) / 8))
	if dataOff+size > u.size {
		return fmt.Errorf("%d groups of %d bytes need %d bytes after the header, the file has %d (truncated?): %w", u.gcount, u.groupBytes, size, u.size-dataOff, ErrFormat)
	}
	if err := u.readAxes(); err != nil {
		return err
	}
	if err := u.readParams(); err != nil {
		return err
	}
	// Extensions.
	off := dataOff + padded(size)
	var an, fq *binTable
	for n := 0; off < u.size && n < 1000; n++ {
		if off+blockSize > u.size {
			// Bytes that do not make a block: a truncated extension header, or padding
			// some writers leave.
			head := make([]byte, min(8, u.size-off))
			if _, err := u.r.ReadAt(head, off); err == nil && bytes.HasPrefix([]byte("XTENSION"), head) {
				return fmt.Errorf("extension %d at offset %d is truncated: %w", n+1, off, ErrFormat)
			}
			break
		}
		xh, xdata, err := readHeader(u.r, off, u.size)
		if err != nil {
			return fmt.Errorf("extension %d: %w", n+1, err)
		}
		xsize, err := dataSize(xh)
		if err != nil {
			return fmt.Errorf("extension %d: %w", n+1, err)
		}
		if xdata+xsize > u.size {
			return fmt.Errorf("extension %d needs %d bytes, the file ends first (truncated?): %w", n+1, xsize, ErrFormat)
		}
		ext := Extension{Header: xh}
		ext.Name, _ = xh.String("EXTNAME")
		if x, _ := xh.String("XTENSION"); strings.TrimSpace(x) == "BINTABLE" {
			t, err := newBinTable(xh, u.r, xdata)
			if err != nil {
				return fmt.Errorf("extension %d: %w", n+1, err)
			}
			ext.NRows = t.NRows
			for _, c := range t.columns {
				ext.Columns = append(ext.Columns, c.Name)
			}
			switch ext.Name {
			case "AIPS AN":
				if an == nil {
					an = t
				}
			case "AIPS FQ":
				if fq == nil {
					fq = t
				}
			}
		}
		u.Extensions = append(u.Extensions, ext)
		off = xdata + padded(xsize)
	}
	return u.buildMeta(an, fq)
}

// axis finds a data axis by CTYPE; it returns its FITS number (2..NAXIS) or 0.
func (u *File) axis(ctype string) int {
	naxis, _ := u.Primary.Int("NAXIS")
	for i := 2; i <= int(naxis); i++ {
		s, _ := u.Primary.String(fmt.Sprintf("CTYPE%d", i))
		s = strings.TrimSpace(s)
		if s == ctype || strings.HasPrefix(s, ctype+"-") {
			return i
		}
	}
	return 0
}

func (u *File) readAxes() error {
	h := u.Primary
	naxis, _ := h.Int("NAXIS")
	stride := 1
	strides := map[int]int{}
	lens := map[int]int{}
	for i := 2; i <= int(naxis); i++ {
		n, _ := h.Int(fmt.Sprintf("NAXIS%d", i))
		strides[i] = stride
		lens[i] = int(n)
		stride *= int(n)
	}
	ax := func(name string, required bool) (int, int, error) {
		i := u.axis(name)
		if i == 0 {
			if required {
				return 0, 0, fmt.Errorf("no %s axis: %w", name, ErrFormat)
			}
			return 1, 0, nil
		}
		return lens[i], strides[i], nil
	}
	var err error
	if u.ncomplex, u.strideComplex, err = ax("COMPLEX", true); err != nil {
		return err
	}
	if u.ncomplex != 2 && u.ncomplex != 3 {
		return fmt.Errorf("COMPLEX axis of length %d (want 2 or 3): %w", u.ncomplex, ErrFormat)
	}
	if u.nstokes, u.strideStokes, err = ax("STOKES", true); err != nil {
		return err
	}
	if u.nfreq, u.strideFreq, err = ax("FREQ", true); err != nil {
		return err
	}
	if u.nif, u.strideIF, err = ax("IF", false); err != nil {
		return err
	}
	if u.nstokes <= 0 || u.nfreq <= 0 || u.nif <= 0 {
		return fmt.Errorf("empty STOKES, FREQ or IF axis: %w", ErrFormat)
	}
	if stride+u.pcount != u.groupValues && u.gcount > 0 {
		return fmt.Errorf("group of %d values, axes hold %d plus %d parameters: %w", u.groupValues, stride, u.pcount, ErrFormat)
	}
	return nil
}

func (u *File) readParams() error {
	h := u.Primary
	u.iU, u.iV, u.iW, u.iBaseline, u.iAnt1, u.iAnt2 = -1, -1, -1, -1, -1, -1
	u.iSubarray, u.iIntTim, u.iSource, u.iFreqSel = -1, -1, -1, -1
	for i := 1; i <= u.pcount; i++ {
		name, _ := h.String(fmt.Sprintf("PTYPE%d", i))
		name = strings.TrimSpace(name)
		p := param{name: name, scale: h.FloatOr(fmt.Sprintf("PSCAL%d", i), 1), zero: h.FloatOr(fmt.Sprintf("PZERO%d", i), 0)}
		u.params = append(u.params, p)
		u.paramNames = append(u.paramNames, name)
		k := i - 1
		up := strings.ToUpper(name)
		switch {
		case strings.HasPrefix(up, "UU"):
			u.iU = k
		case strings.HasPrefix(up, "VV"):
			u.iV = k
		case strings.HasPrefix(up, "WW"):
			u.iW = k
		case up == "BASELINE":
			u.iBaseline = k
		case up == "ANTENNA1":
			u.iAnt1 = k
		case up == "ANTENNA2":
			u.iAnt2 = k
		case up == "SUBARRAY":
			u.iSubarray = k
		case up == "DATE" || up == "_DATE":
			u.iDate = append(u.iDate, k)
		case up == "INTTIM":
			u.iIntTim = k
		case up == "SOURCE" || up == "SOURCE ID":
			u.iSource = k
		case up == "FREQSEL":
			u.iFreqSel = k
		}
	}
	if u.iU < 0 || u.iV < 0 || u.iW < 0 {
		return fmt.Errorf("random parameters %v lack UU, VV or WW: %w", u.paramNames, ErrFormat)
	}
	if u.iBaseline < 0 && (u.iAnt1 < 0 || u.iAnt2 < 0) {
		return fmt.Errorf("random parameters %v lack BASELINE or ANTENNA1/ANTENNA2: %w", u.paramNames, ErrFormat)
	}
	if len(u.iDate) == 0 {
		return fmt.Errorf("random parameters %v lack DATE: %w", u.paramNames, ErrFormat)
	}
	return nil
}

// stokesCode maps a FITS STOKES value to casacore's Stokes code.
func stokesCode(s int) (int, bool) {
	switch s {
	case 1, 2, 3, 4: // I Q U V
		return s, true
	case -1:
		return 5, true // RR
	case -2:
		return 8, true // LL
	case -3:
		return 6, true // RL
	case -4:
		return 7, true // LR
	case -5:
		return 9, true // XX
	case -6:
		return 12, true // YY
	case -7:
		return 10, true // XY
	case -8:
		return 11, true // YX
	}
	return 0, false
}

func (u *File) buildMeta(an, fq *binTable) error {
	h := u.Primary
	m := &u.meta
	m.Path, m.Format, m.DataColumn = u.path, "UVFITS", "DATA"
	m.NumRows = u.NumRows()
	m.UVWFrame = "J2000"
	if eq, ok := h.Float("EPOCH"); ok && math.Abs(eq-1950) < 1 {
		m.UVWFrame = "B1950"
	}
	// Polarizations.
	sax := u.axis("STOKES")
	crval := h.FloatOr(fmt.Sprintf("CRVAL%d", sax), 1)
	cdelt := h.FloatOr(fmt.Sprintf("CDELT%d", sax), 1)
	crpix := h.FloatOr(fmt.Sprintf("CRPIX%d", sax), 1)
	var pol vis.Polarization
	for k := 0; k < u.nstokes; k++ {
		s := crval + (float64(k+1)-crpix)*cdelt
		code, ok := stokesCode(int(math.Round(s)))
		if !ok {
			return fmt.Errorf("STOKES axis value %g is not a known correlation: %w", s, ErrFormat)
		}
		pol.CorrType = append(pol.CorrType, code)
	}
	m.Polarizations = []vis.Polarization{pol}
	// Spectral windows: one per IF.
	fax := u.axis("FREQ")
	fval := h.FloatOr(fmt.Sprintf("CRVAL%d", fax), 0)
	fdelt := h.FloatOr(fmt.Sprintf("CDELT%d", fax), 0)
	fpix := h.FloatOr(fmt.Sprintf("CRPIX%d", fax), 1)
	ifFreq := make([]float64, u.nif)
	chWidth := make([]float64, u.nif)
	totBW := make([]float64, u.nif)
	for k := range chWidth {
		chWidth[k] = fdelt
		totBW[k] = math.Abs(fdelt) * float64(u.nfreq)
	}
	if fq != nil && fq.NRows > 0 {
		row := 0
		for r := 0; r < fq.NRows; r++ {
			if sel := fq.floats("FRQSEL", r); len(sel) == 1 && sel[0] == 1 {
				row = r
			}
		}
		if v := fq.floats("IF FREQ", row); len(v) == u.nif {
			copy(ifFreq, v)
		}
		if v := fq.floats("CH WIDTH", row); len(v) == u.nif {
			for k := range v {
				chWidth[k] = math.Copysign(math.Abs(v[k]), fdelt)
				if fdelt == 0 {
					chWidth[k] = v[k]
				}
			}
		}
		if v := fq.floats("TOTAL BANDWIDTH", row); len(v) == u.nif {
			copy(totBW, v)
		}
	}
	velref, _ := h.Int("VELREF")
	frame := 5 // TOPO
	switch velref % 256 {
	case 1:
		frame = 1 // LSR
	case 2:
		frame = 3 // heliocentric: BARY
	}
	for k := 0; k < u.nif; k++ {
		s := vis.SpectralWindow{Name: fmt.Sprintf("IF %d", k+1), MeasFreqRef: frame, Frame: vis.FreqFrameName(frame), TotalBandwidth: totBW[k]}
		for c := 0; c < u.nfreq; c++ {
			s.ChanFreq = append(s.ChanFreq, fval+ifFreq[k]+(float64(c+1)-fpix)*fdelt)
			s.ChanWidth = append(s.ChanWidth, chWidth[k])
		}
		s.RefFreq = s.ChanFreq[0]
		m.SpectralWindows = append(m.SpectralWindows, s)
		m.DataDescs = append(m.DataDescs, vis.DataDesc{SpwID: k, PolID: 0})
	}
	// Field: the phase centre from the RA/DEC axes (or OBSRA/OBSDEC).
	ra := h.FloatOr(fmt.Sprintf("CRVAL%d", u.axis("RA")), h.FloatOr("OBSRA", 0))
	dec := h.FloatOr(fmt.Sprintf("CRVAL%d", u.axis("DEC")), h.FloatOr("OBSDEC", 0))
	if u.axis("RA") == 0 {
		ra = h.FloatOr("OBSRA", 0)
	}
	if u.axis("DEC") == 0 {
		dec = h.FloatOr("OBSDEC", 0)
	}
	obj, _ := h.String("OBJECT")
	m.Fields = []vis.Field{{Name: strings.TrimSpace(obj), PhaseDir: [2]float64{ra * math.Pi / 180, dec * math.Pi / 180}, Frame: m.UVWFrame}}
	// Observation.
	tel, _ := h.String("TELESCOP")
	obs, _ := h.String("OBSERVER")
	m.Observations = []vis.Observation{{Telescope: strings.TrimSpace(tel), Observer: strings.TrimSpace(obs)}}
	// Antennas from the AN table: antenna number NOSTA is index NOSTA-1.
	u.haveAN = an != nil
	if an != nil {
		arr := [3]float64{an.Header.FloatOr("ARRAYX", 0), an.Header.FloatOr("ARRAYY", 0), an.Header.FloatOr("ARRAYZ", 0)}
		if arr != [3]float64{} {
			m.ArrayPosition = arr[:]
		}
		frameName, _ := an.Header.String("FRAME")
		frameName = strings.TrimSpace(frameName)
		if frameName == "" || strings.Trim(frameName, "?") == "" {
			frameName = "ITRF"
		}
		for r := 0; r < an.NRows; r++ {
			nosta := an.floats("NOSTA", r)
			if len(nosta) != 1 || nosta[0] < 1 || nosta[0] > 1<<16 {
				continue
			}
			idx := int(nosta[0]) - 1
			for len(m.Antennas) <= idx {
				m.Antennas = append(m.Antennas, vis.Antenna{Name: fmt.Sprintf("ANT%d", len(m.Antennas)+1), Frame: frameName})
			}
			a := &m.Antennas[idx]
			a.Name = an.str("ANNAME", r)
			a.Station = a.Name
			if xyz := an.floats("STABXYZ", r); len(xyz) == 3 {
				a.Position = [3]float64{arr[0] + xyz[0], arr[1] + xyz[1], arr[2] + xyz[2]}
			}
			if d := an.floats("DIAMETER", r); len(d) == 1 {
				a.DishDiameter = d[0]
			}
		}
	}
	return nil
}

// ReadRows reads rows [row0, row0+n): row g*nIF + k is IF k of group g. UVW are converted to
// metres, antennas to 0-based indices, the date parameters to MJD seconds; each sample's weight
// is its third COMPLEX component (1 if there is none), kept in WeightSpectrum, and a sample is
// flagged if its weight is not positive. Weight per correlation is the sum of the channels'
// positive weights and Sigma its inverse square root (as CASA's importuvfits writes them).
func (u *File) ReadRows(ctx context.Context, row0, n int, c *vis.Chunk) error {
	if err := u.readRows(ctx, row0, n, c); err != nil {
		return fmt.Errorf("uvfits: read rows %d..%d of %s: %w", row0, row0+n-1, u.path, err)
	}
	return nil
}

func (u *File) readRows(ctx context.Context, row0, n int, c *vis.Chunk) error {
	if row0 < 0 || n < 0 || n > u.NumRows()-row0 {
		return fmt.Errorf("rows out of range [0, %d)", u.NumRows())
	}
	c.Reset(row0, n)
	for i := 0; i < n; i++ {
		c.DataDescID[i] = int32((row0 + i) % u.nif)
	}
	if err := c.SetShapes(&u.meta, true, true); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	g0 := int64(row0 / u.nif)
	g1 := int64((row0 + n - 1) / u.nif)
	buf, err := u.groups(g0, g1)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	vals := make([]float64, u.groupValues)
	for i := 0; i < n; i++ {
		row := row0 + i
		g := int64(row / u.nif)
		k := row % u.nif
		if i == 0 || k == 0 {
			u.decodeGroup(buf[(g-g0)*u.groupBytes:(g-g0+1)*u.groupBytes], vals)
		}
		p := vals[:u.pcount]
		pv := func(j int) float64 { return p[j]*u.params[j].scale + u.params[j].zero }
		c.UVW[3*i] = pv(u.iU) * speedOfLight
		c.UVW[3*i+1] = pv(u.iV) * speedOfLight
		c.UVW[3*i+2] = pv(u.iW) * speedOfLight
		var jd float64
		for _, j := range u.iDate {
			jd += pv(j)
		}
		c.Time[i] = (jd - 2400000.5) * 86400
		c.Interval[i] = 0
		if u.iIntTim >= 0 {
			c.Interval[i] = pv(u.iIntTim)
		}
		a1, a2, err := u.antennas(pv)
		if err != nil {
			return fmt.Errorf("group %d: %w", g, err)
		}
		if u.haveAN && (a1 >= len(u.meta.Antennas) || a2 >= len(u.meta.Antennas)) {
			return fmt.Errorf("group %d: antennas %d, %d are not in the AN table (%d antennas)", g, a1+1, a2+1, len(u.meta.Antennas))
		}
		c.Ant1[i], c.Ant2[i] = int32(a1), int32(a2)
		c.FieldID[i] = 0
		if u.iSource >= 0 {
			if f := int(pv(u.iSource)) - 1; f >= 0 && f < len(u.meta.Fields) {
				c.FieldID[i] = int32(f)
			}
		}
		c.FlagRow[i] = false
		c.HasWeightSpectrum[i] = true

		data := vals[u.pcount:]
		s, w := c.Start[i], c.WStart[i]
		for q := 0; q < u.nstokes; q++ {
			c.Weight[w+q] = 0
		}
		for ch := 0; ch < u.nfreq; ch++ {
			for q := 0; q < u.nstokes; q++ {
				at := k*u.strideIF + ch*u.strideFreq + q*u.strideStokes
				wt := 1.0
				if u.ncomplex == 3 {
					wt = data[at+2*u.strideComplex]
				}
				j := s + ch*u.nstokes + q
				c.Data[j] = complex(float32(data[at]), float32(data[at+u.strideComplex]))
				c.Flag[j] = !(wt > 0)
				c.WeightSpectrum[j] = float32(math.Abs(wt))
				if wt > 0 {
					c.Weight[w+q] += float32(wt)
				}
			}
		}
		for q := 0; q < u.nstokes; q++ {
			c.Sigma[w+q] = 0
			if wt := c.Weight[w+q]; wt > 0 {
				c.Sigma[w+q] = float32(1 / math.Sqrt(float64(wt)))
			}
		}
	}
	return nil
}

// antennas returns the 0-based antennas of a group from BASELINE (256*a1 + a2, or
// 2048*a1 + a2 + 65536 for more than 255 antennas) or from ANTENNA1/ANTENNA2.
func (u *File) antennas(pv func(int) float64) (int, int, error) {
	var a1, a2 int
	if u.iBaseline >= 0 {
		b := pv(u.iBaseline)
		if b < 0 || b > 1<<31 || math.IsNaN(b) {
			return 0, 0, fmt.Errorf("BASELINE %g", b)
		}
		bl := int(b) // the fraction holds the subarray
		if bl >= 65536 {
			bl -= 65536
			a1, a2 = bl/2048, bl%2048
		} else {
			a1, a2 = bl/256, bl%256
		}
	} else {
		x, y := pv(u.iAnt1), pv(u.iAnt2)
		if x < 1 || y < 1 || x > 1<<20 || y > 1<<20 || math.IsNaN(x) || math.IsNaN(y) {
			return 0, 0, fmt.Errorf("ANTENNA1 %g ANTENNA2 %g", x, y)
		}
		a1, a2 = int(x), int(y)
	}
	if a1 < 1 || a2 < 1 {
		return 0, 0, fmt.Errorf("antennas %d, %d (numbers start at 1)", a1, a2)
	}
	return a1 - 1, a2 - 1, nil
}

// groups returns the bytes of groups [g0, g1], read with one request (the last group of the
// previous call is reused rather than read again).
func (u *File) groups(g0, g1 int64) ([]byte, error) {
	nb := (g1 - g0 + 1) * u.groupBytes
	buf := make([]byte, nb)
	from := g0
	if g0 == u.tailGroup && u.tail != nil {
		copy(buf, u.tail)
		from = g0 + 1
	}
	if from <= g1 {
		off := u.dataOff + from*u.groupBytes
		if _, err := u.r.ReadAt(buf[(from-g0)*u.groupBytes:], off); err != nil {
			return nil, fmt.Errorf("read groups %d..%d at offset %d: %w", from, g1, off, err)
		}
	}
	u.tail = append(u.tail[:0], buf[(g1-g0)*u.groupBytes:]...)
	u.tailGroup = g1
	return buf, nil
}

// decodeGroup converts one group's big-endian values to float64 (data scaled by BSCALE and
// BZERO; parameters raw, to be scaled by their own PSCAL/PZERO).
func (u *File) decodeGroup(b []byte, out []float64) {
	be := binary.BigEndian
	for i := range out {
		var v float64
		switch u.bitpix {
		case -32:
			v = float64(math.Float32frombits(be.Uint32(b[4*i:])))
		case -64:
			v = math.Float64frombits(be.Uint64(b[8*i:]))
		case 8:
			v = float64(b[i])
		case 16:
			v = float64(int16(be.Uint16(b[2*i:])))
		case 32:
			v = float64(int32(be.Uint32(b[4*i:])))
		case 64:
			v = float64(int64(be.Uint64(b[8*i:])))
		}
		if i >= u.pcount {
			v = v*u.bscale + u.bzero
		}
		out[i] = v
	}
}

// Group returns the scaled random parameters (in file order, PSCAL/PZERO applied) and the
// scaled data values of group g, in file order (COMPLEX fastest).
func (u *File) Group(g int) (params []float64, data []float64, err error) {
	if g < 0 || int64(g) >= u.gcount {
		return nil, nil, fmt.Errorf("uvfits: group %d out of range [0, %d)", g, u.gcount)
	}
	b := make([]byte, u.groupBytes)
	if _, err := u.r.ReadAt(b, u.dataOff+int64(g)*u.groupBytes); err != nil {
		return nil, nil, fmt.Errorf("uvfits: %s: group %d: %w", u.path, g, err)
	}
	vals := make([]float64, u.groupValues)
	u.decodeGroup(b, vals)
	params = vals[:u.pcount]
	for j := range params {
		params[j] = params[j]*u.params[j].scale + u.params[j].zero
	}
	return params, vals[u.pcount:], nil
}
