package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/cubeimg/cubeimg/vis/mswrite"
)

// Config is one simulation. Zero values are not defaults: cmd/cubeimg fills every field (see
// DefaultConfig).
type Config struct {
	MS string // output MeasurementSet directory (must not exist)

	NChan      int     // channels
	FreqHz     float64 // centre of the band: channel k is at FreqHz + (k - (NChan-1)/2) WidthHz
	WidthHz    float64 // channel width (and spacing)
	RestFreqHz float64 // line rest frequency written to SOURCE
	Frame      string  // MEAS_FREQ_REF of the channel frequencies: LSRK, TOPO, BARY, ...

	DurationS    float64 // total time on source; the number of integrations is round(Duration/Integration)
	IntegrationS float64
	Year         int // UTC date of the observation
	Month        int
	Day          int
	HourAngleH   float64 // hour angle of the phase centre at mid-observation

	Array string // ConfigCompact or ConfigExtended

	RA, Dec float64 // J2000 phase centre, radians

	Seed uint64

	// Noise: SigmaJy >= 0 sets the noise per visibility directly (0: noiseless); otherwise
	// it follows from SEFDJy, or from TsysK when SEFDJy is 0.
	SigmaJy     float64
	SEFDJy      float64
	TsysK       float64
	SEFDScatter float64 // fractional per-antenna SEFD scatter

	FlagFrac float64 // fraction of (row, channel) samples flagged (all correlations)
	// FlagBeyond flags, in each channel k it names, every sample whose projected baseline is
	// longer than FlagBeyond[k] metres: a heavily flagged channel with a larger beam.
	FlagBeyond     map[int]float64
	WeightSpectrum bool

	Sky *SkyModel // nil: DefaultSky

	Workers   int      // visibility workers; 0: GOMAXPROCS
	BigEndian bool     // big-endian data files
	Argv      []string // command line, for HISTORY and the truth file

	// Progress, if set, is called after each block of rows is written.
	Progress func(rowsDone, rowsTotal int)
}

// DefaultConfig returns the defaults of `cubeimg simulate`.
func DefaultConfig() Config {
	return Config{
		NChan: 64, FreqHz: 230.538e9, WidthHz: 976562.5, RestFreqHz: 230.538e9, Frame: "LSRK",
		DurationS: 600, IntegrationS: 6.048, Year: 2024, Month: 3, Day: 1,
		Array: ConfigCompact, RA: 83.8 * deg, Dec: -5.4 * deg, Seed: 1,
		SigmaJy: -1, TsysK: 100, SEFDScatter: 0.1, FlagFrac: 0.01, WeightSpectrum: true,
	}
}

var frames = map[string]int32{"REST": mswrite.FreqREST, "LSRK": mswrite.FreqLSRK, "LSRD": mswrite.FreqLSRD,
	"BARY": mswrite.FreqBARY, "GEO": mswrite.FreqGEO, "TOPO": mswrite.FreqTOPO}

func (c *Config) validate() error {
	switch {
	case c.MS == "":
		return errors.New("no output MS given")
	case c.NChan < 1:
		return fmt.Errorf("nchan %d < 1", c.NChan)
	case !(c.FreqHz > 0):
		return fmt.Errorf("frequency %g Hz is not positive", c.FreqHz)
	case c.WidthHz == 0 || math.Abs(c.WidthHz)*float64(c.NChan) >= c.FreqHz:
		return fmt.Errorf("channel width %g Hz for %d channels does not fit at %g Hz", c.WidthHz, c.NChan, c.FreqHz)
	case !(c.IntegrationS > 0):
		return fmt.Errorf("integration time %g s is not positive", c.IntegrationS)
	case !(c.DurationS >= c.IntegrationS):
		return fmt.Errorf("duration %g s is shorter than one integration (%g s)", c.DurationS, c.IntegrationS)
	case c.DurationS > 86400:
		return fmt.Errorf("duration %g s is longer than a day", c.DurationS)
	case c.Dec < -math.Pi/2 || c.Dec > math.Pi/2:
		return fmt.Errorf("declination %g rad is out of range", c.Dec)
	case c.FlagFrac < 0 || c.FlagFrac > 1:
		return fmt.Errorf("flag fraction %g is not in [0, 1]", c.FlagFrac)
	case c.SEFDScatter < 0:
		return fmt.Errorf("SEFD scatter %g is negative", c.SEFDScatter)
	case c.SigmaJy < 0 && !(c.SEFDJy > 0) && !(c.TsysK > 0):
		return errors.New("noise needs a sigma >= 0, an SEFD > 0 or a Tsys > 0")
	case c.Month < 1 || c.Month > 12 || c.Day < 1 || c.Day > 31:
		return fmt.Errorf("date %04d-%02d-%02d is invalid", c.Year, c.Month, c.Day)
	}
	if _, ok := frames[c.Frame]; !ok {
		return fmt.Errorf("frequency frame %q is not one of REST, LSRK, LSRD, BARY, GEO, TOPO", c.Frame)
	}
	if math.Abs(c.WidthHz)*float64(c.NChan) > 0 && c.RestFreqHz < 0 {
		return fmt.Errorf("rest frequency %g Hz is negative", c.RestFreqHz)
	}
	return nil
}

