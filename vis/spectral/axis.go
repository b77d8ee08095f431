package spectral

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// VelType is tclean's veltype: the velocity convention for velocity start/width.
type VelType int

// Velocity conventions.
const (
	Radio   VelType = iota // v = c (1 - nu/nu0); linear in frequency
	Optical                // v = c (nu0/nu - 1); channels equidistant in velocity, not frequency
)

func (v VelType) String() string {
	if v == Optical {
		return "optical"
	}
	return "radio"
}

// ParseVelType parses "radio" (the default, also for "") or "optical" (case-insensitive).
func ParseVelType(s string) (VelType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "radio":
		return Radio, nil
	case "optical":
		return Optical, nil
	}
	return 0, fmt.Errorf("spectral: veltype %q: want radio or optical", s)
}

// Spec is the user's description of the output spectral axis, as tclean's parameters.
type Spec struct {
	NChan    int    // number of output channels; <= 0 (tclean's -1) for as many as the data cover
	Start    string // "" | a data channel index "5" | a frequency "230.5GHz" | a velocity "-10km/s"
	Width    string // "" | a number of data channels "2" | "976.5625kHz" | "0.5km/s"; the sign sets the order
	RestFreq string // "230.538GHz"; "" takes the centre of the data (velocity start/width need it)
	VelType  string // "radio" (default) | "optical"
	OutFrame string // "LSRK" (default) | "TOPO" | "BARY" | "GEO" | "LSRD" | ...
}

// Data describes the selected data channels: one spectral window, or several merged into one
// monotonic list.
type Data struct {
	Freq  []float64 // SPECTRAL_WINDOW.CHAN_FREQ, Hz, ascending or descending
	Width []float64 // SPECTRAL_WINDOW.CHAN_WIDTH, Hz (the sign is ignored)
	Frame Frame     // SPECTRAL_WINDOW.MEAS_FREQ_REF
}

// Reference fixes where and when the output frame is realised. tclean uses the observatory
// position, the image phase centre and the TIME of the MeasurementSet's first row: the data
// channels are converted to the output frame at that instant to interpret channel-index starts
// and default widths, and an axis in a frame other than LSRK (e.g. TOPO) is tied to LSRK there.
type Reference struct {
	Conv *Converter // may be nil when the data are already in the output frame and it is LSRK
	Dir  Direction
	Time float64 // UTC, MJD seconds
}

// Axis is the output spectral axis of a cube.
//
// Channel k is centred on Freq[k] (Hz, in Frame) and is Width[k] wide. Samples are gridded in
// LSRK, as tclean does: a frequency nu on this axis is nu*ToLSRK in LSRK, ToLSRK being the
// conversion at the reference (1 for an LSRK axis). A TOPO axis therefore labels the channels
// with their topocentric frequencies at the reference time, while the data are still
// Doppler-tracked row by row (RowFactors).
type Axis struct {
	Freq     []float64 // channel centres, Hz, in Frame
	Width    []float64 // channel widths, Hz, positive
	Frame    Frame
	RestFreq float64 // Hz
	VelType  VelType
	Kind     Kind      // how start/width were given: channel, frequency or velocity
	Ref      Reference // where and when Frame is realised
	ToLSRK   float64   // nu_LSRK / nu_Frame at Ref

	// Equidistant in optical velocity (Kind == KindVelocity, VelType == Optical): channel k is at
	// optical velocity vel0 + k*dvel. Otherwise the axis is linear in frequency.
	optical    bool
	vel0, dvel float64
	step       float64 // Freq[k] = Freq[0] + k*step for linear axes
	ascending  bool
}

// NChan returns the number of output channels.
func (a *Axis) NChan() int { return len(a.Freq) }

// Linear reports whether the channels are equidistant in frequency.
func (a *Axis) Linear() bool { return !a.optical }

// FracBW returns the fractional bandwidth of the cube, 2|nu_last - nu_first|/(nu_last + nu_first),
// from its first and last channel frequencies: the cube-global scalar briggsbwtaper needs
// (ALGORITHMS.md section 2).
func (a *Axis) FracBW() float64 { return FracBW(a.Freq[0], a.Freq[len(a.Freq)-1]) }

