package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

// Tests that need a second process re-execute the test binary with CUBEIMG_STORE_CHILD set;
// TestMain then runs the child's work instead of the tests.
func TestMain(m *testing.M) {
	if role := os.Getenv("CUBEIMG_STORE_CHILD"); role != "" {
		if err := runChild(role); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func childCmd(role string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "CUBEIMG_STORE_CHILD="+role), env...)
	return cmd
}

// runChild writes channels [CUBE_FIRST, CUBE_LAST) of the cube CUBE_DIR: every channel that is
// not committed, and, with probability CUBE_REWRITE, committed ones too (reopened with
// BeginChannel). With CUBE_UNTIL_KILLED=1 it then re-images every channel over and over until
// killed. Channel data are pixel(..., gen) with gen drawn from CUBE_SEED and recorded in
// the channel's info. With CUBE_KILL_AT = n > 0 the child SIGKILLs itself at its n-th step.
func runChild(role string) error {
	dir := os.Getenv("CUBE_DIR")
	first, _ := strconv.Atoi(os.Getenv("CUBE_FIRST"))
	last, _ := strconv.Atoi(os.Getenv("CUBE_LAST"))
	seed, _ := strconv.ParseUint(os.Getenv("CUBE_SEED"), 10, 64)
	killAt, _ := strconv.Atoi(os.Getenv("CUBE_KILL_AT"))
	rewrite, _ := strconv.ParseFloat(os.Getenv("CUBE_REWRITE"), 64)
	rng := rand.New(rand.NewPCG(seed, 7))
	s, err := Open(dir, &Options{ResidentCap: 64 << 10, Writer: role})
	if err != nil {
		return err
	}
	steps := 0
	step := func(string) {
		steps++
		if steps == killAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	s.hook = step
	ctx := context.Background()
	m := s.Manifest()
	for pass := 0; ; pass++ {
		if pass > 0 {
			if os.Getenv("CUBE_UNTIL_KILLED") != "1" {
				return s.Close()
			}
			rewrite = 1 // keep re-imaging until killed
		}
		if err := childPass(ctx, s, m, rng, first, last, rewrite, step); err != nil {
			return err
		}
	}
}

func childPass(ctx context.Context, s *Store, m *Manifest, rng *rand.Rand, first, last int, rewrite float64, step func(string)) error {
	for c := first; c < last; c++ {
		r, err := s.Channel(c)
		if err != nil {
			return err
		}
		if r.State == Committed && rng.Float64() >= rewrite {
			continue
		}
		gen := int(rng.IntN(1000))
		info := json.RawMessage(fmt.Sprintf(`{"gen":%d}`, gen))
		if err := s.BeginChannel(c, info); err != nil {
			return err
		}
		for ei, e := range m.Extensions {
			p, err := s.Plane(ctx, e.Name, c, Write)
			if err != nil {
				return err
			}
			fillPlane(p, m.NX, m.NY, ei, c, gen)
			step("plane")
			if err := p.Release(); err != nil {
				return err
			}
		}
		if err := s.Commit(ctx, c, CommitInfo{Beam: Beam{1, 1, float64(gen)}, Info: info}); err != nil {
			return err
		}
	}
	return nil
}

// channelGen returns the generation recorded in a committed channel's info.
func channelGen(t *testing.T, r *ChannelRecord) int {
	t.Helper()
	var info struct{ Gen int }
	if err := json.Unmarshal(r.Info, &info); err != nil {
		t.Fatalf("channel %d info %s: %v", r.Channel, r.Info, err)
	}
	return info.Gen
}

// checkCube opens dir and checks that every committed channel verifies clean and holds the data
// of the generation its record names; it returns the committed count.
func checkCube(t *testing.T, dir string) (committed int) {
	t.Helper()
	s, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open after the child: %v", err)
	}
	defer s.Close()
	rep, err := s.Check(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mismatches) > 0 || len(rep.Problems) > 0 {
		t.Fatalf("check: mismatches %v problems %v", rep.Mismatches, rep.Problems)
	}
	if len(rep.Committed)+len(rep.InProgress)+len(rep.Empty) != s.m.NChan {
		t.Fatalf("report accounts for %d+%d+%d channels of %d", len(rep.Committed), len(rep.InProgress), len(rep.Empty), s.m.NChan)
	}
	for _, c := range rep.Committed {
		r, err := s.Channel(c)
		if err != nil {
			t.Fatal(err)
		}
		if g := channelGen(t, r); r.Beam.PA != float64(g) {
			t.Fatalf("channel %d: beam PA %g, info gen %d", c, r.Beam.PA, g)
		}
		checkChannelData(t, s, c, channelGen(t, r))
	}
	return len(rep.Committed)
}
