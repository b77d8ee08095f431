package store

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/cubeimg/cubeimg/store/fits"
)

// ImportOptions tune ImportFITS. nil means the defaults.
type ImportOptions struct {
	Ext          string // extension to create and fill; "" means "image"
	TileW, TileH int    // tile shape; 0, 0 means the default
	// Store options of the new cube (budget, resident cap); nil means defaults.
	Store *Options
	// Progress, if not nil, is called with channels done and the total.
	Progress func(done, total int64)
}

// ImportFITS reads a FITS cube (a primary array of NAXIS 3, RA---SIN x DEC--SIN x FREQ, or
// NAXIS 4 with a degenerate STOKES axis) into a new cube at cubePath holding one extension,
// carrying over the WCS, BUNIT and the beams (the BEAMS table when CASAMBM = T, else BMAJ, BMIN,
// BPA). Every channel is committed. BITPIX -32 data are copied bit for bit; other BITPIX values
// are scaled with BSCALE/BZERO to float32 (a uint8 extension such as "mask" takes BITPIX 8 as
// is, and any non-zero value as 1). Planes are streamed one at a time.
func ImportFITS(ctx context.Context, fitsPath, cubePath string, opts *ImportOptions) error {
	var o ImportOptions
	if opts != nil {
		o = *opts
	}
	if o.Ext == "" {
		o.Ext = ExtImage
	}
	f, err := os.Open(fitsPath)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	hdus, err := fits.ReadHDUs(f, st.Size())
	if err != nil {
		return fmt.Errorf("import %s: %w", fitsPath, err)
	}
	prim := hdus[0]
	ci, err := cubeFromHeader(prim.Header)
	if err != nil {
		return fmt.Errorf("import %s: %w", fitsPath, err)
	}
	dtype := Float32
	if o.Ext == ExtMask {
		dtype = Uint8
	}
	beams, err := readBeams(f, hdus, ci.nchan)
	if err != nil {
		return fmt.Errorf("import %s: %w", fitsPath, err)
	}
	spec := Spec{NX: ci.nx, NY: ci.ny, NChan: ci.nchan, TileW: o.TileW, TileH: o.TileH,
		Extensions: []Extension{{Name: o.Ext, DType: dtype, BUnit: ci.bunit}},
		Celestial:  ci.cel, Spectral: ci.spec}
	s, err := Create(cubePath, spec, o.Store)
	if err != nil {
		return err
	}
	defer s.Close()

	scaling, err := prim.Header.Scaling()
	if err != nil {
		return fmt.Errorf("import %s: %w", fitsPath, err)
	}
	bpp := int64(abs64(int64(scaling.BitPix)) / 8)
	planePix := int64(ci.nx) * int64(ci.ny)
	const chunkPix = 1 << 20
	if err := s.budget.Acquire(ctx, chunkPix*bpp); err != nil {
		return fmt.Errorf("import %s: %w", fitsPath, err)
	}
	defer s.budget.Release(chunkPix * bpp)
	raw := make([]byte, chunkPix*bpp)
	var conv []float32
	if dtype == Uint8 && scaling.BitPix != 8 {
		conv = make([]float32, chunkPix)
	}
	for c := 0; c < ci.nchan; c++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := s.Plane(ctx, o.Ext, c, Write)
		if err != nil {
			return err
		}
		for pix := int64(0); pix < planePix; pix += chunkPix {
			n := min(chunkPix, planePix-pix)
			src := raw[:n*bpp]
			if _, err := f.ReadAt(src, prim.DataOffset+(int64(c)*planePix+pix)*bpp); err != nil {
				p.Release()
				return fmt.Errorf("import %s channel %d: %w", fitsPath, c, eofUnexpected(err))
			}
			switch {
			case dtype == Float32:
				scaling.DecodeFloat32(p.Float32s()[pix:pix+n], src)
			case scaling.BitPix == 8:
				copy(p.Bytes()[pix:pix+n], src)
			default:
				scaling.DecodeFloat32(conv[:n], src)
				dst := p.Bytes()[pix : pix+n]
				for i, v := range conv[:n] {
					dst[i] = 0
					if v != 0 && !math.IsNaN(float64(v)) {
						dst[i] = 1
					}
				}
			}
		}
		if err := p.Release(); err != nil {
			return err
		}
		if err := s.Commit(ctx, c, CommitInfo{Beam: beams[c]}); err != nil {
			return err
		}
		if o.Progress != nil {
			o.Progress(int64(c+1), int64(ci.nchan))
		}
	}
	return s.Close()
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

type cubeInfo struct {
	nx, ny, nchan int
	cel           Celestial
	spec          Spectral
	bunit         string
}

