package deconv

import "fmt"

// Stop says why a channel stopped cleaning. The zero value, Running, means it has not.
// Code returns tclean's stopcode where tclean has one.
type Stop int

// The stop reasons. Those shared by the channels of one Controller (niter, threshold, nsigma,
// no change, nmajor, and zero mask when every mask is empty) come from tclean's global
// convergence test; the divergence reasons and StopNoise are decided per channel (see Controller).
const (
	Running              Stop = iota
	StopNiter                 // tclean 1: niter iterations done
	StopThreshold             // tclean 2: peak residual in the mask within 1% of threshold, or below
	StopNoChange              // tclean 4: peak residual unchanged across a major cycle
	StopDivergedPrevious      // tclean 5: peak residual (no mask) grew by more than 3x its previous value
	StopDivergedMinimum       // tclean 6: peak residual (no mask) grew by more than 3x its minimum
	StopZeroMask              // tclean 7: the clean mask is empty and cannot change
	StopNSigma                // tclean 8: peak residual in the mask within 1% of the n-sigma threshold, or below
	StopNMajor                // tclean 9: nmajor major cycles done
	StopNoise                 // auto-multithresh found only noise: empty mask, channel skipped for good (tclean 7)
)

var stopNames = [...]string{
	Running:              "running",
	StopNiter:            "niter",
	StopThreshold:        "threshold",
	StopNoChange:         "no-change",
	StopDivergedPrevious: "diverged-previous",
	StopDivergedMinimum:  "diverged-minimum",
	StopZeroMask:         "zero-mask",
	StopNSigma:           "nsigma",
	StopNMajor:           "nmajor",
	StopNoise:            "noise",
}

var stopText = [...]string{
	Running:              "still cleaning",
	StopNiter:            "reached niter",
	StopThreshold:        "reached the threshold",
	StopNoChange:         "peak residual did not change across a major cycle",
	StopDivergedPrevious: "diverged: peak residual grew more than 3x since the previous major cycle",
	StopDivergedMinimum:  "diverged: peak residual grew more than 3x above its minimum",
	StopZeroMask:         "the clean mask is empty",
	StopNSigma:           "reached the n-sigma threshold",
	StopNMajor:           "reached nmajor",
	StopNoise:            "noise-limited: auto-multithresh found no emission (empty mask)",
}

// Code returns tclean's stopcode: 0 while running, 7 for StopNoise.
func (s Stop) Code() int {
	switch s {
	case StopNiter:
		return 1
	case StopThreshold:
		return 2
	case StopNoChange:
		return 4
	case StopDivergedPrevious:
		return 5
	case StopDivergedMinimum:
		return 6
	case StopZeroMask, StopNoise:
		return 7
	case StopNSigma:
		return 8
	case StopNMajor:
		return 9
	}
	return 0
}

// Diverged reports whether s is one of the divergence stops.
func (s Stop) Diverged() bool { return s == StopDivergedPrevious || s == StopDivergedMinimum }

// String returns a sentence for logs and reports.
func (s Stop) String() string {
	if s >= 0 && int(s) < len(stopText) {
		return stopText[s]
	}
	return fmt.Sprintf("deconv.Stop(%d)", int(s))
}

// MarshalText returns the short name of s ("threshold", "noise", ...), for JSON reports and
// checkpoints.
func (s Stop) MarshalText() ([]byte, error) {
	if s >= 0 && int(s) < len(stopNames) {
		return []byte(stopNames[s]), nil
	}
	return nil, fmt.Errorf("deconv: unknown stop reason %d", int(s))
}

// UnmarshalText parses a short name written by MarshalText.
func (s *Stop) UnmarshalText(b []byte) error {
	for i, n := range stopNames {
		if n == string(b) {
			*s = Stop(i)
			return nil
		}
	}
	return fmt.Errorf("deconv: unknown stop reason %q", b)
}

// MinorStop says why one plane's minor cycle ended. Code returns CASA's minor-cycle stopcode
// (SDAlgorithmBase::deconvolve).
type MinorStop int

// The minor-cycle stop reasons.
const (
	MinorZeroMask       MinorStop = iota + 1 // CASA 0: no pixel in the mask
	MinorNiter                               // CASA 1: cycleniter iterations done
	MinorCycleThreshold                      // CASA 2: peak residual at or below the cycle threshold
	MinorDiverged                            // CASA 4: peak residual rose 10% above its minimum in this cycle
	MinorNSigma                              // CASA 6: peak residual at or below the plane's n-sigma threshold
)

var minorNames = [...]string{
	MinorZeroMask:       "zero-mask",
	MinorNiter:          "cycleniter",
	MinorCycleThreshold: "cyclethreshold",
	MinorDiverged:       "diverged",
	MinorNSigma:         "nsigma",
}

// Code returns CASA's minor-cycle stopcode.
func (s MinorStop) Code() int {
	switch s {
	case MinorZeroMask:
		return 0
	case MinorNiter:
		return 1
	case MinorCycleThreshold:
		return 2
	case MinorDiverged:
		return 4
	case MinorNSigma:
		return 6
	}
	return -1
}

// String returns the short name of s.
func (s MinorStop) String() string {
	if s > 0 && int(s) < len(minorNames) {
		return minorNames[s]
	}
	return fmt.Sprintf("deconv.MinorStop(%d)", int(s))
}

// MarshalText returns the short name of s ("" for the zero value: no minor cycle yet).
func (s MinorStop) MarshalText() ([]byte, error) {
	if s == 0 {
		return nil, nil
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a short name written by MarshalText.
func (s *MinorStop) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = 0
		return nil
	}
	for i, n := range minorNames {
		if n != "" && n == string(b) {
			*s = MinorStop(i)
			return nil
		}
	}
	return fmt.Errorf("deconv: unknown minor-cycle stop %q", b)
}
