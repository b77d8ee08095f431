package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic replaces dir/name with data: write a uniquely named temporary file in dir,
// fsync it, rename it over name, fsync dir. Readers see the old or the new file, never a mix, on
// a local file system and on NFS alike (rename within a directory is atomic on both). The hook, if
// set, is called at each step for crash testing.
func writeFileAtomic(dir, name string, data []byte, hook func(string)) error {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%d-%s", name, os.Getpid(), hex.EncodeToString(rnd[:])))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	cleanup := func(e error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), e)
	}
	if _, err := f.Write(data); err != nil {
		return cleanup(err)
	}
	callHook(hook, "atomic:written")
	if err := f.Sync(); err != nil {
		return cleanup(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)
	}
	callHook(hook, "atomic:synced")
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s: %w", filepath.Join(dir, name), err)
	}
	callHook(hook, "atomic:renamed")
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

func callHook(hook func(string), point string) {
	if hook != nil {
		hook(point)
	}
}
