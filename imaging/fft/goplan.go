package fft

// goPlan is the pure-Go Plan2D.
type goPlan struct {
	*driver
}

func newGoPlan(nx, ny, threads int) *goPlan {
	rows := goEngine{newLinePlan(nx)}
	cols := rows
	if ny != nx {
		cols = goEngine{newLinePlan(ny)}
	}
	return &goPlan{newDriver(nx, ny, threads, rows, cols)}
}

func (p *goPlan) Size() (int, int) { return p.nx, p.ny }
func (p *goPlan) Close() error     { return nil }

func (p *goPlan) Transform(data []complex64, dir Direction) { p.transform(data, dir) }

func (p *goPlan) TransformSparse(data []complex64, dir Direction, in Rect) {
	p.checkRect(in)
	p.transformSparse(data, dir, in)
}

func (p *goPlan) TransformCrop(data []complex64, dir Direction, out Rect) {
	p.checkRect(out)
	p.transformCrop(data, dir, out)
}

func (p *goPlan) TransformToReal(dst []float32, data []complex64, dir Direction, out Rect) {
	p.transformToReal(dst, data, dir, out)
}

func (p *goPlan) TransformFromReal(data []complex64, src []float32, dir Direction, in Rect) {
	p.transformFromReal(data, src, dir, in)
}
