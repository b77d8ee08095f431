package simulate

import (
	"math"
	"math/rand/v2"
)

// Thermal noise. The noise per visibility (standard deviation of the real part and, separately,
// of the imaginary part, per correlation) on baseline i-j is
//
//	sigma_ij = sqrt(SEFD_i SEFD_j) / sqrt(2 dnu tau)
//
// (Thompson, Moran & Swenson eq. 6.50 with unit correlator efficiency), dnu the channel width
// and tau the integration time. SEFD = 2 k Tsys / (eta_a pi D^2 / 4), in Jy.
const (
	boltzmann = 1.380649e-23 // J/K
	jansky    = 1e-26        // W m^-2 Hz^-1
	// ApertureEfficiency is the assumed aperture efficiency of an ALMA 12-m antenna.
	ApertureEfficiency = 0.70
)

// SEFD returns the system equivalent flux density in Jy of a dish of diameter d (m) with
// aperture efficiency eta at system temperature tsys (K).
func SEFD(tsys, d, eta float64) float64 {
	area := math.Pi * d * d / 4
	return 2 * boltzmann * tsys / (eta * area) / jansky
}

// antennaSEFDs scatters the SEFD per antenna by a fraction scatter (Gaussian, floored at half the
// nominal value), deterministically from seed.
func antennaSEFDs(sefd, scatter float64, nant int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(mix64(seed^0x5EFD), mix64(seed+0x5EFD)))
	out := make([]float64, nant)
	for i := range out {
		out[i] = sefd * math.Max(0.5, 1+scatter*rng.NormFloat64())
	}
	return out
}

// mix64 is the splitmix64 finaliser, used to derive independent generator seeds.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rowRNG returns the generator of one MS row for a stream (0: noise, 1: flags). Every row has
// its own generator, so results do not depend on how rows are split between workers.
func rowRNG(seed uint64, row int, stream uint64) *rand.Rand {
	k := mix64(seed) ^ mix64(uint64(row)<<1|stream)
	return rand.New(rand.NewPCG(mix64(k), mix64(k^0xa5a5a5a5a5a5a5a5)))
}
