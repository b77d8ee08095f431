package imaging

// Samples holds one output channel's Stokes I visibility samples as parallel slices. All slices
// have the same length. Coordinates are in wavelengths at each sample's own frequency, following
// the MeasurementSet convention (UVW = uvw(ANTENNA2) - uvw(ANTENNA1), and
// V(u,v,w) = sum_k S_k exp(+2 pi i (u l_k + v m_k + w (n_k - 1))), l towards east).
type Samples struct {
	U, V, W []float64
	Vis     []complex64
	// Weight is the data weight of each sample (tclean's Stokes I weight, ALGORITHMS.md 1.2);
	// 0 marks a flagged sample.
	Weight []float32
}

// Len returns the number of samples.
func (s *Samples) Len() int { return len(s.Vis) }

// Geometry describes an image plane: Nx x Ny pixels of CellX x CellY radians (both positive).
// Pixel (x, y) is at index y*Nx + x of a row-major []float32. The phase centre is pixel
// (Nx/2, Ny/2) (0-based). Direction cosines of pixel (x, y): l = (Nx/2 - x)*CellX (east
// positive, so RA decreases with x as in FITS with CDELT1 < 0), m = (y - Ny/2)*CellY.
type Geometry struct {
	Nx, Ny       int
	CellX, CellY float64
}

// Pixels returns Nx*Ny.
func (g Geometry) Pixels() int { return g.Nx * g.Ny }
