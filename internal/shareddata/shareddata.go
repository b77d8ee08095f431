package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared directory: $CUBEIMG_SHARED if set, else the first "shared" directory found
// beside the module root or one of its parents (the layout of a checkout next to ../shared).
// It returns "" if there is none.
func Dir() string {
	if d := os.Getenv("CUBEIMG_SHARED"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(filepath.Dir(dir), "shared")
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return cand
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Path returns the path of rel inside the shared directory, skipping t with a message naming what
// is missing when the shared directory or the file is absent.
func Path(t testing.TB, rel string) string {
	t.Helper()
	d := Dir()
	if d == "" {
		t.Skipf("shared data directory (../shared beside the checkout, or $CUBEIMG_SHARED) is absent; skipping test that needs %s", rel)
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s is absent (%v); skipping", p, err)
	}
	return p
}
