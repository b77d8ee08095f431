package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/cubeimg/cubeimg/tiles"
)

// FormatVersion is the version of the on-disk format this package writes and reads (FORMAT.md).
const FormatVersion = 1

const (
	manifestName  = "MANIFEST"
	manifestMagic = "cubeimg-manifest"
	formatName    = "cubeimg-store"
)

// Element types of an extension.
const (
	Float32 = "float32" // little-endian IEEE 754 single precision
	Uint8   = "uint8"   // one byte per pixel (masks: 0 or 1)
)

// An Extension is one image of the cube: its own file of nchan planes.
type Extension struct {
	Name  string `json:"name"`  // lower-case, e.g. "image"
	DType string `json:"dtype"` // Float32 or Uint8
	BUnit string `json:"bunit"` // FITS BUNIT, e.g. "Jy/beam"; "" for none
	File  string `json:"file"`  // data file name inside the cube directory; set by Create
}

// Standard extension names.
const (
	ExtImage    = "image"
	ExtPSF      = "psf"
	ExtResidual = "residual"
	ExtModel    = "model"
	ExtPB       = "pb"
	ExtMask     = "mask"
)

// DefaultExtensions returns the six extensions of a tclean-like cube: image, psf, residual,
// model, pb (float32) and mask (one byte per pixel, 0 or 1).
func DefaultExtensions() []Extension {
	return []Extension{
		{Name: ExtImage, DType: Float32, BUnit: "Jy/beam"},
		{Name: ExtPSF, DType: Float32, BUnit: ""},
		{Name: ExtResidual, DType: Float32, BUnit: "Jy/beam"},
		{Name: ExtModel, DType: Float32, BUnit: "Jy/pixel"},
		{Name: ExtPB, DType: Float32, BUnit: ""},
		{Name: ExtMask, DType: Uint8, BUnit: ""},
	}
}

// Celestial is the RA/Dec part of the WCS, in FITS conventions: pixel (x, y), 0-based in the
// store's planes, is FITS pixel (x+1, y+1); CRPIX is 1-based as in FITS. Angles are degrees.
type Celestial struct {
	Projection string     `json:"projection"` // "SIN"
	CRVal      [2]float64 `json:"crval_deg"`  // RA, Dec of the reference pixel
	CRPix      [2]float64 `json:"crpix"`      // 1-based reference pixel (x, y)
	CDelt      [2]float64 `json:"cdelt_deg"`  // pixel increments; CDelt[0] < 0 (RA decreases with x)
	RADesys    string     `json:"radesys"`    // "ICRS" or "FK5"
	Equinox    float64    `json:"equinox,omitempty"`
	Object     string     `json:"object,omitempty"`
	Telescope  string     `json:"telescope,omitempty"`
	Observer   string     `json:"observer,omitempty"`
	DateObs    string     `json:"date_obs,omitempty"` // ISO 8601
}

// Spectral is the frequency axis. Either a linear axis (CRVal, CDelt, CRPix, 1-based like FITS)
// or, when Freqs is non-empty, an explicit frequency per channel (len(Freqs) == NChan), which
// takes precedence.
type Spectral struct {
	CRVal    float64   `json:"crval_hz"`
	CDelt    float64   `json:"cdelt_hz"`
	CRPix    float64   `json:"crpix"`
	Freqs    []float64 `json:"freqs_hz,omitempty"`
	RestFreq float64   `json:"restfreq_hz"` // 0 when unknown
	Frame    string    `json:"specsys"`     // FITS SPECSYS: LSRK, BARYCENT, TOPOCENT, ...
}

// Freq returns the frequency in Hz of channel c (0-based).
func (s Spectral) Freq(c int) float64 {
	if len(s.Freqs) > 0 {
		return s.Freqs[c]
	}
	return s.CRVal + (float64(c+1)-s.CRPix)*s.CDelt
}

// Spec describes a cube to Create.
type Spec struct {
	NX    int `json:"nx"`
	NY    int `json:"ny"`
	NChan int `json:"nchan"`
	// TileW, TileH: tile shape in pixels; 0, 0 chooses tiles.DefaultTileShape (full-width row
	// bands, so a channel plane is contiguous in its file).
	TileW      int         `json:"tile_w"`
	TileH      int         `json:"tile_h"`
	Extensions []Extension `json:"extensions"` // nil: DefaultExtensions()
	Celestial  Celestial   `json:"celestial"`
	Spectral   Spectral    `json:"spectral"`
	// RunParams is an opaque JSON object the pipeline fills (imaging parameters); null if unset.
	RunParams json.RawMessage `json:"run_params,omitempty"`
}

// A Manifest is the cube's description, stored in <cube>/MANIFEST.
type Manifest struct {
	Format  string `json:"format"`  // "cubeimg-store"
	Version int    `json:"version"` // FormatVersion
	UUID    string `json:"uuid"`    // 32 hex digits, also in every data file header and channel record
	Created string `json:"created"` // RFC 3339
	Spec
}

// Grid returns the tile grid of a plane.
func (m *Manifest) Grid() tiles.Grid {
	return tiles.Grid{NX: m.NX, NY: m.NY, TileW: m.TileW, TileH: m.TileH}
}

// Extension returns the named extension.
func (m *Manifest) Extension(name string) (Extension, bool) {
	for _, e := range m.Extensions {
		if e.Name == name {
			return e, true
		}
	}
	return Extension{}, false
}

// Layout returns the file layout of extension e.
func (m *Manifest) Layout(e Extension) (tiles.Layout, error) {
	return tiles.NewLayout(m.Grid(), m.NChan, elemSize(e.DType), dataHeaderSize)
}

