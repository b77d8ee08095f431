#!/usr/bin/python3
"""ms_stokes_i.py MS OUT - write a MeasurementSet's Stokes I samples, per channel, for the
gridder's WSClean comparison test (imaging/gridder/wsclean_test.go).

Stokes I per ALGORITHMS.md 1.2: I = (XX + YY)/2 (or (RR + LL)/2); weight = mean of the two
hands' WEIGHT_SPECTRUM (WEIGHT when absent); a sample is flagged (weight 0) if either hand or
the row is flagged. u, v, w are UVW (metres) times the channel frequency over c: no frame
conversion, each data channel is one image channel. Only the first spectral window and field 0
of data description 0 are read.

If the MS has WSClean's IMAGING_WEIGHT_SPECTRUM column (wsclean -store-imaging-weights), its
first hand is written too (zeros otherwise).

OUT (little-endian): int32 nchan, int32 nrow, int32 has_imaging_weights; then per channel:
float64 frequency (Hz), float64 u[nrow], v[nrow], w[nrow], complex64 vis[nrow],
float32 weight[nrow], float32 imaging_weight[nrow].
"""
import sys

import numpy as np
from casacore.tables import table

C = 299792458.0


def main():
    ms, out = sys.argv[1], sys.argv[2]
    t = table(ms, ack=False)
    t = t.query("DATA_DESC_ID == 0 && FIELD_ID == 0")
    pol = table(ms + "/POLARIZATION", ack=False).getcol("CORR_TYPE")[0]
    # CASA Stokes codes: RR 5, LL 8, XX 9, YY 12.
    pol = list(pol)
    for p, q in ((9, 12), (5, 8)):
        if p in pol and q in pol:
            hands = (pol.index(p), pol.index(q))
            break
    else:
        sys.exit("no XX/YY or RR/LL pair in POLARIZATION %s" % pol)
    freqs = table(ms + "/SPECTRAL_WINDOW", ack=False).getcol("CHAN_FREQ")[0]
    uvw = t.getcol("UVW")
    data = t.getcol("DATA")
    flag = t.getcol("FLAG") | t.getcol("FLAG_ROW")[:, None, None]
    if "WEIGHT_SPECTRUM" in t.colnames() and t.iscelldefined("WEIGHT_SPECTRUM", 0):
        wt = t.getcol("WEIGHT_SPECTRUM")
    else:
        wt = np.repeat(t.getcol("WEIGHT")[:, None, :], len(freqs), axis=1)
    a, b = hands
    nrow = uvw.shape[0]
    has_iw = "IMAGING_WEIGHT_SPECTRUM" in t.colnames()
    iw = t.getcol("IMAGING_WEIGHT_SPECTRUM") if has_iw else np.zeros(wt.shape, dtype=np.float32)
    with open(out, "wb") as f:
        np.array([len(freqs), nrow, int(has_iw)], dtype="<i4").tofile(f)
        for c, nu in enumerate(freqs):
            vis = 0.5 * (data[:, c, a] + data[:, c, b])
            w = 0.5 * (wt[:, c, a] + wt[:, c, b])
            bad = flag[:, c, a] | flag[:, c, b]
            w = np.where(bad, 0.0, w)
            vis = np.where(bad, 0.0, vis)
            np.array([nu], dtype="<f8").tofile(f)
            for k in range(3):
                (uvw[:, k] * nu / C).astype("<f8").tofile(f)
            vis.astype("<c8").tofile(f)
            w.astype("<f4").tofile(f)
            iw[:, c, a].astype("<f4").tofile(f)


if __name__ == "__main__":
    main()
