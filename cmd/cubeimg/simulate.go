package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newSimulateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "simulate",
		Short: "simulate (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("simulate is not implemented yet")
		},
	}
}