func elemSize(dtype string) int {
	if dtype == Uint8 {
		return 1
	}
	return 4
}

var extNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,30}$`)

// Limits that keep a manifest's numbers sane (and its offsets inside int64).
const (
	maxPixels   = 1 << 20
	maxChannels = 1 << 22
)

// validate checks the spec's shape, tiles, extensions and WCS.
func (s *Spec) validate() error {
	if s.NX <= 0 || s.NY <= 0 || s.NX > maxPixels || s.NY > maxPixels {
		return fmt.Errorf("plane %dx%d: sizes must be in 1..%d", s.NX, s.NY, maxPixels)
	}
	if s.NChan <= 0 || s.NChan > maxChannels {
		return fmt.Errorf("nchan %d: must be in 1..%d", s.NChan, maxChannels)
	}
	if err := (tiles.Grid{NX: s.NX, NY: s.NY, TileW: s.TileW, TileH: s.TileH}).Validate(); err != nil {
		return err
	}
	if len(s.Extensions) == 0 {
		return fmt.Errorf("no extensions")
	}
	seen := map[string]bool{}
	for _, e := range s.Extensions {
		if !extNameRE.MatchString(e.Name) {
			return fmt.Errorf("extension name %q: want lower-case letters, digits and _", e.Name)
		}
		if seen[e.Name] {
			return fmt.Errorf("extension %q listed twice", e.Name)
		}
		seen[e.Name] = true
		if e.DType != Float32 && e.DType != Uint8 {
			return fmt.Errorf("extension %q: dtype %q: want %q or %q", e.Name, e.DType, Float32, Uint8)
		}
		if strings.ContainsAny(e.BUnit, "'\n\x00") || len(e.BUnit) > 60 {
			return fmt.Errorf("extension %q: bad bunit %q", e.Name, e.BUnit)
		}
	}
	c := s.Celestial
	if c.Projection != "SIN" {
		return fmt.Errorf("celestial projection %q: only SIN is supported", c.Projection)
	}
	for i := 0; i < 2; i++ {
		if !finite(c.CRVal[i]) || !finite(c.CRPix[i]) || !finite(c.CDelt[i]) || c.CDelt[i] == 0 {
			return fmt.Errorf("celestial axis %d: crval %g crpix %g cdelt %g: need finite values and non-zero cdelt", i+1, c.CRVal[i], c.CRPix[i], c.CDelt[i])
		}
	}
	if c.CRVal[1] < -90 || c.CRVal[1] > 90 {
		return fmt.Errorf("celestial: declination %g outside [-90, 90]", c.CRVal[1])
	}
	for _, str := range []string{c.RADesys, c.Object, c.Telescope, c.Observer, c.DateObs} {
		if strings.ContainsAny(str, "'\n\x00") || len(str) > 60 {
			return fmt.Errorf("celestial: bad text field %q", str)
		}
	}
	sp := s.Spectral
	if len(sp.Freqs) > 0 {
		if len(sp.Freqs) != s.NChan {
			return fmt.Errorf("spectral: %d frequencies for %d channels", len(sp.Freqs), s.NChan)
		}
		for i, f := range sp.Freqs {
			if !finite(f) || f <= 0 {
				return fmt.Errorf("spectral: frequency %d is %g", i, f)
			}
		}
	} else if !finite(sp.CRVal) || !finite(sp.CDelt) || !finite(sp.CRPix) || sp.CDelt == 0 {
		return fmt.Errorf("spectral: crval %g cdelt %g crpix %g: need finite values and non-zero cdelt", sp.CRVal, sp.CDelt, sp.CRPix)
	}
	if !finite(sp.RestFreq) || sp.RestFreq < 0 {
		return fmt.Errorf("spectral: rest frequency %g", sp.RestFreq)
	}
	if strings.ContainsAny(sp.Frame, "'\n\x00") || len(sp.Frame) > 60 {
		return fmt.Errorf("spectral: bad frame %q", sp.Frame)
	}
	if len(s.RunParams) > 0 && !bytes.Equal(bytes.TrimSpace(s.RunParams), []byte("null")) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(s.RunParams, &obj); err != nil {
			return fmt.Errorf("run_params: must be a JSON object: %v", err)
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

var uuidRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// validate checks a manifest read from disk.
func (m *Manifest) validate() error {
	if m.Format != formatName {
		return fmt.Errorf("format %q, want %q", m.Format, formatName)
	}
	if !uuidRE.MatchString(m.UUID) {
		return fmt.Errorf("uuid %q: want 32 hex digits", m.UUID)
	}
	if err := m.Spec.validate(); err != nil {
		return err
	}
	for _, e := range m.Extensions {
		if e.File != e.Name+".dat" {
			return fmt.Errorf("extension %q: file %q, want %q", e.Name, e.File, e.Name+".dat")
		}
	}
	return nil
}

// EncodeManifest returns the bytes of a manifest file.
func EncodeManifest(m *Manifest) ([]byte, error) {
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return frame(manifestMagic, FormatVersion, append(body, '\n')), nil
}

// DecodeManifest parses and validates the bytes of a manifest file. Errors wrap ErrCorrupt or
// ErrVersion.
func DecodeManifest(data []byte) (*Manifest, error) {
	body, err := unframe(manifestMagic, FormatVersion, data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest JSON: %v: %w", err, ErrCorrupt)
	}
	if dec.More() {
		return nil, fmt.Errorf("manifest JSON: trailing data: %w", ErrCorrupt)
	}
	if m.Version != FormatVersion {
		return nil, fmt.Errorf("manifest version %d: %w", m.Version, ErrVersion)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("manifest: %v: %w", err, ErrCorrupt)
	}
	return &m, nil
}
