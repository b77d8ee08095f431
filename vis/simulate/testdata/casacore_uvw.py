#!/usr/bin/python3
"""casacore_uvw.py: per-antenna J2000 UVW from casacore measures (dm.to_uvw).

stdin: {"ref": [X,Y,Z], "antennas": [[X,Y,Z], ...], "times": [MJD seconds UTC], "ra": rad, "dec": rad}
stdout: {"uvw": [[[u,v,w] per antenna] per time]} (metres), relative to the reference position.
"""
import json
import sys

from casacore.measures import measures
from casacore.quanta import quantity as q

req = json.load(sys.stdin)
dm = measures()
ref = req["ref"]
dm.do_frame(dm.position("ITRF", q(ref[0], "m"), q(ref[1], "m"), q(ref[2], "m")))
dm.do_frame(dm.direction("J2000", q(req["ra"], "rad"), q(req["dec"], "rad")))
ants = req["antennas"]
rel = [[a[i] - ref[i] for i in range(3)] for a in ants]
bl = dm.baseline("ITRF", q([r[0] for r in rel], "m"), q([r[1] for r in rel], "m"), q([r[2] for r in rel], "m"))
out = []
for t in req["times"]:
    dm.do_frame(dm.epoch("UTC", q(t, "s")))
    v = dm.to_uvw(bl)["xyz"].get_value()
    flat = [float(x) for x in v]
    out.append([flat[3 * i:3 * i + 3] for i in range(len(ants))])
json.dump({"uvw": out}, sys.stdout)