// ChannelFrequencies returns the channel centre frequencies in Hz.
func (c *Config) ChannelFrequencies() []float64 {
	f := make([]float64, c.NChan)
	for k := range f {
		f[k] = c.FreqHz + (float64(k)-float64(c.NChan-1)/2)*c.WidthHz
	}
	return f
}

// observation holds what Run derives from a Config before writing rows.
type observation struct {
	cfg     *Config
	freqs   []float64
	pads    []Pad
	itrf    [][3]float64 // antenna positions
	ref     [3]float64   // array reference position
	ant1    []int32      // per baseline
	ant2    []int32
	sigma   []float64 // per baseline, Jy (0 when noiseless)
	times   []float64 // integration centres, MJD seconds
	engine  *engine
	sky     *SkyModel
	ncorr   int
	rowsBlk int // rows per block
}

// Run simulates the observation, writes the MeasurementSet cfg.MS and <ms>.truth.json, and
// returns the truth. Rows are computed by cfg.Workers goroutines and written in order, in
// blocks of at most about 4 MiB of DATA, so memory stays bounded whatever the MS size. The
// result depends only on cfg (including Seed), not on the number of workers.
func Run(ctx context.Context, cfg Config) (*Truth, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	sky := cfg.Sky
	if sky == nil {
		sky = DefaultSky(cfg.NChan)
	}
	if err := sky.Validate(cfg.NChan); err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	obs, err := plan(&cfg, sky)
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	ms, err := mswrite.CreateMS(cfg.MS, obs.spec())
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	acc, err := obs.writeRows(ctx, ms)
	if err == nil {
		err = ms.Close()
	}
	if err != nil {
		ms.Abort()
		return nil, fmt.Errorf("simulate %s: %w", cfg.MS, err)
	}
	truth := obs.truth(acc)
	if err := truth.WriteFile(TruthPath(cfg.MS)); err != nil {
		return nil, fmt.Errorf("simulate %s: %w", cfg.MS, err)
	}
	return truth, nil
}

// TruthPath is where Run writes the truth of the MS at msPath.
func TruthPath(msPath string) string {
	return strings.TrimRight(msPath, string(os.PathSeparator)) + ".truth.json"
}

func plan(cfg *Config, sky *SkyModel) (*observation, error) {
	pads, err := Layout(cfg.Array)
	if err != nil {
		return nil, err
	}
	o := &observation{cfg: cfg, pads: pads, sky: sky, ncorr: 2}
	o.freqs = cfg.ChannelFrequencies()
	o.ref = ALMASite.ITRF(0, 0, 0)
	for _, p := range pads {
		o.itrf = append(o.itrf, ALMASite.ITRF(p.East, p.North, p.Up))
	}
	nant := len(pads)
	for i := 0; i < nant; i++ {
		for j := i + 1; j < nant; j++ {
			o.ant1 = append(o.ant1, int32(i))
			o.ant2 = append(o.ant2, int32(j))
		}
	}
	// Noise per baseline.
	o.sigma = make([]float64, len(o.ant1))
	if cfg.SigmaJy >= 0 {
		for i := range o.sigma {
			o.sigma[i] = cfg.SigmaJy
		}
	} else {
		sefd := cfg.SEFDJy
		if sefd <= 0 {
			sefd = SEFD(cfg.TsysK, DishDiameter, ApertureEfficiency)
		}
		per := antennaSEFDs(sefd, cfg.SEFDScatter, nant, cfg.Seed)
		for b := range o.sigma {
			o.sigma[b] = math.Sqrt(per[o.ant1[b]]*per[o.ant2[b]]) / math.Sqrt(2*math.Abs(cfg.WidthHz)*cfg.IntegrationS)
		}
	}
	// Times: mid-observation when the hour angle is cfg.HourAngleH on the given date.
	ntime := max(1, int(math.Round(cfg.DurationS/cfg.IntegrationS)))
	day0 := MJDSeconds(cfg.Year, cfg.Month, cfg.Day, 0)
	tmid := day0 + 43200
	for it := 0; it < 4; it++ {
		ha, _ := HourAngleElevation(ALMASite, tmid, cfg.RA, cfg.Dec)
		dha := math.Remainder(cfg.HourAngleH*15*deg-ha, 2*math.Pi)
		tmid += dha / (2 * math.Pi) * 86400 / 1.00273781191135448
	}
	tstart := tmid - float64(ntime)*cfg.IntegrationS/2
	o.times = make([]float64, ntime)
	for i := range o.times {
		o.times[i] = tstart + (float64(i)+0.5)*cfg.IntegrationS
	}
	o.engine = newEngine(sky, o.freqs, cfg.FreqHz)
	o.rowsBlk = max(1, min(len(o.ant1), (4<<20)/(cfg.NChan*o.ncorr*8)))
	return o, nil
}

