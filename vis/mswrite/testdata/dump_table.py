#!/usr/bin/python3
"""dump_table.py TABLE...: print CASA tables as JSON, read with python-casacore.

Output: {path: table} with, per table: {"nrows", "keywords", "info", "columns": {name: {"desc": coldesc, "keywords", "values":
[cell per row]}}}. Complex values are [re, im] pairs; an undefined array cell is null; a cell
is {"shape": [casacore order], "data": [flat, first axis fastest]} for arrays, the bare value
for scalars.
"""
import json
import sys

import numpy as np
from casacore.tables import table


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return plain(v.tolist())
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (complex, np.complexfloating)):
        return [float(v.real), float(v.imag)]
    if isinstance(v, np.generic):
        return v.item()
    return v


def cell(t, col, row, is_array):
    if not is_array:
        return plain(t.getcell(col, row))
    if not t.iscelldefined(col, row):
        return None
    v = t.getcell(col, row)
    if isinstance(v, dict):  # string arrays of more than one axis: flat in casacore order
        return {"shape": list(v["shape"])[::-1], "data": plain(list(v["array"]))}
    if isinstance(v, list):  # 1-D string array
        data = np.array(v, dtype=object)
        shape = [len(v)]
    else:
        data = v
        shape = list(v.shape)
    # python-casacore gives the axes reversed (C order), so its flat C-order data are casacore's
    # flat order (first casacore axis fastest).
    return {"shape": shape[::-1], "data": plain(np.asarray(data).reshape(-1))}


def dump(path):
    t = table(path, ack=False)
    out = {"nrows": t.nrows(), "keywords": plain(t.getkeywords()), "info": t.info(), "columns": {}}
    for col in t.colnames():
        d = t.getcoldesc(col)
        is_array = "ndim" in d
        out["columns"][col] = {
            "desc": plain({k: v for k, v in d.items() if k != "keywords"}),
            "keywords": plain(t.getcolkeywords(col)),
            "values": [cell(t, col, r, is_array) for r in range(t.nrows())],
        }
    return out


def main():
    json.dump({p: dump(p) for p in sys.argv[1:]}, sys.stdout)


if __name__ == "__main__":
    main()
