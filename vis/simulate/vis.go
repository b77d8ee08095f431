package simulate

import (
	"math"
)

const speedOfLight = 299792458.0

// compiledComponent is a component prepared for the visibility engine.
type compiledComponent struct {
	l, m, nm1 float64   // direction cosines and n - 1
	flux      []float64 // Jy per channel
	gaussian  bool
	sinPA     float64
	cosPA     float64
	kMaj      float64 // pi^2/(4 ln 2) a^2 / c^2: amplitude exp(-(kMaj U^2 + kMin V^2) nu^2), U,V in metres
	kMin      float64
}

// engine evaluates model visibilities of a sky model on a uniform channel grid.
type engine struct {
	nu0, dnu float64
	nchan    int
	comps    []compiledComponent
}

func newEngine(model *SkyModel, freqs []float64, centreHz float64) *engine {
	e := &engine{nu0: freqs[0], nchan: len(freqs)}
	if len(freqs) > 1 {
		e.dnu = freqs[1] - freqs[0]
	}
	const gk = math.Pi * math.Pi / (4 * math.Ln2)
	for i := range model.Components {
		c := &model.Components[i]
		l, m := c.East*arcsec, c.North*arcsec
		cc := compiledComponent{
			l: l, m: m, nm1: math.Sqrt(1-l*l-m*m) - 1,
			flux:     c.ChannelFluxes(freqs, centreHz),
			gaussian: c.Type == TypeGaussian,
		}
		if cc.gaussian {
			cc.sinPA, cc.cosPA = math.Sincos(c.PADeg * deg)
			a, b := c.MajorArcsec*arcsec, c.MinorArcsec*arcsec
			cc.kMaj = gk * a * a / (speedOfLight * speedOfLight)
			cc.kMin = gk * b * b / (speedOfLight * speedOfLight)
		}
		e.comps = append(e.comps, cc)
	}
	return e
}

// anchorEvery is how often (in channels) the phase recurrence is restarted from an exact sincos.
const anchorEvery = 32

// model writes the model visibility of baseline (u, v, w) (metres) into vis, one per channel:
// V(nu) = sum_k S_k(nu) A_k exp(+2 pi i (u l_k + v m_k + w (n_k - 1)) nu / c).
func (e *engine) model(u, v, w float64, vis []complex128) {
	clear(vis)
	for ci := range e.comps {
		c := &e.comps[ci]
		tau := (u*c.l + v*c.m + w*c.nm1) / speedOfLight // seconds
		var k2 float64
		if c.gaussian {
			um := u*c.sinPA + v*c.cosPA
			un := u*c.cosPA - v*c.sinPA
			k2 = c.kMaj*um*um + c.kMin*un*un
			if numin := math.Min(e.nu0, e.nu0+e.dnu*float64(e.nchan-1)); k2*numin*numin > 60 {
				continue // resolved out: amplitude below 1e-26
			}
		}
		ss, cs := math.Sincos(2 * math.Pi * tau * e.dnu)
		step := complex(cs, ss)
		// Gaussian amplitude g_k = exp(-k2 nu_k^2) with nu_k = nu0 + k dnu, by recurrence:
		// g_{k+1} = g_k r_k, r_{k+1} = r_k q, q = exp(-2 k2 dnu^2).
		q := math.Exp(-2 * k2 * e.dnu * e.dnu)
		var ph complex128
		var g, r float64
		for k := 0; k < e.nchan; k++ {
			nu := e.nu0 + e.dnu*float64(k)
			if k%anchorEvery == 0 {
				s, co := math.Sincos(2 * math.Pi * math.Mod(tau*nu, 1))
				ph = complex(co, s)
				if c.gaussian {
					g = math.Exp(-k2 * nu * nu)
					r = math.Exp(-k2 * e.dnu * (2*nu + e.dnu))
				}
			} else {
				ph *= step
				if c.gaussian {
					g *= r
					r *= q
				}
			}
			amp := c.flux[k]
			if c.gaussian {
				amp *= g
			}
			vis[k] += complex(amp*real(ph), amp*imag(ph))
		}
	}
}
