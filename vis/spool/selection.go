package spool

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cubeimg/cubeimg/vis"
)

// Selection chooses the rows that go into the spool, with tclean's parameter names.
type Selection struct {
	// Field is tclean's field: "" for every field; else a comma-separated list of FIELD_IDs,
	// ranges "2~4" and names (exact, else case-insensitive). The first field listed is the phase
	// centre. Without a selection the phase centre is the field of the MeasurementSet's first row.
	// Fields must share the phase centre (mosaics are not supported): selected fields with another
	// PHASE_DIR are an error, and so are rows of another phase centre when Field is "".
	Field string
	// Spw is tclean's spw: "" or "*" for every spectral window; else a comma-separated list of
	// SPECTRAL_WINDOW ids and ranges "0~3". Channel selections ("0:5~10") are not supported: use
	// the output axis (start, width, nchan). Every selected window contributes to the cube where
	// its frequencies fall on the output axis.
	Spw string
	// DataColumn is tclean's datacolumn: "data" (default), "corrected" or "model" (MS only).
	DataColumn string
	// TimeRange keeps rows with TIME in [TimeRange[0], TimeRange[1]] (MJD seconds, UTC); the zero
	// value keeps every row. ParseTimeRange reads CASA's "YYYY/MM/DD/hh:mm:ss~YYYY/MM/DD/hh:mm:ss".
	TimeRange [2]float64
}

// resolveFields returns the selected FIELD_IDs in the order given (nil for every field).
func resolveFields(m *vis.Meta, sel string) ([]int, error) {
	sel = strings.TrimSpace(sel)
	if sel == "" || sel == "*" {
		return nil, nil
	}
	var out []int
	seen := map[int]bool{}
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	for _, item := range strings.Split(sel, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("field %q: empty item", sel)
		}
		if lo, hi, ok, err := parseRange(item, len(m.Fields)); ok {
			if err != nil {
				return nil, fmt.Errorf("field %q: %w (%d fields)", sel, err, len(m.Fields))
			}
			for i := lo; i <= hi; i++ {
				add(i)
			}
			continue
		}
		var found []int
		for i, f := range m.Fields {
			if f.Name == item {
				found = append(found, i)
			}
		}
		if len(found) == 0 {
			for i, f := range m.Fields {
				if strings.EqualFold(f.Name, item) {
					found = append(found, i)
				}
			}
		}
		if len(found) == 0 {
			names := make([]string, len(m.Fields))
			for i, f := range m.Fields {
				names[i] = fmt.Sprintf("%d %s", i, f.Name)
			}
			return nil, fmt.Errorf("field %q: no field named %q (fields: %s)", sel, item, strings.Join(names, ", "))
		}
		for _, i := range found {
			add(i)
		}
	}
	return out, nil
}

// resolveSpws returns the selected spectral window ids in increasing order.
func resolveSpws(m *vis.Meta, sel string) ([]int, error) {
	n := len(m.SpectralWindows)
	sel = strings.TrimSpace(sel)
	picked := make([]bool, n)
	if sel == "" || sel == "*" {
		for i := range picked {
			picked[i] = true
		}
	} else {
		for _, item := range strings.Split(sel, ",") {
			item = strings.TrimSpace(item)
			if strings.Contains(item, ":") {
				return nil, fmt.Errorf("spw %q: channel selections are not supported; select channels with start, width and nchan", sel)
			}
			lo, hi, ok, err := parseRange(item, n)
			if !ok {
				return nil, fmt.Errorf("spw %q: %q is not a spectral window id or range", sel, item)
			}
			if err != nil {
				return nil, fmt.Errorf("spw %q: %w (%d spectral windows)", sel, err, n)
			}
			for i := lo; i <= hi; i++ {
				picked[i] = true
			}
		}
	}
	var out []int
	for i, p := range picked {
		if p {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("spw %q: no spectral window selected (%d defined)", sel, n)
	}
	return out, nil
}

// parseRange parses "i" or "i~j". ok is false if item is not of that form; err reports ids
// outside [0, n).
func parseRange(item string, n int) (lo, hi int, ok bool, err error) {
	a, b, isRange := strings.Cut(item, "~")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	if err1 != nil {
		return 0, 0, false, nil
	}
	hi = lo
	if isRange {
		var err2 error
		if hi, err2 = strconv.Atoi(strings.TrimSpace(b)); err2 != nil {
			return 0, 0, false, nil
		}
	}
	if lo < 0 || hi >= n || lo > hi {
		return lo, hi, true, fmt.Errorf("%q is outside 0~%d", item, n-1)
	}
	return lo, hi, true, nil
}

// ParseTimeRange parses CASA's timerange "YYYY/MM/DD/hh:mm:ss[.s]~YYYY/MM/DD/hh:mm:ss[.s]" (UTC)
// into MJD seconds; "" gives the zero range (every row).
func ParseTimeRange(s string) ([2]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return [2]float64{}, nil
	}
	a, b, ok := strings.Cut(s, "~")
	if !ok {
		return [2]float64{}, fmt.Errorf("timerange %q: want START~END", s)
	}
	var out [2]float64
	for i, part := range []string{a, b} {
		t, err := time.Parse("2006/01/02/15:04:05.999999999", strings.TrimSpace(part))
		if err != nil {
			return [2]float64{}, fmt.Errorf("timerange %q: %q is not YYYY/MM/DD/hh:mm:ss", s, part)
		}
		out[i] = float64(t.Unix()) + float64(t.Nanosecond())/1e9 + 40587*86400
	}
	if !(out[1] >= out[0]) {
		return [2]float64{}, fmt.Errorf("timerange %q ends before it starts", s)
	}
	return out, nil
}

// angularDistance returns the angle between two (longitude, latitude) directions in radians.
func angularDistance(a, b [2]float64) float64 {
	sa, ca := math.Sincos(a[1])
	sb, cb := math.Sincos(b[1])
	dl := a[0] - b[0]
	x := cb * math.Sin(dl)
	y := ca*sb - sa*cb*math.Cos(dl)
	return math.Atan2(math.Hypot(x, y), sa*sb+ca*cb*math.Cos(dl))
}
