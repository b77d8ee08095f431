package main

import (
	"fmt"
	"math"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cubeimg/cubeimg/internal/units"
	"github.com/cubeimg/cubeimg/vis/simulate"
)

func newSimulateCmd() *cobra.Command {
	d := simulate.DefaultConfig()
	var (
		out, freq, width, restfreq, duration, integration, date, ha, ra, dec string
		noise, sefd, tsys, skyFile                                           string
		overwrite, quiet                                                     bool
	)
	cfg := d
	cmd := &cobra.Command{
		Use:   "simulate -o OUT.ms [flags]",
		Short: "Write an ALMA-like MeasurementSet of a known sky, with its truth as <OUT>.truth.json",
		Long: `simulate observes a sky model of point and Gaussian sources with a synthetic ALMA-like 12-m array
(43 antennas; compact: longest baseline 500 m like ALMA C-3, extended: 2.5 km like C-6) and writes a
MeasurementSet (StandardStMan, XX and YY correlations, DATA = model + thermal noise, UVW in J2000) plus
OUT.ms.truth.json with the sources' positions and per-channel fluxes, the array, the noise per
visibility and the expected natural-weight Stokes I rms per channel.

Channel k is at --freq + (k - (nchan-1)/2) * --width. Durations take units (10m, 600s, 1h), frequencies
Hz, kHz, MHz or GHz (230.538GHz), fluxes Jy or mJy. The result depends only on the flags and --seed.
Memory stays bounded (rows are streamed in blocks of about 4 MiB of DATA), whatever the MS size.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("simulate: no output given (-o OUT.ms)")
			}
			cfg.MS = out
			var err error
			if cfg.FreqHz, err = parseFrequency(freq); err != nil {
				return fmt.Errorf("--freq: %w", err)
			}
			if cfg.WidthHz, err = parseFrequency(width); err != nil {
				return fmt.Errorf("--width: %w", err)
			}
			cfg.RestFreqHz = cfg.FreqHz
			if restfreq != "" {
				if cfg.RestFreqHz, err = parseFrequency(restfreq); err != nil {
					return fmt.Errorf("--restfreq: %w", err)
				}
			}
			if cfg.DurationS, err = parseDuration(duration); err != nil {
				return fmt.Errorf("--duration: %w", err)
			}
			if cfg.IntegrationS, err = parseDuration(integration); err != nil {
				return fmt.Errorf("--integration: %w", err)
			}
			if cfg.Year, cfg.Month, cfg.Day, err = parseDate(date); err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			if cfg.HourAngleH, err = parseHours(ha); err != nil {
				return fmt.Errorf("--ha: %w", err)
			}
			if cfg.RA, err = parseRA(ra); err != nil {
				return fmt.Errorf("--ra: %w", err)
			}
			if cfg.Dec, err = parseDec(dec); err != nil {
				return fmt.Errorf("--dec: %w", err)
			}
			cfg.SigmaJy = -1
			if noise != "auto" {
				if cfg.SigmaJy, err = parseFlux(noise); err != nil || cfg.SigmaJy < 0 {
					return fmt.Errorf("--noise: want a flux >= 0 (e.g. 1Jy, 0) or auto, got %q", noise)
				}
			}
			if sefd != "" {
				if cfg.SEFDJy, err = parseFlux(sefd); err != nil || !(cfg.SEFDJy > 0) {
					return fmt.Errorf("--sefd: want a flux > 0 (e.g. 3500Jy), got %q", sefd)
				}
			}
			if cfg.TsysK, err = parseTemperature(tsys); err != nil {
				return fmt.Errorf("--tsys: %w", err)
			}
			if skyFile != "" {
				if cfg.Sky, err = simulate.ReadSkyModel(skyFile); err != nil {
					return err
				}
			}
			if _, err := os.Stat(out); err == nil {
				if !overwrite {
					return fmt.Errorf("simulate: %s exists (use --overwrite)", out)
				}
				if err := os.RemoveAll(out); err != nil {
					return fmt.Errorf("simulate: remove %s: %w", out, err)
				}
			}
			cfg.Argv = append([]string{"cubeimg"}, os.Args[1:]...)
			if !quiet {
				cfg.Progress = progressPrinter(cmd)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			start := time.Now()
			truth, err := simulate.Run(ctx, cfg)
			if err != nil {
				return err
			}
			if !quiet {
				s := truth.Time.Summary
				fmt.Fprintf(cmd.ErrOrStderr(), "simulate: wrote %s (%d rows, %d channels, %d antennas, baselines %.1f-%.1f m) and %s in %.1f s\n",
					out, truth.Rows, truth.SPW.NChan, truth.Array.NAnt, truth.Array.MinBaselineM, truth.Array.MaxBaselineM,
					simulate.TruthPath(out), time.Since(start).Seconds())
				fmt.Fprintf(cmd.ErrOrStderr(), "simulate: hour angle %.2f..%.2f h, elevation %.1f..%.1f deg; sigma per visibility %.4g Jy (median); expected Stokes I rms %.4g Jy per channel\n",
					s["start"].HourAngleH, s["end"].HourAngleH, s["start"].ElevationDeg, s["end"].ElevationDeg,
					truth.Noise.SigmaPerVisMedianJy, truth.Noise.ExpectedRMSJy)
				if el := math.Min(s["start"].ElevationDeg, s["end"].ElevationDeg); el < 15 {
					fmt.Fprintf(cmd.ErrOrStderr(), "simulate: warning: the phase centre is at %.1f deg elevation (horizon and shadowing are not modelled)\n", el)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "", "output MeasurementSet directory (required); the truth goes to <OUT>.truth.json")
	f.BoolVar(&overwrite, "overwrite", false, "replace an existing output MeasurementSet")
	f.IntVar(&cfg.NChan, "nchan", d.NChan, "number of channels")
	f.StringVar(&freq, "freq", "230.538GHz", "centre frequency of the band (Hz, kHz, MHz or GHz)")
	f.StringVar(&width, "width", "976.5625kHz", "channel width and spacing (negative for a decreasing axis)")
	f.StringVar(&restfreq, "restfreq", "", "line rest frequency written to the SOURCE table (default: --freq)")
	f.StringVar(&cfg.Frame, "frame", d.Frame, "frequency frame of the channel frequencies (LSRK, TOPO, BARY, GEO, LSRD, REST)")
	f.StringVar(&duration, "duration", "10m", "total observing time (s, m or min, h: 600s, 10m, 1h)")
	f.StringVar(&integration, "integration", "6.048s", "integration time per row (s, m, h)")
	f.StringVar(&date, "date", "2024-03-01", "UTC date of the observation (YYYY-MM-DD)")
	f.StringVar(&ha, "ha", "0h", "hour angle of the phase centre at mid-observation (hours, e.g. -1.5h)")
	f.StringVar(&cfg.Array, "config", d.Array, "array configuration: compact (longest baseline 500 m) or extended (2.5 km)")
	f.StringVar(&ra, "ra", "83.8deg", "J2000 right ascension of the phase centre (83.8deg, 5h35m12s or 05:35:12)")
	f.StringVar(&dec, "dec", "-5.4deg", "J2000 declination of the phase centre (-5.4deg, -5d24m00s or -05:24:00)")
	f.Uint64Var(&cfg.Seed, "seed", d.Seed, "random seed for noise, flags and SEFD scatter (same seed, same MS)")
	f.StringVar(&noise, "noise", "auto", "noise sigma per visibility, real and imaginary part (e.g. 0.5Jy; 0 = noiseless; auto = from --sefd or --tsys)")
	f.StringVar(&sefd, "sefd", "", "system equivalent flux density per antenna (e.g. 3500Jy; default from --tsys)")
	f.StringVar(&tsys, "tsys", "100K", "system temperature giving the SEFD with a 12-m dish and aperture efficiency 0.70")
	f.Float64Var(&cfg.SEFDScatter, "sefd-scatter", d.SEFDScatter, "fractional per-antenna SEFD scatter (gives non-uniform weights)")
	f.Float64Var(&cfg.FlagFrac, "flag-frac", d.FlagFrac, "fraction of (row, channel) samples flagged at random, all correlations together")
	f.BoolVar(&cfg.WeightSpectrum, "weight-spectrum", d.WeightSpectrum, "write the WEIGHT_SPECTRUM column")
	f.StringVar(&skyFile, "sky", "", `sky model JSON {"components": [...]} (default: two continuum points, a point with a line, a Gaussian with a line)`)
	f.IntVar(&cfg.Workers, "workers", 0, "goroutines computing visibilities (default: all cores)")
	f.BoolVar(&cfg.BigEndian, "big-endian", false, "write big-endian data files (default little-endian)")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress or summary on stderr")
	return cmd
}

// progressPrinter reports progress on stderr every 10% or 5 seconds.
func progressPrinter(cmd *cobra.Command) func(done, total int) {
	last := time.Now()
	lastPct := -1
	return func(done, total int) {
		pct := 100 * done / max(total, 1)
		if done == total || pct/10 > lastPct/10 || time.Since(last) > 5*time.Second {
			fmt.Fprintf(cmd.ErrOrStderr(), "simulate: %3d%% (%d of %d rows)\n", pct, done, total)
			last, lastPct = time.Now(), pct
		}
	}
}

// splitUnit separates a number from its unit suffix: "230.5GHz" -> (230.5, "GHz").
func splitUnit(s string) (float64, string, error) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			i--
			continue
		}
		break
	}
	num, unit := s[:i], s[i:]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", fmt.Errorf("%q is not a number with a unit", s)
	}
	return v, unit, nil
}

func parseWithUnits(s, what string, units map[string]float64) (float64, error) {
	v, unit, err := splitUnit(s)
	if err != nil {
		return 0, err
	}
	f, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown %s unit %q", s, what, unit)
	}
	if x := v * f; math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("%q: %s out of range", s, what)
	}
	return v * f, nil
}

func parseFrequency(s string) (float64, error) { return units.ParseFrequency(s) }

// parseDuration returns a positive duration in seconds ('10m', '600s', '1h').
func parseDuration(s string) (float64, error) {
	d, err := units.ParseDuration(s)
	if err == nil && d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration", s)
	}
	return d.Seconds(), err
}

func parseFlux(s string) (float64, error) { return units.ParseFlux(s) }

func parseTemperature(s string) (float64, error) {
	v, err := parseWithUnits(s, "temperature", map[string]float64{"": 1, "K": 1})
	if err == nil && !(v > 0) {
		return 0, fmt.Errorf("%q is not a positive temperature", s)
	}
	return v, err
}

func parseHours(s string) (float64, error) {
	return parseWithUnits(s, "hour angle", map[string]float64{"": 1, "h": 1})
}

func parseDate(s string) (y, m, d int, err error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return t.Year(), int(t.Month()), t.Day(), nil
}

var (
	sexColon  = regexp.MustCompile(`^([+-]?)(\d+(?:\.\d*)?):(\d+(?:\.\d*)?)(?::(\d+(?:\.\d*)?))?$`)
	sexLetter = regexp.MustCompile(`^([+-]?)(\d+(?:\.\d*)?)[hd](\d+(?:\.\d*)?)m(?:(\d+(?:\.\d*)?)s?)?$`)
)

// parseSexagesimal reads "a:b[:c]" or "a<h|d>b m[c s]" (e.g. 5h35m12s, -5d24m0s) into a value in the
// first field's unit; ok is false if s is not sexagesimal.
func parseSexagesimal(s string) (v float64, ok bool, err error) {
	t := strings.TrimSpace(s)
	m := sexColon.FindStringSubmatch(t)
	if m == nil {
		m = sexLetter.FindStringSubmatch(t)
	}
	if m == nil {
		return 0, false, nil
	}
	scale := 1.0
	for i, p := range m[2:] {
		if p == "" {
			continue
		}
		x, err := strconv.ParseFloat(p, 64)
		if err != nil || (i > 0 && x >= 60) {
			return 0, true, fmt.Errorf("%q: bad sexagesimal field %q", s, p)
		}
		v += x / scale
		scale *= 60
	}
	if m[1] == "-" {
		v = -v
	}
	return v, true, nil
}

func parseRA(s string) (float64, error) {
	if v, ok, err := parseSexagesimal(s); ok {
		if err != nil {
			return 0, err
		}
		if v < 0 || v >= 24 {
			return 0, fmt.Errorf("%q is not in 0..24h", s)
		}
		return v * 15 * math.Pi / 180, nil
	}
	v, err := parseWithUnits(s, "angle", map[string]float64{"": 1, "deg": 1, "rad": 180 / math.Pi})
	if err != nil {
		return 0, err
	}
	if v < 0 || v >= 360 {
		return 0, fmt.Errorf("%q is not in 0..360 deg", s)
	}
	return v * math.Pi / 180, nil
}

func parseDec(s string) (float64, error) {
	v, ok, err := parseSexagesimal(s)
	if !ok {
		v, err = parseWithUnits(s, "angle", map[string]float64{"": 1, "deg": 1, "rad": 180 / math.Pi})
	}
	if err != nil {
		return 0, err
	}
	if v < -90 || v > 90 {
		return 0, fmt.Errorf("%q is not in -90..90 deg", s)
	}
	return v * math.Pi / 180, nil
}
