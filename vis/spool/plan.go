package spool

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/spectral"
)

const speedOfLight = 299792458.0

// samePhaseCentre is the largest separation (radians, about 2 mas) at which two fields count as
// one phase centre.
const samePhaseCentre = 1e-8

// Plan is everything decided before the samples are formed: the selection resolved against the
// data set, the output axis and how rows map onto it.
type Plan struct {
	Meta *vis.Meta
	// Fields are the selected FIELD_IDs (nil: every field sharing the phase centre).
	Fields []int
	// PhaseCentreField is the field whose PHASE_DIR is the image phase centre.
	PhaseCentreField int
	// Spws are the selected spectral windows.
	Spws []int
	// Observatory is the ITRF position used for frame conversion, from ObservatorySource
	// ("observatory ALMA", "antenna 0 (ea01)", "array position"; "" if unknown).
	Observatory       [3]float64
	ObservatorySource string
	// Ref is where and when the output frame is realised: the observatory, the phase centre and
	// the TIME of the data set's first row.
	Ref spectral.Reference
	// Data are the selected channels the axis is built from: one spectral window's channels in
	// their own order, or several windows merged (see NewPlan).
	Data   spectral.Data
	Axis   *spectral.Axis
	Interp spectral.Interpolation
	// UVScale per output channel: the longest baseline times the channel's upper edge frequency
	// over c (0 when the antennas are unknown).
	UVScale []float64

	spec      spectral.Spec
	fieldSel  []bool // per FIELD_ID
	fieldOK   []bool // per FIELD_ID: shares the phase centre
	fieldDirs []spectral.Direction
	dd        []ddPlan // per DATA_DESC_ID
	frames    []spectral.Frame
}

// ddPlan says how rows of one data description become Stokes I.
type ddPlan struct {
	selected bool
	spw      int
	p1, p2   int    // parallel-hand correlation indices (equal for a Stokes I correlation)
	noPair   string // non-empty: why Stokes I cannot be formed
}

// NewPlan resolves sel against m and builds the output axis from spec and interp, with tclean's
// rules (spectral.NewAxis): the observatory position from ObservatoryPosition, the reference
// direction the phase centre (the first selected field, or firstField, the FIELD_ID of the data
// set's first row, when every field is selected) and the reference time firstTime, the TIME of
// the data set's first row.
//
// Several selected spectral windows are merged into one list of data channels for the axis
// (defaults, channel-index start and width): the windows in order of their lowest frequency, each
// contributing the channels beyond the upper edge of those before it, ascending in frequency. Their
// frames must agree. Every window's rows still map onto the axis by their own channels, so
// overlapping windows both contribute to the output channels they cover.
func NewPlan(m *vis.Meta, sel Selection, spec spectral.Spec, interp spectral.Interpolation, firstTime float64, firstField int) (*Plan, error) {
	p := &Plan{Meta: m, Interp: interp, spec: spec}
	var err error
	if p.Fields, err = resolveFields(m, sel.Field); err != nil {
		return nil, err
	}
	if p.Spws, err = resolveSpws(m, sel.Spw); err != nil {
		return nil, err
	}
	if err := p.resolveFields(firstField); err != nil {
		return nil, err
	}
	if err := p.resolveDataDescs(); err != nil {
		return nil, err
	}
	if err := p.mergeSpws(); err != nil {
		return nil, err
	}
	var conv *spectral.Converter
	if pos, src, ok := ObservatoryPosition(m); ok {
		if c, err := spectral.NewConverter(pos); err == nil {
			conv, p.Observatory, p.ObservatorySource = c, pos, src
		}
	}
	dir := p.fieldDirs[p.PhaseCentreField]
	p.Ref = spectral.Reference{Conv: conv, Dir: dir, Time: firstTime}
	if p.Axis, err = spectral.NewAxis(spec, p.Data, p.Ref); err != nil {
		return nil, fmt.Errorf("output axis: %w", err)
	}
	if bmax := longestBaseline(m.Antennas); bmax > 0 {
		p.UVScale = make([]float64, p.Axis.NChan())
		for k := range p.UVScale {
			p.UVScale[k] = bmax * (p.Axis.Freq[k] + p.Axis.Width[k]/2) * 1.001 / speedOfLight
		}
	}
	return p, nil
}

