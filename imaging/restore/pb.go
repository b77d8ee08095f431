package restore

import (
	"fmt"
	"math"
	"strings"

	"github.com/cubeimg/cubeimg/imaging"
)

// Dish is an Airy primary-beam model of an antenna with a blocked centre, as CASA's
// PBMath1DAiry.
type Dish struct {
	Name string
	// Diameter and Blockage are the effective dish and blocked diameters in metres.
	Diameter, Blockage float64
	// MaxRadius is the radius (radians) at 1 GHz beyond which the beam is zero; it scales as
	// 1/frequency.
	MaxRadius float64
}

var (
	// ALMA12m is CASA's ALMA 12 m model: 10.7 m effective diameter, 0.75 m blockage (Hunter and
	// Brogan 2011), cut at 1.784 deg at 1 GHz.
	ALMA12m = Dish{Name: "ALMA12m", Diameter: 10.7, Blockage: 0.75, MaxRadius: 1.784 * math.Pi / 180}
	// ALMA7m is CASA's ACA 7 m model: 6.25 m effective diameter, 0.75 m blockage, cut at
	// 3.568 deg at 1 GHz.
	ALMA7m = Dish{Name: "ALMA7m", Diameter: 6.25, Blockage: 0.75, MaxRadius: 3.568 * math.Pi / 180}
)

// DishByName returns ALMA12m or ALMA7m by name ("ALMA12m", "ALMA", "ALMA7m", "ACA"; any case).
func DishByName(name string) (Dish, error) {
	switch strings.ToUpper(name) {
	case "ALMA12M", "ALMA", "ALMA-12M", "12M":
		return ALMA12m, nil
	case "ALMA7M", "ACA", "ALMA-7M", "7M":
		return ALMA7m, nil
	}
	return Dish{}, fmt.Errorf("restore: unknown primary-beam model %q (known: ALMA12m, ALMA7m)", name)
}

// airyScale converts (radius in arcmin at 1 GHz) x (dish diameter in m) into the Bessel
// argument, with CASA's constant: 7.016 (the second null of 2 J1(x)/x) at 1.566 deg for a 24.5 m
// dish. It is pi/lambda(1 GHz) to 1.3e-4.
const airyScale = 7.016 / (1.566 * 60) / 24.5

// Voltage returns the voltage pattern at angular distance theta (radians) from the pointing
// centre at frequency freqHz, normalised to 1 on axis: with x the Bessel argument of the dish
// and r = D/b, V = (r^2 A(x) - A(r x)) / (r^2 - 1), A(x) = 2 J1(x)/x, exactly as CASA's
// PBMath1DAiry computes it, and 0 beyond MaxRadius scaled to the frequency. (The blockage term's
// argument, r x, is CASA's; the aperture formula with the blockage's own diameter would use x/r.
// The effective diameter was chosen with CASA's formula, so cubeimg keeps it.)
func (d Dish) Voltage(theta, freqHz float64) float64 {
	f := freqHz / 1e9
	if theta*f > d.MaxRadius {
		return 0
	}
	x := theta * (180 * 60 / math.Pi) * f * airyScale * d.Diameter
	if x == 0 {
		return 1
	}
	airy := func(x float64) float64 { return 2 * math.J1(x) / x }
	if d.Blockage == 0 {
		return airy(x)
	}
	r := d.Diameter / d.Blockage
	return (r*r*airy(x) - airy(r*x)) / (r*r - 1)
}

// Gain returns the primary beam (power pattern, the square of the voltage pattern) at angular
// distance theta (radians) at frequency freqHz.
func (d Dish) Gain(theta, freqHz float64) float64 {
	v := d.Voltage(theta, freqHz)
	return v * v
}

// PrimaryBeam writes to dst (g.Nx*g.Ny) the primary beam of dish d at frequency freqHz, pointed at
// the phase centre (pixel (Nx/2, Ny/2)): the pb extension, peak 1. The angular distance of a
// pixel is asin(sqrt(l^2 + m^2)) with l, m its direction cosines (imaging.Geometry).
func PrimaryBeam(dst []float32, g imaging.Geometry, freqHz float64, d Dish) error {
	if len(dst) < g.Pixels() {
		return fmt.Errorf("restore: pb plane shorter than %d x %d", g.Nx, g.Ny)
	}
	if !(freqHz > 0) || !(d.Diameter > 0) {
		return fmt.Errorf("restore: primary beam needs a positive frequency and dish (%g Hz, %g m)", freqHz, d.Diameter)
	}
	for y := 0; y < g.Ny; y++ {
		m := float64(y-g.Ny/2) * g.CellY
		for x := 0; x < g.Nx; x++ {
			l := float64(g.Nx/2-x) * g.CellX
			r := math.Hypot(l, m)
			theta := math.Pi / 2
			if r < 1 {
				theta = math.Asin(r)
			}
			dst[y*g.Nx+x] = float32(d.Gain(theta, freqHz))
		}
	}
	return nil
}

// PBCor writes to dst the primary-beam corrected image: image / pb where pb >= |pblimit|, NaN
// elsewhere (blanked, as CASA masks the .image.pbcor there). dst may be image.
func PBCor(dst, image, pb []float32, pblimit float32) error {
	n := len(dst)
	if len(image) < n || len(pb) < n {
		return fmt.Errorf("restore: pbcor planes of different lengths (%d, %d, %d)", len(dst), len(image), len(pb))
	}
	lim := float32(math.Abs(float64(pblimit)))
	nan := float32(math.NaN())
	for i := range dst {
		if p := pb[i]; p >= lim && p > 0 {
			dst[i] = image[i] / p
		} else {
			dst[i] = nan
		}
	}
	return nil
}
