package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
)

func newConvertCmd() *cobra.Command {
	var (
		out, ext, tile, maxResident string
		quiet                       bool
	)
	cmd := &cobra.Command{
		Use:   "convert INPUT -o OUTPUT",
		Short: "Convert a cube to FITS (cube -> .fits) or a FITS cube to a new cube store",
		Long: `convert CUBE --ext image -o out.fits writes one extension of a cube as a standard FITS cube
(NAXIS = 3: RA---SIN, DEC--SIN, FREQ; BUNIT; BMAJ/BMIN/BPA; a BEAMS binary table with one beam
per channel and CASAMBM = T), streamed plane by plane with memory independent of the cube size.
With --ext all it writes one file per extension, named OUTPUT with .<ext> inserted before
.fits (out.image.fits, out.psf.fits, ...).

convert in.fits -o out.cube reads a FITS cube (NAXIS 3, or 4 with a single Stokes plane) into a
new cube store holding one extension (--ext, default image), with its WCS and beams, every
channel committed.

The direction is chosen by INPUT: a directory holding a MANIFEST is a cube, anything else is read
as FITS.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("convert: -o OUTPUT is required")
			}
			limit, err := tiles.ParseSize(maxResident)
			if err != nil {
				return fmt.Errorf("--max-resident: %w", err)
			}
			budget := tiles.NewBudget(limit)
			in := args[0]
			ctx := context.Background()
			if _, err := os.Stat(filepath.Join(in, "MANIFEST")); err == nil {
				return exportCube(ctx, cmd, in, out, ext, budget, quiet)
			}
			if ext == "all" {
				return errors.New("convert: --ext all applies to a cube input only")
			}
			var tw, th int
			if tile != "" {
				w, h, ok := strings.Cut(tile, "x")
				tw, err = strconv.Atoi(w)
				if err == nil {
					th, err = strconv.Atoi(h)
				}
				if !ok || err != nil || tw <= 0 || th <= 0 {
					return fmt.Errorf("--tile %q: want WIDTHxHEIGHT in pixels, e.g. 1024x256", tile)
				}
			}
			bar := newBar(quiet, "import", 0)
			err = store.ImportFITS(ctx, in, out, &store.ImportOptions{Ext: ext, TileW: tw, TileH: th,
				Store: &store.Options{Budget: budget}, Progress: func(done, total int64) { bar.set(done, total) }})
			bar.finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (extension %s)\n", out, ext)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output: a .fits file (from a cube) or a new cube directory (from FITS)")
	f.StringVar(&ext, "ext", "image", "extension to export (image, psf, residual, model, pb, mask, or all) or to create on import")
	f.StringVar(&tile, "tile", "", "tile shape WIDTHxHEIGHT of a new cube on import (default: full-width bands of about 1 MiB)")
	f.StringVar(&maxResident, "max-resident", "512MiB", "memory budget of the conversion (e.g. 4GiB, 500MB); must hold one plane on import")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}

func exportCube(ctx context.Context, cmd *cobra.Command, in, out, ext string, budget *tiles.Budget, quiet bool) error {
	s, err := store.Open(in, &store.Options{ReadOnly: true, Budget: budget})
	if err != nil {
		return err
	}
	defer s.Close()
	exts := []string{ext}
	if ext == "all" {
		exts = nil
		for _, e := range s.Manifest().Extensions {
			exts = append(exts, e.Name)
		}
	}
	for _, e := range exts {
		path := out
		if ext == "all" {
			path = strings.TrimSuffix(out, ".fits") + "." + e + ".fits"
		}
		bar := newBar(quiet, e, 0)
		err := s.ExportFITS(ctx, e, path, &store.ExportOptions{Progress: func(done, total int64) { bar.set(done, total) }})
		bar.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
	}
	return nil
}
