package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newRunCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "run (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("run is not implemented yet")
		},
	}
}
