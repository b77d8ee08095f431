package pipeline

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ParseChannels parses a channel selection as `--channels` takes it: comma-separated indices and
// half-open ranges a:b (channels a..b-1), e.g. "12,40:44" selects 12, 40, 41, 42, 43. An empty
// string selects every channel. Indices must be in [0, nchan). The result is sorted and unique.
func ParseChannels(s string, nchan int) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		all := make([]int, nchan)
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("--channels %q: empty item", s)
		}
		lo, hi := part, ""
		isRange := false
		if a, b, ok := strings.Cut(part, ":"); ok {
			lo, hi, isRange = a, b, true
		}
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("--channels %q: %q is not a channel index", s, lo)
		}
		b := a + 1
		if isRange {
			if strings.TrimSpace(hi) == "" {
				b = nchan
			} else if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return nil, fmt.Errorf("--channels %q: %q is not a channel index", s, hi)
			}
		}
		if a < 0 || b > nchan || a >= b {
			return nil, fmt.Errorf("--channels %q: %q is outside the cube's channels 0..%d", s, part, nchan-1)
		}
		for c := a; c < b; c++ {
			seen[c] = true
		}
	}
	out := make([]int, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Ints(out)
	return out, nil
}

// FormatChannels renders sorted, unique channel indices as --channels takes them, with half-open
// ranges: [0 1 2 3 7] is "0:4,7". ParseChannels reads it back.
func FormatChannels(cs []int) string {
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
			fmt.Fprintf(&b, "%d:%d", cs[i], cs[j]+1)
		} else {
			fmt.Fprintf(&b, "%d", cs[i])
		}
		i = j + 1
	}
	return b.String()
}
