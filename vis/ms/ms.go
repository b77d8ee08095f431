package ms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/casatable"
)

// Options tune Open. nil means the defaults.
type Options struct {
	// DataColumn is the column read as visibilities: "DATA" (default), "CORRECTED_DATA" or
	// "MODEL_DATA" (tclean's datacolumn: "data", "corrected", "model" are accepted too).
	DataColumn string
	// WrapReaderAt, if set, wraps every file read (e.g. vis.ReadCounter.Wrap).
	WrapReaderAt func(path string, r io.ReaderAt) io.ReaderAt
	// FlagsOnly makes ReadRows skip the visibilities and weights: it fills the per-row
	// columns, the cell shapes and Flag, and leaves Data, Weight, Sigma and WeightSpectrum
	// empty (for summaries such as listobs).
	FlagsOnly bool
}

// MS is an open MeasurementSet. It implements vis.Reader.
type MS struct {
	path      string
	flagsOnly bool
	main      *casatable.Table
	meta      vis.Meta
	dataCol   string
	cols      mainColumns
	subs      []Subtable
}

// Subtable is a subtable keyword of the MAIN table.
type Subtable struct {
	Name   string // keyword, e.g. "ANTENNA"
	Path   string // resolved directory
	Exists bool   // false for a dangling keyword (directory absent)
}

type mainColumns struct {
	time, interval, ant1, ant2, field, ddid, flagRow, uvw *casatable.Column
	data, flag, weight, sigma, weightSpectrum             *casatable.Column
}

// Open opens the MeasurementSet at path and reads the subtables an imager needs (ANTENNA,
// FIELD, SPECTRAL_WINDOW, POLARIZATION, DATA_DESCRIPTION and, if present, OBSERVATION).
// Subtable keywords pointing at missing directories are listed by Subtables but are not an
// error unless the subtable is one of those.
func Open(path string, opts *Options) (*MS, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	col, err := dataColumnName(o.DataColumn)
	if err != nil {
		return nil, fmt.Errorf("ms: open %s: %w", path, err)
	}
	main, err := casatable.Open(path, &casatable.Options{WrapReaderAt: o.WrapReaderAt})
	if err != nil {
		return nil, fmt.Errorf("ms: open %s: %w", path, err)
	}
	m := &MS{path: main.Path(), main: main, dataCol: col, flagsOnly: o.FlagsOnly}
	if err := m.init(); err != nil {
		main.Close()
		return nil, fmt.Errorf("ms: open %s: %w", path, err)
	}
	return m, nil
}

func dataColumnName(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", "data":
		return "DATA", nil
	case "corrected", "corrected_data":
		return "CORRECTED_DATA", nil
	case "model", "model_data":
		return "MODEL_DATA", nil
	}
	return "", fmt.Errorf("unknown data column %q (want DATA, CORRECTED_DATA or MODEL_DATA)", s)
}

func (m *MS) init() error {
	t := m.main
	for _, f := range t.Keywords().Tables() {
		p, _ := t.SubtablePath(f.Name)
		_, err := os.Stat(filepath.Join(p, "table.dat"))
		m.subs = append(m.subs, Subtable{Name: f.Name, Path: p, Exists: err == nil})
	}
	sort.Slice(m.subs, func(a, b int) bool { return m.subs[a].Name < m.subs[b].Name })

	get := func(name string, required bool) (*casatable.Column, error) {
		if !t.HasColumn(name) {
			if required {
				return nil, fmt.Errorf("MAIN table %s has no column %s", t.Path(), name)
			}
			return nil, nil
		}
		return t.Column(name)
	}
	var err error
	c := &m.cols
	for _, x := range []struct {
		dst      **casatable.Column
		name     string
		required bool
	}{
		{&c.time, "TIME", true}, {&c.interval, "INTERVAL", false}, {&c.ant1, "ANTENNA1", true},
		{&c.ant2, "ANTENNA2", true}, {&c.field, "FIELD_ID", true}, {&c.ddid, "DATA_DESC_ID", true},
		{&c.flagRow, "FLAG_ROW", false}, {&c.uvw, "UVW", true}, {&c.data, m.dataCol, true},
		{&c.flag, "FLAG", false}, {&c.weight, "WEIGHT", false}, {&c.sigma, "SIGMA", false},
		{&c.weightSpectrum, "WEIGHT_SPECTRUM", false},
	} {
		if *x.dst, err = get(x.name, x.required); err != nil {
			if x.name == m.dataCol {
				return fmt.Errorf("data column %s does not exist in %s (choose another datacolumn)", m.dataCol, t.Path())
			}
			return err
		}
	}
	if c.data.Desc().Type != casatable.TpComplex && c.data.Desc().Type != casatable.TpDComplex {
		return fmt.Errorf("column %s of %s holds %v, not complex visibilities", m.dataCol, t.Path(), c.data.Desc().Type)
	}
	m.meta = vis.Meta{Path: m.path, Format: "MS", DataColumn: m.dataCol, NumRows: t.NumRows()}
	if ref := measRef(c.uvw.Desc().Keywords); ref != "" {
		m.meta.UVWFrame = ref
	}
	return m.readSubtables()
}

