// Package simulate makes ALMA-like observations of a sky model of point and Gaussian sources and
// writes them as a MeasurementSet (through package mswrite) with the sky truth beside it.
//
// What it owns: the synthetic 12-m array layouts (layout.go), the time and Earth-orientation
// model that turns ITRF antenna positions into J2000 UVW (astro.go), the sky model with
// per-channel fluxes (sky.go), thermal noise (noise.go), the visibility engine (vis.go), the
// truth file (truth.go) and the streaming driver Run (run.go).
//
// Conventions (DEVELOPERS.md): UVW = uvw(ANTENNA2) - uvw(ANTENNA1) in metres, J2000;
// V(u,v,w) = sum_k S_k(nu) A_k(u,v) exp(+2 pi i (u l_k + v m_k + w (n_k - 1)) nu / c) with l
// east, m north; unpolarised sky, so XX = YY = I plus independent noise.
package simulate