// FracBW returns 2|last - first|/(last + first) for the first and last channel frequencies of a
// cube (briggsbwtaper's fracBW; 0 for a single channel).
func FracBW(first, last float64) float64 {
	return 2 * math.Abs(last-first) / (last + first)
}

// FITSAxis describes the spectral axis for a FITS header (WCS paper III).
type FITSAxis struct {
	CType    string  // "FREQ" (linear in frequency) or "VOPT" (linear in optical velocity)
	CUnit    string  // "Hz" or "m/s"
	CRVal    float64 // value at CRPix
	CDelt    float64 // increment per channel
	CRPix    float64 // 1-based reference pixel (1: the first channel)
	RestFreq float64 // RESTFRQ, Hz
	SpecSys  string  // SPECSYS: "LSRK", "TOPOCENT", ...
}

// FITS returns the FITS description of the axis. For a TOPO (or GEO) axis the frame is realised at
// Ref.Time, which belongs in the header as the observation date.
func (a *Axis) FITS() FITSAxis {
	f := FITSAxis{CType: "FREQ", CUnit: "Hz", CRVal: a.Freq[0], CDelt: a.step, CRPix: 1,
		RestFreq: a.RestFreq, SpecSys: a.Frame.SpecSys()}
	if a.optical {
		f.CType, f.CUnit, f.CRVal, f.CDelt = "VOPT", "m/s", a.vel0, a.dvel
	}
	return f
}

// Pixel returns the fractional channel coordinate of frequency nu (Hz, in the axis frame): k for
// the centre of channel k. It extrapolates beyond the ends.
func (a *Axis) Pixel(nu float64) float64 {
	if !a.optical {
		return (nu - a.Freq[0]) / a.step
	}
	// Optical axes: interpolate in the table of centres, as casacore's tabular coordinate.
	n := len(a.Freq)
	if n == 1 {
		return (nu - a.Freq[0]) / a.step
	}
	var i int
	if a.ascending {
		i = sort.SearchFloat64s(a.Freq, nu) - 1
	} else {
		i = sort.Search(n, func(k int) bool { return a.Freq[k] <= nu }) - 1
	}
	if i < 0 {
		i = 0
	}
	if i > n-2 {
		i = n - 2
	}
	return float64(i) + (nu-a.Freq[i])/(a.Freq[i+1]-a.Freq[i])
}

