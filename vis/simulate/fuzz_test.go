package simulate

import (
	"math"
	"testing"
)

// FuzzParseSkyModel: any input either fails to parse or validate, or gives finite-or-infinite
// fluxes without panicking; validated models also run through the visibility engine.
func FuzzParseSkyModel(f *testing.F) {
	f.Add([]byte(`{"components": [{"name": "A", "type": "point", "east": 1, "north": -2, "flux_jy": 0.5, "spectral_index": -0.7}]}`))
	f.Add([]byte(`{"components": [{"name": "G", "type": "gaussian", "major_arcsec": 2, "minor_arcsec": 1, "pa_deg": 30, "flux_jy": 0.1, "lines": [{"peak_jy": 1, "center_chan": 3, "fwhm_chan": 2}]}]}`))
	f.Add([]byte(`{"components": [{"name": "L", "type": "point", "lines": [{"peak_jy": 1, "center_hz": 230e9, "fwhm_hz": 1e6}], "channel_flux_jy": [1,2,3,4]}]}`))
	f.Add([]byte(`{"components": [{"name": "A", "type": "point"}]} trailing`))
	f.Add([]byte(`{`))
	freqs := []float64{230e9, 230.001e9, 230.002e9, 230.003e9}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseSkyModel(b)
		if err != nil {
			return
		}
		if m.Validate(len(freqs)) != nil {
			return
		}
		for i := range m.Components {
			fl := m.Components[i].ChannelFluxes(freqs, 230.0015e9)
			if len(fl) != len(freqs) {
				t.Fatalf("%d fluxes for %d channels", len(fl), len(freqs))
			}
		}
		e := newEngine(m, freqs, 230.0015e9)
		vis := make([]complex128, len(freqs))
		e.model(100, -50, 3, vis)
		_ = math.Abs(real(vis[0]))
	})
}
