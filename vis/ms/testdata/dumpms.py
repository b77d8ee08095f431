#!/usr/bin/python3
"""dumpms.py MS OUTDIR - dump what package ms reads from a MeasurementSet, with python-casacore.

OUTDIR/meta.json: spectral windows, polarizations, data descriptions, fields, antennas,
observations.
OUTDIR/<COLUMN>.bin: MAIN columns as little-endian arrays (getcol, numpy C order: row, then
the cell axes reversed, i.e. channel then correlation), and OUTDIR/main.json their dtypes and
shapes. Only for MeasurementSets whose cells all have one shape.
Exit status 3 if python-casacore is missing.
"""
import json
import os
import sys

try:
    import numpy as np
    import casacore.tables as ct
except ImportError:
    sys.exit(3)

ms, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def sub(name):
    return ct.table(os.path.join(ms, name), ack=False)


meta = {}
spw = sub("SPECTRAL_WINDOW")
meta["spw"] = [{"name": spw.getcell("NAME", r),
                "chan_freq": [repr(float(x)) for x in spw.getcell("CHAN_FREQ", r)],
                "chan_width": [repr(float(x)) for x in spw.getcell("CHAN_WIDTH", r)],
                "ref_freq": repr(float(spw.getcell("REF_FREQUENCY", r))),
                "meas_freq_ref": int(spw.getcell("MEAS_FREQ_REF", r))} for r in range(spw.nrows())]
pol = sub("POLARIZATION")
meta["corr_type"] = [[int(x) for x in pol.getcell("CORR_TYPE", r)] for r in range(pol.nrows())]
dd = sub("DATA_DESCRIPTION")
meta["ddid"] = [[int(dd.getcell("SPECTRAL_WINDOW_ID", r)), int(dd.getcell("POLARIZATION_ID", r))]
                for r in range(dd.nrows())]
fld = sub("FIELD")
meta["field"] = []
for r in range(fld.nrows()):
    d = fld.getcell("PHASE_DIR", r)
    meta["field"].append({"name": fld.getcell("NAME", r),
                          "dir": [repr(float(d[0][0])), repr(float(d[0][1]))]})
ant = sub("ANTENNA")
meta["antenna"] = [{"name": ant.getcell("NAME", r), "station": ant.getcell("STATION", r),
                    "position": [repr(float(x)) for x in ant.getcell("POSITION", r)],
                    "dish": repr(float(ant.getcell("DISH_DIAMETER", r)))} for r in range(ant.nrows())]
obs = sub("OBSERVATION")
meta["observation"] = [{"telescope": obs.getcell("TELESCOPE_NAME", r),
                        "time_range": [repr(float(x)) for x in obs.getcell("TIME_RANGE", r)]}
                       for r in range(obs.nrows())]
with open(os.path.join(out, "meta.json"), "w") as f:
    json.dump(meta, f)

tb = ct.table(ms, ack=False)
main = {"nrows": tb.nrows(), "columns": {}}
for name in ["TIME", "INTERVAL", "ANTENNA1", "ANTENNA2", "FIELD_ID", "DATA_DESC_ID", "FLAG_ROW",
             "UVW", "DATA", "FLAG", "WEIGHT", "SIGMA", "WEIGHT_SPECTRUM"]:
    if name not in tb.colnames():
        continue
    a = np.ascontiguousarray(tb.getcol(name))
    main["columns"][name] = {"dtype": a.dtype.str, "shape": list(a.shape)}
    a.tofile(os.path.join(out, name + ".bin"))
with open(os.path.join(out, "main.json"), "w") as f:
    json.dump(main, f)
