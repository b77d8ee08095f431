#!/usr/bin/python3
"""makems.py OUT.ms OUT.json - write a small MeasurementSet with python-casacore and
dump, per row, what the Go row view must return.

The MS has two data descriptions of different cell shapes (4 channels x XX,YY and 3 channels x
RR,RL,LR,LL), DATA and CORRECTED_DATA in TiledShapeStMan, some rows whose DATA, FLAG, WEIGHT
or WEIGHT_SPECTRUM cells are never written (undefined), and FLAG_ROW set on some rows.
Exit status 3 if python-casacore is missing.
"""
import json
import sys

try:
    import numpy as np
    import casacore.tables as ct
except ImportError:
    sys.exit(3)

out, js = sys.argv[1], sys.argv[2]
rng = np.random.RandomState(5)
NROW = 23

# MAIN: the standard required columns, plus CORRECTED_DATA and WEIGHT_SPECTRUM, with the cell
# columns in tiled storage managers.
desc = ct.required_ms_desc("MAIN")
desc.update(ct.maketabdesc([
    ct.makearrcoldesc("DATA", 0j, ndim=2, valuetype="complex", datamanagertype="TiledShapeStMan", datamanagergroup="TiledData"),
    ct.makearrcoldesc("CORRECTED_DATA", 0j, ndim=2, valuetype="complex", datamanagertype="TiledShapeStMan", datamanagergroup="TiledCorr"),
    ct.makearrcoldesc("WEIGHT_SPECTRUM", 0.0, ndim=2, valuetype="float", datamanagertype="TiledShapeStMan", datamanagergroup="TiledWS"),
]))
for name in ("FLAG", "WEIGHT", "SIGMA"):
    desc[name]["dataManagerType"] = "TiledShapeStMan"
    desc[name]["dataManagerGroup"] = "Tiled" + name
dminfo = ct.makedminfo(desc)
ms = ct.default_ms(out, desc, dminfo)
ms.close()
ms = ct.table(out, readonly=False, ack=False, endian="big")

spw = ct.table(out + "/SPECTRAL_WINDOW", readonly=False, ack=False)
spw.addrows(2)
for r, (n, f0) in enumerate([(4, 100e9), (3, 90e9)]):
    spw.putcell("NUM_CHAN", r, n)
    spw.putcell("CHAN_FREQ", r, f0 + 1e6 * np.arange(n))
    spw.putcell("CHAN_WIDTH", r, np.full(n, 1e6))
    spw.putcell("EFFECTIVE_BW", r, np.full(n, 1e6))
    spw.putcell("RESOLUTION", r, np.full(n, 1e6))
    spw.putcell("REF_FREQUENCY", r, f0)
    spw.putcell("MEAS_FREQ_REF", r, 5)
    spw.putcell("NAME", r, "spw%d" % r)
pol = ct.table(out + "/POLARIZATION", readonly=False, ack=False)
pol.addrows(2)
for r, ctype in enumerate([[9, 12], [5, 6, 7, 8]]):
    pol.putcell("NUM_CORR", r, len(ctype))
    pol.putcell("CORR_TYPE", r, ctype)
    pol.putcell("CORR_PRODUCT", r, np.zeros((len(ctype), 2), dtype=np.int32))
dd = ct.table(out + "/DATA_DESCRIPTION", readonly=False, ack=False)
dd.addrows(2)
for r in range(2):
    dd.putcell("SPECTRAL_WINDOW_ID", r, r)
    dd.putcell("POLARIZATION_ID", r, r)
fld = ct.table(out + "/FIELD", readonly=False, ack=False)
fld.addrows(1)
fld.putcell("NAME", 0, "F0")
fld.putcell("PHASE_DIR", 0, np.array([[1.0, -0.5]]))
fld.putcell("DELAY_DIR", 0, np.array([[1.0, -0.5]]))
fld.putcell("REFERENCE_DIR", 0, np.array([[1.0, -0.5]]))
ant = ct.table(out + "/ANTENNA", readonly=False, ack=False)
ant.addrows(3)
for r in range(3):
    ant.putcell("NAME", r, "A%d" % r)
    ant.putcell("POSITION", r, [2225000.0 + 10 * r, -5440000.0, -2481000.0])
    ant.putcell("DISH_DIAMETER", r, 12.0)
for t in (spw, pol, dd, fld, ant):
    t.close()

ms.addrows(NROW)
rows = []
for r in range(NROW):
    ddid = (r // 4) % 2
    nchan, ncorr = (4, 2) if ddid == 0 else (3, 4)
    shape = (nchan, ncorr)  # numpy order
    row = {"ddid": ddid, "time": 5e9 + 10 * (r // 3), "ant1": r % 3, "ant2": (r + 1) % 3}
    ms.putcell("TIME", r, row["time"])
    ms.putcell("INTERVAL", r, 10.0)
    ms.putcell("ANTENNA1", r, row["ant1"])
    ms.putcell("ANTENNA2", r, row["ant2"])
    ms.putcell("DATA_DESC_ID", r, ddid)
    ms.putcell("FIELD_ID", r, 0)
    uvw = rng.standard_normal(3) * 100
    ms.putcell("UVW", r, uvw)
    row["uvw"] = list(uvw)
    row["flag_row"] = r % 7 == 3
    ms.putcell("FLAG_ROW", r, row["flag_row"])
    data = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    corr = (data * 2).astype(np.complex64)
    flag = rng.standard_normal(shape) > 0.5
    w = (rng.random_sample(ncorr) + 0.5).astype(np.float32)
    sig = (1 / np.sqrt(w)).astype(np.float32)
    ws = (rng.random_sample(shape) + 0.1).astype(np.float32)
    row["data_defined"] = r % 5 != 2
    row["flag_defined"] = r % 6 != 1
    row["weight_defined"] = r % 8 != 5
    row["ws_defined"] = r % 3 != 0
    if row["data_defined"]:
        ms.putcell("DATA", r, data)
    ms.putcell("CORRECTED_DATA", r, corr)
    if row["flag_defined"]:
        ms.putcell("FLAG", r, flag)
    if row["weight_defined"]:
        ms.putcell("WEIGHT", r, w)
        ms.putcell("SIGMA", r, sig)
    if row["ws_defined"]:
        ms.putcell("WEIGHT_SPECTRUM", r, ws)
    # Expected values, channel-major with the correlation fastest (numpy C order).
    row["data"] = [[float(v.real), float(v.imag)] for v in data.ravel()]
    row["corrected"] = [[float(v.real), float(v.imag)] for v in corr.ravel()]
    row["flag"] = [bool(v) for v in flag.ravel()]
    row["weight"] = [float(v) for v in w]
    row["sigma"] = [float(v) for v in sig]
    row["ws"] = [float(v) for v in ws.ravel()]
    rows.append(row)
ms.close()
with open(js, "w") as f:
    json.dump(rows, f)
