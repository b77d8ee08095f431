package deconv

import (
	"strings"
	"testing"
)

// FuzzParseText checks the text parsers (niter scope, stop reasons): no panic, and what parses
// round-trips.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"cube", "channel", "threshold", "noise", "diverged-previous", "cyclethreshold", "", "Cube"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sc, err := ParseScope(s); err == nil {
			if back, err := ParseScope(sc.String()); err != nil || back != sc {
				t.Errorf("scope %q -> %v -> %v, %v", s, sc, back, err)
			}
		}
		var st Stop
		if err := st.UnmarshalText([]byte(s)); err == nil {
			b, err := st.MarshalText()
			if err != nil || string(b) != s {
				t.Errorf("stop %q -> %v -> %q, %v", s, st, b, err)
			}
			if st.String() == "" || (st != Running && st.Code() == 0) {
				t.Errorf("stop %q: text %q code %d", s, st.String(), st.Code())
			}
		}
		var ms MinorStop
		if err := ms.UnmarshalText([]byte(s)); err == nil {
			b, _ := ms.MarshalText()
			if string(b) != s {
				t.Errorf("minor stop %q -> %q", s, b)
			}
		}
		_ = strings.ToLower(s)
	})
}
