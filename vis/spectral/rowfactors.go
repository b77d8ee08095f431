package spectral

import "fmt"

// RowFactors gives, for each row of a MeasurementSet, the factor taking its data channel
// frequencies (in the spectral window's MEAS_FREQ_REF frame) to the frame of the output axis, with
// tclean's software Doppler tracking: data -> LSRK at the row's own time and field direction, then
// LSRK -> the axis frame as realised at the reference (the identity for an LSRK axis). Multiply
// CHAN_FREQ by the factor and hand the result to Mapper.Map.
//
// Factors are cached per (frame, time, field), so calling Factor for every row costs a map lookup
// once the first row of each timestamp has been seen. The cache holds at most 4096 entries (it is
// cleared when full). A RowFactors is not safe for concurrent use; give each goroutine its own.
type RowFactors struct {
	conv   *Converter
	axis   *Axis
	fields []Direction
	cache  map[rowKey]float64
}

type rowKey struct {
	from  Frame
	time  float64
	field int
}

const rowCacheSize = 4096

// NewRowFactors returns the per-row factors onto axis a for an observatory (conv) and the
// MeasurementSet's field directions (FIELD.PHASE_DIR, indexed by FIELD_ID). conv may be nil only
// when every row's frame equals the axis frame and that frame is LSRK or REST.
func NewRowFactors(conv *Converter, a *Axis, fields []Direction) *RowFactors {
	return &RowFactors{conv: conv, axis: a, fields: fields, cache: make(map[rowKey]float64)}
}

// Factor returns nu_axis / nu_data for a row at mjdSec (UTC, the TIME column) on field, whose
// spectral window's frame is from.
func (r *RowFactors) Factor(from Frame, mjdSec float64, field int) (float64, error) {
	a := r.axis
	if from == a.Frame && (from == LSRK || from == REST) {
		return 1, nil
	}
	if from == REST || a.Frame == REST {
		return 0, fmt.Errorf("spectral: cannot map %v data onto a %v axis", from, a.Frame)
	}
	key := rowKey{from, mjdSec, field}
	if f, ok := r.cache[key]; ok {
		return f, nil
	}
	if field < 0 || field >= len(r.fields) {
		return 0, fmt.Errorf("spectral: FIELD_ID %d outside the %d fields", field, len(r.fields))
	}
	if r.conv == nil {
		return 0, fmt.Errorf("spectral: converting %v data needs an observatory position", from)
	}
	k, err := r.conv.ToLSRK(from, r.fields[field], mjdSec)
	if err != nil {
		return 0, fmt.Errorf("field %d: %w", field, err)
	}
	k /= a.ToLSRK
	if len(r.cache) >= rowCacheSize {
		clear(r.cache)
	}
	r.cache[key] = k
	return k, nil
}
