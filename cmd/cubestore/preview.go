package main

import (
	"context"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/cubeimg/cubeimg/internal/preview"
	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
)

func newPreviewCmd() *cobra.Command {
	var out, ext, maxResident string
	cmd := &cobra.Command{
		Use:   "preview CUBE -o preview.png",
		Short: "Write a PNG quick look: the peak map over channels and the spectrum at the brightest pixel",
		Long: `preview reads one extension of a cube plane by plane (memory: two planes) and draws the
per-pixel maximum over channels beside the spectrum at the brightest pixel.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("preview: no output given (-o preview.png)")
			}
			limit, err := tiles.ParseSize(maxResident)
			if err != nil {
				return fmt.Errorf("--max-resident: %w", err)
			}
			return writePreview(cmd.Context(), args[0], ext, out, limit)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "PNG file to write")
	cmd.Flags().StringVar(&ext, "ext", "image", "extension to preview (a float32 one: image, residual, model, psf, pb)")
	cmd.Flags().StringVar(&maxResident, "max-resident", "512MiB", "memory bound for mapped tiles")
	return cmd
}

func writePreview(ctx context.Context, path, ext, out string, limit int64) error {
	if ctx == nil {
		ctx = context.Background()
	}
	st, err := store.Open(path, &store.Options{ReadOnly: true, Budget: tiles.NewBudget(limit)})
	if err != nil {
		return err
	}
	defer st.Close()
	m := st.Manifest()
	var bunit string
	found := false
	for _, e := range m.Extensions {
		if e.Name == ext {
			found = true
			bunit = e.BUnit
			if e.DType != store.Float32 {
				return fmt.Errorf("preview: extension %s of %s is %s; choose a float32 one", ext, path, e.DType)
			}
		}
	}
	if !found {
		return fmt.Errorf("preview: %s has no extension %q", path, ext)
	}
	nx, ny := m.NX, m.NY
	peak := make([]float32, nx*ny)
	for i := range peak {
		peak[i] = float32(math.Inf(-1))
	}
	for c := 0; c < m.NChan; c++ {
		p, err := st.Plane(ctx, ext, c, store.Read)
		if err != nil {
			return err
		}
		for i, v := range p.Float32s() {
			if v > peak[i] {
				peak[i] = v
			}
		}
		if err := p.Release(); err != nil {
			return err
		}
	}
	bi := 0
	for i, v := range peak {
		if v > peak[bi] || math.IsNaN(float64(peak[bi])) {
			bi = i
		}
	}
	px, py := bi%nx, bi/nx
	cv := preview.Cube{Nx: nx, Ny: ny, Peak: peak, PeakX: px, PeakY: py, Unit: bunit,
		Title: fmt.Sprintf("%s (%s): %d x %d x %d", path, ext, nx, ny, m.NChan)}
	for c := 0; c < m.NChan; c++ {
		p, err := st.Plane(ctx, ext, c, store.Read)
		if err != nil {
			return err
		}
		cv.Spectrum = append(cv.Spectrum, float64(p.Float32s()[bi]))
		if err := p.Release(); err != nil {
			return err
		}
		cv.FreqHz = append(cv.FreqHz, m.Spectral.Freq(c))
	}
	return preview.Write(out, cv)
}