// cubeFromHeader reads shape and WCS from a primary header.
func cubeFromHeader(h *fits.Header) (cubeInfo, error) {
	var ci cubeInfo
	axes, err := h.Axes()
	if err != nil {
		return ci, err
	}
	if len(axes) != 3 && len(axes) != 4 {
		return ci, fmt.Errorf("NAXIS = %d: want a cube of 3 axes (or 4 with a single Stokes plane)", len(axes))
	}
	ctype := func(i int) string {
		s, _ := h.String(fmt.Sprintf("CTYPE%d", i))
		return strings.ToUpper(strings.TrimSpace(s))
	}
	if ctype(1) != "RA---SIN" || ctype(2) != "DEC--SIN" {
		return ci, fmt.Errorf("axes 1 and 2 are %q and %q: want RA---SIN and DEC--SIN", ctype(1), ctype(2))
	}
	freqAxis := 0
	for i := 3; i <= len(axes); i++ {
		switch ctype(i) {
		case "FREQ":
			freqAxis = i
		case "STOKES":
			if axes[i-1] != 1 {
				return ci, fmt.Errorf("STOKES axis %d has %d planes: only a single-Stokes cube can be imported", i, axes[i-1])
			}
		default:
			return ci, fmt.Errorf("axis %d is %q: want FREQ (or a single-plane STOKES)", i, ctype(i))
		}
	}
	if freqAxis == 0 {
		return ci, fmt.Errorf("no FREQ axis")
	}
	for _, k := range []string{"PC1_2", "PC2_1", "CD1_2", "CD2_1", "CROTA2"} {
		if v, ok := h.Float(k); ok && v != 0 {
			return ci, fmt.Errorf("%s = %g: rotated or skewed pixel grids are not supported", k, v)
		}
	}
	if axes[0] > maxPixels || axes[1] > maxPixels || axes[freqAxis-1] > maxChannels {
		return ci, fmt.Errorf("cube %dx%dx%d too large", axes[0], axes[1], axes[freqAxis-1])
	}
	ci.nx, ci.ny, ci.nchan = int(axes[0]), int(axes[1]), int(axes[freqAxis-1])
	num := func(key string, def float64) float64 {
		if v, ok := h.Float(key); ok {
			return v
		}
		return def
	}
	str := func(key string) string { s, _ := h.String(key); return s }
	ci.cel = Celestial{Projection: "SIN",
		CRVal:   [2]float64{num("CRVAL1", 0), num("CRVAL2", 0)},
		CRPix:   [2]float64{num("CRPIX1", 1), num("CRPIX2", 1)},
		CDelt:   [2]float64{num("CDELT1", num("CD1_1", 0)), num("CDELT2", num("CD2_2", 0))},
		RADesys: str("RADESYS"), Equinox: num("EQUINOX", 0),
		Object: str("OBJECT"), Telescope: str("TELESCOP"), Observer: str("OBSERVER"), DateObs: str("DATE-OBS")}
	unit := 1.0
	switch u := strings.TrimSpace(str(fmt.Sprintf("CUNIT%d", freqAxis))); u {
	case "", "Hz", "HZ":
	case "kHz":
		unit = 1e3
	case "MHz":
		unit = 1e6
	case "GHz":
		unit = 1e9
	default:
		return ci, fmt.Errorf("CUNIT%d = %q: want Hz, kHz, MHz or GHz", freqAxis, u)
	}
	ax := func(k string) string { return fmt.Sprintf("%s%d", k, freqAxis) }
	ci.spec = Spectral{CRVal: num(ax("CRVAL"), 0) * unit, CDelt: num(ax("CDELT"), num(fmt.Sprintf("CD%d_%d", freqAxis, freqAxis), 0)) * unit,
		CRPix: num(ax("CRPIX"), 1), RestFreq: num("RESTFRQ", num("RESTFREQ", 0)), Frame: str("SPECSYS")}
	ci.bunit = str("BUNIT")
	return ci, nil
}

// readBeams returns a beam per channel from the BEAMS table or the primary BMAJ/BMIN/BPA.
func readBeams(f *os.File, hdus []fits.HDU, nchan int) ([]Beam, error) {
	beams := make([]Beam, nchan)
	prim := hdus[0].Header
	if mb, _ := prim.Bool("CASAMBM"); mb {
		for _, hdu := range hdus[1:] {
			if name, _ := hdu.Header.String("EXTNAME"); name != "BEAMS" {
				continue
			}
			cols, err := fits.ReadTableColumns(f, hdu, "BMAJ", "BMIN", "BPA", "CHAN", "POL")
			if err != nil {
				return nil, fmt.Errorf("BEAMS table: %w", err)
			}
			scale := [2]float64{1, 1}
			for i := 1; i <= 2; i++ {
				if u, _ := hdu.Header.String(fmt.Sprintf("TUNIT%d", i)); strings.EqualFold(strings.TrimSpace(u), "deg") {
					scale[i-1] = 3600
				}
			}
			for row := range cols[0] {
				c, pol := int(cols[3][row]), int(cols[4][row])
				if pol != 0 || c < 0 || c >= nchan {
					continue
				}
				beams[c] = Beam{Major: cols[0][row] * scale[0], Minor: cols[1][row] * scale[1], PA: cols[2][row]}
			}
			return beams, nil
		}
		return nil, fmt.Errorf("CASAMBM = T but no BEAMS table")
	}
	if bmaj, ok := prim.Float("BMAJ"); ok {
		bmin, _ := prim.Float("BMIN")
		bpa, _ := prim.Float("BPA")
		for c := range beams {
			beams[c] = Beam{Major: bmaj * 3600, Minor: bmin * 3600, PA: bpa}
		}
	}
	return beams, nil
}