// NewAxis builds the output axis from tclean-style parameters and the selected data, following
// tclean (SynthesisParamsImage::getImFreq and MSTransformRegridder::calcChanFreqs):
//
//   - The unit of start and width picks the mode: plain integers are data channels, Hz units a
//     frequency, m/s units a velocity; mixing them is an error. Neither given: channel mode.
//   - The data channels are first converted to the output frame at the reference time.
//   - Channel mode: output channel k averages data channels start+k*width ... (in the data's own
//     order; a negative width walks backwards), so its centre is the mean of those channels'
//     frequencies. Defaults start=0, width=1.
//   - Frequency mode: channel k is centred at start + k*width. Velocity mode: at the frequency of
//     velocity start + k*width (radio: nu = nu0 (1 - v/c), linear in frequency; optical:
//     nu = nu0/(1 + v/c), equidistant in velocity). Without width the data channel width is used,
//     positive, so channels increase in the unit of start. Without start the channels begin at the
//     low-frequency edge of the data, ordered as width says.
//   - nchan <= 0 takes as many whole channels as fit in the data from start in the direction of
//     width; an explicit nchan is honoured even where channels fall outside the data (empty).
//
// Differences from tclean: an explicit start outside the data is kept (tclean clamps it to the
// data edge with a warning) and a channel start beyond the last data channel is an error (tclean
// resets it to 0); channel mode uses the spacing of the data channels where tclean uses
// CHAN_WIDTH of the lowest channel (the same for regularly spaced channels); optical default width
// is one data channel (tclean takes twice that when nchan is given).
func NewAxis(spec Spec, data Data, ref Reference) (*Axis, error) {
	start, err := ParseQuantity(spec.Start)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	width, err := ParseQuantity(spec.Width)
	if err != nil {
		return nil, fmt.Errorf("width: %w", err)
	}
	kind := start.Kind
	if kind == KindNone {
		kind = width.Kind
	}
	if width.Kind != KindNone && width.Kind != kind {
		return nil, fmt.Errorf("spectral: start %q is a %v but width %q is a %v: give both in the same unit", spec.Start, start.Kind, spec.Width, width.Kind)
	}
	if kind == KindNone {
		kind = KindChannel
	}
	restFreq, err := ParseRestFreq(spec.RestFreq)
	if err != nil {
		return nil, err
	}
	velType, err := ParseVelType(spec.VelType)
	if err != nil {
		return nil, err
	}
	outFrame, err := ParseFrame(spec.OutFrame)
	if err != nil {
		return nil, fmt.Errorf("outframe: %w", err)
	}
	if err := checkData(data); err != nil {
		return nil, err
	}
	if spec.NChan > MaxChannels {
		return nil, fmt.Errorf("spectral: nchan %d: more than %d channels", spec.NChan, MaxChannels)
	}

	// REST-frame data are not converted (tclean makes a REST image without Doppler tracking).
	if data.Frame == REST {
		outFrame = REST
	}
	k, toLSRK := 1.0, 1.0
	if data.Frame != outFrame {
		if ref.Conv == nil {
			return nil, fmt.Errorf("spectral: data in %v, output in %v: the conversion needs an observatory position (Reference.Conv)", data.Frame, outFrame)
		}
		if k, err = ref.Conv.Factor(data.Frame, outFrame, ref.Dir, ref.Time); err != nil {
			return nil, err
		}
	}
	if outFrame != LSRK && outFrame != REST {
		if ref.Conv == nil {
			return nil, fmt.Errorf("spectral: an output axis in %v needs an observatory position (Reference.Conv) to tie it to LSRK", outFrame)
		}
		if toLSRK, err = ref.Conv.Factor(outFrame, LSRK, ref.Dir, ref.Time); err != nil {
			return nil, err
		}
	}
	n := len(data.Freq)
	cf := make([]float64, n) // data channels in the output frame at the reference
	cw := make([]float64, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	lowest := 0
	for i := range cf {
		cf[i] = k * data.Freq[i]
		cw[i] = k * math.Abs(data.Width[i])
		lo = math.Min(lo, cf[i]-cw[i]/2)
		hi = math.Max(hi, cf[i]+cw[i]/2)
		if cf[i] < cf[lowest] {
			lowest = i
		}
	}
	if restFreq == 0 {
		if kind == KindVelocity {
			return nil, fmt.Errorf("spectral: velocity start/width need a rest frequency (restfreq)")
		}
		restFreq = (cf[0] + cf[n-1]) / 2
	}

	a := &Axis{Frame: outFrame, RestFreq: restFreq, VelType: velType, Kind: kind, Ref: ref, ToLSRK: toLSRK}
	switch {
	case kind == KindChannel:
		err = a.channelMode(spec.NChan, start, width, cf, cw)
	case kind == KindFrequency:
		err = a.frequencyMode(spec.NChan, start, width, lo, hi, cw[lowest])
	case velType == Radio:
		// Radio velocity is linear in frequency: nu = nu0 (1 - v/c).
		var fs, fw Quantity
		if start.Kind != KindNone {
			fs = Quantity{KindFrequency, restFreq * (1 - start.Value/speedOfLight)}
		}
		if width.Kind != KindNone && width.Value != 0 {
			fw = Quantity{KindFrequency, -restFreq * width.Value / speedOfLight}
		} else {
			fw = Quantity{KindFrequency, -cw[lowest]} // positive velocity width: descending frequency
		}
		err = a.frequencyMode(spec.NChan, fs, fw, lo, hi, cw[lowest])
	default:
		err = a.opticalMode(spec.NChan, start, width, lo, hi, cf[lowest], cw[lowest])
	}
	if err != nil {
		return nil, err
	}
	for i, f := range a.Freq {
		if !(f > 0) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("spectral: output channel %d has frequency %g Hz: check start and width", i, f)
		}
		// Channels narrower than this cannot be told apart in float64 arithmetic (a width of 1
		// m/s with a rest frequency of 1 Hz gives equal frequencies); no spectrometer comes
		// near it (0.3 m/s).
		if !(a.Width[i] > minRelWidth*f) {
			return nil, fmt.Errorf("spectral: output channel %d is %g Hz wide at %g Hz, narrower than %g of its frequency: check width and restfreq", i, a.Width[i], f, minRelWidth)
		}
	}
	a.ascending = len(a.Freq) == 1 || a.Freq[1] > a.Freq[0]
	return a, nil
}

