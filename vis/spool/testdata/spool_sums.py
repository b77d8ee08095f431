#!/usr/bin/python3
"""spool_sums.py MS SPW - per data channel sums of the Stokes I samples of one spectral window,
computed with python-casacore straight from the table columns, independently of the Go code.

Rows: DATA_DESC_ID of spectral window SPW, FIELD_ID equal to the first row's, cross-correlations
(ANTENNA1 != ANTENNA2), FLAG_ROW false. Per channel j: Stokes I = (p_a + p_b)/2 of the two
parallel hands (XX/YY or RR/LL), weight = mean of the two hands' WEIGHT_SPECTRUM where the row's
cell is defined, else of WEIGHT; a sample counts if neither hand is flagged, its weight is > 0 and
every value is finite. u, v, w = UVW * CHAN_FREQ[j] / c.

Prints JSON: {"chan_freq": [...], "count": [...], "sumw": [...], "swre": [...], "swim": [...],
"swabs": [...], "swu": [...], "swv": [...], "sww": [...], "swuu": [...], "swvv": [...],
"swww": [...]} (sums of w, w*Re V, w*Im V, w*|V|, w*u, ..., w*u^2, ...).
Exit status 3 if python-casacore is missing, 4 if the window has no parallel-hand pair.
"""
import json
import sys

try:
    import numpy as np
    import casacore.tables as ct
except ImportError:
    sys.exit(3)

C = 299792458.0
ms, spw = sys.argv[1], int(sys.argv[2])
tspw = ct.table(ms + "/SPECTRAL_WINDOW", ack=False)
freq = np.array(tspw.getcell("CHAN_FREQ", spw), dtype=np.float64)
tdd = ct.table(ms + "/DATA_DESCRIPTION", ack=False)
tpol = ct.table(ms + "/POLARIZATION", ack=False)
tb = ct.table(ms, ack=False)
cols = tb.colnames()
has_ws = "WEIGHT_SPECTRUM" in cols
field0 = tb.getcell("FIELD_ID", 0)

nchan = len(freq)
acc = {k: np.zeros(nchan) for k in ["count", "sumw", "swre", "swim", "swabs", "swu", "swv", "sww", "swuu", "swvv", "swww"]}
for dd in range(tdd.nrows()):
    if tdd.getcell("SPECTRAL_WINDOW_ID", dd) != spw:
        continue
    sub = tb.query("DATA_DESC_ID==%d && FIELD_ID==%d && ANTENNA1!=ANTENNA2 && !FLAG_ROW" % (dd, field0))
    if sub.nrows() == 0:
        continue
    corr = list(tpol.getcell("CORR_TYPE", tdd.getcell("POLARIZATION_ID", dd)))
    pair = None
    for a, b in [(9, 12), (5, 8)]:
        if a in corr and b in corr:
            pair = (corr.index(a), corr.index(b))
            break
    if pair is None:
        sys.exit(4)
    pa, pb = pair
    data = sub.getcol("DATA")  # [row, chan, corr]
    flag = sub.getcol("FLAG")
    wt = sub.getcol("WEIGHT").astype(np.float64)
    w = np.repeat((0.5 * (wt[:, pa] + wt[:, pb]))[:, None], nchan, axis=1)
    if has_ws:
        for r in range(sub.nrows()):
            if sub.iscelldefined("WEIGHT_SPECTRUM", r):
                ws = sub.getcell("WEIGHT_SPECTRUM", r).astype(np.float64)
                w[r] = 0.5 * (ws[:, pa] + ws[:, pb])
    vis = 0.5 * (data[:, :, pa].astype(np.complex128) + data[:, :, pb].astype(np.complex128))
    uvw = sub.getcol("UVW")
    ok = (~flag[:, :, pa]) & (~flag[:, :, pb]) & (w > 0) & np.isfinite(vis) & np.isfinite(w)
    u = uvw[:, 0:1] * freq[None, :] / C
    v = uvw[:, 1:2] * freq[None, :] / C
    ww = uvw[:, 2:3] * freq[None, :] / C
    w = np.where(ok, w, 0.0)
    vis = np.where(ok, vis, 0.0)
    acc["count"] += ok.sum(axis=0)
    acc["sumw"] += w.sum(axis=0)
    acc["swre"] += (w * vis.real).sum(axis=0)
    acc["swim"] += (w * vis.imag).sum(axis=0)
    acc["swabs"] += (w * np.abs(vis)).sum(axis=0)
    acc["swu"] += (w * u).sum(axis=0)
    acc["swv"] += (w * v).sum(axis=0)
    acc["sww"] += (w * ww).sum(axis=0)
    acc["swuu"] += (w * u * u).sum(axis=0)
    acc["swvv"] += (w * v * v).sum(axis=0)
    acc["swww"] += (w * ww * ww).sum(axis=0)
out = {k: [float(x) for x in a] for k, a in acc.items()}
out["chan_freq"] = [float(x) for x in freq]
json.dump(out, sys.stdout)
