#!/usr/bin/python3
"""dumptable.py OUTDIR TABLE... - dump every column of CASA tables with python-casacore.

Written for the Go tests of package casatable: the Go reader must reproduce these values
exactly. Table number i goes to OUTDIR/<i>/: manifest.json lists the table's row count and, per column, either
  {"name", "kind": "raw", "dtype", "shape"}  the whole column as one little-endian array in
                                             OUTDIR/<name>.bin (numpy C order, so the casacore
                                             cell axes come reversed after the row axis), or
  {"name", "kind": "cells", "cells": [...]}  per row: null (undefined cell or unreadable), a
                                             scalar, or {"shape": casacore order, "data": flat in
                                             casacore order}.
Floats in cells are encoded as strings of their repr ("nan", "inf" included) so that they
round-trip exactly; complex values as [re, im].
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


def enc(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (complex, np.complexfloating)):
        return [repr(float(v.real)), repr(float(v.imag))]
    if isinstance(v, (str, bytes)):
        return v if isinstance(v, str) else v.decode()
    raise TypeError(type(v))


def enc_record(r):
    out = {}
    for k, v in r.items():
        if isinstance(v, dict):
            out[k] = {"record": enc_record(v)}
        elif isinstance(v, np.ndarray):
            out[k] = {"shape": list(reversed(v.shape)), "data": [enc(x) for x in v.ravel()]}
        else:
            out[k] = enc(v)
    return out


def cell(tb, name, row):
    try:
        if not tb.iscelldefined(name, row):
            return None
        v = tb.getcell(name, row)
    except RuntimeError:
        return None
    if isinstance(v, np.ndarray):
        return {"shape": list(reversed(v.shape)), "data": [enc(x) for x in v.ravel()]}
    if isinstance(v, dict):
        if "array" in v and "shape" in v:  # string arrays in some versions
            return {"shape": list(reversed(v["shape"])), "data": [enc(x) for x in v["array"]]}
        return {"record": enc_record(v)}
    if isinstance(v, list):
        return {"shape": [len(v)], "data": [enc(x) for x in v]}
    return enc(v)


def dump(src, out):
    os.makedirs(out, exist_ok=True)
    tb = ct.table(src, ack=False)
    n = tb.nrows()
    cols = []
    desc = tb.getdesc()
    for name in tb.colnames():
        cd = desc[name]
        vt = cd["valueType"]
        entry = {"name": name}
        raw = None
        if vt not in ("string", "record") and n > 0:
            try:
                if all(tb.iscelldefined(name, r) for r in range(n)):
                    # getcol crashes python-casacore 3.5 on columns of varying shape.
                    if tb.isscalarcol(name) or len(set(tb.getcolshapestring(name))) == 1:
                        raw = tb.getcol(name)
            except RuntimeError:
                raw = None
        if raw is not None and isinstance(raw, np.ndarray) and raw.dtype != object:
            arr = np.ascontiguousarray(raw)
            if arr.dtype.byteorder == ">":
                arr = arr.byteswap().newbyteorder()
            entry.update(kind="raw", dtype=arr.dtype.str, shape=list(arr.shape))
            arr.tofile(os.path.join(out, name + ".bin"))
        else:
            entry.update(kind="cells", cells=[cell(tb, name, r) for r in range(n)])
        cols.append(entry)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"nrows": n, "columns": cols}, f)
    tb.close()


for i, src in enumerate(sys.argv[2:]):
    dump(src, os.path.join(sys.argv[1], str(i)))