func (p *Plan) resolveFields(firstField int) error {
	m := p.Meta
	if len(m.Fields) == 0 {
		return fmt.Errorf("%s has no fields", m.Path)
	}
	p.fieldDirs = make([]spectral.Direction, len(m.Fields))
	dirErr := make([]error, len(m.Fields))
	for i, f := range m.Fields {
		fr, err := spectral.ParseDirFrame(f.Frame)
		if f.Frame == "" {
			fr, err = spectral.J2000, nil
		}
		p.fieldDirs[i] = spectral.Direction{Lon: f.PhaseDir[0], Lat: f.PhaseDir[1], Frame: fr}
		if err != nil {
			dirErr[i] = fmt.Errorf("field %d (%s): %w", i, f.Name, err)
		}
	}
	p.fieldSel = make([]bool, len(m.Fields))
	if p.Fields == nil {
		if firstField < 0 || firstField >= len(m.Fields) {
			return fmt.Errorf("the first row's FIELD_ID %d is outside the %d fields", firstField, len(m.Fields))
		}
		p.PhaseCentreField = firstField
		for i := range p.fieldSel {
			p.fieldSel[i] = true
		}
	} else {
		p.PhaseCentreField = p.Fields[0]
		for _, f := range p.Fields {
			p.fieldSel[f] = true
		}
	}
	pc := m.Fields[p.PhaseCentreField].PhaseDir
	if dirErr[p.PhaseCentreField] != nil {
		return dirErr[p.PhaseCentreField]
	}
	p.fieldOK = make([]bool, len(m.Fields))
	for i, f := range m.Fields {
		p.fieldOK[i] = dirErr[i] == nil && angularDistance(f.PhaseDir, pc) <= samePhaseCentre
	}
	for _, f := range p.Fields {
		if !p.fieldOK[f] {
			return fmt.Errorf("field %d (%s) is %.3g arcsec from the phase centre of field %d (%s): select fields of one phase centre (mosaics are not supported)",
				f, m.Fields[f].Name, angularDistance(m.Fields[f].PhaseDir, pc)*180/math.Pi*3600, p.PhaseCentreField, m.Fields[p.PhaseCentreField].Name)
		}
	}
	return nil
}

func (p *Plan) resolveDataDescs() error {
	m := p.Meta
	p.frames = make([]spectral.Frame, len(m.SpectralWindows))
	for i, s := range m.SpectralWindows {
		f, err := spectral.FrameFromCode(s.MeasFreqRef)
		if err != nil && slices.Contains(p.Spws, i) {
			return fmt.Errorf("spectral window %d: %w", i, err)
		}
		p.frames[i] = f
	}
	p.dd = make([]ddPlan, len(m.DataDescs))
	anySel, anyPair := false, false
	var why string
	for i, d := range m.DataDescs {
		if !slices.Contains(p.Spws, d.SpwID) || d.PolID < 0 || d.PolID >= len(m.Polarizations) {
			continue
		}
		anySel = true
		pd := ddPlan{selected: true, spw: d.SpwID}
		pd.p1, pd.p2, pd.noPair = parallelHands(m.Polarizations[d.PolID].CorrType)
		if pd.noPair == "" {
			anyPair = true
		} else {
			pd.noPair = fmt.Sprintf("data description %d (spectral window %d, polarization %d: %s)", i, d.SpwID, d.PolID, pd.noPair)
			why = pd.noPair
		}
		p.dd[i] = pd
	}
	if !anySel {
		return fmt.Errorf("no data description uses the selected spectral windows %v", p.Spws)
	}
	if !anyPair {
		return fmt.Errorf("cannot form Stokes I: %s", why)
	}
	return nil
}

// parallelHands finds the correlations Stokes I is formed from: a pair XX/YY, RR/LL or PP/QQ in
// any order, else a Stokes I correlation.
func parallelHands(corr []int) (p1, p2 int, why string) {
	idx := func(code int) int { return slices.Index(corr, code) }
	for _, pair := range [][2]int{{9, 12}, {5, 8}, {21, 24}} {
		if a, b := idx(pair[0]), idx(pair[1]); a >= 0 && b >= 0 {
			return a, b, ""
		}
	}
	if a := idx(1); a >= 0 {
		return a, a, ""
	}
	names := make([]string, len(corr))
	for i, c := range corr {
		names[i] = vis.CorrName(c)
	}
	return 0, 0, fmt.Sprintf("correlations %v have no parallel-hand pair (XX and YY, or RR and LL)", names)
}

// mergeSpws builds p.Data from the selected spectral windows.
func (p *Plan) mergeSpws() error {
	m := p.Meta
	frame := p.frames[p.Spws[0]]
	for _, s := range p.Spws {
		if p.frames[s] != frame {
			return fmt.Errorf("spectral windows %d (%v) and %d (%v) are in different frames: select windows of one frame",
				p.Spws[0], frame, s, p.frames[s])
		}
		if m.SpectralWindows[s].NumChan() == 0 {
			return fmt.Errorf("spectral window %d has no channels", s)
		}
	}
	if len(p.Spws) == 1 {
		sw := m.SpectralWindows[p.Spws[0]]
		p.Data = spectral.Data{Freq: slices.Clone(sw.ChanFreq), Width: slices.Clone(sw.ChanWidth), Frame: frame}
		return nil
	}
	type chanInfo struct{ f, w float64 }
	lists := make([][]chanInfo, 0, len(p.Spws))
	for _, s := range p.Spws {
		sw := m.SpectralWindows[s]
		l := make([]chanInfo, sw.NumChan())
		for i := range l {
			w := 0.0
			if i < len(sw.ChanWidth) {
				w = math.Abs(sw.ChanWidth[i])
			}
			l[i] = chanInfo{sw.ChanFreq[i], w}
		}
		sort.Slice(l, func(a, b int) bool { return l[a].f < l[b].f })
		lists = append(lists, l)
	}
	sort.SliceStable(lists, func(a, b int) bool { return lists[a][0].f-lists[a][0].w/2 < lists[b][0].f-lists[b][0].w/2 })
	hiEdge := math.Inf(-1)
	var d spectral.Data
	d.Frame = frame
	for _, l := range lists {
		for _, c := range l {
			if c.f-c.w/2 >= hiEdge-1e-6*c.w && (len(d.Freq) == 0 || c.f > d.Freq[len(d.Freq)-1]) {
				d.Freq = append(d.Freq, c.f)
				d.Width = append(d.Width, c.w)
				hiEdge = math.Max(hiEdge, c.f+c.w/2)
			}
		}
	}
	p.Data = d
	return nil
}

