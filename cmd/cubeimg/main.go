// Command cubeimg images radio-interferometric spectral cubes into a tiled cube store.
//
// Subcommands: run (image a MeasurementSet or UVFITS into a cube), listobs (summarise an input),
// simulate (write an ALMA-like MeasurementSet with a known sky) and slurm (write a Slurm job-array
// script for a cluster run).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "cubeimg:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "cubeimg",
		Short:         "Out-of-core radio-interferometric spectral-cube imager",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newListobsCmd(), newSimulateCmd(), newRunCmd(), newSlurmCmd())
	return root
}
