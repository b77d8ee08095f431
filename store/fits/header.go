package fits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrHeader is wrapped by every header parsing error.
var ErrHeader = errors.New("fits: bad header")

// MaxHeaderBlocks bounds the size of a header ReadHeader accepts (about 1 MB).
const MaxHeaderBlocks = 360

// A Card is one 80-character header record. Value is nil (no value: COMMENT, HISTORY, blank
// keywords, or an undefined value), string, bool, int64, float64, or Raw for a value this package
// does not interpret (complex numbers).
type Card struct {
	Key     string
	Value   any
	Comment string
}

// Raw is a value field kept verbatim.
type Raw string

// A Header is the ordered cards of one HDU, without the END card.
type Header struct {
	Cards []Card
}

// commentary keywords never carry a value.
func commentary(key string) bool {
	return key == "COMMENT" || key == "HISTORY" || key == "" || key == "CONTINUE"
}

// ReadHeader reads header blocks from r up to and including the one holding END, and returns
// the header and the number of bytes read (a multiple of BlockSize).
func ReadHeader(r io.Reader) (*Header, int64, error) {
	h := &Header{}
	block := make([]byte, BlockSize)
	var n int64
	for nb := 0; nb < MaxHeaderBlocks; nb++ {
		if _, err := io.ReadFull(r, block); err != nil {
			if err == io.EOF && n == 0 {
				return nil, 0, io.EOF
			}
			return nil, n, fmt.Errorf("header block %d: %v: %w", nb, err, ErrHeader)
		}
		n += BlockSize
		for i := 0; i < BlockSize; i += CardSize {
			raw := block[i : i+CardSize]
			if string(raw[:8]) == "END     " {
				if strings.TrimRight(string(raw[8:]), " ") != "" {
					return nil, n, fmt.Errorf("card %d: END card with text: %w", h.Len(), ErrHeader)
				}
				return h, n, nil
			}
			c, err := ParseCard(raw)
			if err != nil {
				return nil, n, fmt.Errorf("card %d: %w", h.Len(), err)
			}
			h.Cards = append(h.Cards, c)
		}
	}
	return nil, n, fmt.Errorf("no END card in %d blocks: %w", MaxHeaderBlocks, ErrHeader)
}

// Len returns the number of cards.
func (h *Header) Len() int { return len(h.Cards) }

// ParseCard parses one 80-byte card.
func ParseCard(raw []byte) (Card, error) {
	if len(raw) != CardSize {
		return Card{}, fmt.Errorf("card of %d bytes: %w", len(raw), ErrHeader)
	}
	for i, b := range raw {
		if b < 0x20 || b > 0x7e {
			return Card{}, fmt.Errorf("byte %d of card is 0x%02x, not printable ASCII: %w", i, b, ErrHeader)
		}
	}
	key := strings.TrimRight(string(raw[:8]), " ")
	for _, r := range key {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return Card{}, fmt.Errorf("keyword %q: bad character %q: %w", key, r, ErrHeader)
		}
	}
	if commentary(key) || string(raw[8:10]) != "= " {
		return Card{Key: key, Comment: strings.TrimRight(string(raw[8:]), " ")}, nil
	}
	v, comment, err := parseValue(string(raw[10:]))
	if err != nil {
		return Card{}, fmt.Errorf("keyword %s: %w", key, err)
	}
	return Card{Key: key, Value: v, Comment: comment}, nil
}

// parseValue parses the value field (columns 11-80) into a value and a comment.
func parseValue(s string) (any, string, error) {
	t := strings.TrimLeft(s, " ")
	if strings.HasPrefix(t, "'") {
		var b strings.Builder
		i := 1
		for {
			if i >= len(t) {
				return nil, "", fmt.Errorf("unterminated string %q: %w", s, ErrHeader)
			}
			if t[i] == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				break
			}
			b.WriteByte(t[i])
			i++
		}
		rest := strings.TrimLeft(t[i+1:], " ")
		comment, err := parseComment(rest)
		if err != nil {
			return nil, "", err
		}
		return strings.TrimRight(b.String(), " "), comment, nil
	}
	val, rest, _ := strings.Cut(t, "/")
	comment := ""
	if strings.Contains(t, "/") {
		comment = strings.TrimSpace(rest)
	}
	val = strings.TrimSpace(val)
	switch {
	case val == "":
		return nil, comment, nil
	case val == "T":
		return true, comment, nil
	case val == "F":
		return false, comment, nil
	}
	if i, err := strconv.ParseInt(val, 10, 64); err == nil {
		return i, comment, nil
	}
	if isFloat(val) {
		f, err := strconv.ParseFloat(strings.NewReplacer("D", "E", "d", "e").Replace(val), 64)
		if err == nil && !math.IsInf(f, 0) {
			return f, comment, nil
		}
	}
	if strings.HasPrefix(val, "(") && strings.HasSuffix(val, ")") {
		return Raw(val), comment, nil
	}
	return nil, "", fmt.Errorf("value %q: %w", val, ErrHeader)
}

// isFloat reports whether s has FITS real-number syntax: sign, digits, point, exponent E or D.
func isFloat(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && strings.ContainsRune("EeDd", rune(s[i])) {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ed := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			ed++
		}
		if ed == 0 {
			return false
		}
	}
	return i == len(s)
}

