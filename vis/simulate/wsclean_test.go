package simulate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fitsImage is the first plane of a FITS primary array (BITPIX -32) with its celestial axes.
type fitsImage struct {
	nx, ny         int
	crpix1, crpix2 float64 // 1-based
	cdelt1, cdelt2 float64 // degrees
	pix            []float32
}

// readFITS reads a WSClean image: 2880-byte header blocks of 80-character cards, then
// big-endian float32 data.
func readFITS(t *testing.T, path string) *fitsImage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cards := map[string]string{}
	off := 0
	for done := false; !done; {
		if off+2880 > len(b) {
			t.Fatalf("%s: header runs past the end", path)
		}
		for i := 0; i < 36; i++ {
			card := string(b[off+80*i : off+80*i+80])
			key := strings.TrimSpace(card[:8])
			if key == "END" {
				done = true
				break
			}
			if len(card) > 10 && card[8] == '=' {
				v := card[10:]
				if j := strings.Index(v, "/"); j >= 0 && !strings.HasPrefix(strings.TrimSpace(v), "'") {
					v = v[:j]
				}
				cards[key] = strings.TrimSpace(v)
			}
		}
		off += 2880
	}
	num := func(k string) float64 {
		v, err := strconv.ParseFloat(cards[k], 64)
		if err != nil {
			t.Fatalf("%s: card %s = %q", path, k, cards[k])
		}
		return v
	}
	if num("BITPIX") != -32 {
		t.Fatalf("%s: BITPIX %s", path, cards["BITPIX"])
	}
	im := &fitsImage{nx: int(num("NAXIS1")), ny: int(num("NAXIS2")), crpix1: num("CRPIX1"), crpix2: num("CRPIX2"),
		cdelt1: num("CDELT1"), cdelt2: num("CDELT2")}
	n := im.nx * im.ny
	im.pix = make([]float32, n)
	if err := binary.Read(bytes.NewReader(b[off:off+4*n]), binary.BigEndian, im.pix); err != nil {
		t.Fatal(err)
	}
	return im
}

func (im *fitsImage) at(x, y int) float64 { return float64(im.pix[y*im.nx+x]) }

// pixelOf is the 0-based pixel of direction cosines (l, m) for a SIN image centred on the phase
// centre: l = CDELT1 (p1 - CRPIX1) in radians (CDELT1 < 0: east is to the left).
func (im *fitsImage) pixelOf(l, m float64) (x, y float64) {
	return im.crpix1 - 1 + l/(im.cdelt1*deg), im.crpix2 - 1 + m/(im.cdelt2*deg)
}

func needWSClean(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("wsclean")
	if err != nil {
		t.Skip("wsclean is not installed; skipping the imaging check (apt-get install wsclean)")
	}
	return p
}

