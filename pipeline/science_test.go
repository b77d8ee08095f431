package pipeline

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/vis/simulate"
)

// scienceSky is the sky of the science test: bright points on pixel centres (P1, P4) and between
// pixels (P2), a faint point (P3), an extended Gaussian (G1), and a last channel with no emission.
func scienceSky(nchan int) *simulate.SkyModel {
	fl := func(v float64) []float64 {
		f := make([]float64, nchan)
		for i := range f[:nchan-1] {
			f[i] = v * (1 + 0.05*float64(i)/float64(nchan))
		}
		return f
	}
	return &simulate.SkyModel{Components: []simulate.Component{
		{Name: "P1", Type: "point", East: 3.0, North: 2.0, ChannelFluxJy: fl(2.0)},
		{Name: "P4", Type: "point", East: -1.5, North: 4.5, ChannelFluxJy: fl(1.2)},
		{Name: "P2", Type: "point", East: -4.23, North: 1.57, ChannelFluxJy: fl(0.4)},
		{Name: "P3", Type: "point", East: 5.1, North: -4.3, ChannelFluxJy: fl(0.05)},
		{Name: "G1", Type: "gaussian", East: -2.0, North: -3.5, MajorArcsec: 1.2, MinorArcsec: 0.8, PADeg: 30, ChannelFluxJy: fl(1.5)},
	}}
}

// planeOf reads channel c of extension ext as float32 (uint8 masks as 0/1).
func planeOf(t *testing.T, st *store.Store, ext string, c int) []float32 {
	t.Helper()
	p, err := st.Plane(context.Background(), ext, c, store.Read)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	if f := p.Float32s(); f != nil {
		return append([]float32(nil), f...)
	}
	b := p.Bytes()
	out := make([]float32, len(b))
	for i, v := range b {
		out[i] = float32(v)
	}
	return out
}

