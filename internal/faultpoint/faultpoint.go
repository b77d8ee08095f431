// Package faultpoint kills the process at named points of its work, for crash tests. A test sets
// CUBEIMG_FAULT=name:n[:delay] in a child process's environment; the child's n-th Hit(name)
// sends SIGKILL to the child itself, at once or after delay (a Go duration), so that the kill
// lands inside the work that follows the point. Without the variable a Set is nil and Hit does
// nothing.
package faultpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EnvVar is the environment variable a Set is read from.
const EnvVar = "CUBEIMG_FAULT"

// Set is the armed fault point of a process.
type Set struct {
	name  string
	n     int
	delay time.Duration
	mu    sync.Mutex
	hits  int
}

// FromEnv returns the fault point armed by $CUBEIMG_FAULT, or nil when it is unset.
func FromEnv() (*Set, error) {
	v := os.Getenv(EnvVar)
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("%s=%q: want name:n[:delay]", EnvVar, v)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 {
		return nil, fmt.Errorf("%s=%q: bad count", EnvVar, v)
	}
	s := &Set{name: parts[0], n: n}
	if len(parts) == 3 {
		if s.delay, err = time.ParseDuration(parts[2]); err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvVar, v, err)
		}
	}
	return s, nil
}

// Hit counts a pass through point name and kills the process on the armed pass.
func (s *Set) Hit(name string) {
	if s == nil || name != s.name {
		return
	}
	s.mu.Lock()
	s.hits++
	fire := s.hits == s.n
	s.mu.Unlock()
	if !fire {
		return
	}
	kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	if s.delay <= 0 {
		kill()
		select {} // SIGKILL is not delivered synchronously everywhere; never return
	}
	go func() {
		time.Sleep(s.delay)
		kill()
	}()
}
