package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cubeimg/cubeimg/tiles"
)

// A TileMismatch is a committed tile whose data no longer match the checksum recorded at commit.
type TileMismatch struct {
	Ext     string
	Channel int
	Tile    int
	Rect    tiles.Rect
	Want    uint64 // recorded at commit
	Got     uint64 // recomputed
}

func (m TileMismatch) String() string {
	return fmt.Sprintf("extension %s channel %d tile %d (pixels %v): checksum %016x, recorded %016x",
		m.Ext, m.Channel, m.Tile, m.Rect, m.Got, m.Want)
}

// A CheckReport is the outcome of Check.
type CheckReport struct {
	Channels   int
	Committed  []int
	InProgress []int
	Empty      []int
	// Tiles and Bytes count what was read and hashed.
	Tiles      int64
	Bytes      int64
	Mismatches []TileMismatch
	// Problems lists other faults: unreadable channel records, stray temporary files.
	Problems []string
}

// OK reports whether every committed tile matched and nothing else was wrong.
func (r *CheckReport) OK() bool { return len(r.Mismatches) == 0 && len(r.Problems) == 0 }

// Check recomputes the checksum of every tile of every committed channel of every extension and
// compares it with the record, like bbolt's Tx.Check. It reads the data files with pread (nothing
// is mapped), from several goroutines, and may run while other processes write the cube: a
// channel whose record changes while it is being checked is re-read and counted as it is at the
// end. progress, if not nil, is called with bytes done and total after each channel. The error is
// for failures to run the check (I/O errors, a cancelled ctx); faults found are in the report.
func (s *Store) Check(ctx context.Context, progress func(done, total int64)) (*CheckReport, error) {
	recs, bad, err := readRecords(s.dir, s.m)
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{Channels: s.m.NChan}
	for c, e := range bad {
		rep.Problems = append(rep.Problems, fmt.Sprintf("channel %d: unreadable record: %v", c, e))
	}
	var todo []*ChannelRecord
	var total int64
	for c, r := range recs {
		if _, isBad := bad[c]; isBad {
			continue
		}
		switch r.State {
		case Committed:
			todo = append(todo, r)
			for _, e := range s.extOrder {
				total += e.layout.PlaneBytes()
			}
		case InProgress:
			rep.InProgress = append(rep.InProgress, c)
		default:
			rep.Empty = append(rep.Empty, c)
		}
	}
	rep.Problems = append(rep.Problems, s.strayFiles()...)

	workers := min(4, runtime.GOMAXPROCS(0), max(1, len(todo)))
	var (
		mu        sync.Mutex
		done      atomic.Int64
		firstErr  error
		next      atomic.Int64
		wg        sync.WaitGroup
		committed []int
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := s.ioBufSize()
			if err := s.budget.Acquire(ctx, n); err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			defer s.budget.Release(n)
			buf := make([]byte, n)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(todo) || ctx.Err() != nil {
					return
				}
				r := todo[i]
				mism, nt, nb, err := s.verifyChannel(r, buf)
				if err == nil && len(mism) > 0 {
					// The channel may have been reopened by a writer meanwhile.
					if now, rerr := readRecord(s.dir, s.m, r.Channel); rerr == nil && (now.State != Committed || now.Gen != r.Gen) {
						mism = nil
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				rep.Mismatches = append(rep.Mismatches, mism...)
				rep.Tiles += nt
				rep.Bytes += nb
				committed = append(committed, r.Channel)
				mu.Unlock()
				d := done.Add(nb)
				if progress != nil {
					progress(d, total)
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return rep, firstErr
	}
	sort.Ints(committed)
	rep.Committed = committed
	sort.Ints(rep.InProgress)
	sort.Ints(rep.Empty)
	sort.Strings(rep.Problems)
	sort.Slice(rep.Mismatches, func(i, j int) bool {
		a, b := rep.Mismatches[i], rep.Mismatches[j]
		if a.Ext != b.Ext {
			return a.Ext < b.Ext
		}
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		return a.Tile < b.Tile
	})
	return rep, nil
}

func (s *Store) verifyChannel(r *ChannelRecord, buf []byte) (mism []TileMismatch, tilesDone, bytesDone int64, err error) {
	for _, e := range s.extOrder {
		sums := r.Checksums[e.Name]
		for t := 0; t < e.layout.NumTiles(); t++ {
			want, _ := strconv.ParseUint(sums[t], 16, 64)
			got, err := hashRange(e.f, e.layout.TileOffset(r.Channel, t), e.layout.TileBytes(t), buf)
			if err != nil {
				return mism, tilesDone, bytesDone, fmt.Errorf("check %s channel %d tile %d: %w", e.f.Name(), r.Channel, t, err)
			}
			tilesDone++
			bytesDone += e.layout.TileBytes(t)
			if got != want {
				mism = append(mism, TileMismatch{Ext: e.Name, Channel: r.Channel, Tile: t, Rect: e.layout.Rect(t), Want: want, Got: got})
			}
		}
	}
	return mism, tilesDone, bytesDone, nil
}

// strayFiles lists files in the cube directory the format does not know (temporary files left by
// a killed writer are harmless and listed too).
func (s *Store) strayFiles() []string {
	known := map[string]bool{manifestName: true, channelsDir: true}
	for _, e := range s.extOrder {
		known[e.File] = true
	}
	var out []string
	if ents, err := os.ReadDir(s.dir); err == nil {
		for _, de := range ents {
			if !known[de.Name()] && !strings.Contains(de.Name(), ".tmp-") {
				out = append(out, fmt.Sprintf("unknown file %s", filepath.Join(s.dir, de.Name())))
			}
		}
	}
	return out
}
