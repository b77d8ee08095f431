package store

import (
	"context"
	"math"
	"path/filepath"
	"testing"
)

// testSpec returns a small cube description with realistic WCS values.
func testSpec(nx, ny, nchan int) Spec {
	return Spec{
		NX: nx, NY: ny, NChan: nchan,
		Celestial: Celestial{Projection: "SIN", CRVal: [2]float64{201.365, -43.019}, CRPix: [2]float64{float64(nx/2 + 1), float64(ny/2 + 1)},
			CDelt: [2]float64{-0.0046 / 3600, 0.0046 / 3600}, RADesys: "ICRS", Object: "NGC5128", Telescope: "ALMA", DateObs: "2024-05-01T00:00:00"},
		Spectral: Spectral{CRVal: 230.5e9, CDelt: 0.5e6, CRPix: 1, RestFreq: 230.538e9, Frame: "LSRK"},
	}
}

// MustCreateStore creates a cube in a temporary directory.
func MustCreateStore(t testing.TB, spec Spec, opts *Options) *Store {
	t.Helper()
	s, err := Create(filepath.Join(t.TempDir(), "test.cube"), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pixel is the deterministic test value of (ext index, channel, x, y, generation).
func pixel(ext, c, x, y, gen int) float32 {
	return float32(math.Sin(float64(ext*7919+c*104729+y*1031+x+gen*13)) * 1000)
}

// writeChannel fills every extension of channel c with pixel values (masks with their parity)
// through plane pins, then commits.
func writeChannel(t testing.TB, s *Store, c, gen int) {
	t.Helper()
	ctx := context.Background()
	m := s.Manifest()
	for ei, e := range m.Extensions {
		p, err := s.Plane(ctx, e.Name, c, Write)
		if err != nil {
			t.Fatal(err)
		}
		fillPlane(p, m.NX, m.NY, ei, c, gen)
		if err := p.Release(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(ctx, c, CommitInfo{Beam: Beam{0.1 + float64(c)*1e-3, 0.08, 30 + float64(c)}, SumWt: 1e6 + float64(c)}); err != nil {
		t.Fatal(err)
	}
}

func fillPlane(p *Plane, nx, ny, ei, c, gen int) {
	if v := p.Float32s(); v != nil {
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				v[y*nx+x] = pixel(ei, c, x, y, gen)
			}
		}
		return
	}
	b := p.Bytes()
	for i := range b {
		b[i] = byte((i + c + gen) & 1)
	}
}

// checkChannelData reads every extension of channel c back through plane pins.
func checkChannelData(t testing.TB, s *Store, c, gen int) {
	t.Helper()
	m := s.Manifest()
	for ei, e := range m.Extensions {
		p, err := s.Plane(context.Background(), e.Name, c, Read)
		if err != nil {
			t.Fatal(err)
		}
		if v := p.Float32s(); v != nil {
			for y := 0; y < m.NY; y += 7 {
				for x := 0; x < m.NX; x += 5 {
					if got, want := v[y*m.NX+x], pixel(ei, c, x, y, gen); got != want {
						p.Release()
						t.Fatalf("%s channel %d pixel (%d,%d) = %g, want %g", e.Name, c, x, y, got, want)
					}
				}
			}
		} else {
			for i, b := range p.Bytes() {
				if b != byte((i+c+gen)&1) {
					p.Release()
					t.Fatalf("%s channel %d byte %d = %d", e.Name, c, i, b)
				}
			}
		}
		p.Release()
	}
}
