#!/usr/bin/python3
"""The Earth's barycentric velocity from astropy's built-in ephemeris (ERFA epv00).

Reads a JSON list of TDB MJDs on stdin, writes a JSON list of [vx, vy, vz] in m/s (ICRS axes).
"""
import json
import sys

import astropy.units as u
from astropy.coordinates import get_body_barycentric_posvel, solar_system_ephemeris
from astropy.time import Time

mjds = json.load(sys.stdin)
out = []
with solar_system_ephemeris.set('builtin'):
    for mjd in mjds:
        _, vel = get_body_barycentric_posvel('earth', Time(mjd, format='mjd', scale='tdb'))
        out.append([float(x) for x in vel.xyz.to(u.m / u.s).value])
json.dump(out, sys.stdout)
