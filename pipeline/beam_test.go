package pipeline

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/imaging/beam"
)

// A heavily flagged channel (only baselines under 120 m) has a much larger beam: the common
// restoring beam rejects and names it instead of growing to it, and every other channel's beam
// deconvolves from the common beam.
func TestRun_CommonBeamRejectsBadChannel(t *testing.T) {
	dir := t.TempDir()
	const bad = 2
	ms, _ := simulateMS(t, dir, simOptions{nchan: 6, duration: 120, sigma: -1, flagBeyond: map[int]float64{bad: 120}})
	p := smallParams(ms, filepath.Join(dir, "cb"))
	p.Restoringbeam = "common"
	p.NiterScope = "channel"
	var log recordingProgress
	if err := Run(context.Background(), p, &log, discardWriter{}); err != nil {
		t.Fatal(err)
	}
	st, err := openStoreRO(cubePath(p.ImageName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.Channels()
	if err != nil {
		t.Fatal(err)
	}
	var common beam.Gaussian
	var fitted []beam.Gaussian
	for c, r := range recs {
		var ci channelInfo
		if err := json.Unmarshal(r.Info, &ci); err != nil {
			t.Fatal(err)
		}
		fitted = append(fitted, ci.Prep.Beam.beam())
		if c == 0 {
			common = ci.Clean.Restore.Beam.beam()
		}
		if rb := ci.Clean.Restore.Beam.beam(); rb != common {
			t.Errorf("channel %d restored with %+v, channel 0 with %+v", c, rb, common)
		}
		if got := ci.Clean.Restore.CommonRejected; got != (c == bad) {
			t.Errorf("channel %d: rejected from the common beam %v, want %v", c, got, c == bad)
		}
	}
	if fitted[bad].Area() < 2*fitted[0].Area() {
		t.Fatalf("the flagged channel's beam %+v is not much larger than channel 0's %+v: the test needs a bad channel", fitted[bad], fitted[0])
	}
	for c, f := range fitted {
		if c != bad && !beam.CanDeconvolve(common, f) {
			t.Errorf("channel %d's beam %+v does not deconvolve from the common beam %+v", c, f, common)
		}
	}
	if common.Area() > 1.2*fitted[0].Area() {
		t.Errorf("common beam area %.3g is inflated (channel 0's %.3g)", common.Area(), fitted[0].Area())
	}
	named := false
	for _, l := range log.lines {
		if strings.Contains(l, "channel 2 rejected from the common beam") {
			named = true
		}
	}
	if !named {
		t.Errorf("the run did not name channel %d as rejected; it logged:\n%s", bad, strings.Join(log.lines, "\n"))
	}
}
