package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newListobsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "listobs",
		Short: "listobs (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("listobs is not implemented yet")
		},
	}
}
