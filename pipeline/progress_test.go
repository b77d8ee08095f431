package pipeline

import (
	"bytes"
	"strings"
	"testing"
)

func TestLogProgress_LinesWithETA(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, false, 0)
	tr := p.Start("psf", 4)
	for i := 0; i < 4; i++ {
		tr.Add(1)
	}
	tr.Finish()
	out := b.String()
	for _, want := range []string{"psf: start, 4 to do", "psf: 2/4 done", "ETA", "psf: finished 4/4"} {
		if !strings.Contains(out, want) {
			t.Errorf("log output lacks %q:\n%s", want, out)
		}
	}
}
