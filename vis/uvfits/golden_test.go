package uvfits

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cubeimg/cubeimg/internal/shareddata"
	"github.com/cubeimg/cubeimg/vis"
)

// goldenUVFITS is an INFO.json entry for a UVFITS file (values computed with astropy 5.2).
type goldenUVFITS struct {
	Kind          string         `json:"kind"`
	PrimaryHeader map[string]any `json:"primary_header"`
	Extensions    []struct {
		Name    string   `json:"name"`
		NRows   int      `json:"nrows"`
		Columns []string `json:"columns"`
	} `json:"extensions"`
	ParNames  []string `json:"parnames"`
	DataShape []int    `json:"data_shape"`
	Golden    struct {
		GCount         int                `json:"gcount"`
		FracWeightPos  float64            `json:"frac_weight_positive"`
		SumRe          float64            `json:"sum_re_wpos"`
		SumIm          float64            `json:"sum_im_wpos"`
		SumWeight      float64            `json:"sum_weight_wpos"`
		FirstGroup     map[string]float64 `json:"first_group"`
		FirstGroupData [][3]float64       `json:"first_group_data"`
	} `json:"golden"`
}

func close6(got, want float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= 1e-6*math.Abs(want)
}

// TestGoldenUVFITS checks every UVFITS file in ../shared/data/real against its INFO.json.
func TestGoldenUVFITS(t *testing.T) {
	real := shareddata.Path(t, "data/real")
	dirs, _ := filepath.Glob(filepath.Join(real, "*"))
	n := 0
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "INFO.json"))
		if err != nil {
			continue
		}
		// python's json writes bare NaN; the UVFITS entries have none, but other entries
		// in the same file may.
		b = []byte(strings.ReplaceAll(string(b), "NaN", "null"))
		var entries map[string]json.RawMessage
		if err := json.Unmarshal(b, &entries); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for name, raw := range entries {
			var g goldenUVFITS
			if err := json.Unmarshal(raw, &g); err != nil || g.Kind != "UVFITS" {
				continue
			}
			n++
			path := filepath.Join(dir, name)
			t.Run(name, func(t *testing.T) { checkGoldenUVFITS(t, path, &g) })
		}
	}
	if n < 2 {
		t.Errorf("found %d UVFITS files with golden values, want 2", n)
	}
}

func checkGoldenUVFITS(t *testing.T, path string, g *goldenUVFITS) {
	var rc vis.ReadCounter
	u, err := Open(path, &Options{WrapReaderAt: rc.Wrap})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for key, want := range g.PrimaryHeader {
		got, ok := u.Primary.Get(key)
		if !ok {
			t.Errorf("header %s missing", key)
			continue
		}
		switch w := want.(type) {
		case bool:
			if got != w {
				t.Errorf("header %s = %v, golden %v", key, got, w)
			}
		case string:
			if s, _ := got.(string); strings.TrimRight(s, " ") != w {
				t.Errorf("header %s = %q, golden %q", key, got, w)
			}
		case float64:
			f, ok := u.Primary.Float(key)
			if !ok || !close6(f, w) {
				t.Errorf("header %s = %v, golden %v", key, got, w)
			}
		}
	}
	if len(u.Extensions) != len(g.Extensions) {
		t.Errorf("%d extensions, golden %d", len(u.Extensions), len(g.Extensions))
	}
	for i, ge := range g.Extensions {
		if i >= len(u.Extensions) {
			break
		}
		e := u.Extensions[i]
		if e.Name != ge.Name || e.NRows != ge.NRows || fmt.Sprint(e.Columns) != fmt.Sprint(ge.Columns) {
			t.Errorf("extension %d: %s %d rows %v, golden %s %d %v", i, e.Name, e.NRows, e.Columns, ge.Name, ge.NRows, ge.Columns)
		}
	}
	if fmt.Sprint(u.ParamNames()) != fmt.Sprint(g.ParNames) {
		t.Errorf("parameters %v, golden %v", u.ParamNames(), g.ParNames)
	}
	shape := []int{u.NumGroups()}
	naxis, _ := u.Primary.Int("NAXIS")
	for i := naxis; i >= 2; i-- {
		v, _ := u.Primary.Int(fmt.Sprintf("NAXIS%d", i))
		shape = append(shape, int(v))
	}
	if fmt.Sprint(shape) != fmt.Sprint(g.DataShape) {
		t.Errorf("data shape %v, golden %v", shape, g.DataShape)
	}
	if u.NumGroups() != g.Golden.GCount {
		t.Errorf("%d groups, golden %d", u.NumGroups(), g.Golden.GCount)
	}

	// First group, raw: parameters by name (astropy sums parameters of the same name).
	params, data, err := u.Group(0)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]float64{}
	for j, name := range u.ParamNames() {
		byName[name] += params[j]
	}
	for name, want := range g.Golden.FirstGroup {
		if !close6(byName[name], want) {
			t.Errorf("first group %s = %.12g, golden %.12g", name, byName[name], want)
		}
	}
	for k, want := range g.Golden.FirstGroupData {
		for q := 0; q < 3; q++ {
			if got := data[3*k+q]; !close6(got, want[q]) && !(got == 0 && want[q] == 0) {
				t.Errorf("first group value %d.%d = %v, golden %v", k, q, got, want[q])
			}
		}
	}

	// All samples through the row view, in chunks that split groups between IFs.
	var c vis.Chunk
	var npos, nall int
	var sumRe, sumIm, sumW float64
	const chunk = 13
	for row0 := 0; row0 < u.NumRows(); row0 += chunk {
		n := min(chunk, u.NumRows()-row0)
		if err := u.ReadRows(context.Background(), row0, n, &c); err != nil {
			t.Fatal(err)
		}
		for j := range c.Data {
			nall++
			if !c.Flag[j] {
				npos++
				sumRe += float64(real(c.Data[j]))
				sumIm += float64(imag(c.Data[j]))
				sumW += float64(c.WeightSpectrum[j])
			}
		}
	}
	if got := float64(npos) / float64(nall); !close6(got, g.Golden.FracWeightPos) {
		t.Errorf("fraction of positive weights %v, golden %v", got, g.Golden.FracWeightPos)
	}
	if !close6(sumRe, g.Golden.SumRe) || !close6(sumIm, g.Golden.SumIm) || !close6(sumW, g.Golden.SumWeight) {
		t.Errorf("sums re %.10g im %.10g weight %.10g, golden %.10g %.10g %.10g", sumRe, sumIm, sumW, g.Golden.SumRe, g.Golden.SumIm, g.Golden.SumWeight)
	}
	// Group 0 is read twice on purpose above (Group); the row pass itself reads each byte once:
	// everything read again is that one group.
	if r := rc.Reread(); r > u.groupBytes {
		t.Errorf("%d bytes read more than once, want at most one group (%d)", r, u.groupBytes)
	}
}
