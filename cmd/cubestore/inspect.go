package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
)

func newInspectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect CUBE",
		Short: "Print a cube's shape, tiles, extensions, WCS, spectral axis and channel states",
		Long: `inspect prints a cube's shape, tile shape, extensions with their file sizes, the WCS, the
spectral axis, and each channel's state and restoring beam. It reads only the manifest, the
data file headers and the channel records, so it is safe while another process writes the cube.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			info, err := store.Inspect(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			printInfo(cmd.OutOrStdout(), info)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON (manifest, files, channel records without checksums)")
	return cmd
}

func printInfo(w io.Writer, info *store.Info) {
	m := info.Manifest
	fmt.Fprintf(w, "cube      %s\n", info.Path)
	fmt.Fprintf(w, "format    %s v%d, uuid %s, created %s\n", m.Format, m.Version, m.UUID, m.Created)
	fmt.Fprintf(w, "shape     nx %d, ny %d, nchan %d\n", m.NX, m.NY, m.NChan)
	fmt.Fprintf(w, "tiles     %d x %d pixels\n", m.TileW, m.TileH)
	fmt.Fprintf(w, "extensions:\n")
	var total int64
	for _, f := range info.Files {
		layout := "tiled (planes gathered)"
		if f.InPlace {
			layout = "planes contiguous"
		}
		fmt.Fprintf(w, "  %-9s %-7s %-9q %10s (%s on disk), %d tiles/plane of %s, %s\n", f.Ext, f.DType, f.BUnit,
			tiles.FormatSize(f.Size), tiles.FormatSize(f.Allocated), f.Tiles, tiles.FormatSize(f.TileBytes), layout)
		total += f.Size
	}
	fmt.Fprintf(w, "  total     %s\n", tiles.FormatSize(total))
	c := m.Celestial
	fmt.Fprintf(w, "WCS       RA---%s/DEC--%s %s, crval (%.9g, %.9g) deg, crpix (%g, %g), cdelt (%.6g, %.6g) arcsec\n",
		c.Projection, c.Projection, c.RADesys, c.CRVal[0], c.CRVal[1], c.CRPix[0], c.CRPix[1], c.CDelt[0]*3600, c.CDelt[1]*3600)
	if c.Object != "" || c.Telescope != "" {
		fmt.Fprintf(w, "          object %q, telescope %q, date-obs %q\n", c.Object, c.Telescope, c.DateObs)
	}
	s := m.Spectral
	if len(s.Freqs) > 0 {
		fmt.Fprintf(w, "spectral  FREQ %s, %d explicit frequencies %.9g .. %.9g Hz, rest %.9g Hz\n", s.Frame, len(s.Freqs), s.Freqs[0], s.Freqs[len(s.Freqs)-1], s.RestFreq)
	} else {
		fmt.Fprintf(w, "spectral  FREQ %s, crval %.9g Hz, cdelt %.9g Hz, crpix %g; channel 0 %.9g Hz, channel %d %.9g Hz; rest %.9g Hz\n",
			s.Frame, s.CRVal, s.CDelt, s.CRPix, s.Freq(0), m.NChan-1, s.Freq(m.NChan-1), s.RestFreq)
	}
	if len(m.RunParams) > 0 {
		fmt.Fprintf(w, "run       %s\n", strings.TrimSpace(string(m.RunParams)))
	}
	fmt.Fprintf(w, "channels  %d committed, %d in progress, %d empty (of %d)\n",
		info.Counts[store.Committed], info.Counts[store.InProgress], info.Counts[store.Empty], m.NChan)
	fmt.Fprintf(w, "  %6s  %-11s  %10s %10s %8s  %12s  %s\n", "chan", "state", "bmaj\"", "bmin\"", "bpa", "sumwt", "info")
	for _, r := range info.Channels {
		if r.State == store.Empty {
			continue
		}
		fmt.Fprintf(w, "  %6d  %-11s  %10.5g %10.5g %8.4g  %12.6g  %s\n", r.Channel, r.State, r.Beam.Major, r.Beam.Minor, r.Beam.PA, r.SumWt, strings.TrimSpace(string(r.Info)))
	}
	for _, p := range info.Problems {
		fmt.Fprintf(w, "problem: %s\n", p)
	}
}
