package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sys/unix"

	"github.com/cubeimg/cubeimg/tiles"
)

// DefaultResidentCap is the resident cap of a store opened without one: 256 MiB, enough to pin
// one 8000 x 8000 float32 plane.
const DefaultResidentCap = 256 << 20

// Options configure Open and Create. A nil *Options means the zero value: a private budget of
// DefaultResidentCap, read-write.
type Options struct {
	// Budget is the process's memory budget; the store's mapped tiles and gathered plane copies
	// are taken from it. nil: a private budget of ResidentCap bytes.
	Budget *tiles.Budget
	// ResidentCap bounds the bytes the store keeps mapped. 0: DefaultResidentCap, or the
	// Budget's limit if that is smaller.
	ResidentCap int64
	// ReadOnly opens the data files read-only and maps them PROT_READ; writes fail with
	// ErrReadOnly.
	ReadOnly bool
	// Writer labels this process in the channel records it writes (e.g. "slurm 1234_7").
	// "" means host:pid.
	Writer string
}

// A Store is an open cube. Its methods are safe for concurrent use by several goroutines, and
// several processes may open the same cube at once to write disjoint channels (FORMAT.md).
type Store struct {
	dir      string
	m        *Manifest
	readOnly bool
	budget   *tiles.Budget
	rs       *tiles.ResidentSet
	exts     map[string]*extFile
	extOrder []*extFile
	writer   string       // this open's identity in channel records
	hook     func(string) // crash-test hook, nil in production

	mu        sync.Mutex
	chans     map[int]*chanState
	runParams json.RawMessage // the manifest's, as last written by this open
	closed    bool
}

type extFile struct {
	Extension
	layout tiles.Layout
	f      *os.File
}

// chanState is what this open of the store knows about a channel it writes.
type chanState struct {
	claimMu    sync.Mutex // serialises claiming, BeginChannel and Commit of the channel
	claimed    bool       // this open wrote the channel's in-progress record
	gen        uint64     // generation of that record
	writePins  int
	committing bool
}

// Create makes a new cube at path (a directory that must not exist, or be empty) and opens it.
// It writes the data files (preallocated), then the manifest, so a directory without a manifest
// is a Create that did not finish.
func Create(path string, spec Spec, opts *Options) (*Store, error) {
	if spec.Extensions == nil {
		spec.Extensions = DefaultExtensions()
	} else {
		spec.Extensions = append([]Extension(nil), spec.Extensions...)
	}
	if spec.TileW == 0 && spec.TileH == 0 && spec.NX > 0 && spec.NY > 0 {
		spec.TileW, spec.TileH = tiles.DefaultTileShape(spec.NX, spec.NY)
	}
	for i := range spec.Extensions {
		spec.Extensions[i].File = spec.Extensions[i].Name + ".dat"
	}
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if ents, err := os.ReadDir(path); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("create %s: %w", path, ErrExists)
	}
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return nil, fmt.Errorf("create %s: uuid: %w", path, err)
	}
	m := &Manifest{Format: formatName, Version: FormatVersion, UUID: hex.EncodeToString(u[:]),
		Created: time.Now().UTC().Format(time.RFC3339), Spec: spec}
	if err := os.MkdirAll(filepath.Join(path, channelsDir), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	for _, e := range m.Extensions {
		l, err := m.Layout(e)
		if err != nil {
			return nil, fmt.Errorf("create %s: extension %s: %w", path, e.Name, err)
		}
		h, err := headerFor(m, e, l)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		if err := createDataFile(filepath.Join(path, e.File), h); err != nil {
			return nil, err
		}
	}
	data, err := EncodeManifest(m)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, manifestName, data, nil); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(filepath.Clean(path))); err != nil {
		return nil, err
	}
	return Open(path, opts)
}

// ReadManifest reads and validates <path>/MANIFEST without opening the data files.
func ReadManifest(path string) (*Manifest, error) {
	mp := filepath.Join(path, manifestName)
	data, err := os.ReadFile(mp)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("open %s: %w", path, ErrNoManifest)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", mp, err)
	}
	m, err := DecodeManifest(data)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", mp, err)
	}
	return m, nil
}

