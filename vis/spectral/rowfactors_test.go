package spectral

import (
	"math"
	"testing"
)

func TestRowFactors(t *testing.T) {
	conv := lineConverter(t)
	fields := []Direction{lineDir, {Lon: 4.1, Lat: 0.3, Frame: ICRS}}
	t0 := lineEpochs[0] * secondsPerDay
	ref := Reference{Conv: conv, Dir: lineDir, Time: t0}
	data := lineData(false)

	lsrk := mustAxis(t, Spec{}, data, ref)
	rf := NewRowFactors(conv, lsrk, fields)
	for _, mjd := range lineEpochs {
		for f := range fields {
			want, err := conv.ToLSRK(TOPO, fields[f], mjd*secondsPerDay)
			if err != nil {
				t.Fatal(err)
			}
			for rep := 0; rep < 2; rep++ { // the second call comes from the cache
				got, err := rf.Factor(TOPO, mjd*secondsPerDay, f)
				if err != nil || got != want {
					t.Errorf("LSRK axis, field %d MJD %.1f: %.17g, %v; want %.17g", f, mjd, got, err, want)
				}
			}
		}
	}

	// A TOPO axis: the identity at the reference, K(t)/K(t0) elsewhere (Doppler tracking).
	topo := mustAxis(t, Spec{OutFrame: "TOPO"}, data, ref)
	rf = NewRowFactors(conv, topo, fields)
	if k, err := rf.Factor(TOPO, t0, 0); err != nil || math.Abs(k-1) > 1e-15 {
		t.Errorf("TOPO axis at the reference: %.17g, %v", k, err)
	}
	k1, _ := conv.ToLSRK(TOPO, lineDir, lineEpochs[3]*secondsPerDay)
	k0, _ := conv.ToLSRK(TOPO, lineDir, t0)
	if k, err := rf.Factor(TOPO, lineEpochs[3]*secondsPerDay, 0); err != nil || math.Abs(k-k1/k0) > 1e-15 {
		t.Errorf("TOPO axis later: %.17g, %v; want %.17g", k, err, k1/k0)
	}
	if math.Abs(k1/k0-1) < 1e-6 {
		t.Errorf("the epochs are too close to test tracking: %g", k1/k0)
	}

	// LSRK data onto an LSRK axis need no converter; errors name what is wrong.
	lsrkData := lineData(false)
	lsrkData.Frame = LSRK
	a := mustAxis(t, Spec{}, lsrkData, Reference{})
	rf = NewRowFactors(nil, a, nil)
	if k, err := rf.Factor(LSRK, t0, 3); err != nil || k != 1 {
		t.Errorf("LSRK onto LSRK: %g, %v", k, err)
	}
	if _, err := rf.Factor(TOPO, t0, 0); err == nil {
		t.Error("TOPO rows with no fields and no converter: want an error")
	}
	rf = NewRowFactors(conv, lsrk, fields)
	for _, c := range []struct {
		from  Frame
		field int
	}{{TOPO, 2}, {TOPO, -1}, {REST, 0}} {
		if _, err := rf.Factor(c.from, t0, c.field); err == nil {
			t.Errorf("Factor(%v, field %d): want an error", c.from, c.field)
		}
	}
}
