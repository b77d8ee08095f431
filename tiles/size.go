package tiles

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// sizeUnits maps a unit, lower-cased, to its multiplier in bytes. Decimal units (kB, MB, GB, TB,
// PB) are powers of 1000 and binary units (KiB, MiB, GiB, TiB, PiB) powers of 1024, exactly as
// written: "48GB" is 48e9 bytes and "1.5GiB" is 1.5 * 2^30 bytes.
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"kb":  1e3,
	"mb":  1e6,
	"gb":  1e9,
	"tb":  1e12,
	"pb":  1e15,
	"kib": 1 << 10,
	"mib": 1 << 20,
	"gib": 1 << 30,
	"tib": 1 << 40,
	"pib": 1 << 50,
}

// ParseSize parses a byte size such as "48GB", "512MiB", "1.5GiB", "100MB", "4096" or "4096B".
// Units are case-insensitive; GB means 10^9 bytes and GiB 2^30 bytes. A fractional result is
// rounded to the nearest byte. Single-letter units such as "48G" are rejected because they are
// ambiguous (Slurm reads them as GiB, others as GB).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" || strings.Count(num, ".") > 1 || num == "." {
		return 0, fmt.Errorf("size %q: want a number followed by a unit such as 48GB, 512MiB or 1.5GiB", s)
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, t[i:])
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("size %q: bad number %q", s, num)
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	// Round half up: floor(r + 1/2).
	r.Add(r, big.NewRat(1, 2))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !q.IsInt64() || q.Int64() > math.MaxInt64 {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return q.Int64(), nil
}

// FormatSize renders n bytes with a binary unit and three significant decimals, e.g. "1.50 GiB".
func FormatSize(n int64) string {
	const units = "KMGTPE"
	if n < 1024 && n > -1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	u := -1
	for math.Abs(v) >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.2f %ciB", v, units[u])
}