// Open opens the cube at path. opts may be nil.
func Open(path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	m, err := ReadManifest(path)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: path, m: m, readOnly: o.ReadOnly, exts: map[string]*extFile{}, chans: map[int]*chanState{},
		runParams: m.RunParams}
	fail := func(err error) (*Store, error) {
		for _, e := range s.extOrder {
			e.f.Close()
		}
		return nil, err
	}
	flag := os.O_RDWR
	if o.ReadOnly {
		flag = os.O_RDONLY
	}
	for _, e := range m.Extensions {
		l, err := m.Layout(e)
		if err != nil {
			return fail(fmt.Errorf("open %s: extension %s: %w", path, e.Name, err))
		}
		fp := filepath.Join(path, e.File)
		f, err := os.OpenFile(fp, flag, 0)
		if err != nil {
			return fail(fmt.Errorf("open %s: %w", fp, err))
		}
		ef := &extFile{Extension: e, layout: l, f: f}
		s.exts[e.Name] = ef
		s.extOrder = append(s.extOrder, ef)
		if err := checkDataFile(f, m, e, l); err != nil {
			return fail(err)
		}
	}
	capBytes := o.ResidentCap
	if capBytes <= 0 {
		capBytes = DefaultResidentCap
		if o.Budget != nil && o.Budget.Limit() < capBytes {
			capBytes = o.Budget.Limit()
		}
	}
	s.budget = o.Budget
	if s.budget == nil {
		s.budget = tiles.NewBudget(capBytes)
	}
	if s.rs, err = tiles.NewResidentSet(s.budget, capBytes); err != nil {
		return fail(fmt.Errorf("open %s: %w", path, err))
	}
	host, _ := os.Hostname()
	var tok [4]byte
	_, _ = rand.Read(tok[:])
	label := o.Writer
	if label == "" {
		label = "cubeimg"
	}
	s.writer = fmt.Sprintf("%s@%s:%d/%s", label, host, os.Getpid(), hex.EncodeToString(tok[:]))
	return s, nil
}

// Dir returns the cube's directory.
func (s *Store) Dir() string { return s.dir }

// Manifest returns a copy of the manifest.
func (s *Store) Manifest() *Manifest {
	m := *s.m
	m.Extensions = append([]Extension(nil), s.m.Extensions...)
	m.Spectral.Freqs = append([]float64(nil), s.m.Spectral.Freqs...)
	s.mu.Lock()
	m.RunParams = append(json.RawMessage(nil), s.runParams...)
	s.mu.Unlock()
	return &m
}

// Layout returns the file layout of an extension.
func (s *Store) Layout(ext string) (tiles.Layout, error) {
	e, err := s.ext(ext)
	if err != nil {
		return tiles.Layout{}, err
	}
	return e.layout, nil
}

// Budget returns the budget the store draws from.
func (s *Store) Budget() *tiles.Budget { return s.budget }

// ResidentStats returns the counters of the store's resident set.
func (s *Store) ResidentStats() tiles.Stats { return s.rs.Stats() }

func (s *Store) ext(name string) (*extFile, error) {
	e, ok := s.exts[name]
	if !ok {
		return nil, fmt.Errorf("cube %s: extension %q: %w", s.dir, name, ErrNoExtension)
	}
	return e, nil
}

func (s *Store) checkChannel(c int) error {
	if c < 0 || c >= s.m.NChan {
		return fmt.Errorf("cube %s: channel %d of %d: %w", s.dir, c, s.m.NChan, ErrChannelRange)
	}
	return nil
}

func (s *Store) chanState(c int) *chanState {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chans[c]
	if cs == nil {
		cs = &chanState{}
		s.chans[c] = cs
	}
	return cs
}

// Close unmaps everything and closes the files. It fails, closing nothing, while planes or tiles
// are still held.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	if err := s.rs.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.dir, err)
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	var first error
	for _, e := range s.extOrder {
		if err := e.f.Close(); err != nil && first == nil {
			first = fmt.Errorf("close %s: %w", e.f.Name(), err)
		}
	}
	return first
}

// Mode says whether a plane or tile is held for reading or for writing.
type Mode int

const (
	// Read holds data for reading only.
	Read Mode = iota
	// Write holds data for reading and writing in place. The channel must not be committed
	// (BeginChannel reopens it); the first write of a channel by this open writes its
	// in-progress record, so a crash from then on leaves it uncommitted.
	Write
	// Update is Write for data of which only a few pixels will be written (a model of CLEAN
	// components, a mask): the mapping is not pre-faulted writable, so only the pages written
	// are written back.
	Update
)

// writes reports whether m holds data for writing.
func (m Mode) writes() bool { return m == Write || m == Update }

