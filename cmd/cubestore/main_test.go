package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/store"
)

// TestMain lets the test binary act as cubestore itself, so that tests check real exit codes.
func TestMain(m *testing.M) {
	if os.Getenv("CUBESTORE_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cubestore runs the command in a child process and returns its stdout, stderr and exit code.
func cubestore(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CUBESTORE_AS_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func makeCube(t *testing.T, nchan, committed int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "c.cube")
	spec := store.Spec{NX: 64, NY: 64, NChan: nchan, TileW: 64, TileH: 16,
		Celestial: store.Celestial{Projection: "SIN", CRVal: [2]float64{83.8, -5.4}, CRPix: [2]float64{33, 33}, CDelt: [2]float64{-1e-5, 1e-5}, RADesys: "ICRS"},
		Spectral:  store.Spectral{CRVal: 100e9, CDelt: 1e6, CRPix: 1, RestFreq: 100e9, Frame: "LSRK"}}
	s, err := store.Create(dir, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for c := 0; c < committed; c++ {
		for _, e := range s.Manifest().Extensions {
			p, err := s.Plane(ctx, e.Name, c, store.Write)
			if err != nil {
				t.Fatal(err)
			}
			b := p.Bytes()
			for i := range b {
				b[i] = byte(i*7 + c)
			}
			p.Release()
		}
		if err := s.Commit(ctx, c, store.CommitInfo{Beam: store.Beam{Major: 1.5, Minor: 1.2, PA: 10}, SumWt: 42}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestVerify_FlippedBit(t *testing.T) {
	dir := makeCube(t, 4, 3)
	out, _, code := cubestore(t, "verify", "-q", dir)
	if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(out, "empty (never written): channels 3") {
		t.Fatalf("clean cube: exit %d\n%s", code, out)
	}
	s, err := store.Open(dir, &store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := s.Layout("model")
	s.Close()
	off := l.TileOffset(2, 1) + 333
	f, _ := os.OpenFile(filepath.Join(dir, "model.dat"), os.O_RDWR, 0)
	b := []byte{0}
	f.ReadAt(b, off)
	b[0] ^= 0x10
	f.WriteAt(b, off)
	f.Close()
	out, errs, code := cubestore(t, "verify", "-q", dir)
	if code != 1 {
		t.Fatalf("verify of a flipped bit: exit %d, want 1\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "MISMATCH extension model channel 2 tile 1 ") || strings.Count(out, "MISMATCH") != 1 {
		t.Fatalf("verify output does not name extension model, channel 2, tile 1:\n%s", out)
	}
}

func TestInspect(t *testing.T) {
	dir := makeCube(t, 5, 2)
	out, _, code := cubestore(t, "inspect", dir)
	if code != 0 || !strings.Contains(out, "nx 64, ny 64, nchan 5") || !strings.Contains(out, "2 committed, 0 in progress, 3 empty") {
		t.Fatalf("inspect: exit %d\n%s", code, out)
	}
	out, _, code = cubestore(t, "inspect", "--json", dir)
	var info store.Info
	if err := json.Unmarshal([]byte(out), &info); err != nil || code != 0 {
		t.Fatalf("inspect --json: %v exit %d\n%s", err, code, out)
	}
	if info.Manifest.NChan != 5 || len(info.Files) != 6 || info.Channels[1].Beam.Major != 1.5 || info.Channels[1].Checksums != nil {
		t.Fatalf("inspect --json: %+v", info)
	}
}

func TestConvert_RoundTrip(t *testing.T) {
	dir := makeCube(t, 3, 3)
	tmp := t.TempDir()
	a := filepath.Join(tmp, "a.fits")
	if out, errs, code := cubestore(t, "convert", "-q", dir, "--ext", "psf", "-o", a); code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, errs)
	}
	back := filepath.Join(tmp, "back.cube")
	if out, errs, code := cubestore(t, "convert", "-q", a, "-o", back, "--tile", "32x32"); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	b := filepath.Join(tmp, "b.fits")
	if out, errs, code := cubestore(t, "convert", "-q", back, "-o", b); code != 0 {
		t.Fatalf("re-export: exit %d\n%s%s", code, out, errs)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	// Headers differ only in DATE, BUNIT/BTYPE (psf vs image) and HISTORY; compare the data.
	if len(da) != len(db) || !bytes.Equal(da[len(da)-2*2880-64*64*3*4:], db[len(db)-2*2880-64*64*3*4:]) {
		t.Fatalf("data differ after cube -> FITS -> cube -> FITS (%d and %d bytes)", len(da), len(db))
	}
	all := filepath.Join(tmp, "all.fits")
	out, _, code := cubestore(t, "convert", "-q", dir, "--ext", "all", "-o", all)
	if code != 0 || strings.Count(out, "wrote") != 6 {
		t.Fatalf("--ext all: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(tmp, "all.mask.fits")); err != nil {
		t.Fatal(err)
	}
}

func TestErrors_NameTheFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.cube")
	_, errs, code := cubestore(t, "verify", missing)
	if code != 2 || !strings.Contains(errs, missing) {
		t.Fatalf("verify of a missing cube: exit %d, stderr %q", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.fits")
	os.WriteFile(bad, []byte("not a fits file"), 0o644)
	_, errs, code = cubestore(t, "convert", bad, "-o", filepath.Join(t.TempDir(), "x.cube"))
	if code != 2 || !strings.Contains(errs, bad) {
		t.Fatalf("convert of a bad FITS: exit %d, stderr %q", code, errs)
	}
	_, errs, code = cubestore(t, "convert", bad, "-o", "x", "--max-resident", "48G")
	if code != 2 || !strings.Contains(errs, "--max-resident") {
		t.Fatalf("bad --max-resident: exit %d, stderr %q", code, errs)
	}
}

func TestVerify_Complete(t *testing.T) {
	dir := makeCube(t, 4, 3)
	out, errs, code := cubestore(t, "verify", "-q", "--complete", dir)
	if code != 1 || !strings.Contains(errs, "1 of 4 channels are not committed") {
		t.Fatalf("verify --complete with channel 3 never written: exit %d, want 1\n%s%s", code, out, errs)
	}
	dir = makeCube(t, 3, 3)
	if out, errs, code := cubestore(t, "verify", "-q", "--complete", dir); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify --complete of a complete cube: exit %d\n%s%s", code, out, errs)
	}
}
