package simulate

import (
	"encoding/json"
	"fmt"
	"os"
)

// Truth is the sky truth written beside the MS as <ms>.truth.json. Its layout follows
// ../shared/tools/simulate_ms.py's truth file, so ../shared/tools/check_truth.py reads it.
type Truth struct {
	Generator      string            `json:"generator"`
	Argv           []string          `json:"argv,omitempty"`
	MS             string            `json:"ms"`
	Seed           uint64            `json:"seed"`
	Convention     map[string]string `json:"convention"`
	PhaseCenter    TruthPhaseCenter  `json:"phase_center"`
	SPW            TruthSPW          `json:"spw"`
	Array          TruthArray        `json:"array"`
	Time           TruthTime         `json:"time"`
	Rows           int               `json:"rows"`
	Noise          TruthNoise        `json:"noise"`
	Flags          TruthFlags        `json:"flags"`
	UVW            TruthUVW          `json:"uvw"`
	PrimaryBeamApp bool              `json:"primary_beam_applied"`
	Components     []TruthComponent  `json:"components"`
}

// TruthPhaseCenter is the J2000 phase centre.
type TruthPhaseCenter struct {
	RADeg  float64 `json:"ra_deg"`
	DecDeg float64 `json:"dec_deg"`
	Frame  string  `json:"frame"`
}

// TruthSPW describes the spectral window.
type TruthSPW struct {
	NChan       int       `json:"nchan"`
	ChanFreqHz  []float64 `json:"chan_freq_hz"`
	ChanWidthHz float64   `json:"chan_width_hz"`
	Frame       string    `json:"frame"`
	RestFreqHz  float64   `json:"rest_freq_hz"`
}

// TruthArray describes the array.
type TruthArray struct {
	Config                 string  `json:"config"`
	Layout                 string  `json:"layout"`
	Site                   string  `json:"site"`
	SiteLonDeg             float64 `json:"site_lon_deg"`
	SiteLatDeg             float64 `json:"site_lat_deg"`
	SiteHeightM            float64 `json:"site_height_m"`
	NAnt                   int     `json:"nant"`
	NBaselines             int     `json:"nbaselines"`
	DishM                  float64 `json:"dish_m"`
	MaxBaselineM           float64 `json:"max_baseline_m"`
	MinBaselineM           float64 `json:"min_baseline_m"`
	MaxProjectedBaselineM  float64 `json:"max_projected_baseline_m"`
	ApproxResolutionArcsec float64 `json:"approx_resolution_arcsec"`
	PBFWHMArcsec           float64 `json:"pb_fwhm_arcsec"`
}

// TruthTime describes the time sampling.
type TruthTime struct {
	NTime     int                   `json:"ntime"`
	TintS     float64               `json:"tint_s"`
	DurationS float64               `json:"duration_s"`
	StartMJDS float64               `json:"start_mjd_s"`
	EndMJDS   float64               `json:"end_mjd_s"`
	Date      string                `json:"date"`
	Summary   map[string]TruthEpoch `json:"summary"`
}

// TruthEpoch is the hour angle and elevation of the phase centre at one time.
type TruthEpoch struct {
	UTCMJDS      float64 `json:"utc_mjd_s"`
	HourAngleH   float64 `json:"hour_angle_h"`
	ElevationDeg float64 `json:"elevation_deg"`
}

// TruthNoise describes the thermal noise.
type TruthNoise struct {
	Model                string    `json:"model"`
	TsysK                float64   `json:"tsys_k,omitempty"`
	ApertureEfficiency   float64   `json:"aperture_efficiency,omitempty"`
	SEFDJy               float64   `json:"sefd_jy,omitempty"`
	SEFDScatter          float64   `json:"sefd_scatter"`
	SigmaPerVisMedianJy  float64   `json:"sigma_per_vis_median_jy"`
	SigmaPerVisMinJy     float64   `json:"sigma_per_vis_min_jy"`
	SigmaPerVisMaxJy     float64   `json:"sigma_per_vis_max_jy"`
	ExpectedRMSJy        float64   `json:"expected_stokesI_natural_rms_per_channel_jy"`
	ExpectedRMSFlaggedJy []float64 `json:"expected_stokesI_natural_rms_per_channel_with_flags_jy"`
	Note                 string    `json:"note"`
}

// TruthFlags counts the flags written.
type TruthFlags struct {
	FlagFrac       float64 `json:"flag_frac"`
	FlaggedSamples int64   `json:"flagged_samples"`
	FlaggedRows    int64   `json:"flagged_rows"`
	Note           string  `json:"note"`
}

// TruthUVW states how UVW were computed.
type TruthUVW struct {
	Method      string `json:"method"`
	Approximate string `json:"approximations"`
}

// TruthComponent is one source with its per-channel fluxes.
type TruthComponent struct {
	Name          string    `json:"name"`
	Type          string    `json:"type"`
	East          float64   `json:"east"`
	North         float64   `json:"north"`
	L             float64   `json:"l"`
	M             float64   `json:"m"`
	N             float64   `json:"n"`
	RADeg         float64   `json:"ra_deg"`
	DecDeg        float64   `json:"dec_deg"`
	MajorArcsec   float64   `json:"major_arcsec,omitempty"`
	MinorArcsec   float64   `json:"minor_arcsec,omitempty"`
	PADeg         float64   `json:"pa_deg,omitempty"`
	Flux          []float64 `json:"flux"`
	IntrinsicFlux []float64 `json:"intrinsic_flux"`
	Model         Component `json:"model"`
	Note          string    `json:"note,omitempty"`
}

// WriteFile writes the truth as indented JSON.
func (t *Truth) WriteFile(path string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return fmt.Errorf("encode truth: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write truth: %w", err)
	}
	return nil
}
