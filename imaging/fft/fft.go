package fft

import "fmt"

// Direction selects the sign of the exponent of a transform.
type Direction int

const (
	// Forward computes X[k] = sum_n x[n] exp(-2 pi i k n / N), unnormalised.
	Forward Direction = -1
	// Backward computes x[n] = sum_k X[k] exp(+2 pi i k n / N), unnormalised.
	Backward Direction = +1
)

// Plan2D transforms ny x nx complex64 arrays in place. Data are row-major: element (x, y) is at
// index y*nx + x. A Plan2D may be used by one goroutine at a time.
type Plan2D interface {
	// Size returns nx, ny.
	Size() (nx, ny int)
	// Transform performs an unnormalised 2-D DFT of data (len nx*ny) in place.
	Transform(data []complex64, dir Direction)
	// Close releases the plan's resources.
	Close() error
}

// Rect is the sub-rectangle of columns X0 .. X0+NX-1 and rows Y0 .. Y0+NY-1 of a plan's grid.
// Indices wrap around modulo the grid size, so a rectangle may straddle the grid's edges (as the
// image does in an unshifted grid). 0 <= NX <= nx and 0 <= NY <= ny.
type Rect struct{ X0, Y0, NX, NY int }

// Centre returns the nx x ny rectangle centred in a gridNX x gridNY grid: image pixel
// (nx/2, ny/2) on grid pixel (gridNX/2, gridNY/2). It suits a caller that shifts its grids itself
// (fftshift, or the (-1)^(x+y) checkerboard).
func Centre(gridNX, gridNY, nx, ny int) Rect {
	return Rect{X0: gridNX/2 - nx/2, Y0: gridNY/2 - ny/2, NX: nx, NY: ny}
}

// AtOrigin returns the nx x ny rectangle with image pixel (nx/2, ny/2) on grid pixel (0, 0),
// wrapping around the grid's edges. That is where an unshifted transform puts the phase centre
// when the uv origin sits at grid index (0, 0): with it, TransformToReal and TransformFromReal
// read and write an image in the usual order (phase centre at pixel (nx/2, ny/2)) and no shift
// is needed on either side.
func AtOrigin(gridNX, gridNY, nx, ny int) Rect {
	return Rect{X0: gridNX - nx/2, Y0: gridNY - ny/2, NX: nx, NY: ny}
}

// PaddedPlan is implemented by the plans of New. Its methods skip the work a padded grid makes
// useless; each computes the same numbers as Transform on the elements it defines.
type PaddedPlan interface {
	Plan2D
	// TransformSparse transforms data in place, treating every element outside in as zero
	// (without reading it): the row pass runs over the rows of in only.
	TransformSparse(data []complex64, dir Direction, in Rect)
	// TransformCrop transforms data in place but computes only the elements inside out; the
	// rest of data is left unspecified. The row pass runs over the rows of out only.
	TransformCrop(data []complex64, dir Direction, out Rect)
	// TransformToReal writes the real part of the transform of data, inside out, to dst
	// (out.NX*out.NY, row-major, dst[(y-out.Y0)*out.NX + (x-out.X0)]). data is destroyed.
	// It transforms the Hermitian part of data, so it needs about half the work of Transform.
	TransformToReal(dst []float32, data []complex64, dir Direction, out Rect)
	// TransformFromReal sets data to the transform of the real image src (in.NX*in.NY,
	// row-major) placed at in, zero elsewhere; data's previous content is ignored. The result
	// is Hermitian, data[-y, -x] = conj(data[y, x]), and costs about half of Transform.
	TransformFromReal(data []complex64, src []float32, dir Direction, in Rect)
}

// Implementation names for Options.Impl.
const (
	ImplGo   = "go"
	ImplFFTW = "fftw"
)

// Effort is FFTW's planning rigour. Longer planning finds faster plans; wisdom keeps the result.
type Effort int

const (
	// EffortMeasure is FFTW_MEASURE: seconds of planning per new shape, then kept as wisdom.
	EffortMeasure Effort = iota
	// EffortEstimate is FFTW_ESTIMATE: no measurements, instant, slower transforms.
	EffortEstimate
	// EffortPatient is FFTW_PATIENT: minutes per new shape.
	EffortPatient
)

// Options configures New. The zero value (or nil) chooses defaults.
type Options struct {
	// Threads is the number of goroutines (FFTW: threads) a transform may use; 0 means
	// runtime.GOMAXPROCS(0).
	Threads int
	// Impl is ImplGo or ImplFFTW; "" means ImplFFTW when the package is built with the fftw
	// tag, else ImplGo.
	Impl string
	// Effort is FFTW's planning rigour (ignored by ImplGo).
	Effort Effort
	// WisdomFile is where FFTW wisdom is read at the first planning and written after new
	// plans. "" means os.UserCacheDir()/cubeimg/fftw-wisdom; "-" keeps no wisdom.
	WisdomFile string
}

// DefaultImpl returns the implementation New uses when Options.Impl is "".
func DefaultImpl() string {
	if FFTWAvailable() {
		return ImplFFTW
	}
	return ImplGo
}

// New returns a plan for ny x nx transforms. The plan also implements PaddedPlan.
func New(nx, ny int, opts *Options) (Plan2D, error) {
	return NewPadded(nx, ny, opts)
}

// NewPadded is New with the PaddedPlan type.
func NewPadded(nx, ny int, opts *Options) (PaddedPlan, error) {
	if nx <= 0 || ny <= 0 {
		return nil, fmt.Errorf("fft: bad size %d x %d", nx, ny)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Threads < 0 {
		return nil, fmt.Errorf("fft: bad thread count %d", o.Threads)
	}
	impl := o.Impl
	if impl == "" {
		impl = DefaultImpl()
	}
	switch impl {
	case ImplGo:
		return newGoPlan(nx, ny, o.Threads), nil
	case ImplFFTW:
		if !FFTWAvailable() {
			return nil, fmt.Errorf("fft: implementation %q not built in (build with -tags fftw and libfftw3-dev)", impl)
		}
		return newFFTWPlan(nx, ny, &o)
	default:
		return nil, fmt.Errorf("fft: unknown implementation %q (want %q or %q)", impl, ImplGo, ImplFFTW)
	}
}
