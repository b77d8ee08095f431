package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cubeimg/cubeimg/store"
	"github.com/cubeimg/cubeimg/tiles"
)

func newVerifyCmd() *cobra.Command {
	var quiet, complete bool
	var maxResident string
	cmd := &cobra.Command{
		Use:   "verify CUBE",
		Short: "Recompute every committed tile's checksum; exit 1 naming each damaged tile",
		Long: `verify reads every tile of every committed channel of every extension, recomputes its
xxhash64 and compares it with the checksum recorded when the channel was committed.
It prints one line per mismatch naming the extension, channel and tile, lists the channels
that are not committed, and exits 0 when everything matches, 1 when anything is damaged
(a tile, an unreadable channel record), 2 when it cannot run. It may run while another
process writes the cube. With --complete, a channel that is not committed is a problem too (exit 1):
the check that a run, such as a cluster run's tasks, imaged every channel.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			limit, err := tiles.ParseSize(maxResident)
			if err != nil {
				return fmt.Errorf("--max-resident: %w", err)
			}
			s, err := store.Open(args[0], &store.Options{ReadOnly: true, Budget: tiles.NewBudget(limit)})
			if err != nil {
				return err
			}
			defer s.Close()
			bar := newBar(quiet, "verify", 0)
			start := time.Now()
			rep, err := s.Check(context.Background(), func(done, total int64) { bar.set(done, total) })
			bar.finish()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, m := range rep.Mismatches {
				fmt.Fprintf(w, "MISMATCH %s\n", m)
			}
			for _, p := range rep.Problems {
				fmt.Fprintf(w, "PROBLEM %s\n", p)
			}
			secs := time.Since(start).Seconds()
			fmt.Fprintf(w, "%d committed channels checked: %d tiles, %s in %.2f s (%.0f MB/s)\n",
				len(rep.Committed), rep.Tiles, tiles.FormatSize(rep.Bytes), secs, float64(rep.Bytes)/1e6/max(secs, 1e-9))
			if len(rep.InProgress) > 0 {
				fmt.Fprintf(w, "in progress (not committed, not checked): channels %s\n", ranges(rep.InProgress))
			}
			if len(rep.Empty) > 0 {
				fmt.Fprintf(w, "empty (never written): channels %s\n", ranges(rep.Empty))
			}
			if !rep.OK() {
				return &exitError{code: 1, err: fmt.Errorf("%s: %d damaged tiles, %d other problems", args[0], len(rep.Mismatches), len(rep.Problems))}
			}
			if missing := len(rep.InProgress) + len(rep.Empty); complete && missing > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%s: %d of %d channels are not committed", args[0], missing, s.Manifest().NChan)}
			}
			fmt.Fprintln(w, "OK")
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	cmd.Flags().BoolVar(&complete, "complete", false, "exit 1 also when a channel is not committed (every channel must be imaged)")
	cmd.Flags().StringVar(&maxResident, "max-resident", "256MiB", "memory budget for read buffers (e.g. 1GiB, 500MB)")
	return cmd
}

// ranges renders sorted channel numbers compactly: "0-3,7,9-10".
func ranges(cs []int) string {
	var b strings.Builder
	for i := 0; i < len(cs); {
		j := i
		for j+1 < len(cs) && cs[j+1] == cs[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", cs[i], cs[j])
		} else {
			fmt.Fprintf(&b, "%d", cs[i])
		}
		i = j + 1
	}
	return b.String()
}