// peakNear finds the brightest pixel within r pixels of (x0, y0) and refines it to sub-pixel
// precision with a Gaussian (log-parabola) interpolation along each axis.
func peakNear(img []float32, nx, ny int, x0, y0 float64, r int) (peak, x, y float64) {
	bx, by := -1, -1
	best := float32(math.Inf(-1))
	for yy := int(y0) - r; yy <= int(y0)+r; yy++ {
		for xx := int(x0) - r; xx <= int(x0)+r; xx++ {
			if xx < 1 || yy < 1 || xx >= nx-1 || yy >= ny-1 {
				continue
			}
			if v := img[yy*nx+xx]; v > best {
				best, bx, by = v, xx, yy
			}
		}
	}
	at := func(x, y int) float64 { return math.Log(math.Max(float64(img[y*nx+x]), 1e-30)) }
	c := at(bx, by)
	dx := (at(bx-1, by) - at(bx+1, by)) / (2 * (at(bx-1, by) - 2*c + at(bx+1, by)))
	dy := (at(bx, by-1) - at(bx, by+1)) / (2 * (at(bx, by-1) - 2*c + at(bx, by+1)))
	ax := at(bx-1, by) - 2*c + at(bx+1, by)
	ay := at(bx, by-1) - 2*c + at(bx, by+1)
	// The vertex of a parabola a(t-d)^2/2 + k through the three points has value k = c - a d^2/2.
	k := c - 0.5*ax*dx*dx - 0.5*ay*dy*dy
	return math.Exp(k), float64(bx) + dx, float64(by) + dy
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// The science acceptance of issue 6 on a simulated MS, against the simulation's truth.
var sciSigma = -1.0

func TestRun_ScienceAgainstTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("science run skipped in -short mode")
	}
	const nchan = 11
	dir := t.TempDir()
	ms, truth := simulateMS(t, dir, simOptions{nchan: nchan, duration: 300, sigma: sciSigma, flagFrac: 0.01, sky: scienceSky(nchan), seed: 3})
	p := DefaultParams()
	p.Vis, p.ImageName = ms, filepath.Join(dir, "sci")
	p.Imsize = [2]int{256, 256}
	p.Cell = [2]float64{0.1 * arcsecRad, 0.1 * arcsecRad}
	p.Weighting = "natural"
	p.Niter = 20000
	p.Threshold = 0.007
	p.Usemask = "auto-multithresh"
	p.MaxResident = 1 << 30
	p.Report = filepath.Join(dir, "run.json")
	mustRun(t, &p)

	st, err := store.Open(cubePath(p.ImageName), &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.Channels()
	if err != nil {
		t.Fatal(err)
	}
	nx, ny := p.Imsize[0], p.Imsize[1]
	cell := 0.1
	pix := func(east, north float64) (float64, float64) {
		return float64(nx/2) - east/cell, float64(ny/2) + north/cell
	}

	var bias, gflux, rmsRatio []float64
	for c := 0; c < nchan; c++ {
		rec := recs[c]
		var ci channelInfo
		json.Unmarshal(rec.Info, &ci)
		mask := planeOf(t, st, "mask", c)
		img := planeOf(t, st, "image", c)
		res := planeOf(t, st, "residual", c)
		expRMS := 0.001
		if len(truth.Noise.ExpectedRMSFlaggedJy) > c {
			expRMS = truth.Noise.ExpectedRMSFlaggedJy[c]
		}
		if c == nchan-1 {
			// No emission: the mask stays empty and the channel stops on noise.
			n := 0
			for _, v := range mask {
				if v != 0 {
					n++
				}
			}
			if n != 0 || ci.Clean == nil || ci.Clean.Stop != "noise" {
				t.Errorf("empty channel %d: %d mask pixels, stop %+v; want 0 and noise", c, n, ci.Clean)
			}
			continue
		}
		bmaj, bmin := rec.Beam.Major, rec.Beam.Minor // arcsec
		beamPix := math.Pi * bmaj * bmin / (4 * math.Ln2) / (cell * cell)
		// Residual rms outside the mask (and away from the edges) vs the thermal noise.
		var s2 float64
		var n int
		for y := 16; y < ny-16; y++ {
			for x := 16; x < nx-16; x++ {
				if mask[y*nx+x] == 0 {
					v := float64(res[y*nx+x])
					s2 += v * v
					n++
				}
			}
		}
		// The rms of one 256^2 plane scatters by about 2.5% about the thermal value (a few
		// hundred independent beams): the median over channels must be within 5%, every
		// channel within 10%.
		rms := math.Sqrt(s2 / float64(n))
		rmsRatio = append(rmsRatio, rms/expRMS-1)
		if math.Abs(rms/expRMS-1) > 0.10 {
			t.Errorf("channel %d: residual rms outside the mask %.4g, thermal %.4g (%.1f%%; allowed 10%%)", c, rms, expRMS, 100*(rms/expRMS-1))
		}
		for _, comp := range truth.Components {
			want := comp.Flux[c]
			x0, y0 := pix(comp.East, comp.North)
			if mask[int(math.Round(y0))*nx+int(math.Round(x0))] == 0 && want/expRMS > 5 {
				t.Errorf("channel %d: %s (%.0f sigma) is outside the final mask", c, comp.Name, want/expRMS)
			}
			switch comp.Type {
			case "point":
				if want/expRMS < 50 {
					continue
				}
				peak, x, y := peakNear(img, nx, ny, x0, y0, 4)
				tol := 0.005*want + 3*rms
				if math.Abs(peak-want) > tol {
					t.Errorf("channel %d: %s restored peak %.5f Jy/beam, truth %.5f (allowed +-%.5f)", c, comp.Name, peak, want, tol)
				}
				off := math.Hypot(x-x0, y-y0) * cell
				if off > 0.05*bmaj {
					t.Errorf("channel %d: %s found %.4f arcsec from its position (allowed %.4f)", c, comp.Name, off, 0.05*bmaj)
				}
				// Hogbom puts components on pixel centres, so a source between pixels restores
				// low by about (offset/beam)^2 (P2: -0.7% at 8.5 pixels per beam, measured on
				// noiseless data; WSClean and tclean share this). The median bias is taken over
				// the pixel-centred sources, as the shared simulator places them; P2 is held to
				// the per-source allowance and its position.
				if math.Abs(x0-math.Round(x0)) < 1e-6 && math.Abs(y0-math.Round(y0)) < 1e-6 {
					bias = append(bias, peak/want-1)
				}
				t.Logf("channel %d %s: peak %.5f truth %.5f (%+.2f%%, %.1f sigma), offset %.1f mas", c, comp.Name, peak, want, 100*(peak/want-1), (peak-want)/rms, off*1000)
			case "gaussian":
				var sum float64
				r := 2.5 / cell
				for y := int(y0 - r); y <= int(y0+r); y++ {
					for x := int(x0 - r); x <= int(x0+r); x++ {
						if math.Hypot(float64(x)-x0, float64(y)-y0) <= r {
							sum += float64(img[y*nx+x])
						}
					}
				}
				flux := sum / beamPix
				gflux = append(gflux, flux/want-1)
				if math.Abs(flux/want-1) > 0.05 {
					t.Errorf("channel %d: %s integrated flux %.4f Jy, truth %.4f (%+.1f%%; allowed 5%%)", c, comp.Name, flux, want, 100*(flux/want-1))
				}
				t.Logf("channel %d %s: integrated %.4f truth %.4f (%+.2f%%)", c, comp.Name, flux, want, 100*(flux/want-1))
			}
		}
		// Source-free pixels (3 beams from every source) outside the mask.
		inMask, free := 0, 0
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				near := false
				for _, comp := range truth.Components {
					x0, y0 := pix(comp.East, comp.North)
					if math.Hypot(float64(x)-x0, float64(y)-y0)*cell < 3*bmaj+comp.MajorArcsec {
						near = true
					}
				}
				if near {
					continue
				}
				free++
				if mask[y*nx+x] != 0 {
					inMask++
				}
			}
		}
		if float64(inMask) > 0.01*float64(free) {
			t.Errorf("channel %d: %d of %d source-free pixels are in the mask (allowed 1%%)", c, inMask, free)
		}
		t.Logf("channel %d: beam %.3fx%.3f\", rms %.3g (thermal %.3g), stop %s after %d components, mask %d px (%d source-free)",
			c, bmaj, bmin, rms, expRMS, ci.Clean.Stop, ci.Clean.Iterations, ci.Clean.MaskPixels, inMask)
	}
	if m := median(bias); math.Abs(m) > 0.002 {
		t.Errorf("median peak bias %.3f%% over channels (allowed 0.2%%)", 100*m)
	}
	if m := median(rmsRatio); math.Abs(m) > 0.05 {
		t.Errorf("median residual rms %.1f%% from the thermal noise (allowed 5%%)", 100*m)
	}
	t.Logf("median: peak bias %+.3f%%, Gaussian flux %+.2f%%, residual rms %+.1f%% from thermal", 100*median(bias), 100*median(gflux), 100*median(rmsRatio))
	if m := median(gflux); math.Abs(m) > 0.03 {
		t.Errorf("median Gaussian flux error %.2f%% (allowed 3%%)", 100*m)
	}
}