func parseComment(rest string) (string, error) {
	if rest == "" {
		return "", nil
	}
	if rest[0] != '/' {
		return "", fmt.Errorf("text %q after a string value: %w", rest, ErrHeader)
	}
	return strings.TrimSpace(rest[1:]), nil
}

// Get returns the first card with key.
func (h *Header) Get(key string) (Card, bool) {
	for _, c := range h.Cards {
		if c.Key == key {
			return c, true
		}
	}
	return Card{}, false
}

// String returns the string value of key.
func (h *Header) String(key string) (string, bool) {
	c, ok := h.Get(key)
	s, isStr := c.Value.(string)
	return s, ok && isStr
}

// Float returns the numeric value of key (an integer is converted).
func (h *Header) Float(key string) (float64, bool) {
	c, ok := h.Get(key)
	if !ok {
		return 0, false
	}
	switch v := c.Value.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// Int returns the integer value of key.
func (h *Header) Int(key string) (int64, bool) {
	c, ok := h.Get(key)
	v, isInt := c.Value.(int64)
	return v, ok && isInt
}

// Bool returns the logical value of key.
func (h *Header) Bool(key string) (bool, bool) {
	c, ok := h.Get(key)
	v, isBool := c.Value.(bool)
	return v, ok && isBool
}

// Set replaces the value and comment of the first card with key, or appends a card. value is
// string, bool, an integer type, float32/float64 or nil.
func (h *Header) Set(key string, value any, comment string) {
	value = normalise(value)
	for i := range h.Cards {
		if h.Cards[i].Key == key && !commentary(key) {
			h.Cards[i].Value, h.Cards[i].Comment = value, comment
			return
		}
	}
	h.Cards = append(h.Cards, Card{Key: key, Value: value, Comment: comment})
}

// Add appends a card (use it for COMMENT and HISTORY).
func (h *Header) Add(key string, value any, comment string) {
	h.Cards = append(h.Cards, Card{Key: key, Value: normalise(value), Comment: comment})
}

func normalise(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

// Encode returns the header as whole blocks: the cards, END, and space padding.
func (h *Header) Encode() ([]byte, error) {
	var b bytes.Buffer
	for _, c := range h.Cards {
		card, err := EncodeCard(c)
		if err != nil {
			return nil, err
		}
		b.Write(card)
	}
	b.WriteString(fmt.Sprintf("%-80s", "END"))
	for b.Len()%BlockSize != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes(), nil
}

// EncodeCard formats one card in FITS fixed format: values right-justified to column 30,
// strings starting in column 11, comments after " / " where room is left.
func EncodeCard(c Card) ([]byte, error) {
	if len(c.Key) > 8 {
		return nil, fmt.Errorf("keyword %q longer than 8 characters: %w", c.Key, ErrHeader)
	}
	for _, r := range c.Key + c.Comment {
		if r < 0x20 || r > 0x7e {
			return nil, fmt.Errorf("keyword %s: non-ASCII text: %w", c.Key, ErrHeader)
		}
	}
	if commentary(c.Key) || (c.Value == nil && c.Comment != "" && c.Key == "") {
		if c.Value != nil {
			return nil, fmt.Errorf("keyword %s cannot carry a value: %w", c.Key, ErrHeader)
		}
		return []byte(fmt.Sprintf("%-8s%-72.72s", c.Key, c.Comment)), nil
	}
	var val string
	switch v := c.Value.(type) {
	case nil:
		val = ""
	case string:
		for _, r := range v {
			if r < 0x20 || r > 0x7e {
				return nil, fmt.Errorf("keyword %s: non-ASCII string: %w", c.Key, ErrHeader)
			}
		}
		q := "'" + fmt.Sprintf("%-8s", strings.ReplaceAll(v, "'", "''")) + "'"
		val = fmt.Sprintf("%-20s", q)
	case bool:
		val = "F"
		if v {
			val = "T"
		}
		val = fmt.Sprintf("%20s", val)
	case int64:
		val = fmt.Sprintf("%20d", v)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("keyword %s: %g is not a FITS value: %w", c.Key, v, ErrHeader)
		}
		val = fmt.Sprintf("%20s", formatFloat(v))
	case Raw:
		val = fmt.Sprintf("%20s", string(v))
	default:
		return nil, fmt.Errorf("keyword %s: value of type %T: %w", c.Key, c.Value, ErrHeader)
	}
	card := fmt.Sprintf("%-8s= %s", c.Key, val)
	if len(card) > CardSize {
		return nil, fmt.Errorf("keyword %s: value too long for one card: %w", c.Key, ErrHeader)
	}
	if c.Comment != "" && len(card)+3 < CardSize {
		card += " / " + c.Comment
	}
	return []byte(fmt.Sprintf("%-80.80s", card)), nil
}

// formatFloat writes the shortest decimal that reads back to exactly v, with a decimal point
// and an upper-case exponent, e.g. 2.305E+11, 1.0, -1.2777777777777778E-06.
func formatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'G', -1, 64)
	mant, exp, hasExp := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if hasExp {
		return mant + "E" + exp
	}
	return mant
}