func checkData(d Data) error {
	n := len(d.Freq)
	if n == 0 {
		return fmt.Errorf("spectral: no data channels")
	}
	if len(d.Width) != n {
		return fmt.Errorf("spectral: %d channel frequencies but %d widths", n, len(d.Width))
	}
	for i := range d.Freq {
		if !(d.Freq[i] > 0) || math.IsInf(d.Freq[i], 0) || !(math.Abs(d.Width[i]) > 0) || math.IsInf(d.Width[i], 0) {
			return fmt.Errorf("spectral: data channel %d has frequency %g Hz and width %g Hz", i, d.Freq[i], d.Width[i])
		}
	}
	if err := checkMonotonic(d.Freq); err != nil {
		return fmt.Errorf("spectral: data channels: %w", err)
	}
	return nil
}

// minRelWidth is the narrowest output channel NewAxis accepts, as a fraction of its frequency.
const minRelWidth = 1e-9

// checkMonotonic returns an error unless f is strictly ascending or strictly descending.
func checkMonotonic(f []float64) error {
	if len(f) < 2 {
		return nil
	}
	up := f[1] > f[0]
	for i := 1; i < len(f); i++ {
		if (up && !(f[i] > f[i-1])) || (!up && !(f[i] < f[i-1])) {
			return fmt.Errorf("frequencies are neither strictly ascending nor strictly descending (channel %d: %g Hz after %g Hz)", i, f[i], f[i-1])
		}
	}
	return nil
}

// alloc sizes Freq and Width for nchan channels.
func (a *Axis) alloc(nchan int) error {
	if nchan > MaxChannels {
		return fmt.Errorf("spectral: the start, width and data give more than %d output channels", MaxChannels)
	}
	a.Freq = make([]float64, nchan)
	a.Width = make([]float64, nchan)
	return nil
}

// MaxChannels bounds the number of output channels NewAxis accepts.
const MaxChannels = 1 << 20

// countWhole returns the number of whole channels of width w (> 0) in a span, with tclean's 1 %
// tolerance against rounding (MaxChannels+1 for more than MaxChannels).
func countWhole(span, w float64) int {
	n := math.Floor(span/w + 0.01)
	if n < 0 || math.IsNaN(n) {
		return 0
	}
	if n > MaxChannels {
		return MaxChannels + 1
	}
	return int(n)
}

func (a *Axis) channelMode(nchan int, start, width Quantity, cf, cw []float64) error {
	n := len(cf)
	s := 0
	if start.Kind != KindNone {
		s = int(start.Value)
	}
	w := 1
	if width.Kind != KindNone && width.Value != 0 {
		w = int(width.Value)
	}
	if s < 0 || s >= n {
		return fmt.Errorf("spectral: start channel %d is outside the %d data channels", s, n)
	}
	sign, m := 1, w
	if w < 0 {
		sign, m = -1, -w
	}
	d := cw[0] // spacing of the data channels, signed in the data's order
	if n > 1 {
		d = (cf[n-1] - cf[0]) / float64(n-1)
	}
	if nchan <= 0 {
		if sign > 0 {
			nchan = (n - s) / m
		} else {
			nchan = (s + 1) / m
		}
		if nchan == 0 {
			return fmt.Errorf("spectral: width %d channels from start channel %d leaves no whole output channel in the %d data channels", w, s, n)
		}
	}
	first := cf[0] + (float64(s)+float64(sign)*float64(m-1)/2)*d
	a.step = float64(sign*m) * d
	if err := a.alloc(nchan); err != nil {
		return err
	}
	for k := range a.Freq {
		a.Freq[k] = first + float64(k)*a.step
		a.Width[k] = math.Abs(a.step)
	}
	return nil
}

