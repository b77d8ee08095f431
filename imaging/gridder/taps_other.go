//go:build !amd64 || purego

package gridder

// asmTapFuncs: no assembly on this architecture (or with -tags purego).
func asmTapFuncs(w int) (evalPolyFunc, gridAccFunc, degridAccFunc) { return nil, nil, nil }
