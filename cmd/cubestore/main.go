// Command cubestore inspects, verifies and converts cubeimg cube stores.
//
//	cubestore inspect CUBE [--json]
//	cubestore verify CUBE
//	cubestore convert CUBE --ext image -o out.fits
//	cubestore convert in.fits -o out.cube
//	cubestore preview CUBE -o preview.png
//
// Exit status: 0 on success, 1 when verify finds a damaged tile or record, 2 on any other
// error (bad arguments, unreadable files).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries an exit status other than 2 for an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(stderr, "cubestore:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 2
	}
	return 0
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "cubestore",
		Short: "Inspect, verify and convert cubeimg cube stores",
		Long: `cubestore works on cubeimg cube stores: a directory per cube holding a manifest, one
file per extension (image, psf, residual, model, pb, mask) and a record per channel
(see store/FORMAT.md in the source).

Exit status: 0 on success, 1 when verify finds damage, 2 on any other error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newInspectCmd(), newVerifyCmd(), newConvertCmd(), newPreviewCmd())
	return root
}
