package beam

// Gaussian is an elliptical Gaussian beam: full widths at half maximum of the major and minor axes
// in radians and the position angle of the major axis in radians, east of north (from +y towards
// -x in image pixels, see imaging.Geometry).
type Gaussian struct {
	Major, Minor, PA float64
}
