// Command cubestore inspects, verifies and converts cube stores.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "cubestore:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "cubestore",
		Short:         "Inspect, verify and convert cubeimg cube stores",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	return root
}
