package ms

import (
	"context"
	"fmt"

	"github.com/cubeimg/cubeimg/vis"
	"github.com/cubeimg/cubeimg/vis/casatable"
)

func (m *MS) readRows(ctx context.Context, row0, n int, c *vis.Chunk) error {
	if row0 < 0 || n < 0 || n > m.NumRows()-row0 {
		return fmt.Errorf("rows out of range [0, %d)", m.NumRows())
	}
	c.Reset(row0, n)
	withData, withSpectrum := !m.flagsOnly, m.cols.weightSpectrum != nil
	if n == 0 {
		return c.SetShapes(&m.meta, withData, withSpectrum)
	}
	cols := &m.cols
	for _, s := range []struct {
		col *casatable.Column
		dst any
	}{
		{cols.time, c.Time}, {cols.ant1, c.Ant1}, {cols.ant2, c.Ant2},
		{cols.field, c.FieldID}, {cols.ddid, c.DataDescID},
	} {
		if err := s.col.ReadScalars(row0, s.dst); err != nil {
			return err
		}
	}
	nant, nfield := int32(len(m.meta.Antennas)), int32(len(m.meta.Fields))
	for i := 0; i < n; i++ {
		if a1, a2 := c.Ant1[i], c.Ant2[i]; a1 < 0 || a1 >= nant || a2 < 0 || a2 >= nant {
			return fmt.Errorf("row %d: ANTENNA1/ANTENNA2 %d/%d not in the ANTENNA table (%d rows)", row0+i, a1, a2, nant)
		}
		if f := c.FieldID[i]; f < 0 || f >= nfield {
			return fmt.Errorf("row %d: FIELD_ID %d not in the FIELD table (%d rows)", row0+i, f, nfield)
		}
	}
	if cols.interval != nil {
		if err := cols.interval.ReadScalars(row0, c.Interval); err != nil {
			return err
		}
	} else {
		clear(c.Interval)
	}
	if cols.flagRow != nil {
		if err := cols.flagRow.ReadScalars(row0, c.FlagRow); err != nil {
			return err
		}
	} else {
		clear(c.FlagRow)
	}
	offs := make([]int, n+1)
	for i := range offs {
		offs[i] = 3 * i
	}
	if err := cols.uvw.ReadCells(row0, offs, c.UVW, nil); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.SetShapes(&m.meta, withData, withSpectrum); err != nil {
		return err
	}
	defined := make([]bool, n)
	dataDefined := make([]bool, n)
	if withData {
		// Visibilities: undefined cells become flagged zeros.
		if err := m.readData(row0, c, dataDefined); err != nil {
			return err
		}
	} else {
		for i := range dataDefined {
			dataDefined[i] = true
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if cols.flag != nil {
		if err := cols.flag.ReadCells(row0, c.Start, c.Flag, defined); err != nil {
			return err
		}
	} else {
		clear(defined)
	}
	for i := 0; i < n; i++ {
		cell := c.Flag[c.Start[i]:c.Start[i+1]]
		switch {
		case !dataDefined[i]:
			for k := range cell {
				cell[k] = true
			}
		case !defined[i]:
			clear(cell)
		}
	}
	if !withData {
		clear(c.HasWeightSpectrum)
		return nil
	}
	if err := readWeights(cols.weight, row0, c.WStart, c.Weight, defined); err != nil {
		return err
	}
	if err := readWeights(cols.sigma, row0, c.WStart, c.Sigma, defined); err != nil {
		return err
	}
	if cols.weightSpectrum != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := cols.weightSpectrum.ReadCells(row0, c.Start, c.WeightSpectrum, c.HasWeightSpectrum); err != nil {
			return err
		}
		for i, ok := range c.HasWeightSpectrum {
			if !ok {
				clear(c.WeightSpectrum[c.Start[i]:c.Start[i+1]])
			}
		}
	} else {
		clear(c.HasWeightSpectrum)
	}
	return nil
}

func (m *MS) readData(row0 int, c *vis.Chunk, defined []bool) error {
	col := m.cols.data
	if col.Desc().Type == casatable.TpComplex {
		if err := col.ReadCells(row0, c.Start, c.Data, defined); err != nil {
			return err
		}
	} else {
		// Double-precision visibilities: read through a temporary buffer.
		tmp := make([]complex128, len(c.Data))
		if err := col.ReadCells(row0, c.Start, tmp, defined); err != nil {
			return err
		}
		for i, v := range tmp {
			c.Data[i] = complex64(v)
		}
	}
	for i, ok := range defined {
		if !ok {
			clear(c.Data[c.Start[i]:c.Start[i+1]])
		}
	}
	return nil
}

// readWeights reads WEIGHT or SIGMA; missing columns and undefined cells read as 1.
func readWeights(col *casatable.Column, row0 int, offs []int, dst []float32, defined []bool) error {
	if col != nil {
		if err := col.ReadCells(row0, offs, dst, defined); err != nil {
			return err
		}
	} else {
		clear(defined)
	}
	for i, ok := range defined {
		if !ok {
			for k := offs[i]; k < offs[i+1]; k++ {
				dst[k] = 1
			}
		}
	}
	return nil
}
