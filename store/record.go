package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	channelsDir  = "channels"
	recordMagic  = "cubeimg-channel"
	recordSuffix = ".rec"
)

// State is a channel's commit state.
type State string

// Channel states. A channel without a record file is Empty.
const (
	Empty      State = "empty"       // never written
	InProgress State = "in-progress" // being written (or a writer died): its data are not trusted
	Committed  State = "committed"   // all tiles flushed and checksummed
)

// Beam is a restoring beam: FWHM major and minor axes in arcsec, position angle in degrees east
// of north (the units of the manifest and of the FITS BEAMS table).
type Beam struct {
	Major float64 `json:"bmaj_arcsec"`
	Minor float64 `json:"bmin_arcsec"`
	PA    float64 `json:"bpa_deg"`
}

// A ChannelRecord is the state of one channel, stored in <cube>/channels/NNNNNN.rec and replaced
// atomically by the one writer of that channel.
type ChannelRecord struct {
	Cube    string  `json:"cube"` // the cube's UUID
	Channel int     `json:"channel"`
	State   State   `json:"state"`
	Gen     uint64  `json:"gen"`     // incremented by every write of the record
	Writer  string  `json:"writer"`  // who wrote it: the Options.Writer label and a per-open token
	Updated string  `json:"updated"` // RFC 3339 time of the write
	Beam    Beam    `json:"beam"`
	SumWt   float64 `json:"sumwt"`
	// Info is an opaque JSON value the pipeline keeps per channel (stop reason, iterations...).
	Info json.RawMessage `json:"info,omitempty"`
	// Checksums holds, for a committed channel, the xxhash64 of every tile's data bytes, per
	// extension, in tile order, as 16 hex digits.
	Checksums map[string][]string `json:"checksums,omitempty"`
}

func recordName(c int) string { return fmt.Sprintf("%06d%s", c, recordSuffix) }

// EncodeChannelRecord returns the bytes of a channel record file.
func EncodeChannelRecord(r *ChannelRecord) ([]byte, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode channel %d record: %w", r.Channel, err)
	}
	return frame(recordMagic, FormatVersion, append(body, '\n')), nil
}

// DecodeChannelRecord parses the bytes of a channel record file and checks it against the
// manifest m (cube UUID, channel range, extensions and tile counts).
func DecodeChannelRecord(data []byte, m *Manifest) (*ChannelRecord, error) {
	body, err := unframe(recordMagic, FormatVersion, data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r ChannelRecord
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("record JSON: %v: %w", err, ErrCorrupt)
	}
	if err := r.validate(m); err != nil {
		return nil, fmt.Errorf("channel record: %v: %w", err, ErrCorrupt)
	}
	return &r, nil
}

func (r *ChannelRecord) validate(m *Manifest) error {
	if r.Cube != m.UUID {
		return fmt.Errorf("belongs to cube %q, not %q", r.Cube, m.UUID)
	}
	if r.Channel < 0 || r.Channel >= m.NChan {
		return fmt.Errorf("channel %d of %d", r.Channel, m.NChan)
	}
	switch r.State {
	case InProgress:
	case Committed:
		nt := m.Grid().NumTiles()
		if len(r.Checksums) != len(m.Extensions) {
			return fmt.Errorf("channel %d: checksums for %d extensions, cube has %d", r.Channel, len(r.Checksums), len(m.Extensions))
		}
		for _, e := range m.Extensions {
			sums, ok := r.Checksums[e.Name]
			if !ok || len(sums) != nt {
				return fmt.Errorf("channel %d: %d checksums for extension %q, want %d", r.Channel, len(sums), e.Name, nt)
			}
			for _, s := range sums {
				if _, err := strconv.ParseUint(s, 16, 64); err != nil || len(s) != 16 {
					return fmt.Errorf("channel %d: bad checksum %q", r.Channel, s)
				}
			}
		}
	default:
		return fmt.Errorf("channel %d: state %q", r.Channel, r.State)
	}
	if len(r.Info) > 0 && !json.Valid(r.Info) {
		return fmt.Errorf("channel %d: info is not JSON", r.Channel)
	}
	return nil
}

// readRecord reads channel c's record; a missing file is an Empty record.
func readRecord(dir string, m *Manifest, c int) (*ChannelRecord, error) {
	path := filepath.Join(dir, channelsDir, recordName(c))
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return &ChannelRecord{Cube: m.UUID, Channel: c, State: Empty}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r, err := DecodeChannelRecord(data, m)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if r.Channel != c {
		return nil, fmt.Errorf("read %s: record is for channel %d: %w", path, r.Channel, ErrCorrupt)
	}
	return r, nil
}

// readRecords reads every channel's record (one directory listing, then one read per record
// file). Unreadable records are returned as errors per channel in bad.
func readRecords(dir string, m *Manifest) (recs []*ChannelRecord, bad map[int]error, err error) {
	recs = make([]*ChannelRecord, m.NChan)
	for c := range recs {
		recs[c] = &ChannelRecord{Cube: m.UUID, Channel: c, State: Empty}
	}
	entries, err := os.ReadDir(filepath.Join(dir, channelsDir))
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", filepath.Join(dir, channelsDir), err)
	}
	bad = map[int]error{}
	for _, de := range entries {
		name := de.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, recordSuffix) {
			continue
		}
		c, err := strconv.Atoi(strings.TrimSuffix(name, recordSuffix))
		if err != nil || c < 0 || c >= m.NChan || name != recordName(c) {
			continue
		}
		r, err := readRecord(dir, m, c)
		if err != nil {
			bad[c] = err
			continue
		}
		recs[c] = r
	}
	return recs, bad, nil
}