// beginWrite registers a write of channel c, claiming it first if needed.
func (s *Store) beginWrite(c int) (*chanState, error) {
	if s.readOnly {
		return nil, fmt.Errorf("write channel %d of %s: %w", c, s.dir, ErrReadOnly)
	}
	cs := s.chanState(c)
	cs.claimMu.Lock()
	defer cs.claimMu.Unlock()
	if cs.committing {
		return nil, fmt.Errorf("write channel %d of %s: commit in progress: %w", c, s.dir, ErrPinnedForWrite)
	}
	if !cs.claimed {
		if err := s.claimLocked(cs, c, nil, false); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	cs.writePins++
	s.mu.Unlock()
	return cs, nil
}

func (s *Store) endWrite(cs *chanState) {
	s.mu.Lock()
	cs.writePins--
	s.mu.Unlock()
}

// claimLocked writes channel c's in-progress record with this open as writer. Unless reopen, a
// committed channel is refused.
func (s *Store) claimLocked(cs *chanState, c int, info json.RawMessage, reopen bool) error {
	cur, err := readRecord(s.dir, s.m, c)
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	var gen uint64
	if cur != nil {
		if cur.State == Committed && !reopen {
			return fmt.Errorf("write channel %d of %s: %w (BeginChannel reopens it)", c, s.dir, ErrCommitted)
		}
		gen = cur.Gen
		if info == nil {
			info = cur.Info
		}
	}
	rec := &ChannelRecord{Cube: s.m.UUID, Channel: c, State: InProgress, Gen: gen + 1, Writer: s.writer,
		Updated: time.Now().UTC().Format(time.RFC3339Nano), Info: info}
	if err := s.writeRecord(rec); err != nil {
		return err
	}
	cs.claimed, cs.gen = true, rec.Gen
	return nil
}

func (s *Store) writeRecord(r *ChannelRecord) error {
	data, err := EncodeChannelRecord(r)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, channelsDir), recordName(r.Channel), data, s.hook)
}

// BeginChannel marks channel c in progress with this open as its writer, whatever its state, and
// stores info (an opaque JSON value, may be nil to keep the previous one). Call it before
// re-imaging a committed channel (resume, or a re-run of some channels): from then on the channel
// is uncommitted until Commit. A crash leaves it in progress.
func (s *Store) BeginChannel(c int, info json.RawMessage) error {
	if err := s.checkChannel(c); err != nil {
		return err
	}
	if s.readOnly {
		return fmt.Errorf("begin channel %d of %s: %w", c, s.dir, ErrReadOnly)
	}
	if len(info) > 0 && !json.Valid(info) {
		return fmt.Errorf("begin channel %d of %s: info is not valid JSON", c, s.dir)
	}
	cs := s.chanState(c)
	cs.claimMu.Lock()
	defer cs.claimMu.Unlock()
	return s.claimLocked(cs, c, info, true)
}

// CommitInfo is what Commit records for a channel besides the checksums.
type CommitInfo struct {
	Beam  Beam            // restoring beam, arcsec/arcsec/deg (zero if none)
	SumWt float64         // sum of weights of the channel
	Info  json.RawMessage // opaque JSON (stop reason, iterations...); nil keeps the in-progress record's
}

// Commit makes channel c durable and records it committed: it flushes the channel's tiles of
// every extension (write-back, then a durable sync of the channel's range of each data file),
// computes the xxhash64 of every
// tile, then atomically replaces the channel's record with state Committed, the checksums, beam,
// sumwt and info. A crash before the record is replaced leaves the channel uncommitted. No plane
// or tile of the channel may be held for writing. Commits of different channels may run at once,
// from goroutines or processes.
func (s *Store) Commit(ctx context.Context, c int, ci CommitInfo) error {
	if err := s.checkChannel(c); err != nil {
		return err
	}
	if s.readOnly {
		return fmt.Errorf("commit channel %d of %s: %w", c, s.dir, ErrReadOnly)
	}
	if len(ci.Info) > 0 && !json.Valid(ci.Info) {
		return fmt.Errorf("commit channel %d of %s: info is not valid JSON", c, s.dir)
	}
	cs := s.chanState(c)
	cs.claimMu.Lock()
	defer cs.claimMu.Unlock()
	s.mu.Lock()
	if cs.writePins > 0 {
		n := cs.writePins
		s.mu.Unlock()
		return fmt.Errorf("commit channel %d of %s: %d planes or tiles held: %w", c, s.dir, n, ErrPinnedForWrite)
	}
	cs.committing = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		cs.committing = false
		s.mu.Unlock()
	}()

	cur, err := readRecord(s.dir, s.m, c)
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return err
	}
	if cs.claimed && (cur == nil || cur.Writer != s.writer || cur.Gen != cs.gen) {
		who := "an unreadable record"
		if cur != nil {
			who = cur.Writer
		}
		return fmt.Errorf("commit channel %d of %s: now written by %s: %w", c, s.dir, who, ErrConflict)
	}
	for _, e := range s.extOrder {
		if err := s.rs.Flush(e.f, e.layout.PlaneOffset(c), e.layout.PlaneStride); err != nil {
			return err
		}
	}
	callHook(s.hook, "commit:flushed")
	for _, e := range s.extOrder {
		if err := syncRange(e.f, e.layout.PlaneOffset(c), e.layout.PlaneStride); err != nil {
			return fmt.Errorf("commit channel %d: sync %s: %w", c, e.f.Name(), err)
		}
	}
	callHook(s.hook, "commit:synced")
	sums, err := s.channelChecksums(ctx, c)
	if err != nil {
		return err
	}
	callHook(s.hook, "commit:hashed")
	var gen uint64
	info := ci.Info
	if cur != nil {
		gen = cur.Gen
		if info == nil {
			info = cur.Info
		}
	}
	rec := &ChannelRecord{Cube: s.m.UUID, Channel: c, State: Committed, Gen: gen + 1, Writer: s.writer,
		Updated: time.Now().UTC().Format(time.RFC3339Nano), Beam: ci.Beam, SumWt: ci.SumWt, Info: info,
		Checksums: sums}
	if err := s.writeRecord(rec); err != nil {
		return err
	}
	cs.claimed = false
	callHook(s.hook, "commit:done")
	return nil
}

