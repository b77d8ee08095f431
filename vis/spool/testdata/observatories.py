#!/usr/bin/python3
"""observatories.py - casacore's observatory positions in ITRF metres, as JSON {name: [x, y, z]}.
Exit status 3 if python-casacore is missing."""
import json
import math
import sys

try:
    from casacore.measures import measures
except ImportError:
    sys.exit(3)

dm = measures()
out = {}
for name in dm.obslist():
    p = dm.measure(dm.observatory(name), "ITRF")
    lon, lat, r = p["m0"]["value"], p["m1"]["value"], p["m2"]["value"]
    out[name] = [r * math.cos(lat) * math.cos(lon), r * math.cos(lat) * math.sin(lon), r * math.sin(lat)]
json.dump(out, sys.stdout)
