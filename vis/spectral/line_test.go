package spectral

import (
	"fmt"
	"math"
	"testing"
)

// A known spectral line in synthetic TOPO data: a Gaussian at a fixed LSRK frequency, sampled by
// TOPO data channels at several epochs months apart (the TOPO-LSRK shift changes by tens of data
// channels), must land in the output channel that start/width put it in, for every row, for
// nearest and linear, channel, frequency and velocity start/width, and ascending or descending
// data channels. The expected channel is computed from the spec strings by hand, not from Axis.

const (
	lineDataStart = 230.40e9
	lineDataWidth = 488281.25
	lineDataN     = 480
	lineSigma     = 0.4e6 // Hz, LSRK
	lineRest      = 230.538e9
)

var lineDir = Direction{Lon: 1.2, Lat: -0.4, Frame: J2000}

// lineEpochs: the reference (first row) and later rows, MJD days.
var lineEpochs = []float64{58503.8, 58503.9, 58533.8, 58594.8, 58685.8}

func lineConverter(t *testing.T) *Converter {
	conv, err := NewConverter(testSites["ALMA"])
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

func lineData(descending bool) Data {
	d := Data{Frame: TOPO}
	for i := 0; i < lineDataN; i++ {
		j := i
		if descending {
			j = lineDataN - 1 - i
		}
		d.Freq = append(d.Freq, lineDataStart+float64(j)*lineDataWidth)
		d.Width = append(d.Width, lineDataWidth)
	}
	return d
}

type lineCase struct {
	name   string
	spec   Spec
	lineFn func(k0 float64) float64 // LSRK line frequency from the TOPO->LSRK factor at the reference
	want   int
}

func lineCases(descending bool) []lineCase {
	c := speedOfLight
	// Channel mode: the line at data channel 161.1 (in the data's own order) at the reference
	// time; start 100, width 3 puts data channels 160..162 in output channel 20.
	chanFreq := func(x float64) float64 {
		if descending {
			return lineDataStart + (float64(lineDataN-1)-x)*lineDataWidth
		}
		return lineDataStart + x*lineDataWidth
	}
	return []lineCase{
		{"frequency r=3.07", Spec{NChan: 80, Start: "230.45GHz", Width: "1.5MHz"},
			func(float64) float64 { return 230.45e9 + 37.1*1.5e6 }, 37},
		{"frequency r=1, offset start", Spec{NChan: 200, Start: "230.4502GHz", Width: "488.28125kHz"},
			func(float64) float64 { return 230.4502e9 + 120.1*lineDataWidth }, 120},
		{"frequency descending axis", Spec{NChan: 60, Start: "230.55GHz", Width: "-2MHz"},
			func(float64) float64 { return 230.55e9 - 17.1*2e6 }, 17},
		{"radio velocity", Spec{NChan: 60, Start: "-20km/s", Width: "1.2km/s", RestFreq: "230.538GHz"},
			func(float64) float64 { return lineRest * (1 - (-20e3+23.1*1.2e3)/c) }, 23},
		{"radio velocity, negative width", Spec{NChan: 60, Start: "20km/s", Width: "-1.5km/s", RestFreq: "230.538GHz"},
			func(float64) float64 { return lineRest * (1 - (20e3-31.1*1.5e3)/c) }, 31},
		{"optical velocity", Spec{NChan: 40, Start: "-20km/s", Width: "2km/s", RestFreq: "230.538GHz", VelType: "optical"},
			func(float64) float64 { return lineRest / (1 + (-20e3+11.1*2e3)/c) }, 11},
		{"channel start/width", Spec{Start: "100", Width: "3"},
			func(k0 float64) float64 { return k0 * chanFreq(161.1) }, 20},
		{"channel negative width", Spec{Start: "300", Width: "-2"},
			func(k0 float64) float64 { return k0 * chanFreq(300-2*40-0.5+0.1) }, 40},
		{"TOPO outframe", Spec{NChan: 60, Start: "230.45GHz", Width: "1.5MHz", OutFrame: "TOPO"},
			func(k0 float64) float64 { return k0 * (230.45e9 + 12.1*1.5e6) }, 12},
	}
}

// lineSpectrum grids the line rows onto the axis and returns the spectrum of each row and of all
// rows together (sum of weighted samples over sum of weights per output channel).
func lineSpectrum(t *testing.T, a *Axis, interp Interpolation, data Data, lineLSRK float64, track bool) (perRow [][]float64, all []float64) {
	conv := lineConverter(t)
	rf := NewRowFactors(conv, a, []Direction{lineDir})
	m := NewMapper(a, interp)
	sumV := make([]float64, a.NChan())
	sumW := make([]float64, a.NChan())
	vis := make([]float64, len(data.Freq))
	freqs := make([]float64, len(data.Freq))
	var buf []Contribution
	for _, mjd := range lineEpochs {
		sec := mjd * secondsPerDay
		kl, err := conv.ToLSRK(TOPO, lineDir, sec)
		if err != nil {
			t.Fatal(err)
		}
		for j, f := range data.Freq {
			d := kl*f - lineLSRK // the sky: a line fixed in LSRK
			vis[j] = math.Exp(-d * d / (2 * lineSigma * lineSigma))
		}
		factor := 1 / a.ToLSRK
		if track {
			if factor, err = rf.Factor(TOPO, sec, 0); err != nil {
				t.Fatal(err)
			}
		}
		for j, f := range data.Freq {
			freqs[j] = factor * f
		}
		if buf, err = m.Map(buf[:0], freqs); err != nil {
			t.Fatal(err)
		}
		rowV := make([]float64, a.NChan())
		rowW := make([]float64, a.NChan())
		for _, c := range buf {
			v := c.WLo*vis[c.Lo] + c.WHi*vis[c.Hi]
			w := c.WLo + c.WHi // unit data weights
			rowV[c.Out] += v
			rowW[c.Out] += w
		}
		spec := make([]float64, a.NChan())
		for k := range spec {
			if rowW[k] > 0 {
				spec[k] = rowV[k] / rowW[k]
			}
			sumV[k] += rowV[k]
			sumW[k] += rowW[k]
		}
		perRow = append(perRow, spec)
	}
	all = make([]float64, a.NChan())
	for k := range all {
		if sumW[k] > 0 {
			all[k] = sumV[k] / sumW[k]
		}
	}
	return perRow, all
}

func argmax(s []float64) int {
	best := 0
	for i, v := range s {
		if v > s[best] {
			best = i
		}
	}
	return best
}

func TestSpectralLine_LandsInTheRightChannel(t *testing.T) {
	conv := lineConverter(t)
	ref := Reference{Conv: conv, Dir: lineDir, Time: lineEpochs[0] * secondsPerDay}
	k0, err := conv.ToLSRK(TOPO, lineDir, ref.Time)
	if err != nil {
		t.Fatal(err)
	}
	untrackedMisses := 0
	for _, descending := range []bool{false, true} {
		data := lineData(descending)
		for _, lc := range lineCases(descending) {
			a, err := NewAxis(lc.spec, data, ref)
			if err != nil {
				t.Fatalf("%s: %v", lc.name, err)
			}
			for _, interp := range []Interpolation{Nearest, Linear} {
				name := fmt.Sprintf("%s, %v, descending data %v", lc.name, interp, descending)
				line := lc.lineFn(k0)
				perRow, all := lineSpectrum(t, a, interp, data, line, true)
				for i, s := range perRow {
					if got := argmax(s); got != lc.want || s[got] < 0.3 {
						t.Errorf("%s: row at MJD %.1f peaks in channel %d (%.2f), want %d", name, lineEpochs[i], got, s[got], lc.want)
					}
				}
				if got := argmax(all); got != lc.want {
					t.Errorf("%s: all rows peak in channel %d, want %d", name, got, lc.want)
				}
				// Without Doppler tracking the later epochs miss the channel: the test can fail.
				perRow, _ = lineSpectrum(t, a, interp, data, line, false)
				for _, s := range perRow {
					if argmax(s) != lc.want {
						untrackedMisses++
					}
				}
			}
		}
	}
	if untrackedMisses == 0 {
		t.Error("the line lands in the right channel even without Doppler tracking: the test is insensitive")
	}
}
