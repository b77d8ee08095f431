package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

func seedManifest(tb testing.TB) []byte {
	m := &Manifest{Format: formatName, Version: FormatVersion, UUID: "0123456789abcdef0123456789abcdef",
		Created: "2025-01-01T00:00:00Z", Spec: testSpec(64, 48, 3)}
	m.TileW, m.TileH = 64, 16
	m.Extensions = DefaultExtensions()
	for i := range m.Extensions {
		m.Extensions[i].File = m.Extensions[i].Name + ".dat"
	}
	m.RunParams = json.RawMessage(`{"niter":1000}`)
	b, err := EncodeManifest(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzDecodeManifest: any input is rejected with an error or decodes to a manifest that encodes
// and decodes back to itself.
func FuzzDecodeManifest(f *testing.F) {
	f.Add(seedManifest(f))
	f.Add(frame(manifestMagic, FormatVersion, []byte(`{"format":"cubeimg-store","version":1}`)))
	f.Add([]byte("cubeimg-manifest v1 len=2 xxh64=0000000000000000\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeManifest(data)
		if err != nil {
			return
		}
		enc, err := EncodeManifest(m)
		if err != nil {
			t.Fatalf("decoded manifest does not encode: %v", err)
		}
		m2, err := DecodeManifest(enc)
		if err != nil {
			t.Fatalf("re-encoded manifest does not decode: %v\n%s", err, enc)
		}
		// RawMessage spacing may change; compare it as JSON values.
		var p1, p2 any
		json.Unmarshal(m.RunParams, &p1)
		json.Unmarshal(m2.RunParams, &p2)
		m.RunParams, m2.RunParams = nil, nil
		if !reflect.DeepEqual(m, m2) || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, m2)
		}
	})
}

// FuzzDecodeChannelRecord: any input is rejected or decodes to a record valid for the manifest.
func FuzzDecodeChannelRecord(f *testing.F) {
	m, err := DecodeManifest(seedManifest(f))
	if err != nil {
		f.Fatal(err)
	}
	sums := map[string][]string{}
	for _, e := range m.Extensions {
		sums[e.Name] = []string{"0123456789abcdef", "fedcba9876543210", "0000000000000000"}
	}
	for _, r := range []*ChannelRecord{
		{Cube: m.UUID, Channel: 1, State: Committed, Gen: 3, Writer: "w", Beam: Beam{0.1, 0.09, 12}, SumWt: 5, Info: json.RawMessage(`{"stop":"threshold"}`), Checksums: sums},
		{Cube: m.UUID, Channel: 2, State: InProgress, Gen: 1, Writer: "w"},
	} {
		b, err := EncodeChannelRecord(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeChannelRecord(data, m)
		if err != nil {
			return
		}
		if r.Channel < 0 || r.Channel >= m.NChan || (r.State != Committed && r.State != InProgress) {
			t.Fatalf("accepted a record outside the manifest: %+v", r)
		}
		if r.State == Committed && len(r.Checksums["image"]) != m.Grid().NumTiles() {
			t.Fatalf("accepted a committed record with %d image checksums", len(r.Checksums["image"]))
		}
	})
}
