// Package preview renders a quick-look PNG of a cube: the peak map (maximum over channels of each
// pixel) beside the spectrum at the brightest pixel.
package preview

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Cube is what a preview needs: the peak map and the spectrum at the peak pixel.
type Cube struct {
	Nx, Ny int
	// Peak is the per-pixel maximum over channels, row-major (index y*Nx + x).
	Peak []float32
	// PeakX, PeakY locate the pixel whose spectrum is shown.
	PeakX, PeakY int
	// FreqHz and Spectrum hold the spectrum at (PeakX, PeakY), one value per channel.
	FreqHz   []float64
	Spectrum []float64
	// Title heads the figure; Unit labels the values (e.g. Jy/beam).
	Title, Unit string
}

type grid struct {
	nx, ny int
	z      []float32
}

func (g grid) Dims() (c, r int)   { return g.nx, g.ny }
func (g grid) Z(c, r int) float64 { return float64(g.z[r*g.nx+c]) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// Write renders c as a PNG file at path.
func Write(path string, c Cube) error {
	if len(c.Peak) != c.Nx*c.Ny || c.Nx == 0 {
		return fmt.Errorf("preview: peak map has %d values for %d x %d", len(c.Peak), c.Nx, c.Ny)
	}
	if len(c.FreqHz) != len(c.Spectrum) {
		return fmt.Errorf("preview: %d frequencies for %d spectrum values", len(c.FreqHz), len(c.Spectrum))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range c.Peak {
		if f := float64(v); !math.IsNaN(f) {
			lo, hi = math.Min(lo, f), math.Max(hi, f)
		}
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(lo)
	pal.SetMax(hi)

	left := plot.New()
	left.Title.Text = "peak over channels (" + c.Unit + ")"
	left.X.Label.Text = "x (pixel, RA decreasing)"
	left.Y.Label.Text = "y (pixel, Dec)"
	hm := plotter.NewHeatMap(grid{c.Nx, c.Ny, c.Peak}, pal.Palette(256))
	hm.Min, hm.Max = lo, hi
	hm.Rasterized = true
	left.Add(hm)
	mark, err := plotter.NewScatter(plotter.XYs{{X: float64(c.PeakX), Y: float64(c.PeakY)}})
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	mark.GlyphStyle.Shape = draw.CrossGlyph{}
	mark.GlyphStyle.Color = color.Black
	mark.GlyphStyle.Radius = vg.Points(6)
	left.Add(mark)

	right := plot.New()
	right.Title.Text = fmt.Sprintf("spectrum at pixel (%d, %d)", c.PeakX, c.PeakY)
	right.X.Label.Text = "frequency (GHz)"
	right.X.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ticks := plot.DefaultTicks{}.Ticks(lo, hi)
		digits := 3
		if span := hi - lo; span > 0 {
			digits = min(9, max(3, int(math.Ceil(-math.Log10(span)))+2))
		}
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', digits, 64)
			}
		}
		return ticks
	})
	right.Y.Label.Text = c.Unit
	pts := make(plotter.XYs, len(c.Spectrum))
	for i := range pts {
		pts[i] = plotter.XY{X: c.FreqHz[i] / 1e9, Y: c.Spectrum[i]}
	}
	if len(pts) > 0 {
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		line.StepStyle = plotter.MidStep
		right.Add(line, plotter.NewGrid())
	}

	const w, h = 12 * vg.Inch, 5 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	top := dc
	top.Max.Y -= vg.Points(20)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(20), PadY: vg.Points(10), PadTop: vg.Points(4)}
	canv := plot.Align([][]*plot.Plot{{left, right}}, tiles, top)
	left.Draw(canv[0][0])
	right.Draw(canv[0][1])
	if c.Title != "" {
		fnt := plot.DefaultFont
		fnt.Size = vg.Points(14)
		ts := draw.TextStyle{Color: color.Black, Font: fnt, XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		dc.FillText(ts, vg.Point{X: w / 2, Y: h - vg.Points(4)}, c.Title)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("preview: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("preview: write %s: %w", path, err)
	}
	return nil
}