func runWSClean(t *testing.T, ws, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(ws, append([]string{"-quiet", "-j", "2"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wsclean %v: %v\n%s", args, err, out)
	}
}

// TestRun_WSCleanFindsPointSources images a noiseless simulation with WSClean (dirty MFS image,
// natural weighting) and finds the point sources at their true positions and fluxes.
func TestRun_WSCleanFindsPointSources(t *testing.T) {
	ws := needWSClean(t)
	for _, config := range []string{ConfigCompact, ConfigExtended} {
		t.Run(config, func(t *testing.T) {
			dir := t.TempDir()
			c := smallConfig(dir)
			c.Array = config
			c.NChan = 4
			c.DurationS = 40 * 6.048
			c.SigmaJy = 0
			c.FlagFrac = 0.02
			c.HourAngleH = -1
			c.Sky = &SkyModel{Components: []Component{
				{Name: "P1", Type: TypePoint, East: 4.0, North: 2.5, FluxJy: 0.40, SpectralIndex: -0.8},
				{Name: "P2", Type: TypePoint, East: -6.0, North: 3.0, FluxJy: 0.15},
				{Name: "P3", Type: TypePoint, East: 1.3, North: -5.7, FluxJy: 0.25},
			}}
			tr := mustRun(t, c)
			scale := "0.1asec"
			cell := 0.1
			if config == ConfigExtended {
				scale, cell = "0.02asec", 0.02
			}
			n := 2 * int(math.Ceil(8/cell)) // +-8 arcsec
			runWSClean(t, ws, dir, "-size", fmt.Sprint(n), fmt.Sprint(n), "-scale", scale, "-weight", "natural",
				"-niter", "0", "-name", "img", c.MS)
			im := readFITS(t, filepath.Join(dir, "img-dirty.fits"))
			for _, comp := range tr.Components {
				px, py := im.pixelOf(comp.L, comp.M)
				// Brightest pixel within 3 pixels of the true position, then a 3x3 centroid.
				bx, by, best := -1, -1, math.Inf(-1)
				for y := int(py) - 3; y <= int(py)+3; y++ {
					for x := int(px) - 3; x <= int(px)+3; x++ {
						if v := im.at(x, y); v > best {
							bx, by, best = x, y, v
						}
					}
				}
				var sx, sy, sw float64
				for y := by - 1; y <= by+1; y++ {
					for x := bx - 1; x <= bx+1; x++ {
						v := math.Max(im.at(x, y), 0)
						sx, sy, sw = sx+v*float64(x), sy+v*float64(y), sw+v
					}
				}
				cx, cy := sx/sw, sy/sw
				offMas := math.Hypot(cx-px, cy-py) * cell * 1000
				var mean float64
				for _, f := range comp.Flux {
					mean += f / float64(len(comp.Flux))
				}
				t.Logf("%s %s: true pixel (%.2f, %.2f), image peak %.4f Jy/beam at (%d, %d), centroid offset %.1f mas; true flux %.4f Jy",
					config, comp.Name, px, py, best, bx, by, offMas, mean)
				if offMas > 0.3*cell*1000 {
					t.Errorf("%s %s: found %.1f mas from its true position (pixel %.1f mas)", config, comp.Name, offMas, cell*1000)
				}
				if math.Abs(best/mean-1) > 0.05 {
					t.Errorf("%s %s: dirty peak %.4f Jy/beam, true flux %.4f Jy", config, comp.Name, best, mean)
				}
			}
		})
	}
}

// TestRun_WSCleanNoiseMatchesExpectedRMS images a noise-only simulation and compares the dirty
// image rms with the truth's expected natural-weight Stokes I rms.
func TestRun_WSCleanNoiseMatchesExpectedRMS(t *testing.T) {
	ws := needWSClean(t)
	dir := t.TempDir()
	c := smallConfig(dir)
	c.NChan = 2
	c.DurationS = 30 * 6.048
	c.Sky = &SkyModel{Components: []Component{{Name: "none", Type: TypePoint}}}
	tr := mustRun(t, c)
	runWSClean(t, ws, dir, "-size", "256", "256", "-scale", "0.2asec", "-weight", "natural", "-niter", "0",
		"-channels-out", "2", "-name", "noise", c.MS)
	for ch := 0; ch < 2; ch++ {
		im := readFITS(t, filepath.Join(dir, fmt.Sprintf("noise-%04d-dirty.fits", ch)))
		var s2 float64
		for _, v := range im.pix {
			s2 += float64(v) * float64(v)
		}
		rms := math.Sqrt(s2 / float64(len(im.pix)))
		want := tr.Noise.ExpectedRMSFlaggedJy[ch]
		t.Logf("channel %d: image rms %.3f mJy/beam, expected %.3f mJy/beam", ch, rms*1e3, want*1e3)
		// 256^2 pixels hold about 256^2 / (beam area ~ 60 pixels) independent samples: 2% scatter.
		if math.Abs(rms/want-1) > 0.1 {
			t.Errorf("channel %d: image rms %.3f mJy/beam, truth expects %.3f mJy/beam", ch, rms*1e3, want*1e3)
		}
	}
}