// frequencyMode lays channels equidistant in frequency: start (centre of channel 0) and width
// (signed) in Hz; lo/hi are the data's frequency edges, w0 the data channel width.
func (a *Axis) frequencyMode(nchan int, start, width Quantity, lo, hi, w0 float64) error {
	step := w0
	if width.Kind != KindNone && width.Value != 0 {
		step = width.Value
	}
	aw := math.Abs(step)
	var f0 float64
	if start.Kind != KindNone {
		f0 = start.Value
		if nchan <= 0 {
			if step > 0 {
				nchan = countWhole(hi-(f0-aw/2), aw)
			} else {
				nchan = countWhole((f0+aw/2)-lo, aw)
			}
			if nchan == 0 {
				return fmt.Errorf("spectral: start %.9g Hz with width %.9g Hz leaves no whole channel inside the data (%.9g-%.9g Hz)", f0, step, lo, hi)
			}
		}
	} else {
		if nchan <= 0 {
			if nchan = countWhole(hi-lo, aw); nchan == 0 {
				return fmt.Errorf("spectral: width %.9g Hz is wider than the data (%.9g-%.9g Hz)", step, lo, hi)
			}
		}
		// tclean anchors a default start at the low-frequency edge of the data.
		if step > 0 {
			f0 = lo + aw/2
		} else {
			f0 = lo + (float64(nchan)-0.5)*aw
		}
	}
	a.step = step
	if err := a.alloc(nchan); err != nil {
		return err
	}
	for k := range a.Freq {
		a.Freq[k] = f0 + float64(k)*step
		a.Width[k] = aw
	}
	return nil
}

func (a *Axis) opticalMode(nchan int, start, width Quantity, lo, hi, c0, w0 float64) error {
	nu0 := a.RestFreq
	vopt := func(f float64) float64 { return speedOfLight * (nu0/f - 1) }
	freq := func(v float64) float64 { return nu0 / (1 + v/speedOfLight) }
	dv := math.Abs(vopt(c0-w0/2) - vopt(c0+w0/2))
	if width.Kind != KindNone && width.Value != 0 {
		dv = width.Value
	}
	adv := math.Abs(dv)
	vlo, vhi := vopt(hi), vopt(lo) // velocity range of the data
	var v0 float64
	if start.Kind != KindNone {
		v0 = start.Value
		if nchan <= 0 {
			if dv > 0 {
				nchan = countWhole(vhi-(v0-adv/2), adv)
			} else {
				nchan = countWhole((v0+adv/2)-vlo, adv)
			}
			if nchan == 0 {
				return fmt.Errorf("spectral: start %.6g m/s with width %.6g m/s leaves no whole channel inside the data (%.6g to %.6g m/s)", v0, dv, vlo, vhi)
			}
		}
	} else {
		if nchan <= 0 {
			if nchan = countWhole(vhi-vlo, adv); nchan == 0 {
				return fmt.Errorf("spectral: width %.6g m/s is wider than the data (%.6g to %.6g m/s)", dv, vlo, vhi)
			}
		}
		// Anchor at the low-frequency (high-velocity) edge of the data, as tclean.
		if dv > 0 {
			v0 = vhi - (float64(nchan)-0.5)*adv
		} else {
			v0 = vhi - adv/2
		}
	}
	if 1+(v0-adv)/speedOfLight <= 0 || 1+(v0+float64(nchan)*dv)/speedOfLight <= 0 {
		return fmt.Errorf("spectral: optical velocities from %.6g m/s in steps of %.6g m/s reach -c", v0, dv)
	}
	a.optical, a.vel0, a.dvel = true, v0, dv
	if err := a.alloc(nchan); err != nil {
		return err
	}
	for k := range a.Freq {
		v := v0 + float64(k)*dv
		a.Freq[k] = freq(v)
		a.Width[k] = math.Abs(freq(v-dv/2) - freq(v+dv/2))
	}
	if nchan > 1 {
		a.step = a.Freq[1] - a.Freq[0]
	} else {
		a.step = -dv / speedOfLight * a.Freq[0] // local d(nu)/d(channel)
	}
	return nil
}
