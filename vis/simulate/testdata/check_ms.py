#!/usr/bin/python3
"""check_ms.py MS: compare a simulated MS with its truth file, using only python-casacore and numpy.

Prints JSON with:
  model_max_abs_err  max |DATA - V_model| over unflagged and flagged samples (Jy), where V_model is
                     recomputed here from <MS>.truth.json and the MS's own UVW and CHAN_FREQ with
                     V = sum S(nu) A(u,v,nu) exp(+2 pi i (u l + v m + w (n-1)) nu / c)
  model_max_abs      max |V_model|
  noise_std_re/im    std of Re/Im (DATA - V_model) / SIGMA (1 for correct noise)
  noise_xx_yy_corr   correlation of the XX and YY noise
  uvw_max_diff_m     max |UVW - mscal.uvwj2000()| (casacore's UVW from ANTENNA, FIELD, TIME)
  uvw_max_rel        the same divided by |UVW|
  ha_first_h/ha_last_h  casacore's hour angle (mscal.ha) of the first and last row
  weight_sigma_max_err  max |WEIGHT * SIGMA^2 - 1|
  weight_spectrum_ok    WEIGHT_SPECTRUM equals WEIGHT in every channel
  flag_fraction, flag_corr_equal, flag_row_ok
"""
import json
import math
import os
import sys

import numpy as np
from casacore.tables import table, taql

C = 299792458.0
ARCSEC = math.pi / 180 / 3600


def main():
    ms = sys.argv[1]
    truth = json.load(open(ms.rstrip("/") + ".truth.json"))
    t = table(ms, ack=False)
    spw = table(os.path.join(ms, "SPECTRAL_WINDOW"), ack=False)
    freqs = spw.getcell("CHAN_FREQ", 0)
    uvw = t.getcol("UVW")
    data = t.getcol("DATA")  # [nrow, nchan, ncorr]
    flag = t.getcol("FLAG")
    sigma = t.getcol("SIGMA")
    weight = t.getcol("WEIGHT")
    model = np.zeros(data.shape[:2], dtype=np.complex128)
    u, v, w = uvw[:, 0:1], uvw[:, 1:2], uvw[:, 2:3]
    nu = freqs[None, :]
    for c in truth["components"]:
        flux = np.array(c["flux"])[None, :]
        ph = np.exp(2j * np.pi * (u * c["l"] + v * c["m"] + w * (c["n"] - 1)) * nu / C)
        amp = 1.0
        if c["type"] == "gaussian":
            pa = math.radians(c["pa_deg"])
            um = u * math.sin(pa) + v * math.cos(pa)
            un = u * math.cos(pa) - v * math.sin(pa)
            a, b = c["major_arcsec"] * ARCSEC, c["minor_arcsec"] * ARCSEC
            amp = np.exp(-(math.pi ** 2 / (4 * math.log(2))) * (a * a * um * um + b * b * un * un) * nu * nu / C ** 2)
        model += flux * amp * ph
    diff = data - model[:, :, None]
    out = {"nrows": t.nrows(), "model_max_abs": float(np.abs(model).max()),
           "model_max_abs_err": float(np.abs(diff).max())}
    norm = diff / sigma[:, None, :]
    out["noise_std_re"] = float(norm.real.std())
    out["noise_std_im"] = float(norm.imag.std())
    out["noise_xx_yy_corr"] = float(np.corrcoef(norm[:, :, 0].real.ravel(), norm[:, :, 1].real.ravel())[0, 1])
    c2 = taql("select mscal.uvwj2000() as U, mscal.ha() as HA from $t")
    u2 = c2.getcol("U")
    d = np.sqrt(((uvw - u2) ** 2).sum(1))
    b = np.sqrt((uvw ** 2).sum(1))
    out["uvw_max_diff_m"] = float(d.max())
    out["uvw_max_rel"] = float((d / b).max())
    ha = c2.getcol("HA")
    out["ha_first_h"] = float(ha[0] * 12 / math.pi)
    out["ha_last_h"] = float(ha[-1] * 12 / math.pi)
    out["weight_sigma_max_err"] = float(np.abs(weight * sigma ** 2 - 1).max())
    if "WEIGHT_SPECTRUM" in t.colnames():
        ws = t.getcol("WEIGHT_SPECTRUM")
        out["weight_spectrum_ok"] = bool((ws == weight[:, None, :]).all())
    out["flag_fraction"] = float(flag.mean())
    out["flag_corr_equal"] = bool((flag[:, :, 0] == flag[:, :, 1]).all())
    out["flag_row_ok"] = bool((t.getcol("FLAG_ROW") == flag.all(axis=(1, 2))).all())
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