// hashBufSize is the read size of checksumming and export.
const hashBufSize = 1 << 20

func (s *Store) channelChecksums(ctx context.Context, c int) (map[string][]string, error) {
	n := s.ioBufSize()
	if err := s.budget.Acquire(ctx, n); err != nil {
		return nil, fmt.Errorf("checksum channel %d: %w", c, err)
	}
	defer s.budget.Release(n)
	buf := make([]byte, n)
	sums := map[string][]string{}
	for _, e := range s.extOrder {
		nt := e.layout.NumTiles()
		list := make([]string, nt)
		for t := 0; t < nt; t++ {
			h, err := hashRange(e.f, e.layout.TileOffset(c, t), e.layout.TileBytes(t), buf)
			if err != nil {
				return nil, fmt.Errorf("checksum %s channel %d tile %d: %w", e.Name, c, t, err)
			}
			list[t] = fmt.Sprintf("%016x", h)
		}
		sums[e.Name] = list
	}
	return sums, nil
}

// ioBufSize is the size of a read buffer for checksums and export: hashBufSize, or less under a
// small budget.
func (s *Store) ioBufSize() int64 {
	return max(tiles.PageSize, min(hashBufSize, s.budget.Limit()/8/tiles.PageSize*tiles.PageSize))
}

// hashRange returns the xxhash64 of n bytes of f at off, read with pread in len(buf) pieces.
func hashRange(f *os.File, off, n int64, buf []byte) (uint64, error) {
	d := xxhash.New()
	for n > 0 {
		k := min(int64(len(buf)), n)
		if _, err := f.ReadAt(buf[:k], off); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		d.Write(buf[:k])
		off += k
		n -= k
	}
	return d.Sum64(), nil
}

// Channel returns channel c's record as it is on disk now (State Empty if it has none).
func (s *Store) Channel(c int) (*ChannelRecord, error) {
	if err := s.checkChannel(c); err != nil {
		return nil, err
	}
	return readRecord(s.dir, s.m, c)
}

// Channels returns every channel's record as it is on disk now, written by this or any other
// process. An unreadable record is an error.
func (s *Store) Channels() ([]*ChannelRecord, error) {
	recs, bad, err := readRecords(s.dir, s.m)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		keys := make([]int, 0, len(bad))
		for c := range bad {
			keys = append(keys, c)
		}
		sort.Ints(keys)
		return recs, bad[keys[0]]
	}
	return recs, nil
}

// SetRunParams replaces the run parameters in the manifest (an opaque JSON object; atomic
// replace). Set them before writers of other processes start: the last writer of the manifest
// wins.
func (s *Store) SetRunParams(params json.RawMessage) error {
	if s.readOnly {
		return fmt.Errorf("set run parameters of %s: %w", s.dir, ErrReadOnly)
	}
	m := s.Manifest()
	m.RunParams = append(json.RawMessage(nil), params...)
	if err := m.Spec.validate(); err != nil {
		return fmt.Errorf("set run parameters of %s: %w", s.dir, err)
	}
	data, err := EncodeManifest(m)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.dir, manifestName, data, s.hook); err != nil {
		return err
	}
	s.mu.Lock()
	s.runParams = m.RunParams
	s.mu.Unlock()
	return nil
}

// syncRange makes bytes [off, off+n) of f durable, as fdatasync does for the whole file, without
// writing back the rest of the file: msync(MS_SYNC) of a mapping of the range, which Linux turns
// into a ranged fdatasync (vfs_fsync_range) whichever mapping dirtied the pages. Writers of other
// channels keep their pages in memory until their own commit, so a page is written once.
func syncRange(f *os.File, off, n int64) error {
	if n <= 0 {
		return nil
	}
	pg := int64(unix.Getpagesize())
	lo := off / pg * pg
	b, err := unix.Mmap(int(f.Fd()), lo, int(off+n-lo), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return unix.Fdatasync(int(f.Fd()))
	}
	err = unix.Msync(b, unix.MS_SYNC)
	if uerr := unix.Munmap(b); err == nil {
		err = uerr
	}
	return err
}
