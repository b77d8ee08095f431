package store

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/store/fits"
	"github.com/cubeimg/cubeimg/tiles"
)

// exportTestCube writes a cube whose image has awkward values (NaN, -0, denormals, infinities)
// and per-channel beams, and exports it.
func exportTestCube(t *testing.T, spec Spec) (*Store, string) {
	t.Helper()
	s := MustCreateStore(t, spec, nil)
	ctx := context.Background()
	for c := 0; c < spec.NChan; c++ {
		for _, e := range s.Manifest().Extensions {
			p, err := s.Plane(ctx, e.Name, c, Write)
			if err != nil {
				t.Fatal(err)
			}
			fillPlane(p, spec.NX, spec.NY, 0, c, 0)
			if v := p.Float32s(); v != nil && c == 1 {
				v[0], v[1], v[2] = float32(math.NaN()), float32(math.Copysign(0, -1)), math.Float32frombits(1)
				v[3] = float32(math.Inf(-1))
			}
			p.Release()
		}
		if err := s.Commit(ctx, c, CommitInfo{Beam: Beam{Major: 0.31 + 0.01*float64(c), Minor: 0.25, PA: -40 + float64(c)}}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "image.fits")
	if err := s.ExportFITS(ctx, ExtImage, out, nil); err != nil {
		t.Fatal(err)
	}
	return s, out
}

func readFITS(t *testing.T, path string) (*os.File, []fits.HDU) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	if st.Size()%fits.BlockSize != 0 {
		t.Fatalf("%s is %d bytes, not whole FITS blocks", path, st.Size())
	}
	hdus, err := fits.ReadHDUs(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return f, hdus
}

func TestFITS_RoundTrip(t *testing.T) {
	spec := testSpec(40, 30, 4)
	spec.TileW, spec.TileH = 16, 8 // gathered export path
	_, a := exportTestCube(t, spec)
	cube := filepath.Join(t.TempDir(), "back.cube")
	if err := ImportFITS(context.Background(), a, cube, &ImportOptions{TileW: 40, TileH: 30}); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(cube, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if rep, err := s2.Check(context.Background(), nil); err != nil || !rep.OK() || len(rep.Committed) != 4 {
		t.Fatalf("imported cube check: %v %+v", err, rep)
	}
	b := filepath.Join(t.TempDir(), "again.fits")
	if err := s2.ExportFITS(context.Background(), ExtImage, b, nil); err != nil {
		t.Fatal(err)
	}
	fa, ha := readFITS(t, a)
	fb, hb := readFITS(t, b)
	if len(ha) != 2 || len(hb) != 2 {
		t.Fatalf("HDUs %d and %d, want primary + BEAMS", len(ha), len(hb))
	}
	da := make([]byte, ha[0].DataSize)
	db := make([]byte, hb[0].DataSize)
	fa.ReadAt(da, ha[0].DataOffset)
	fb.ReadAt(db, hb[0].DataOffset)
	if len(da) != 40*30*4*4 || !bytes.Equal(da, db) {
		t.Fatalf("data differ after FITS -> store -> FITS (%d and %d bytes)", len(da), len(db))
	}
	// Spot-check the big-endian encoding against the known pixel values.
	if got := math.Float32frombits(uint32(da[4*(7*40+5)])<<24 | uint32(da[4*(7*40+5)+1])<<16 | uint32(da[4*(7*40+5)+2])<<8 | uint32(da[4*(7*40+5)+3])); got != pixel(0, 0, 5, 7, 0) {
		t.Fatalf("pixel (5,7) of channel 0 = %g, want %g", got, pixel(0, 0, 5, 7, 0))
	}
	for _, k := range []string{"CTYPE1", "CRVAL1", "CDELT1", "CRPIX1", "CTYPE2", "CRVAL2", "CDELT2", "CRPIX2",
		"CTYPE3", "CRVAL3", "CDELT3", "CRPIX3", "RESTFRQ", "SPECSYS", "RADESYS", "BUNIT", "BMAJ", "BMIN", "BPA", "CASAMBM", "OBJECT", "TELESCOP"} {
		ca, oka := ha[0].Header.Get(k)
		cb, okb := hb[0].Header.Get(k)
		if !oka || !okb || ca.Value != cb.Value {
			t.Errorf("keyword %s: %v (%v) then %v (%v)", k, ca.Value, oka, cb.Value, okb)
		}
	}
	ba, err := fits.ReadTableColumns(fa, ha[1], "BMAJ", "BMIN", "BPA", "CHAN")
	if err != nil {
		t.Fatal(err)
	}
	bb, err := fits.ReadTableColumns(fb, hb[1], "BMAJ", "BMIN", "BPA", "CHAN")
	if err != nil {
		t.Fatal(err)
	}
	for i := range ba {
		for c := range ba[i] {
			if ba[i][c] != bb[i][c] {
				t.Fatalf("beam column %d channel %d: %g then %g", i, c, ba[i][c], bb[i][c])
			}
		}
	}
	if float32(ba[0][3]) != float32(0.34) || float32(ba[2][2]) != -38 {
		t.Fatalf("beams %v", ba)
	}
}

// astropy reads every export: verify('exception'), the WCS and the beams.
func TestFITS_Astropy(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import astropy.io.fits, astropy.wcs").Run(); err != nil {
		t.Skipf("astropy not available (%s -c 'import astropy': %v); CI installs python3-astropy", py, err)
	}
	spec := testSpec(48, 40, 5)
	s, img := exportTestCube(t, spec)
	mask := filepath.Join(t.TempDir(), "mask.fits")
	if err := s.ExportFITS(context.Background(), ExtMask, mask, nil); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys, warnings
import numpy as np
from astropy.io import fits
from astropy.wcs import WCS
out = []
for path in sys.argv[1:]:
    with fits.open(path) as hdul:
        hdul.verify('exception')
        h = hdul[0].header
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            w = WCS(h)
        world = w.pixel_to_world_values(5.0, 7.0, 3.0)
        d = hdul[0].data
        r = {"ctype": list(w.wcs.ctype), "world": [float(x) for x in world], "shape": list(d.shape),
             "dtype": str(d.dtype), "v": float(d[0, 7, 5]), "bunit": h.get("BUNIT"), "specsys": w.wcs.specsys,
             "restfrq": w.wcs.restfrq, "casambm": h.get("CASAMBM"), "bmaj": h.get("BMAJ")}
        if len(hdul) > 1:
            b = hdul["BEAMS"].data
            r["beams"] = [[float(x) for x in b["BMAJ"]], [float(x) for x in b["BMIN"]], [float(x) for x in b["BPA"]], [int(x) for x in b["CHAN"]]]
            r["beam_units"] = [hdul["BEAMS"].header.get("TUNIT%d" % i) for i in (1, 2, 3)]
        out.append(r)
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script, img, mask)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("astropy: %v\n%s", err, stderr.String())
	}
	var res []struct {
		Ctype     []string
		World     []float64
		Shape     []int
		Dtype     string
		V         float64
		Bunit     string
		Specsys   string
		Restfrq   float64
		Casambm   bool
		Bmaj      float64
		Beams     [][]float64
		BeamUnits []string `json:"beam_units"`
	}
	if err := json.Unmarshal(outb, &res); err != nil {
		t.Fatalf("%v: %s", err, outb)
	}
	r := res[0]
	if strings.Join(r.Ctype, ",") != "RA---SIN,DEC--SIN,FREQ" || r.Shape[0] != 5 || r.Shape[1] != 40 || r.Shape[2] != 48 {
		t.Fatalf("ctype %v shape %v", r.Ctype, r.Shape)
	}
	// Independent truth for pixel (5, 7, channel 3), 0-based: SIN projection about the reference.
	c := spec.Celestial
	ra, dec := sinWorld(c, 5, 7)
	if math.Abs(r.World[0]-ra) > 1e-9 || math.Abs(r.World[1]-dec) > 1e-9 {
		t.Fatalf("astropy world (%.10f, %.10f), want (%.10f, %.10f)", r.World[0], r.World[1], ra, dec)
	}
	if f := spec.Spectral.Freq(3); math.Abs(r.World[2]-f) > 1e-3 {
		t.Fatalf("astropy frequency %f, want %f", r.World[2], f)
	}
	if r.V != float64(pixel(0, 0, 5, 7, 0)) || r.Dtype != ">f4" || r.Bunit != "Jy/beam" || r.Specsys != "LSRK" || r.Restfrq != 230.538e9 || !r.Casambm {
		t.Fatalf("astropy read %+v", r)
	}
	if len(r.Beams) != 4 || len(r.Beams[0]) != 5 || math.Abs(r.Beams[0][4]-0.35) > 1e-6 || r.Beams[2][1] != -39 || r.Beams[3][4] != 4 ||
		strings.Join(r.BeamUnits, ",") != "arcsec,arcsec,deg" {
		t.Fatalf("beams %v units %v", r.Beams, r.BeamUnits)
	}
	if math.Abs(r.Bmaj*3600-0.33) > 1e-6 {
		t.Fatalf("BMAJ %g deg, want the median beam 0.33 arcsec", r.Bmaj)
	}
	if res[1].Dtype != "uint8" || res[1].Shape[0] != 5 {
		t.Fatalf("mask read as %+v", res[1])
	}
}