// longestBaseline returns the largest distance between two antennas with known positions.
func longestBaseline(ants []vis.Antenna) float64 {
	var b2 float64
	for i := range ants {
		if ants[i].Position == [3]float64{} {
			continue
		}
		for j := i + 1; j < len(ants); j++ {
			if ants[j].Position == [3]float64{} {
				continue
			}
			var s float64
			for k := range 3 {
				d := ants[i].Position[k] - ants[j].Position[k]
				s += d * d
			}
			b2 = math.Max(b2, s)
		}
	}
	return math.Sqrt(b2)
}

// PlanInfo is the plan as recorded in a spool's manifest: enough to rebuild the output axis
// (Spool.Axis) without the input.
type PlanInfo struct {
	Input             string        `json:"input"`
	Format            string        `json:"format"`
	DataColumn        string        `json:"data_column"`
	Telescope         string        `json:"telescope"`
	Fields            []int         `json:"fields"` // nil: every field of the phase centre
	PhaseCentreField  int           `json:"phase_centre_field"`
	PhaseCentre       [2]float64    `json:"phase_centre"` // radians
	PhaseCentreFrame  string        `json:"phase_centre_frame"`
	Spws              []int         `json:"spws"`
	Observatory       [3]float64    `json:"observatory_itrf"`
	ObservatorySource string        `json:"observatory_source"`
	RefTime           float64       `json:"ref_time_mjd_s"`
	Spec              spectral.Spec `json:"spec"`
	Interpolation     string        `json:"interpolation"`
	DataFreq          []float64     `json:"data_freq_hz"`
	DataWidth         []float64     `json:"data_width_hz"`
	DataFrame         string        `json:"data_frame"`
	AxisFreq          []float64     `json:"axis_freq_hz"`
	AxisFrame         string        `json:"axis_frame"`
	TimeRange         [2]float64    `json:"time_range,omitempty"`
	Policy            string        `json:"policy"`
}

// policy states the sample rules a spool was built with (part of the key).
const policy = "stokes I from parallel hands; weight mean of the hands' WEIGHT_SPECTRUM else WEIGHT; flagged if either hand, FLAG_ROW or an interpolation neighbour; cross-correlations only; finite samples of positive weight"

// Info returns the plan as recorded in the manifest.
func (p *Plan) Info(sel Selection) PlanInfo {
	m := p.Meta
	f := m.Fields[p.PhaseCentreField]
	return PlanInfo{
		Input: m.Path, Format: m.Format, DataColumn: m.DataColumn, Telescope: m.Telescope(),
		Fields: p.Fields, PhaseCentreField: p.PhaseCentreField, PhaseCentre: f.PhaseDir,
		PhaseCentreFrame: p.Ref.Dir.Frame.String(), Spws: p.Spws, Observatory: p.Observatory,
		ObservatorySource: p.ObservatorySource, RefTime: p.Ref.Time, Spec: p.spec,
		Interpolation: p.Interp.String(), DataFreq: p.Data.Freq, DataWidth: p.Data.Width,
		DataFrame: p.Data.Frame.String(), AxisFreq: p.Axis.Freq, AxisFrame: p.Axis.Frame.String(),
		TimeRange: sel.TimeRange, Policy: policy,
	}
}

// Axis rebuilds the output axis recorded in a plan.
func (pi *PlanInfo) Axis() (*spectral.Axis, error) {
	frame, err := spectral.ParseFrame(pi.DataFrame)
	if err != nil {
		return nil, err
	}
	dirFrame, err := spectral.ParseDirFrame(pi.PhaseCentreFrame)
	if err != nil {
		return nil, err
	}
	ref := spectral.Reference{Dir: spectral.Direction{Lon: pi.PhaseCentre[0], Lat: pi.PhaseCentre[1], Frame: dirFrame}, Time: pi.RefTime}
	if pi.ObservatorySource != "" {
		if ref.Conv, err = spectral.NewConverter(pi.Observatory); err != nil {
			return nil, err
		}
	}
	a, err := spectral.NewAxis(pi.Spec, spectral.Data{Freq: pi.DataFreq, Width: pi.DataWidth, Frame: frame}, ref)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(a.Freq, pi.AxisFreq) {
		return nil, fmt.Errorf("spool: the output axis rebuilt from the manifest differs from the one recorded")
	}
	return a, nil
}