func (o *observation) spec() *mswrite.MSSpec {
	c := o.cfg
	s := &mswrite.MSSpec{
		SpectralWindow: mswrite.SpectralWindow{
			Name:        fmt.Sprintf("SIM#%d_chan", c.NChan),
			ChanFreq:    o.freqs,
			ChanWidth:   c.WidthHz,
			MeasFreqRef: frames[c.Frame],
		},
		Fields:    []mswrite.Field{{Name: "SIM_FIELD", RA: c.RA, Dec: c.Dec}},
		CorrTypes: []int32{mswrite.CorrXX, mswrite.CorrYY},
		Observation: mswrite.Observation{
			Telescope: "ALMA", Observer: "cubeimg simulate", Project: "cubeimg-sim",
			TimeRange: [2]float64{o.times[0] - c.IntegrationS/2, o.times[len(o.times)-1] + c.IntegrationS/2},
		},
		RestFrequency:  c.RestFreqHz,
		Transition:     "simulated line",
		History:        strings.Join(c.Argv, " "),
		Application:    "cubeimg simulate",
		WeightSpectrum: c.WeightSpectrum,
		BigEndian:      c.BigEndian,
	}
	for i, p := range o.pads {
		s.Antennas = append(s.Antennas, mswrite.Antenna{
			Name: antennaName(i), Station: p.Name, Position: o.itrf[i], Diameter: DishDiameter,
		})
	}
	if s.History == "" {
		s.History = "cubeimg simulate"
	}
	return s
}

// antennaName follows ALMA's naming of 12-m antennas (DA41..DA65, then DV01..).
func antennaName(i int) string {
	if i < 25 {
		return fmt.Sprintf("DA%02d", 41+i)
	}
	return fmt.Sprintf("DV%02d", i-24)
}

// accumulators are the per-run sums the truth file needs.
type accumulators struct {
	sumW         []float64 // per channel: sum over unflagged rows of the Stokes I weight 2/sigma^2
	flagged      int64
	flaggedRows  int64
	maxProjected float64
}

// block is a run of consecutive rows: one integration, baselines [b0, b1).
type block struct {
	t, b0, b1 int
	row0      int // first MS row
}

type blockResult struct {
	rows  mswrite.MainRows
	sumW  []float64
	nflag int64
	nrow  int64
	maxUV float64
}

