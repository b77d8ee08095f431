package uvfits

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

const (
	blockSize = 2880
	cardSize  = 80
	// maxHeaderBlocks bounds a header (36 cards per block) so that a file without END cannot
	// make the reader scan gigabytes.
	maxHeaderBlocks = 10000
)

// ErrFormat is wrapped by errors about malformed FITS structure.
var ErrFormat = errors.New("malformed FITS")

// Card is one header keyword record.
type Card struct {
	Key     string
	Value   any // bool, int64, float64, string, or nil (no value)
	Comment string
}

// Header is a FITS header: its cards in order.
type Header struct {
	Cards []Card
}

// Get returns the value of the first card with the key.
func (h *Header) Get(key string) (any, bool) {
	for _, c := range h.Cards {
		if c.Key == key {
			return c.Value, c.Value != nil
		}
	}
	return nil, false
}

// Int returns an integer keyword (a float with an integral value is accepted).
func (h *Header) Int(key string) (int64, bool) {
	v, ok := h.Get(key)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

// Float returns a numeric keyword.
func (h *Header) Float(key string) (float64, bool) {
	v, ok := h.Get(key)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// FloatOr returns a numeric keyword or def.
func (h *Header) FloatOr(key string, def float64) float64 {
	if v, ok := h.Float(key); ok {
		return v
	}
	return def
}

// String returns a string keyword with trailing blanks removed.
func (h *Header) String(key string) (string, bool) {
	v, ok := h.Get(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return strings.TrimRight(s, " "), ok
}

// Bool returns a logical keyword.
func (h *Header) Bool(key string) (bool, bool) {
	v, ok := h.Get(key)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	return b, ok
}

// readHeader reads a header starting at off: 2880-byte blocks of 80-character cards up to
// END. It returns the header and the offset of the data that follows.
func readHeader(r io.ReaderAt, off, size int64) (*Header, int64, error) {
	h := &Header{}
	block := make([]byte, blockSize)
	for nb := 0; ; nb++ {
		if nb >= maxHeaderBlocks {
			return nil, 0, fmt.Errorf("header at offset %d: no END card in %d blocks: %w", off, nb, ErrFormat)
		}
		at := off + int64(nb)*blockSize
		if at+blockSize > size {
			return nil, 0, fmt.Errorf("header at offset %d: no END card before the end of the file (truncated?): %w", off, ErrFormat)
		}
		if _, err := r.ReadAt(block, at); err != nil {
			return nil, 0, fmt.Errorf("header at offset %d: %w", off, err)
		}
		end, err := parseCards(h, block)
		if err != nil {
			return nil, 0, fmt.Errorf("header at offset %d: %w", off, err)
		}
		if end {
			return h, at + blockSize, nil
		}
	}
}

// parseCards appends the cards of one header block to h; it reports whether END was found.
func parseCards(h *Header, block []byte) (bool, error) {
	for i := 0; i+cardSize <= len(block); i += cardSize {
		card := block[i : i+cardSize]
		for _, ch := range card {
			if ch < 0x20 || ch > 0x7e {
				return false, fmt.Errorf("card %q holds a non-ASCII byte: %w", card, ErrFormat)
			}
		}
		key := strings.TrimRight(string(card[:8]), " ")
		if key == "END" {
			return true, nil
		}
		c := Card{Key: key}
		if len(card) >= 10 && card[8] == '=' && card[9] == ' ' {
			v, comment, err := parseValue(string(card[10:]))
			if err != nil {
				return false, fmt.Errorf("card %s: %v: %w", key, err, ErrFormat)
			}
			c.Value, c.Comment = v, comment
		} else {
			c.Comment = strings.TrimRight(string(card[8:]), " ")
		}
		h.Cards = append(h.Cards, c)
	}
	return false, nil
}

// parseValue parses the value field of a card (columns 11-80).
func parseValue(s string) (any, string, error) {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return nil, "", nil
	}
	if t[0] == '\'' {
		// A string: quotes inside are doubled.
		var b strings.Builder
		i := 1
		for {
			if i >= len(t) {
				return nil, "", errors.New("unterminated string")
			}
			if t[i] == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				i++
				break
			}
			b.WriteByte(t[i])
			i++
		}
		return b.String(), comment(t[i:]), nil
	}
	field, rest, _ := strings.Cut(t, "/")
	field = strings.TrimSpace(field)
	com := strings.TrimSpace(rest)
	switch field {
	case "":
		return nil, com, nil
	case "T":
		return true, com, nil
	case "F":
		return false, com, nil
	}
	if i, err := strconv.ParseInt(field, 10, 64); err == nil {
		return i, com, nil
	}
	f, err := strconv.ParseFloat(strings.NewReplacer("D", "E", "d", "e").Replace(field), 64)
	if err != nil {
		// Complex values and other forms are kept as text.
		return field, com, nil
	}
	return f, com, nil
}

func comment(s string) string {
	_, c, _ := strings.Cut(s, "/")
	return strings.TrimSpace(c)
}

// dataSize returns the size in bytes of the data unit described by a header:
// |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1*...*NAXISn), with NAXIS1 = 0 meaning 1 for random
// groups.
func dataSize(h *Header) (int64, error) {
	bitpix, ok := h.Int("BITPIX")
	if !ok {
		return 0, fmt.Errorf("no BITPIX: %w", ErrFormat)
	}
	switch bitpix {
	case 8, 16, 32, 64, -32, -64:
	default:
		return 0, fmt.Errorf("BITPIX %d: %w", bitpix, ErrFormat)
	}
	naxis, ok := h.Int("NAXIS")
	if !ok || naxis < 0 || naxis > 999 {
		return 0, fmt.Errorf("NAXIS %d: %w", naxis, ErrFormat)
	}
	if naxis == 0 {
		return 0, nil
	}
	groups, _ := h.Bool("GROUPS")
	n := int64(1)
	for i := int64(1); i <= naxis; i++ {
		v, ok := h.Int(fmt.Sprintf("NAXIS%d", i))
		if !ok || v < 0 || v > 1<<40 {
			return 0, fmt.Errorf("NAXIS%d missing or invalid: %w", i, ErrFormat)
		}
		if i == 1 && groups && v == 0 {
			v = 1
		}
		if v > 0 && n > (1<<50)/v {
			return 0, fmt.Errorf("data too large: %w", ErrFormat)
		}
		n *= v
	}
	pcount, _ := h.Int("PCOUNT")
	gcount, ok := h.Int("GCOUNT")
	if !ok {
		gcount = 1
	}
	if pcount < 0 || gcount < 0 || pcount > 1<<40 || gcount > 1<<40 {
		return 0, fmt.Errorf("PCOUNT %d, GCOUNT %d: %w", pcount, gcount, ErrFormat)
	}
	per := n + pcount
	if groups {
		if gcount > 0 && per > (1<<50)/gcount {
			return 0, fmt.Errorf("data too large: %w", ErrFormat)
		}
		return abs(bitpix) / 8 * gcount * per, nil
	}
	// Extensions: the heap (PCOUNT bytes) follows the table.
	return abs(bitpix)/8*n*gcount + pcount, nil
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// padded rounds n up to whole FITS blocks.
func padded(n int64) int64 { return (n + blockSize - 1) / blockSize * blockSize }

// binTable is a FITS binary table extension, read whole (AIPS AN and FQ tables are small).
type binTable struct {
	Name    string
	Header  *Header
	NRows   int
	rowLen  int
	data    []byte
	columns []btColumn
}

type btColumn struct {
	Name   string
	Type   byte // L X B I J K A E D C M
	Repeat int
	Offset int
}

var btSizes = map[byte]int{'L': 1, 'B': 1, 'I': 2, 'J': 4, 'K': 8, 'A': 1, 'E': 4, 'D': 8, 'C': 8, 'M': 16}

// maxTableBytes bounds a binary table read whole.
const maxTableBytes = 64 << 20

func newBinTable(h *Header, r io.ReaderAt, off int64) (*binTable, error) {
	name, _ := h.String("EXTNAME")
	t := &binTable{Name: name, Header: h}
	width, ok1 := h.Int("NAXIS1")
	nrows, ok2 := h.Int("NAXIS2")
	nf, ok3 := h.Int("TFIELDS")
	if !ok1 || !ok2 || !ok3 || width < 0 || nrows < 0 || nf < 0 || nf > 999 || width*nrows > maxTableBytes {
		return nil, fmt.Errorf("table %q: NAXIS1 %d NAXIS2 %d TFIELDS %d: %w", name, width, nrows, nf, ErrFormat)
	}
	t.NRows, t.rowLen = int(nrows), int(width)
	pos := 0
	for i := int64(1); i <= nf; i++ {
		form, _ := h.String(fmt.Sprintf("TFORM%d", i))
		ttype, _ := h.String(fmt.Sprintf("TTYPE%d", i))
		form = strings.TrimSpace(form)
		k := 0
		for k < len(form) && form[k] >= '0' && form[k] <= '9' {
			k++
		}
		repeat := 1
		if k > 0 {
			v, err := strconv.Atoi(form[:k])
			if err != nil || v > 1<<20 {
				return nil, fmt.Errorf("table %q: TFORM%d %q: %w", name, i, form, ErrFormat)
			}
			repeat = v
		}
		if k >= len(form) {
			return nil, fmt.Errorf("table %q: TFORM%d %q: %w", name, i, form, ErrFormat)
		}
		typ := form[k]
		var size int
		switch typ {
		case 'X':
			size = (repeat + 7) / 8
		case 'P', 'Q':
			return nil, fmt.Errorf("table %q: variable-length column %s is not supported: %w", name, ttype, ErrFormat)
		default:
			s, ok := btSizes[typ]
			if !ok {
				return nil, fmt.Errorf("table %q: TFORM%d %q: %w", name, i, form, ErrFormat)
			}
			size = s * repeat
		}
		t.columns = append(t.columns, btColumn{Name: strings.TrimSpace(ttype), Type: typ, Repeat: repeat, Offset: pos})
		pos += size
	}
	if pos > t.rowLen {
		return nil, fmt.Errorf("table %q: columns need %d bytes per row, NAXIS1 is %d: %w", name, pos, t.rowLen, ErrFormat)
	}
	t.data = make([]byte, t.rowLen*t.NRows)
	if _, err := r.ReadAt(t.data, off); err != nil {
		return nil, fmt.Errorf("table %q: %w", name, err)
	}
	return t, nil
}

func (t *binTable) column(name string) *btColumn {
	for i := range t.columns {
		if t.columns[i].Name == name {
			return &t.columns[i]
		}
	}
	return nil
}

// floats returns a numeric column's values in a row as float64 (nil if absent).
func (t *binTable) floats(name string, row int) []float64 {
	c := t.column(name)
	if c == nil || row < 0 || row >= t.NRows {
		return nil
	}
	b := t.data[row*t.rowLen+c.Offset:]
	out := make([]float64, 0, c.Repeat)
	be := binary.BigEndian
	for i := 0; i < c.Repeat; i++ {
		switch c.Type {
		case 'B':
			out = append(out, float64(b[i]))
		case 'I':
			out = append(out, float64(int16(be.Uint16(b[2*i:]))))
		case 'J':
			out = append(out, float64(int32(be.Uint32(b[4*i:]))))
		case 'K':
			out = append(out, float64(int64(be.Uint64(b[8*i:]))))
		case 'E':
			out = append(out, float64(math.Float32frombits(be.Uint32(b[4*i:]))))
		case 'D':
			out = append(out, math.Float64frombits(be.Uint64(b[8*i:])))
		default:
			return nil
		}
	}
	return out
}

// str returns a character column's value in a row, trailing blanks and NULs removed.
func (t *binTable) str(name string, row int) string {
	c := t.column(name)
	if c == nil || c.Type != 'A' || row < 0 || row >= t.NRows {
		return ""
	}
	b := t.data[row*t.rowLen+c.Offset : row*t.rowLen+c.Offset+c.Repeat]
	return strings.TrimRight(string(b), " \x00")
}
