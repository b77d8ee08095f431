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

// Options configures New. The zero value (or nil) chooses defaults.
type Options struct {
	// Threads is the number of goroutines a transform may use; 0 means runtime.GOMAXPROCS(0).
	Threads int
}

// New returns a plan for ny x nx transforms using the default implementation.
func New(nx, ny int, opts *Options) (Plan2D, error) {
	if nx <= 0 || ny <= 0 {
		return nil, fmt.Errorf("fft: bad size %d x %d", nx, ny)
	}
	return newReference(nx, ny), nil
}
