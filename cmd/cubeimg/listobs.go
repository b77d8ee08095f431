package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/casatable"
	"github.com/cubeimg/cubeimg/vis/ms"
	"github.com/cubeimg/cubeimg/vis/uvfits"
)

func newListobsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "listobs FILE",
		Short: "Summarise a MeasurementSet or UVFITS file, like CASA's listobs",
		Long: `listobs prints what a data set holds, like CASA's listobs: the observation and its time
range, the fields with their phase centres and row counts, the spectral windows (channels,
frequencies, widths, frame) with their correlations, the antennas with their positions, the
number of rows and the flagged fraction (which needs one pass over the flags).

FILE is a MeasurementSet directory or a random-groups UVFITS file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := summarize(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(s)
			}
			s.writeText(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// openInput opens a MeasurementSet (a directory with table.dat) or a UVFITS file.
func openInput(path string, flagsOnly bool) (vis.Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "table.dat")); err != nil {
			return nil, fmt.Errorf("%s is a directory but not a CASA table (no table.dat)", path)
		}
		return ms.Open(path, &ms.Options{FlagsOnly: flagsOnly})
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 9)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SIMPLE  =" {
		return nil, fmt.Errorf("%s is neither a MeasurementSet directory nor a FITS file", path)
	}
	return uvfits.Open(path, nil)
}

// obsSummary is what listobs reports; its JSON form is the --json output.
type obsSummary struct {
	Path            string        `json:"path"`
	Format          string        `json:"format"`
	Telescope       string        `json:"telescope"`
	Observer        string        `json:"observer,omitempty"`
	Project         string        `json:"project,omitempty"`
	Rows            int           `json:"rows"`
	TimeStart       string        `json:"time_start_utc"`
	TimeEnd         string        `json:"time_end_utc"`
	TimeStartMJDSec float64       `json:"time_start_mjd_s"`
	TimeEndMJDSec   float64       `json:"time_end_mjd_s"`
	ElapsedSec      float64       `json:"elapsed_s"`
	Integrations    int           `json:"integrations"`
	FlaggedFraction float64       `json:"flagged_fraction"`
	Scans           []scanSummary `json:"scans,omitempty"`
	Fields          []fieldSum    `json:"fields"`
	SpectralWindows []spwSum      `json:"spectral_windows"`
	Antennas        []antSum      `json:"antennas"`
	ArrayCenterITRF []float64     `json:"array_center_itrf_m,omitempty"`
	Dangling        []string      `json:"dangling_subtables,omitempty"`
}

type scanSummary struct {
	Scan    int    `json:"scan"`
	Start   string `json:"start_utc"`
	End     string `json:"end_utc"`
	FieldID int    `json:"field_id"`
	SpwIDs  []int  `json:"spw_ids"`
	Rows    int    `json:"rows"`
}

type fieldSum struct {
	ID       int     `json:"id"`
	Code     string  `json:"code,omitempty"`
	Name     string  `json:"name"`
	RA       string  `json:"ra"`
	Dec      string  `json:"dec"`
	RARad    float64 `json:"ra_rad"`
	DecRad   float64 `json:"dec_rad"`
	Frame    string  `json:"frame"`
	Rows     int     `json:"rows"`
	SourceID int     `json:"source_id"`
}

type spwSum struct {
	ID              int      `json:"id"`
	Name            string   `json:"name"`
	NumChan         int      `json:"num_chan"`
	Frame           string   `json:"frame"`
	Chan0Hz         float64  `json:"chan0_hz"`
	ChanWidthHz     float64  `json:"chan_width_hz"`
	TotalBWHz       float64  `json:"total_bandwidth_hz"`
	CenterHz        float64  `json:"center_hz"`
	Corrs           []string `json:"corrs"`
	Rows            int      `json:"rows"`
	FlaggedFraction float64  `json:"flagged_fraction"`
}

type antSum struct {
	ID        int        `json:"id"`
	Name      string     `json:"name"`
	Station   string     `json:"station,omitempty"`
	Diameter  float64    `json:"diameter_m"`
	ITRF      [3]float64 `json:"itrf_m"`
	LonDeg    float64    `json:"longitude_deg"`
	LatDeg    float64    `json:"latitude_deg"`
	OffsetENU [3]float64 `json:"offset_enu_m"`
	Used      bool       `json:"used"`
}

// summarize opens the input and makes one pass over its rows (flags, not visibilities).
func summarize(ctx context.Context, path string) (*obsSummary, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	r, err := openInput(path, true)
	if err != nil {
		return nil, fmt.Errorf("listobs: %w", err)
	}
	defer r.Close()
	m := r.Meta()
	s := &obsSummary{Path: path, Format: m.Format, Rows: r.NumRows(), Telescope: m.Telescope()}
	if len(m.Observations) > 0 {
		s.Observer, s.Project = m.Observations[0].Observer, m.Observations[0].Project
	}
	var scans *casatable.Column
	if msr, ok := r.(*ms.MS); ok {
		for _, sub := range msr.Subtables() {
			if !sub.Exists {
				s.Dangling = append(s.Dangling, sub.Name)
			}
		}
		if msr.Main().HasColumn("SCAN_NUMBER") {
			scans, _ = msr.Main().Column("SCAN_NUMBER")
		}
	}
	spwRows := make([]int, len(m.SpectralWindows))
	spwFlag := make([]int64, len(m.SpectralWindows))
	spwSamp := make([]int64, len(m.SpectralWindows))
	fieldRows := make([]int, len(m.Fields))
	used := map[int]bool{}
	times := map[float64]bool{}
	type scanAcc struct {
		scan, field int
		start, end  float64
		spws        map[int]bool
		rows        int
	}
	var scanList []*scanAcc
	tmin, tmax := math.Inf(1), math.Inf(-1)
	var flagged, samples int64

	// Rows per chunk: about 16 M samples of flags.
	maxCell := 1
	for dd := range m.DataDescs {
		if nc, np, err := m.CellShape(dd); err == nil {
			maxCell = max(maxCell, nc*np)
		}
	}
	chunk := max(1, min(1<<16, (16<<20)/maxCell))
	var c vis.Chunk
	var scanNo []int32
	for row0 := 0; row0 < r.NumRows(); row0 += chunk {
		n := min(chunk, r.NumRows()-row0)
		if err := r.ReadRows(ctx, row0, n, &c); err != nil {
			return nil, fmt.Errorf("listobs: %w", err)
		}
		if scans != nil {
			scanNo = resizeInt32(scanNo, n)
			if err := scans.ReadScalars(row0, scanNo); err != nil {
				return nil, fmt.Errorf("listobs: %w", err)
			}
		}
		for i := 0; i < n; i++ {
			t := c.Time[i]
			times[t] = true
			tmin, tmax = math.Min(tmin, t-c.Interval[i]/2), math.Max(tmax, t+c.Interval[i]/2)
			used[int(c.Ant1[i])], used[int(c.Ant2[i])] = true, true
			if f := int(c.FieldID[i]); f >= 0 && f < len(fieldRows) {
				fieldRows[f]++
			}
			spw := m.DataDescs[c.DataDescID[i]].SpwID
			spwRows[spw]++
			nf := 0
			for k := c.Start[i]; k < c.Start[i+1]; k++ {
				if c.FlagRow[i] || c.Flag[k] {
					nf++
				}
			}
			ns := c.Start[i+1] - c.Start[i]
			flagged += int64(nf)
			samples += int64(ns)
			spwFlag[spw] += int64(nf)
			spwSamp[spw] += int64(ns)
			if scans != nil {
				// A scan entry lasts while the scan number and field stay the same.
				sn, fld := int(scanNo[i]), int(c.FieldID[i])
				var a *scanAcc
				if k := len(scanList); k > 0 && scanList[k-1].scan == sn && scanList[k-1].field == fld {
					a = scanList[k-1]
				} else {
					a = &scanAcc{scan: sn, field: fld, start: math.Inf(1), end: math.Inf(-1), spws: map[int]bool{}}
					scanList = append(scanList, a)
				}
				a.start = math.Min(a.start, t-c.Interval[i]/2)
				a.end = math.Max(a.end, t+c.Interval[i]/2)
				a.spws[spw] = true
				a.rows++
			}
		}
	}
	if s.Rows > 0 {
		s.TimeStartMJDSec, s.TimeEndMJDSec = tmin, tmax
		s.TimeStart, s.TimeEnd = utc(tmin), utc(tmax)
		s.ElapsedSec = tmax - tmin
	}
	s.Integrations = len(times)
	if samples > 0 {
		s.FlaggedFraction = float64(flagged) / float64(samples)
	}
	for _, a := range scanList {
		var ids []int
		for k := range a.spws {
			ids = append(ids, k)
		}
		sort.Ints(ids)
		s.Scans = append(s.Scans, scanSummary{Scan: a.scan, Start: utc(a.start), End: utc(a.end), FieldID: a.field, SpwIDs: ids, Rows: a.rows})
	}
	for i, f := range m.Fields {
		s.Fields = append(s.Fields, fieldSum{ID: i, Code: f.Code, Name: f.Name, RA: formatRA(f.PhaseDir[0]), Dec: formatDec(f.PhaseDir[1]),
			RARad: f.PhaseDir[0], DecRad: f.PhaseDir[1], Frame: f.Frame, Rows: fieldRows[i], SourceID: f.SourceID})
	}
	for i, w := range m.SpectralWindows {
		sw := spwSum{ID: i, Name: w.Name, NumChan: w.NumChan(), Frame: w.Frame, TotalBWHz: w.TotalBandwidth, Rows: spwRows[i]}
		if n := w.NumChan(); n > 0 {
			sw.Chan0Hz, sw.ChanWidthHz = w.ChanFreq[0], w.ChanWidth[0]
			sw.CenterHz = (w.ChanFreq[0] + w.ChanFreq[n-1]) / 2
			if sw.TotalBWHz == 0 {
				for _, cw := range w.ChanWidth {
					sw.TotalBWHz += math.Abs(cw)
				}
			}
		}
		// Correlations of the first data description using this window.
		for _, dd := range m.DataDescs {
			if dd.SpwID == i {
				for _, code := range m.Polarizations[dd.PolID].CorrType {
					sw.Corrs = append(sw.Corrs, vis.CorrName(code))
				}
				break
			}
		}
		if spwSamp[i] > 0 {
			sw.FlaggedFraction = float64(spwFlag[i]) / float64(spwSamp[i])
		}
		s.SpectralWindows = append(s.SpectralWindows, sw)
	}
	center, haveCenter := m.ObservatoryPosition()
	if haveCenter {
		s.ArrayCenterITRF = center[:]
	}
	for i, a := range m.Antennas {
		as := antSum{ID: i, Name: a.Name, Station: a.Station, Diameter: a.DishDiameter, ITRF: a.Position, Used: used[i]}
		if a.Position != [3]float64{} {
			lon, lat, _ := geodetic(a.Position)
			as.LonDeg, as.LatDeg = lon*180/math.Pi, lat*180/math.Pi
			if haveCenter {
				as.OffsetENU = enuOffset(center, a.Position)
			}
		}
		s.Antennas = append(s.Antennas, as)
	}
	return s, nil
}

func resizeInt32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// utc formats MJD seconds as CASA does: 16-Mar-2018/03:38:53.2.
func utc(mjdSec float64) string {
	if math.IsInf(mjdSec, 0) || math.IsNaN(mjdSec) {
		return ""
	}
	sec := vis.MJDSecondsToUnix(mjdSec)
	whole := math.Floor(sec)
	t := time.Unix(int64(whole), int64((sec-whole)*1e9)).UTC()
	return t.Format("02-Jan-2006/15:04:05.0")
}

// formatRA formats a right ascension in radians as hh:mm:ss.ssssss.
func formatRA(rad float64) string {
	h := math.Mod(rad*12/math.Pi, 24)
	if h < 0 {
		h += 24
	}
	hh := math.Floor(h)
	m := (h - hh) * 60
	mm := math.Floor(m)
	ss := (m - mm) * 60
	if ss >= 59.9999995 {
		ss, mm = 0, mm+1
	}
	if mm >= 60 {
		mm, hh = 0, hh+1
	}
	return fmt.Sprintf("%02.0f:%02.0f:%09.6f", math.Mod(hh, 24), mm, ss)
}

// formatDec formats a declination in radians as +dd.mm.ss.sssss (CASA's style).
func formatDec(rad float64) string {
	sign := "+"
	d := rad * 180 / math.Pi
	if d < 0 {
		sign, d = "-", -d
	}
	dd := math.Floor(d)
	m := (d - dd) * 60
	mm := math.Floor(m)
	ss := (m - mm) * 60
	if ss >= 59.999995 {
		ss, mm = 0, mm+1
	}
	if mm >= 60 {
		mm, dd = 0, dd+1
	}
	return fmt.Sprintf("%s%02.0f.%02.0f.%08.5f", sign, dd, mm, ss)
}

// WGS84 ellipsoid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

// geodetic converts ITRF X, Y, Z (m) to WGS84 longitude, latitude (rad) and height (m).
func geodetic(p [3]float64) (lon, lat, h float64) {
	x, y, z := p[0], p[1], p[2]
	e2 := wgs84F * (2 - wgs84F)
	lon = math.Atan2(y, x)
	r := math.Hypot(x, y)
	lat = math.Atan2(z, r*(1-e2))
	for i := 0; i < 10; i++ {
		n := wgs84A / math.Sqrt(1-e2*math.Sin(lat)*math.Sin(lat))
		h = r/math.Cos(lat) - n
		lat = math.Atan2(z, r*(1-e2*n/(n+h)))
	}
	n := wgs84A / math.Sqrt(1-e2*math.Sin(lat)*math.Sin(lat))
	h = r/math.Cos(lat) - n
	return lon, lat, h
}

// enuOffset returns p - ref in the local east, north, up frame at ref.
func enuOffset(ref, p [3]float64) [3]float64 {
	lon, lat, _ := geodetic(ref)
	dx, dy, dz := p[0]-ref[0], p[1]-ref[1], p[2]-ref[2]
	sl, cl := math.Sin(lon), math.Cos(lon)
	sp, cp := math.Sin(lat), math.Cos(lat)
	return [3]float64{
		-sl*dx + cl*dy,
		-sp*cl*dx - sp*sl*dy + cp*dz,
		cp*cl*dx + cp*sl*dy + sp*dz,
	}
}

// writeText prints the summary in the layout of CASA's listobs.
func (s *obsSummary) writeText(w io.Writer) {
	rule := strings.Repeat("=", 80)
	kind := "MeasurementSet Name"
	if s.Format == "UVFITS" {
		kind = "UVFITS file"
	}
	fmt.Fprintf(w, "%s\n           %s:  %s\n%s\n", rule, kind, s.Path, rule)
	fmt.Fprintf(w, "   Observer: %-20s Project: %s\n", orNone(s.Observer), orNone(s.Project))
	fmt.Fprintf(w, "Observation: %s\n", orNone(s.Telescope))
	fmt.Fprintf(w, "Data records: %d       Total elapsed time = %.6g seconds\n", s.Rows, s.ElapsedSec)
	fmt.Fprintf(w, "   Observed from   %s   to   %s (UTC)\n", s.TimeStart, s.TimeEnd)
	fmt.Fprintf(w, "   Integrations: %d    Flagged: %.2f%% of the samples\n\n", s.Integrations, 100*s.FlaggedFraction)
	if len(s.Scans) > 0 {
		fmt.Fprintf(w, "Scans: %d\n  %-24s %-10s %6s  %5s  %-12s %s\n", len(s.Scans), "Timerange (UTC)", "", "Scan", "FldId", "SpwIds", "nRows")
		for _, sc := range s.Scans {
			fmt.Fprintf(w, "  %s - %s %6d  %5d  %-12s %d\n", sc.Start, sc.End[strings.Index(sc.End, "/")+1:], sc.Scan, sc.FieldID, fmt.Sprint(sc.SpwIDs), sc.Rows)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Fields: %d\n  %-4s %-5s %-20s %-16s %-16s %-7s %5s %10s\n", len(s.Fields), "ID", "Code", "Name", "RA", "Decl", "Epoch", "SrcId", "nRows")
	for _, f := range s.Fields {
		fmt.Fprintf(w, "  %-4d %-5s %-20s %-16s %-16s %-7s %5d %10d\n", f.ID, orNone(f.Code), f.Name, f.RA, f.Dec, f.Frame, f.SourceID, f.Rows)
	}
	fmt.Fprintf(w, "\nSpectral Windows: %d\n  %-6s %-28s %7s %-7s %13s %13s %13s %14s  %-9s %s\n", len(s.SpectralWindows),
		"SpwID", "Name", "#Chans", "Frame", "Ch0(MHz)", "ChanWid(kHz)", "TotBW(kHz)", "CtrFreq(MHz)", "Flagged", "Corrs")
	for _, sw := range s.SpectralWindows {
		fmt.Fprintf(w, "  %-6d %-28s %7d %-7s %13.3f %13.3f %13.1f %14.4f  %7.2f%%  %s\n", sw.ID, trunc(sw.Name, 28), sw.NumChan, sw.Frame,
			sw.Chan0Hz/1e6, sw.ChanWidthHz/1e3, sw.TotalBWHz/1e3, sw.CenterHz/1e6, 100*sw.FlaggedFraction, strings.Join(sw.Corrs, "  "))
	}
	nused := 0
	for _, a := range s.Antennas {
		if a.Used {
			nused++
		}
	}
	fmt.Fprintf(w, "\nAntennas: %d (%d in the data):\n  %-4s %-8s %-8s %7s %14s %14s   %-33s  %s\n", len(s.Antennas), nused,
		"ID", "Name", "Station", "Diam.", "Long.", "Lat.", "Offset from array center (m)", "ITRF Geocentric coordinates (m)")
	fmt.Fprintf(w, "  %-4s %-8s %-8s %7s %14s %14s   %10s %10s %11s  %15s %15s %15s\n", "", "", "", "", "", "", "East", "North", "Elevation", "x", "y", "z")
	for _, a := range s.Antennas {
		if !a.Used && len(s.Antennas) > 64 {
			continue // large arrays: list the antennas in the data only
		}
		fmt.Fprintf(w, "  %-4d %-8s %-8s %5.1f m %14s %14s   %10.4f %10.4f %11.4f  %15.6f %15.6f %15.6f\n", a.ID, trunc(a.Name, 8), trunc(a.Station, 8), a.Diameter,
			formatDMS(a.LonDeg, 3), formatDMS(a.LatDeg, 2), a.OffsetENU[0], a.OffsetENU[1], a.OffsetENU[2], a.ITRF[0], a.ITRF[1], a.ITRF[2])
	}
	if len(s.Dangling) > 0 {
		fmt.Fprintf(w, "\nSubtable keywords without a table: %s\n", strings.Join(s.Dangling, ", "))
	}
}

// formatDMS formats degrees as -067.45.16.0 (width digits of degrees).
func formatDMS(deg float64, width int) string {
	sign := "+"
	if deg < 0 {
		sign, deg = "-", -deg
	}
	d := math.Floor(deg)
	m := (deg - d) * 60
	mm := math.Floor(m)
	ss := (m - mm) * 60
	if ss >= 59.95 {
		ss, mm = 0, mm+1
	}
	if mm >= 60 {
		mm, d = 0, d+1
	}
	return fmt.Sprintf("%s%0*.0f.%02.0f.%04.1f", sign, width, d, mm, ss)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return s
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