// sinWorld is the inverse orthographic (SIN) projection of 0-based pixel (x, y): direction
// cosines l = CDELT1*(x+1-CRPIX1) (east), m = CDELT2*(y+1-CRPIX2) (north), in radians, then
// dec = asin(m cos d0 + n sin d0), ra = a0 + atan2(l, n cos d0 - m sin d0), n = sqrt(1-l^2-m^2).
func sinWorld(c Celestial, x, y float64) (ra, dec float64) {
	d2r := math.Pi / 180
	l := (x + 1 - c.CRPix[0]) * c.CDelt[0] * d2r
	m := (y + 1 - c.CRPix[1]) * c.CDelt[1] * d2r
	a0, d0 := c.CRVal[0]*d2r, c.CRVal[1]*d2r
	n := math.Sqrt(1 - l*l - m*m)
	dec = math.Asin(m*math.Cos(d0) + n*math.Sin(d0))
	ra = a0 + math.Atan2(l, n*math.Cos(d0)-m*math.Sin(d0))
	return math.Mod(ra/d2r+360, 360), dec / d2r
}

// Export streams through one buffer taken from the budget: a cube 32x larger than the budget
// exports, and the budget's peak stays within it.
func TestExportFITS_SmallBudget(t *testing.T) {
	spec := testSpec(256, 256, 16) // 4 MiB of float32
	spec.Extensions = []Extension{{Name: ExtImage, DType: Float32, BUnit: "Jy/beam"}}
	budget := tiles.NewBudget(128 << 10)
	s := MustCreateStore(t, spec, &Options{Budget: budget})
	for c := 0; c < 16; c++ {
		for ti := 0; ti < s.m.Grid().NumTiles(); ti++ {
			buf := make([]byte, 256*256*4)
			for i := range buf {
				buf[i] = byte(i + c)
			}
			if err := s.WriteTile(ExtImage, c, ti, buf); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "small.fits")
	if err := s.ExportFITS(context.Background(), ExtImage, out, nil); err != nil {
		t.Fatal(err)
	}
	if budget.Peak() > 128<<10 || budget.InUse() != 0 {
		t.Fatalf("budget peak %d in use %d, limit 128 KiB", budget.Peak(), budget.InUse())
	}
	f, hdus := readFITS(t, out)
	if len(hdus) != 1 || hdus[0].DataSize != 4<<20 {
		t.Fatalf("%d HDUs, data %d bytes", len(hdus), hdus[0].DataSize)
	}
	b := make([]byte, 4)
	f.ReadAt(b, hdus[0].DataOffset+int64(15)*256*256*4+8) // channel 15, pixel 2: LE bytes 8..11 reversed
	if b[0] != byte(11+15) || b[3] != byte(8+15) {
		t.Fatalf("big-endian pixel bytes %v", b)
	}
}

// A cube written by astropy (an independent FITS writer, 4 axes with a Stokes axis as CASA
// writes them) goes FITS -> store -> FITS; astropy finds the data bit-identical and the WCS and
// beams preserved.
func TestFITS_FromAstropy(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import astropy.io.fits, numpy").Run(); err != nil {
		t.Skipf("astropy not available (%s: %v); CI installs python3-astropy", py, err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.fits"), filepath.Join(dir, "out.fits")
	write := `
import sys, numpy as np
from astropy.io import fits
rng = np.random.default_rng(3)
d = rng.normal(size=(6, 1, 20, 24)).astype('>f4')   # FREQ, STOKES, DEC, RA (C order)
d[2, 0, 3, 4] = np.nan
h = fits.Header()
for k, v in [("CTYPE1", "RA---SIN"), ("CRVAL1", 83.633), ("CDELT1", -2.5e-5), ("CRPIX1", 13.0), ("CUNIT1", "deg"),
             ("CTYPE2", "DEC--SIN"), ("CRVAL2", 22.0145), ("CDELT2", 2.5e-5), ("CRPIX2", 11.0), ("CUNIT2", "deg"),
             ("CTYPE3", "STOKES"), ("CRVAL3", 1.0), ("CDELT3", 1.0), ("CRPIX3", 1.0),
             ("CTYPE4", "FREQ"), ("CRVAL4", 1.1), ("CDELT4", 0.002), ("CRPIX4", 1.0), ("CUNIT4", "GHz"),
             ("RESTFRQ", 1.420405752e9), ("SPECSYS", "LSRK"), ("RADESYS", "FK5"), ("EQUINOX", 2000.0),
             ("BUNIT", "Jy/beam"), ("CASAMBM", True)]:
    h[k] = v
prim = fits.PrimaryHDU(d, h)
cols = [fits.Column(name="BMAJ", format="1E", unit="arcsec", array=np.linspace(1.0, 1.5, 6)),
        fits.Column(name="BMIN", format="1E", unit="arcsec", array=np.linspace(0.8, 0.9, 6)),
        fits.Column(name="BPA", format="1E", unit="deg", array=np.linspace(-10, 10, 6)),
        fits.Column(name="CHAN", format="1J", array=np.arange(6)),
        fits.Column(name="POL", format="1J", array=np.zeros(6, int))]
beams = fits.BinTableHDU.from_columns(cols, name="BEAMS")
fits.HDUList([prim, beams]).writeto(sys.argv[1])
`
	if o, err := exec.Command(py, "-c", write, in).CombinedOutput(); err != nil {
		t.Fatalf("astropy write: %v\n%s", err, o)
	}
	cube := filepath.Join(dir, "c.cube")
	if err := ImportFITS(context.Background(), in, cube, nil); err != nil {
		t.Fatal(err)
	}
	s, err := Open(cube, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m := s.Manifest(); m.NX != 24 || m.NY != 20 || m.NChan != 6 || m.Spectral.CDelt != 2e6 || m.Spectral.CRVal != 1.1e9 {
		t.Fatalf("imported manifest %+v", m.Spec)
	}
	if err := s.ExportFITS(context.Background(), ExtImage, out, nil); err != nil {
		t.Fatal(err)
	}
	compare := `
import sys, numpy as np
from astropy.io import fits
from astropy.wcs import WCS
a, b = fits.open(sys.argv[1]), fits.open(sys.argv[2])
b.verify('exception')
da, db = a[0].data[:, 0], b[0].data
assert da.shape == db.shape, (da.shape, db.shape)
assert np.array_equal(da.view('u4'), db.view('u4')), "data differ"
wa, wb = WCS(a[0].header).dropaxis(2), WCS(b[0].header)
for p in [(0, 0, 0), (23, 19, 5), (4.5, 7.25, 2)]:
    x, y = np.array(wa.pixel_to_world_values(*p)), np.array(wb.pixel_to_world_values(*p))
    assert np.allclose(x, y, rtol=0, atol=1e-9 * np.abs(x).max()), (p, x, y)
for c in ("BMAJ", "BMIN", "BPA", "CHAN"):
    assert np.array_equal(a["BEAMS"].data[c], b["BEAMS"].data[c]), c
for k in ("BUNIT", "SPECSYS", "RESTFRQ", "RADESYS", "EQUINOX"):
    assert a[0].header[k] == b[0].header[k], k
print("ok")
`
	if o, err := exec.Command(py, "-c", compare, in, out).CombinedOutput(); err != nil || !strings.Contains(string(o), "ok") {
		t.Fatalf("astropy comparison: %v\n%s", err, o)
	}
}
