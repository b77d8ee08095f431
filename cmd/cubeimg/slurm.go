package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newSlurmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "slurm",
		Short: "slurm (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("slurm is not implemented yet")
		},
	}
}
