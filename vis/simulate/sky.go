package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// Component types.
const (
	TypePoint    = "point"
	TypeGaussian = "gaussian"
)

// Line is a Gaussian spectral line added to a component's continuum. The centre and FWHM are
// given either in Hz (CenterHz, FWHMHz) or in channels of the simulated window (CenterChan,
// FWHMChan, 0-based, fractional allowed); Hz wins when both are set.
type Line struct {
	PeakJy     float64  `json:"peak_jy"`
	CenterHz   float64  `json:"center_hz,omitempty"`
	FWHMHz     float64  `json:"fwhm_hz,omitempty"`
	CenterChan *float64 `json:"center_chan,omitempty"`
	FWHMChan   float64  `json:"fwhm_chan,omitempty"`
}

// Component is one source of the sky model. Positions are offsets from the phase centre in
// arcsec: East = l/arcsec and North = m/arcsec (direction cosines, SIN projection). Fluxes are
// apparent (no primary beam), in Jy; for a Gaussian they are integrated flux densities.
//
// The flux at channel frequency nu is FluxJy (nu/RefFreqHz)^SpectralIndex plus the lines, or
// ChannelFluxJy[ch] when that is given (one value per channel, overriding the rest).
type Component struct {
	Name          string    `json:"name"`
	Type          string    `json:"type"`
	East          float64   `json:"east"`
	North         float64   `json:"north"`
	MajorArcsec   float64   `json:"major_arcsec,omitempty"` // Gaussian FWHM
	MinorArcsec   float64   `json:"minor_arcsec,omitempty"`
	PADeg         float64   `json:"pa_deg,omitempty"` // major axis, east of north
	FluxJy        float64   `json:"flux_jy"`
	RefFreqHz     float64   `json:"ref_freq_hz,omitempty"` // 0: the band centre
	SpectralIndex float64   `json:"spectral_index,omitempty"`
	Lines         []Line    `json:"lines,omitempty"`
	ChannelFluxJy []float64 `json:"channel_flux_jy,omitempty"`
	Note          string    `json:"note,omitempty"`
}

// SkyModel is a list of components (the --sky JSON file is {"components": [...]}).
type SkyModel struct {
	Components []Component `json:"components"`
}

// ReadSkyModel reads a sky model JSON file (see ParseSkyModel).
func ReadSkyModel(path string) (*SkyModel, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sky model: %w", err)
	}
	m, err := ParseSkyModel(b)
	if err != nil {
		return nil, fmt.Errorf("read sky model %s: %w", path, err)
	}
	return m, nil
}

// ParseSkyModel decodes a sky model {"components": [...]}; unknown fields are errors. Call
// Validate before use.
func ParseSkyModel(b []byte) (*SkyModel, error) {
	var m SkyModel
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the sky model")
	}
	if len(m.Components) == 0 {
		return nil, fmt.Errorf("no components")
	}
	return &m, nil
}

// DefaultSky is the model used without --sky: two continuum point sources (one steep, one flat),
// a weak point source with a narrow line and an elliptical Gaussian with a broad line; the lines
// sit at 35% and 65% of the band so that every band has them.
func DefaultSky(nchan int) *SkyModel {
	c1, c2 := 0.35*float64(nchan-1), 0.65*float64(nchan-1)
	w1, w2 := math.Max(0.06*float64(nchan), 1.5), math.Max(0.12*float64(nchan), 2.5)
	return &SkyModel{Components: []Component{
		{Name: "P1", Type: TypePoint, East: 4.0, North: 2.5, FluxJy: 0.40, SpectralIndex: -0.8,
			Note: "continuum 0.4 Jy at the band centre, spectral index -0.8"},
		{Name: "P2", Type: TypePoint, East: -6.0, North: 3.0, FluxJy: 0.15, Note: "flat continuum 0.15 Jy"},
		{Name: "P3", Type: TypePoint, East: 2.5, North: -5.0, FluxJy: 0.03,
			Lines: []Line{{PeakJy: 0.25, CenterChan: &c1, FWHMChan: w1}},
			Note:  "0.03 Jy continuum + 0.25 Jy line at 35% of the band, FWHM 6% of the band"},
		{Name: "G1", Type: TypeGaussian, East: -3.5, North: -3.0, MajorArcsec: 2.4, MinorArcsec: 1.2, PADeg: 35,
			FluxJy: 0.08, Lines: []Line{{PeakJy: 0.8, CenterChan: &c2, FWHMChan: w2}},
			Note: "elliptical Gaussian 2.4x1.2 arcsec PA 35 deg: 0.08 Jy continuum + 0.8 Jy line at 65% of the band, FWHM 12%; integrated flux"},
	}}
}

// Validate checks the components against a window of nchan channels.
func (m *SkyModel) Validate(nchan int) error {
	seen := map[string]bool{}
	for i, c := range m.Components {
		name := c.Name
		if name == "" {
			return fmt.Errorf("sky component %d has no name", i)
		}
		if seen[name] {
			return fmt.Errorf("sky component %s appears twice", name)
		}
		seen[name] = true
		switch c.Type {
		case TypePoint:
		case TypeGaussian:
			if !(c.MajorArcsec > 0 && c.MinorArcsec > 0 && c.MinorArcsec <= c.MajorArcsec) {
				return fmt.Errorf("sky component %s: gaussian needs major_arcsec >= minor_arcsec > 0", name)
			}
		default:
			return fmt.Errorf("sky component %s: type %q is not %s or %s", name, c.Type, TypePoint, TypeGaussian)
		}
		if math.Hypot(c.East, c.North)*arcsec >= 0.5 {
			return fmt.Errorf("sky component %s: offset (%g, %g) arcsec is too large", name, c.East, c.North)
		}
		if c.ChannelFluxJy != nil && len(c.ChannelFluxJy) != nchan {
			return fmt.Errorf("sky component %s: channel_flux_jy has %d values for %d channels", name, len(c.ChannelFluxJy), nchan)
		}
		for j, l := range c.Lines {
			hz := l.CenterHz != 0 || l.FWHMHz != 0
			if hz && !(l.CenterHz > 0 && l.FWHMHz > 0) {
				return fmt.Errorf("sky component %s line %d: give both center_hz and fwhm_hz > 0", name, j)
			}
			if !hz && (l.CenterChan == nil || !(l.FWHMChan > 0)) {
				return fmt.Errorf("sky component %s line %d: give center_hz and fwhm_hz, or center_chan and fwhm_chan > 0", name, j)
			}
		}
	}
	return nil
}

// ChannelFluxes returns the component's flux (Jy) at each channel frequency (evaluated at the
// channel centre, not averaged over the channel); centreHz is the band centre, the default
// continuum reference frequency.
func (c *Component) ChannelFluxes(freqs []float64, centreHz float64) []float64 {
	out := make([]float64, len(freqs))
	if c.ChannelFluxJy != nil {
		copy(out, c.ChannelFluxJy)
		return out
	}
	ref := c.RefFreqHz
	if ref == 0 {
		ref = centreHz
	}
	for k, nu := range freqs {
		s := c.FluxJy * math.Pow(nu/ref, c.SpectralIndex)
		for _, l := range c.Lines {
			var x float64
			if l.CenterHz != 0 {
				x = (nu - l.CenterHz) / l.FWHMHz
			} else {
				x = (float64(k) - *l.CenterChan) / l.FWHMChan
			}
			s += l.PeakJy * math.Exp(-4*math.Ln2*x*x)
		}
		out[k] = s
	}
	return out
}