func (o *observation) writeRows(ctx context.Context, ms *mswrite.MS) (*accumulators, error) {
	nbl := len(o.ant1)
	total := nbl * len(o.times)
	workers := o.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		b   block
		out chan *blockResult
	}
	jobs := make(chan job)
	pending := make(chan chan *blockResult, workers+1)
	free := make(chan *blockResult, workers+3)
	for i := 0; i < workers+3; i++ {
		free <- nil
	}
	go func() { // producer: blocks in MS order
		defer close(jobs)
		defer close(pending)
		row := 0
		for t := range o.times {
			for b0 := 0; b0 < nbl; b0 += o.rowsBlk {
				b := block{t: t, b0: b0, b1: min(nbl, b0+o.rowsBlk), row0: row}
				row += b.b1 - b.b0
				out := make(chan *blockResult, 1)
				select {
				case pending <- out:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- job{b, out}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				var buf *blockResult
				select {
				case buf = <-free:
				case <-ctx.Done():
					return
				}
				j.out <- o.compute(j.b, buf)
			}
		}()
	}
	acc := &accumulators{sumW: make([]float64, o.cfg.NChan)}
	done := 0
	for out := range pending {
		var r *blockResult
		select {
		case r = <-out:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err := ms.Append(&r.rows); err != nil {
			return nil, err
		}
		for k, w := range r.sumW {
			acc.sumW[k] += w
		}
		acc.flagged += r.nflag
		acc.flaggedRows += r.nrow
		acc.maxProjected = math.Max(acc.maxProjected, r.maxUV)
		done += r.rows.N
		free <- r
		if o.cfg.Progress != nil {
			o.cfg.Progress(done, total)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if done != total {
		return nil, fmt.Errorf("wrote %d of %d rows", done, total)
	}
	return acc, nil
}

// compute fills the rows of one block, reusing buf's slices when given.
func (o *observation) compute(b block, buf *blockResult) *blockResult {
	c := o.cfg
	n := b.b1 - b.b0
	nchan, ncorr := c.NChan, o.ncorr
	if buf == nil {
		buf = &blockResult{}
	}
	r := &buf.rows
	grow := func(s []float64, k int) []float64 { return slices.Grow(s[:0], k)[:k] }
	r.N = n
	r.Time = grow(r.Time, n)
	r.Interval = grow(r.Interval, n)
	r.Antenna1 = slices.Grow(r.Antenna1[:0], n)[:n]
	r.Antenna2 = slices.Grow(r.Antenna2[:0], n)[:n]
	r.ScanNumber = slices.Grow(r.ScanNumber[:0], n)[:n]
	r.UVW = grow(r.UVW, 3*n)
	r.Data = slices.Grow(r.Data[:0], n*nchan*ncorr)[:n*nchan*ncorr]
	r.Flag = slices.Grow(r.Flag[:0], n*nchan*ncorr)[:n*nchan*ncorr]
	r.FlagRow = slices.Grow(r.FlagRow[:0], n)[:n]
	r.Weight = slices.Grow(r.Weight[:0], n*ncorr)[:n*ncorr]
	r.Sigma = slices.Grow(r.Sigma[:0], n*ncorr)[:n*ncorr]
	if c.WeightSpectrum {
		r.WeightSpectrum = slices.Grow(r.WeightSpectrum[:0], n*nchan*ncorr)[:n*nchan*ncorr]
	} else {
		r.WeightSpectrum = nil
	}
	buf.sumW = grow(buf.sumW, nchan)
	clear(buf.sumW)
	buf.nflag, buf.nrow, buf.maxUV = 0, 0, 0

	tm := o.times[b.t]
	M := UVWMatrix(tm, c.RA, c.Dec)
	antUVW := make([][3]float64, len(o.itrf))
	for i, x := range o.itrf {
		antUVW[i] = M.Apply([3]float64{x[0] - o.ref[0], x[1] - o.ref[1], x[2] - o.ref[2]})
	}
	vis := make([]complex128, nchan)
	for i := 0; i < n; i++ {
		bl := b.b0 + i
		row := b.row0 + i
		a1, a2 := o.ant1[bl], o.ant2[bl]
		u := antUVW[a2][0] - antUVW[a1][0]
		v := antUVW[a2][1] - antUVW[a1][1]
		w := antUVW[a2][2] - antUVW[a1][2]
		r.Time[i], r.Interval[i] = tm, c.IntegrationS
		r.Antenna1[i], r.Antenna2[i] = a1, a2
		r.ScanNumber[i] = 1
		r.UVW[3*i], r.UVW[3*i+1], r.UVW[3*i+2] = u, v, w
		buf.maxUV = math.Max(buf.maxUV, math.Hypot(u, v))

		o.engine.model(u, v, w, vis)
		sigma := o.sigma[bl]
		data := r.Data[i*nchan*ncorr : (i+1)*nchan*ncorr]
		if sigma > 0 {
			rng := rowRNG(c.Seed, row, 0)
			for k := 0; k < nchan; k++ {
				for p := 0; p < ncorr; p++ {
					re := sigma * rng.NormFloat64()
					im := sigma * rng.NormFloat64()
					data[k*ncorr+p] = complex64(vis[k] + complex(re, im))
				}
			}
		} else {
			for k := 0; k < nchan; k++ {
				for p := 0; p < ncorr; p++ {
					data[k*ncorr+p] = complex64(vis[k])
				}
			}
		}
		flags := r.Flag[i*nchan*ncorr : (i+1)*nchan*ncorr]
		clear(flags)
		nf := 0
		if c.FlagFrac > 0 {
			frng := rowRNG(c.Seed, row, 1)
			for k := 0; k < nchan; k++ {
				if frng.Float64() < c.FlagFrac {
					for p := 0; p < ncorr; p++ {
						flags[k*ncorr+p] = true
					}
					nf++
				}
			}
		}
		for k, lim := range c.FlagBeyond {
			if k >= 0 && k < nchan && math.Hypot(u, v) > lim && !flags[k*ncorr] {
				for p := 0; p < ncorr; p++ {
					flags[k*ncorr+p] = true
				}
				nf++
			}
		}
		r.FlagRow[i] = nf == nchan
		if r.FlagRow[i] {
			buf.nrow++
		}
		buf.nflag += int64(nf * ncorr)
		wt, sg := float32(1), float32(1)
		if sigma > 0 {
			wt, sg = float32(1/(sigma*sigma)), float32(sigma)
			for k := 0; k < nchan; k++ {
				if !flags[k*ncorr] {
					buf.sumW[k] += 2 / (sigma * sigma)
				}
			}
		}
		for p := 0; p < ncorr; p++ {
			r.Weight[i*ncorr+p], r.Sigma[i*ncorr+p] = wt, sg
		}
		if r.WeightSpectrum != nil {
			ws := r.WeightSpectrum[i*nchan*ncorr : (i+1)*nchan*ncorr]
			for k := range ws {
				ws[k] = wt
			}
		}
	}
	return buf
}

func (o *observation) truth(acc *accumulators) *Truth {
	c := o.cfg
	nbl := len(o.ant1)
	maxB, minB := 0.0, math.Inf(1)
	for b := range o.ant1 {
		p, q := o.itrf[o.ant1[b]], o.itrf[o.ant2[b]]
		d := math.Sqrt(sq(p[0]-q[0]) + sq(p[1]-q[1]) + sq(p[2]-q[2]))
		maxB, minB = math.Max(maxB, d), math.Min(minB, d)
	}
	t := &Truth{
		Generator: "cubeimg simulate (vis/simulate)",
		Argv:      c.Argv,
		MS:        filepath.Base(strings.TrimRight(c.MS, string(os.PathSeparator))),
		Seed:      c.Seed,
		Convention: map[string]string{
			"uvw":     "UVW = uvw(ANTENNA2) - uvw(ANTENNA1), J2000, metres",
			"vis":     "V = sum S exp(+2 pi i (u l + v m + w (n-1)) nu/c), l east(+RA), m north",
			"stokes":  "unpolarised: XX = YY = I (independent noise); images of Stokes I = (XX+YY)/2",
			"flux":    "Jy; point = peak = integrated; gaussian = integrated flux; apparent (no primary beam); evaluated at each channel centre",
			"offsets": "east/north in arcsec: l = east*arcsec, m = north*arcsec (direction cosines, SIN projection about the phase centre)",
		},
		PhaseCenter: TruthPhaseCenter{RADeg: c.RA / deg, DecDeg: c.Dec / deg, Frame: "J2000"},
		SPW: TruthSPW{NChan: c.NChan, ChanFreqHz: o.freqs, ChanWidthHz: c.WidthHz, Frame: c.Frame,
			RestFreqHz: c.RestFreqHz},
		Array: TruthArray{
			Config: c.Array, Layout: layoutDescription, Site: ALMASite.Name,
			SiteLonDeg: ALMASite.Longitude / deg, SiteLatDeg: ALMASite.Latitude / deg, SiteHeightM: ALMASite.Height,
			NAnt: len(o.pads), NBaselines: nbl, DishM: DishDiameter,
			MaxBaselineM: maxB, MinBaselineM: minB, MaxProjectedBaselineM: acc.maxProjected,
			ApproxResolutionArcsec: speedOfLight / c.FreqHz / maxB / arcsec,
			PBFWHMArcsec:           1.13 * speedOfLight / c.FreqHz / DishDiameter / arcsec,
		},
		Time: TruthTime{
			NTime: len(o.times), TintS: c.IntegrationS, DurationS: float64(len(o.times)) * c.IntegrationS,
			StartMJDS: o.times[0] - c.IntegrationS/2, EndMJDS: o.times[len(o.times)-1] + c.IntegrationS/2,
			Date:    fmt.Sprintf("%04d-%02d-%02d", c.Year, c.Month, c.Day),
			Summary: map[string]TruthEpoch{},
		},
		Rows: nbl * len(o.times),
		UVW: TruthUVW{
			Method: "per-antenna J2000 uvw = B(ra,dec) A P^T N^T R3(-GAST) X_ITRF; row UVW = uvw(ANTENNA2) - uvw(ANTENNA1)",
			Approximate: "UT1 = UTC, TT = UTC + 69.184 s, IAU 1976 precession, 4-term IAU 1980 nutation, annual aberration " +
				"(low-precision Sun), no polar motion, diurnal aberration or light deflection; agrees with casacore " +
				"measures dm.to_uvw to better than 1 arcsec of rotation (5e-6 x baseline)",
		},
		Flags: TruthFlags{FlagFrac: c.FlagFrac, FlaggedSamples: acc.flagged, FlaggedRows: acc.flaggedRows,
			Note: "a (row, channel) sample is flagged in all correlations together; FLAG_ROW when all channels are flagged; flagged samples keep their model+noise values"},
	}
	for _, e := range []struct {
		name string
		tm   float64
	}{{"start", o.times[0]}, {"mid", o.times[len(o.times)/2]}, {"end", o.times[len(o.times)-1]}} {
		ha, el := HourAngleElevation(ALMASite, e.tm, c.RA, c.Dec)
		t.Time.Summary[e.name] = TruthEpoch{UTCMJDS: e.tm, HourAngleH: ha / deg / 15, ElevationDeg: el / deg}
	}
	// Noise.
	sig := slices.Clone(o.sigma)
	slices.Sort(sig)
	n := &t.Noise
	n.SEFDScatter = c.SEFDScatter
	n.SigmaPerVisMedianJy, n.SigmaPerVisMinJy, n.SigmaPerVisMaxJy = sig[len(sig)/2], sig[0], sig[len(sig)-1]
	switch {
	case c.SigmaJy >= 0:
		n.Model = "fixed sigma per visibility (real and imaginary parts, each correlation)"
		n.SEFDScatter = 0
	case c.SEFDJy > 0:
		n.Model = "sigma_ij = sqrt(SEFD_i SEFD_j) / sqrt(2 chan_width tint)"
		n.SEFDJy = c.SEFDJy
	default:
		n.Model = "sigma_ij = sqrt(SEFD_i SEFD_j) / sqrt(2 chan_width tint), SEFD = 2 k Tsys / (eta_a pi D^2/4)"
		n.TsysK, n.ApertureEfficiency = c.TsysK, ApertureEfficiency
		n.SEFDJy = SEFD(c.TsysK, DishDiameter, ApertureEfficiency)
	}
	if sig[len(sig)-1] > 0 {
		var sumW float64
		for _, s := range o.sigma {
			sumW += 2 / (s * s)
		}
		n.ExpectedRMSJy = 1 / math.Sqrt(sumW*float64(len(o.times)))
		n.ExpectedRMSFlaggedJy = make([]float64, c.NChan)
		for k, w := range acc.sumW {
			if w > 0 {
				n.ExpectedRMSFlaggedJy[k] = 1 / math.Sqrt(w)
			}
		}
	}
	n.Note = "natural-weight Stokes I dirty-image rms = 1/sqrt(sum over rows of 2/sigma^2): the first value ignores flags, the list counts only unflagged samples; weighting schemes other than natural raise it"
	for _, comp := range o.sky.Components {
		l, m := comp.East*arcsec, comp.North*arcsec
		ra, dec := LMToRADec(l, m, c.RA, c.Dec)
		f := comp.ChannelFluxes(o.freqs, c.FreqHz)
		tc := TruthComponent{
			Name: comp.Name, Type: comp.Type, East: comp.East, North: comp.North,
			L: l, M: m, N: math.Sqrt(1 - l*l - m*m), RADeg: ra / deg, DecDeg: dec / deg,
			Flux: f, IntrinsicFlux: f, Model: comp, Note: comp.Note,
		}
		if comp.Type == TypeGaussian {
			tc.MajorArcsec, tc.MinorArcsec, tc.PADeg = comp.MajorArcsec, comp.MinorArcsec, comp.PADeg
		}
		t.Components = append(t.Components, tc)
	}
	return t
}