// Path returns the MeasurementSet's directory.
func (m *MS) Path() string { return m.path }

// Meta describes the MeasurementSet.
func (m *MS) Meta() *vis.Meta { return &m.meta }

// NumRows returns the number of MAIN rows.
func (m *MS) NumRows() int { return m.main.NumRows() }

// Main returns the MAIN table (for columns the row view does not carry).
func (m *MS) Main() *casatable.Table { return m.main }

// Subtables lists the MAIN table's subtable keywords, dangling ones included.
func (m *MS) Subtables() []Subtable { return m.subs }

// DataColumn returns the column read as visibilities.
func (m *MS) DataColumn() string { return m.dataCol }

// HasWeightSpectrum reports whether the MAIN table has a WEIGHT_SPECTRUM column.
func (m *MS) HasWeightSpectrum() bool { return m.cols.weightSpectrum != nil }

// Close closes the files.
func (m *MS) Close() error { return m.main.Close() }

var _ vis.Reader = (*MS)(nil)

// openSub opens a subtable by keyword; found is false if the keyword is absent or dangling.
func (m *MS) openSub(name string) (tb *casatable.Table, found bool, err error) {
	if _, ok := m.main.SubtablePath(name); !ok {
		return nil, false, nil
	}
	tb, err = m.main.OpenSubtable(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return tb, true, nil
}

func (m *MS) requireSub(name string) (*casatable.Table, error) {
	tb, ok, err := m.openSub(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("subtable %s is missing from %s", name, m.path)
	}
	return tb, nil
}

func (m *MS) readSubtables() error {
	steps := []struct {
		name     string
		required bool
		read     func(*casatable.Table) error
	}{
		{"SPECTRAL_WINDOW", true, m.readSpectralWindows},
		{"POLARIZATION", true, m.readPolarizations},
		{"DATA_DESCRIPTION", true, m.readDataDescs},
		{"FIELD", true, m.readFields},
		{"ANTENNA", true, m.readAntennas},
		{"OBSERVATION", false, m.readObservations},
	}
	for _, s := range steps {
		var tb *casatable.Table
		var err error
		if s.required {
			tb, err = m.requireSub(s.name)
		} else {
			var ok bool
			tb, ok, err = m.openSub(s.name)
			if err == nil && !ok {
				continue
			}
		}
		if err != nil {
			return err
		}
		err = s.read(tb)
		tb.Close()
		if err != nil {
			return fmt.Errorf("subtable %s: %w", s.name, err)
		}
	}
	return nil
}

// ReadRows reads MAIN rows [row0, row0+n) into c (see vis.Chunk). Cells of the data column
// without a value are returned as zeros, flagged; missing FLAG cells as unflagged, missing
// WEIGHT and SIGMA as 1. Antenna, field and data description ids are checked against their
// subtables, so they can index Meta's slices.
func (m *MS) ReadRows(ctx context.Context, row0, n int, c *vis.Chunk) error {
	if err := m.readRows(ctx, row0, n, c); err != nil {
		return fmt.Errorf("ms: read rows %d..%d of %s: %w", row0, row0+n-1, m.path, err)
	}
	return nil
}
