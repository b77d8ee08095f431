package vis

import (
	"bytes"
	"testing"
)

func TestReadCounter_Reread(t *testing.T) {
	var rc ReadCounter
	r := rc.Wrap("f", bytes.NewReader(make([]byte, 100)))
	buf := make([]byte, 10)
	for _, off := range []int64{0, 10, 5, 30, 25, 90} {
		r.ReadAt(buf, off)
	}
	// Read: [0,10) [10,20) [5,15) [30,40) [25,35) [90,100): again = 10 (5..15) + 5 (30..35).
	if got := rc.Total(); got != 60 {
		t.Errorf("Total = %d, want 60", got)
	}
	if got := rc.Reread(); got != 15 {
		t.Errorf("Reread = %d, want 15", got)
	}
	r2 := rc.Wrap("g", bytes.NewReader(make([]byte, 100)))
	r2.ReadAt(make([]byte, 100), 0)
	if got := rc.Files()["g"]; got != 100 {
		t.Errorf("Files[g] = %d, want 100", got)
	}
	if got := rc.FileReread("g"); got != 0 {
		t.Errorf("FileReread(g) = %d, want 0", got)
	}
}
