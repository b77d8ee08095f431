package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"time"
	"unsafe"

	"github.com/cubeimg/cubeimg/store/fits"
	"github.com/cubeimg/cubeimg/tiles"
)

// ExportOptions tune ExportFITS. nil means the defaults.
type ExportOptions struct {
	// Progress, if not nil, is called with bytes of data written and the total after each chunk.
	Progress func(done, total int64)
}

// exportChunk is the size of the read/convert/write pieces of an export.
const exportChunk = 4 << 20

// ExportFITS writes extension ext as a FITS cube at path: a primary array NAXIS = 3 (RA---SIN,
// DEC--SIN, FREQ), BITPIX -32 (8 for a uint8 extension such as the mask), the WCS, BUNIT,
// BMAJ/BMIN/BPA of the median-area beam, and, when any channel has a beam, CASAMBM = T and a
// BEAMS binary-table extension with one beam per channel (BMAJ, BMIN in arcsec, BPA in deg, CHAN,
// POL), as CASA writes it. Data are streamed plane by plane through one chunk buffer taken from
// the budget, so memory does not grow with the cube. Channels that are not committed are written
// as they are on disk, and counted in a HISTORY card. The file is written under a temporary name
// and renamed into place when complete.
func (s *Store) ExportFITS(ctx context.Context, ext, path string, opts *ExportOptions) (err error) {
	e, err := s.ext(ext)
	if err != nil {
		return err
	}
	var o ExportOptions
	if opts != nil {
		o = *opts
	}
	recs, err := s.Channels()
	if err != nil {
		return fmt.Errorf("export %s of %s: %w", ext, s.dir, err)
	}
	head, err := s.fitsHeader(e, recs)
	if err != nil {
		return fmt.Errorf("export %s of %s: %w", ext, s.dir, err)
	}
	var beams []byte
	if hasBeams(recs) {
		if beams, err = beamsTable(recs); err != nil {
			return fmt.Errorf("export %s of %s: %w", ext, s.dir, err)
		}
	}

	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	l := e.layout
	dataBytes := int64(l.NChan) * l.PlaneBytes()
	if _, err = f.Write(head); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	// Contiguous planes stream in chunks of up to 4 MiB (less under a small budget); tiled
	// planes one band of tile rows at a time.
	chunk := max(tiles.PageSize, min(int64(exportChunk), s.budget.Limit()/4))
	if !l.PlaneContiguous() {
		chunk = int64(l.NX) * int64(l.TileH) * int64(l.ElemSize)
	}
	if err = s.budget.Acquire(ctx, chunk); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	defer s.budget.Release(chunk)
	buf := make([]byte, chunk)
	var done int64
	for c := 0; c < l.NChan; c++ {
		if err = ctx.Err(); err != nil {
			return err
		}
		err = s.streamPlane(e, c, buf, func(b []byte) error {
			if l.ElemSize == 4 {
				swap32(b)
			}
			if _, err := f.Write(b); err != nil {
				return fmt.Errorf("export %s: %w", path, err)
			}
			done += int64(len(b))
			if o.Progress != nil {
				o.Progress(done, dataBytes)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if pad := fits.Padded(dataBytes) - dataBytes; pad > 0 {
		if _, err = f.Write(make([]byte, pad)); err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
	}
	if beams != nil {
		if _, err = f.Write(beams); err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// streamPlane hands channel c of e to fn in row-major pieces of at most len(buf) bytes, read
// with pread (nothing is mapped). fn may modify the piece.
func (s *Store) streamPlane(e *extFile, c int, buf []byte, fn func([]byte) error) error {
	l := e.layout
	if l.PlaneContiguous() {
		off, n := l.PlaneOffset(c), l.PlaneBytes()
		for n > 0 {
			k := min(int64(len(buf)), n)
			if _, err := e.f.ReadAt(buf[:k], off); err != nil {
				return fmt.Errorf("read %s channel %d: %w", e.f.Name(), c, eofUnexpected(err))
			}
			if err := fn(buf[:k]); err != nil {
				return err
			}
			off += k
			n -= k
		}
		return nil
	}
	// Tile bands: gather one band of tile rows (NX x TileH pixels) at a time.
	es := int64(l.ElemSize)
	tile := make([]byte, l.TileW*l.TileH*l.ElemSize)
	for ty := 0; ty < l.TilesY(); ty++ {
		var bandRows int
		for tx := 0; tx < l.TilesX(); tx++ {
			t := ty*l.TilesX() + tx
			r := l.Rect(t)
			bandRows = r.Dy()
			tb := tile[:l.TileBytes(t)]
			if _, err := e.f.ReadAt(tb, l.TileOffset(c, t)); err != nil {
				return fmt.Errorf("read %s channel %d tile %d: %w", e.f.Name(), c, t, eofUnexpected(err))
			}
			row := int64(r.Dx()) * es
			for y := 0; y < r.Dy(); y++ {
				copy(buf[(int64(y)*int64(l.NX)+int64(r.X0))*es:], tb[int64(y)*row:int64(y+1)*row])
			}
		}
		if err := fn(buf[:int64(bandRows)*int64(l.NX)*es]); err != nil {
			return err
		}
	}
	return nil
}

func eofUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// swap32 reverses the bytes of every 4-byte element of b in place (little- to big-endian), eight
// bytes at a time.
func swap32(b []byte) {
	n := len(b) / 8
	if n > 0 {
		w := unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)
		for i, x := range w {
			w[i] = bits.RotateLeft64(bits.ReverseBytes64(x), 32)
		}
	}
	for i := n * 8; i+4 <= len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
}

func hasBeams(recs []*ChannelRecord) bool {
	for _, r := range recs {
		if r.Beam.Major > 0 {
			return true
		}
	}
	return false
}

// medianBeam returns the beam of median area among channels with a beam.
func medianBeam(recs []*ChannelRecord) Beam {
	var bs []Beam
	for _, r := range recs {
		if r.Beam.Major > 0 {
			bs = append(bs, r.Beam)
		}
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].Major*bs[i].Minor < bs[j].Major*bs[j].Minor })
	return bs[len(bs)/2]
}

func beamsTable(recs []*ChannelRecord) ([]byte, error) {
	n := len(recs)
	maj, mn, pa := make([]float32, n), make([]float32, n), make([]float32, n)
	ch, pol := make([]int32, n), make([]int32, n)
	for i, r := range recs {
		maj[i], mn[i], pa[i], ch[i] = float32(r.Beam.Major), float32(r.Beam.Minor), float32(r.Beam.PA), int32(i)
	}
	return fits.EncodeBinTable("BEAMS", []fits.Column{
		{Name: "BMAJ", Unit: "arcsec", Data: maj},
		{Name: "BMIN", Unit: "arcsec", Data: mn},
		{Name: "BPA", Unit: "deg", Data: pa},
		{Name: "CHAN", Data: ch},
		{Name: "POL", Data: pol},
	}, []fits.Card{
		{Key: "EXTVER", Value: int64(1)},
		{Key: "NCHAN", Value: int64(n), Comment: "number of channels"},
		{Key: "NPOL", Value: int64(1), Comment: "number of polarizations"},
	})
}

// fitsHeader builds the primary header of an export of e.
func (s *Store) fitsHeader(e *extFile, recs []*ChannelRecord) ([]byte, error) {
	m := s.m
	h := &fits.Header{}
	h.Set("SIMPLE", true, "conforms to FITS standard")
	if e.DType == Uint8 {
		h.Set("BITPIX", 8, "unsigned bytes")
	} else {
		h.Set("BITPIX", -32, "IEEE single precision")
	}
	h.Set("NAXIS", 3, "")
	h.Set("NAXIS1", m.NX, "")
	h.Set("NAXIS2", m.NY, "")
	h.Set("NAXIS3", m.NChan, "")
	h.Set("EXTEND", true, "")
	if hasBeams(recs) {
		// The beam as the BEAMS table holds it (float32), so that a re-export is identical.
		b := medianBeam(recs)
		b = Beam{float64(float32(b.Major)), float64(float32(b.Minor)), float64(float32(b.PA))}
		h.Set("BMAJ", b.Major/3600, "deg, median-area channel beam")
		h.Set("BMIN", b.Minor/3600, "deg")
		h.Set("BPA", b.PA, "deg")
		h.Set("CASAMBM", true, "per-channel beams in the BEAMS table")
	}
	btype := map[string]string{ExtImage: "Intensity", ExtResidual: "Intensity", ExtModel: "Intensity", ExtPSF: "Beam", ExtPB: "Beam gain", ExtMask: "Mask"}[e.Name]
	if btype != "" {
		h.Set("BTYPE", btype, "")
	}
	if m.Celestial.Object != "" {
		h.Set("OBJECT", m.Celestial.Object, "")
	}
	h.Set("BUNIT", e.BUnit, "brightness unit")
	if m.Celestial.RADesys != "" {
		h.Set("RADESYS", m.Celestial.RADesys, "")
	}
	if m.Celestial.Equinox != 0 {
		h.Set("EQUINOX", m.Celestial.Equinox, "")
	}
	h.Set("LONPOLE", 180.0, "")
	h.Set("LATPOLE", m.Celestial.CRVal[1], "")
	c := m.Celestial
	h.Set("CTYPE1", "RA---SIN", "")
	h.Set("CRVAL1", c.CRVal[0], "")
	h.Set("CDELT1", c.CDelt[0], "")
	h.Set("CRPIX1", c.CRPix[0], "")
	h.Set("CUNIT1", "deg", "")
	h.Set("CTYPE2", "DEC--SIN", "")
	h.Set("CRVAL2", c.CRVal[1], "")
	h.Set("CDELT2", c.CDelt[1], "")
	h.Set("CRPIX2", c.CRPix[1], "")
	h.Set("CUNIT2", "deg", "")
	sp := m.Spectral
	crval, cdelt, crpix, linear := sp.CRVal, sp.CDelt, sp.CRPix, true
	if len(sp.Freqs) > 0 {
		crval, cdelt, crpix, linear = linearFit(sp.Freqs)
	}
	h.Set("CTYPE3", "FREQ", "")
	h.Set("CRVAL3", crval, "")
	h.Set("CDELT3", cdelt, "")
	h.Set("CRPIX3", crpix, "")
	h.Set("CUNIT3", "Hz", "")
	if sp.RestFreq > 0 {
		h.Set("RESTFRQ", sp.RestFreq, "rest frequency, Hz")
	}
	if sp.Frame != "" {
		h.Set("SPECSYS", sp.Frame, "spectral reference frame")
	}
	if c.Telescope != "" {
		h.Set("TELESCOP", c.Telescope, "")
	}
	if c.Observer != "" {
		h.Set("OBSERVER", c.Observer, "")
	}
	if c.DateObs != "" {
		h.Set("DATE-OBS", c.DateObs, "")
		if mjd, ok := mjdOf(c.DateObs); ok {
			h.Set("MJD-OBS", mjd, "")
		}
	}
	h.Set("DATE", time.Now().UTC().Format("2006-01-02T15:04:05"), "file written")
	h.Set("ORIGIN", "cubeimg", "")
	if !linear {
		h.Add("COMMENT", nil, "channel frequencies are not linear; CRVAL3/CDELT3 are a linear fit")
	}
	var uncommitted int
	for _, r := range recs {
		if r.State != Committed {
			uncommitted++
		}
	}
	h.Add("HISTORY", nil, fmt.Sprintf("cubeimg store %s extension %s", m.UUID, e.Name))
	if uncommitted > 0 {
		h.Add("HISTORY", nil, fmt.Sprintf("%d of %d channels were not committed at export", uncommitted, len(recs)))
	}
	return h.Encode()
}

// linearFit fits f = crval + (i+1-crpix)*cdelt with crpix = 1 and reports whether every channel
// lies within 1e-3 of a channel width of the line.
func linearFit(freqs []float64) (crval, cdelt, crpix float64, linear bool) {
	n := len(freqs)
	if n == 1 {
		return freqs[0], 1, 1, true
	}
	cdelt = (freqs[n-1] - freqs[0]) / float64(n-1)
	linear = true
	for i, f := range freqs {
		if d := f - (freqs[0] + float64(i)*cdelt); d > 1e-3*abs(cdelt) || d < -1e-3*abs(cdelt) {
			linear = false
		}
	}
	return freqs[0], cdelt, 1, linear
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// mjdOf converts an ISO 8601 date (UTC) to a modified Julian date.
func mjdOf(iso string) (float64, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, iso); err == nil {
			return float64(t.UnixNano())/86400e9 + 40587, true
		}
	}
	return 0, false
}
