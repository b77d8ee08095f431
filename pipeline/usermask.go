package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cubeimg/cubeimg/store"
)

// userMask supplies --usemask user planes: from a cube store (its mask extension, else its image:
// non-zero pixels are clean regions) or from a FITS cube, imported once into a store beside the
// output (NAME.usermask.cube) so that planes are read one at a time.
type userMask struct {
	st    *store.Store
	ext   string
	nchan int
}

func openUserMask(ctx context.Context, path, imagename string, nx, ny, nchan int, opts *store.Options) (*userMask, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--mask: %w", err)
	}
	cube := path
	if !fi.IsDir() {
		cube = imagename + ".usermask.cube"
		if _, err := os.Stat(cube); err == nil {
			if err := os.RemoveAll(cube); err != nil {
				return nil, fmt.Errorf("--mask: remove old %s: %w", cube, err)
			}
		}
		if err := store.ImportFITS(ctx, path, cube, &store.ImportOptions{Ext: "mask", Store: opts}); err != nil {
			os.RemoveAll(cube)
			return nil, fmt.Errorf("--mask %s: %w", path, err)
		}
	}
	ro := *opts
	ro.ReadOnly = true
	st, err := store.Open(cube, &ro)
	if err != nil {
		return nil, fmt.Errorf("--mask %s: %w", path, err)
	}
	m := st.Manifest()
	if m.NX != nx || m.NY != ny {
		st.Close()
		return nil, fmt.Errorf("--mask %s: %d x %d pixels, the image is %d x %d", path, m.NX, m.NY, nx, ny)
	}
	if m.NChan != nchan && m.NChan != 1 {
		st.Close()
		return nil, fmt.Errorf("--mask %s: %d channels, the cube has %d (or give one plane for all)", path, m.NChan, nchan)
	}
	u := &userMask{st: st, nchan: m.NChan}
	for _, want := range []string{"mask", "image"} {
		for _, e := range m.Extensions {
			if e.Name == want && u.ext == "" {
				u.ext = want
			}
		}
	}
	if u.ext == "" {
		st.Close()
		return nil, fmt.Errorf("--mask %s: the cube has neither a mask nor an image extension", filepath.Base(path))
	}
	return u, nil
}

// plane writes channel c's mask (1 where the user mask is non-zero) into dst.
func (u *userMask) plane(dst []uint8, c int) error {
	if u.nchan == 1 {
		c = 0
	}
	p, err := u.st.Plane(context.Background(), u.ext, c, store.Read)
	if err != nil {
		return fmt.Errorf("--mask channel %d: %w", c, err)
	}
	defer p.Release()
	if f := p.Float32s(); f != nil {
		for i, v := range f {
			dst[i] = 0
			if v != 0 && v == v {
				dst[i] = 1
			}
		}
		return nil
	}
	for i, v := range p.Bytes() {
		dst[i] = 0
		if v != 0 {
			dst[i] = 1
		}
	}
	return nil
}

func (u *userMask) close() error {
	if u == nil {
		return nil
	}
	return errors.Join(u.st.Close())
}
