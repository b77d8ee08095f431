package fits

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// An HDU is one header-data unit of a file: its header, where its data start and how many bytes
// of data it has (before padding to a block).
type HDU struct {
	Header     *Header
	Offset     int64 // of the header
	DataOffset int64
	DataSize   int64
}

// Axes returns NAXIS1..NAXISn.
func (h *Header) Axes() ([]int64, error) {
	n, ok := h.Int("NAXIS")
	if !ok || n < 0 || n > 999 {
		return nil, fmt.Errorf("NAXIS missing or out of range: %w", ErrHeader)
	}
	axes := make([]int64, n)
	for i := range axes {
		v, ok := h.Int(fmt.Sprintf("NAXIS%d", i+1))
		if !ok || v < 0 {
			return nil, fmt.Errorf("NAXIS%d missing or negative: %w", i+1, ErrHeader)
		}
		axes[i] = v
	}
	return axes, nil
}

// DataSize returns the data bytes of an HDU with header h (FITS 4.0 eq. 2):
// |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1*...*NAXISn), 0 when NAXIS = 0.
func (h *Header) DataSize() (int64, error) {
	bitpix, ok := h.Int("BITPIX")
	switch {
	case !ok:
		return 0, fmt.Errorf("BITPIX missing: %w", ErrHeader)
	case bitpix != 8 && bitpix != 16 && bitpix != 32 && bitpix != 64 && bitpix != -32 && bitpix != -64:
		return 0, fmt.Errorf("BITPIX %d: %w", bitpix, ErrHeader)
	}
	axes, err := h.Axes()
	if err != nil {
		return 0, err
	}
	if len(axes) == 0 {
		return 0, nil
	}
	n := int64(1)
	for _, a := range axes {
		if a != 0 && n > math.MaxInt64/8/a {
			return 0, fmt.Errorf("data size overflows: %w", ErrHeader)
		}
		n *= a
	}
	pcount, _ := h.Int("PCOUNT")
	gcount, ok := h.Int("GCOUNT")
	if !ok {
		gcount = 1
	}
	if pcount < 0 || gcount < 0 || pcount > math.MaxInt32 || gcount > math.MaxInt32 {
		return 0, fmt.Errorf("PCOUNT %d GCOUNT %d: %w", pcount, gcount, ErrHeader)
	}
	n = (n + pcount)
	if gcount != 0 && n > math.MaxInt64/8/gcount {
		return 0, fmt.Errorf("data size overflows: %w", ErrHeader)
	}
	return abs(bitpix) / 8 * gcount * n, nil
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// Padded rounds n up to whole blocks.
func Padded(n int64) int64 { return (n + BlockSize - 1) / BlockSize * BlockSize }

// ReadHDUs walks every HDU of a file of size bytes.
func ReadHDUs(r io.ReaderAt, size int64) ([]HDU, error) {
	var hdus []HDU
	for off := int64(0); off < size; {
		h, n, err := ReadHeader(io.NewSectionReader(r, off, size-off))
		if err == io.EOF {
			break
		}
		if err != nil {
			return hdus, fmt.Errorf("HDU %d at byte %d: %w", len(hdus), off, err)
		}
		ds, err := h.DataSize()
		if err != nil {
			return hdus, fmt.Errorf("HDU %d at byte %d: %w", len(hdus), off, err)
		}
		hdu := HDU{Header: h, Offset: off, DataOffset: off + n, DataSize: ds}
		if hdu.DataOffset+ds > size {
			return hdus, fmt.Errorf("HDU %d at byte %d: %d data bytes but the file ends at %d: %w", len(hdus), off, ds, size, ErrHeader)
		}
		hdus = append(hdus, hdu)
		off = hdu.DataOffset + Padded(ds)
	}
	if len(hdus) == 0 {
		return nil, fmt.Errorf("no HDU: %w", ErrHeader)
	}
	return hdus, nil
}

// ImageScaling describes how an image HDU's stored numbers map to values: value = BZERO +
// BSCALE * stored, for integer BITPIX; BLANK marks undefined integers (read as NaN).
type ImageScaling struct {
	BitPix   int
	BScale   float64
	BZero    float64
	Blank    int64
	HasBlank bool
}

// Scaling reads BITPIX, BSCALE, BZERO and BLANK.
func (h *Header) Scaling() (ImageScaling, error) {
	bp, ok := h.Int("BITPIX")
	if !ok {
		return ImageScaling{}, fmt.Errorf("BITPIX missing: %w", ErrHeader)
	}
	s := ImageScaling{BitPix: int(bp), BScale: 1}
	if v, ok := h.Float("BSCALE"); ok {
		s.BScale = v
	}
	if v, ok := h.Float("BZERO"); ok {
		s.BZero = v
	}
	s.Blank, s.HasBlank = h.Int("BLANK")
	return s, nil
}

// DecodeFloat32 converts big-endian stored image values in src to float32 values in dst
// (len(dst) values), applying BSCALE/BZERO and BLANK. For BITPIX -32 without scaling the bits
// are copied exactly (NaN payloads included).
func (s ImageScaling) DecodeFloat32(dst []float32, src []byte) {
	be := binary.BigEndian
	scaled := s.BScale != 1 || s.BZero != 0
	switch s.BitPix {
	case -32:
		for i := range dst {
			v := math.Float32frombits(be.Uint32(src[4*i:]))
			if scaled {
				v = float32(s.BZero + s.BScale*float64(v))
			}
			dst[i] = v
		}
	case -64:
		for i := range dst {
			dst[i] = float32(s.BZero + s.BScale*math.Float64frombits(be.Uint64(src[8*i:])))
		}
	default:
		for i := range dst {
			var raw int64
			switch s.BitPix {
			case 8:
				raw = int64(src[i])
			case 16:
				raw = int64(int16(be.Uint16(src[2*i:])))
			case 32:
				raw = int64(int32(be.Uint32(src[4*i:])))
			case 64:
				raw = int64(be.Uint64(src[8*i:]))
			}
			if s.HasBlank && raw == s.Blank {
				dst[i] = float32(math.NaN())
				continue
			}
			dst[i] = float32(s.BZero + s.BScale*float64(raw))
		}
	}
}

// A Column of a binary table: one scalar per row. Data is []float32 (TFORM 1E), []float64 (1D),
// []int32 (1J) or []int16 (1I).
type Column struct {
	Name string
	Unit string
	Data any
}

func columnForm(c Column) (form string, width int, rows int, err error) {
	switch d := c.Data.(type) {
	case []float32:
		return "1E", 4, len(d), nil
	case []float64:
		return "1D", 8, len(d), nil
	case []int32:
		return "1J", 4, len(d), nil
	case []int16:
		return "1I", 2, len(d), nil
	}
	return "", 0, 0, fmt.Errorf("fits: column %s: data of type %T", c.Name, c.Data)
}

// EncodeBinTable returns a whole BINTABLE extension HDU (header, rows, padding) named extname
// with the given columns (all of one length) and extra header cards.
func EncodeBinTable(extname string, cols []Column, extra []Card) ([]byte, error) {
	rowBytes, rows := 0, -1
	forms := make([]string, len(cols))
	widths := make([]int, len(cols))
	for i, c := range cols {
		f, w, n, err := columnForm(c)
		if err != nil {
			return nil, err
		}
		if rows >= 0 && n != rows {
			return nil, fmt.Errorf("fits: table %s: column %s has %d rows, not %d", extname, c.Name, n, rows)
		}
		rows, forms[i], widths[i] = n, f, w
		rowBytes += w
	}
	rows = max(rows, 0)
	h := &Header{}
	h.Set("XTENSION", "BINTABLE", "binary table extension")
	h.Set("BITPIX", 8, "")
	h.Set("NAXIS", 2, "")
	h.Set("NAXIS1", rowBytes, "bytes per row")
	h.Set("NAXIS2", rows, "rows")
	h.Set("PCOUNT", 0, "")
	h.Set("GCOUNT", 1, "")
	h.Set("TFIELDS", len(cols), "")
	for i, c := range cols {
		h.Set(fmt.Sprintf("TTYPE%d", i+1), c.Name, "")
		h.Set(fmt.Sprintf("TFORM%d", i+1), forms[i], "")
		if c.Unit != "" {
			h.Set(fmt.Sprintf("TUNIT%d", i+1), c.Unit, "")
		}
	}
	h.Set("EXTNAME", extname, "")
	h.Cards = append(h.Cards, extra...)
	head, err := h.Encode()
	if err != nil {
		return nil, err
	}
	data := make([]byte, Padded(int64(rows*rowBytes)))
	be := binary.BigEndian
	for r := 0; r < rows; r++ {
		off := r * rowBytes
		for i, c := range cols {
			switch d := c.Data.(type) {
			case []float32:
				be.PutUint32(data[off:], math.Float32bits(d[r]))
			case []float64:
				be.PutUint64(data[off:], math.Float64bits(d[r]))
			case []int32:
				be.PutUint32(data[off:], uint32(d[r]))
			case []int16:
				be.PutUint16(data[off:], uint16(d[r]))
			}
			off += widths[i]
		}
	}
	return append(head, data...), nil
}

// ReadTableColumns reads the named scalar columns (TFORM 1E, 1D, 1J, 1I, 1K, 1B, with TSCAL and
// TZERO) of a BINTABLE HDU as float64 values, one slice per name. A missing column is an error.
func ReadTableColumns(r io.ReaderAt, hdu HDU, names ...string) ([][]float64, error) {
	h := hdu.Header
	if x, _ := h.String("XTENSION"); x != "BINTABLE" {
		return nil, fmt.Errorf("HDU at byte %d is %q, not BINTABLE: %w", hdu.Offset, x, ErrHeader)
	}
	axes, err := h.Axes()
	if err != nil || len(axes) != 2 {
		return nil, fmt.Errorf("table at byte %d: NAXIS must be 2: %w", hdu.Offset, ErrHeader)
	}
	rowBytes, rows := axes[0], axes[1]
	nf, _ := h.Int("TFIELDS")
	if nf < 0 || nf > 999 {
		return nil, fmt.Errorf("table at byte %d: TFIELDS %d: %w", hdu.Offset, nf, ErrHeader)
	}
	type col struct {
		off, width  int64
		kind        byte
		scale, zero float64
	}
	byName := map[string]col{}
	var off int64
	for i := int64(1); i <= nf; i++ {
		form, _ := h.String(fmt.Sprintf("TFORM%d", i))
		name, _ := h.String(fmt.Sprintf("TTYPE%d", i))
		rep, kind, width, err := parseTForm(form)
		if err != nil {
			return nil, fmt.Errorf("table at byte %d column %d: %w", hdu.Offset, i, err)
		}
		c := col{off: off, width: width, kind: kind, scale: 1}
		if v, ok := h.Float(fmt.Sprintf("TSCAL%d", i)); ok {
			c.scale = v
		}
		if v, ok := h.Float(fmt.Sprintf("TZERO%d", i)); ok {
			c.zero = v
		}
		if rep == 1 {
			byName[name] = c
		}
		off += rep * width
	}
	if off != rowBytes {
		return nil, fmt.Errorf("table at byte %d: columns take %d bytes, NAXIS1 is %d: %w", hdu.Offset, off, rowBytes, ErrHeader)
	}
	if rows*rowBytes > hdu.DataSize {
		return nil, fmt.Errorf("table at byte %d: rows exceed the data: %w", hdu.Offset, ErrHeader)
	}
	data := make([]byte, rows*rowBytes)
	if _, err := r.ReadAt(data, hdu.DataOffset); err != nil {
		return nil, fmt.Errorf("read table at byte %d: %w", hdu.DataOffset, err)
	}
	out := make([][]float64, len(names))
	be := binary.BigEndian
	for i, name := range names {
		c, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("table at byte %d has no scalar column %s: %w", hdu.Offset, name, ErrHeader)
		}
		v := make([]float64, rows)
		for row := int64(0); row < rows; row++ {
			b := data[row*rowBytes+c.off:]
			var x float64
			switch c.kind {
			case 'E':
				x = float64(math.Float32frombits(be.Uint32(b)))
			case 'D':
				x = math.Float64frombits(be.Uint64(b))
			case 'J':
				x = float64(int32(be.Uint32(b)))
			case 'I':
				x = float64(int16(be.Uint16(b)))
			case 'K':
				x = float64(int64(be.Uint64(b)))
			case 'B':
				x = float64(b[0])
			default:
				return nil, fmt.Errorf("table at byte %d column %s: type %c not readable: %w", hdu.Offset, name, c.kind, ErrHeader)
			}
			v[row] = c.zero + c.scale*x
		}
		out[i] = v
	}
	return out, nil
}

// parseTForm parses a binary-table TFORM such as "1E", "E", "20A" into repeat, type and width.
func parseTForm(form string) (rep int64, kind byte, width int64, err error) {
	i := 0
	for i < len(form) && form[i] >= '0' && form[i] <= '9' {
		rep = rep*10 + int64(form[i]-'0')
		i++
		if rep > 1<<30 {
			return 0, 0, 0, fmt.Errorf("TFORM %q: %w", form, ErrHeader)
		}
	}
	if i == 0 {
		rep = 1
	}
	if i >= len(form) {
		return 0, 0, 0, fmt.Errorf("TFORM %q: %w", form, ErrHeader)
	}
	kind = form[i]
	widths := map[byte]int64{'L': 1, 'X': 0, 'B': 1, 'I': 2, 'J': 4, 'K': 8, 'A': 1, 'E': 4, 'D': 8, 'C': 8, 'M': 16}
	w, ok := widths[kind]
	if !ok {
		return 0, 0, 0, fmt.Errorf("TFORM %q: unsupported type: %w", form, ErrHeader)
	}
	if kind == 'X' {
		return (rep + 7) / 8, 'B', 1, nil
	}
	return rep, kind, w, nil
}
