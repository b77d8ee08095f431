#!/usr/bin/python3
"""maketables.py OUTDIR - write small CASA tables exercising every storage manager layout the Go
reader supports, in both byte orders, with python-casacore.

Tables (each as OUTDIR/<name>_le and OUTDIR/<name>_be):
  ssm        StandardStMan with 512-byte buckets: scalars of every type, long and short
             strings, fixed-length strings, direct arrays (odd-sized bools), indirect arrays of
             varying shape, undefined cells, string arrays (fixed and varying shape)
  ism        IncrementalStMan with small buckets: runs of repeated values of every type,
             direct and indirect arrays, strings
  tshape     TiledShapeStMan: two cell shapes (two hypercubes), tiles that split the cell axes
             (partial tiles), bools, rows left undefined
  tcolumn    TiledColumnStMan: three data columns in one hypercolumn, partial tiles
  tcell      TiledCellStMan: a hypercube per row, varying shapes
Exit status 3 if python-casacore is missing.
"""
import os
import sys

try:
    import numpy as np
    import casacore.tables as ct
except ImportError:
    sys.exit(3)

NROW = 57
rng = np.random.RandomState(7)


def cplx(shape, dt=np.complex64):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)


def ssm(path, endian):
    cols = [
        ct.makescacoldesc("B", True),
        ct.makescacoldesc("UC", 0, valuetype="uchar"),
        ct.makescacoldesc("SH", 0, valuetype="short"),
        ct.makescacoldesc("I", 0, valuetype="int"),
        ct.makescacoldesc("I64", 0, valuetype="int64"),
        ct.makescacoldesc("F", 0.0, valuetype="float"),
        ct.makescacoldesc("D", 0.0, valuetype="double"),
        ct.makescacoldesc("C", 0j, valuetype="complex"),
        ct.makescacoldesc("DC", 0j, valuetype="dcomplex"),
        ct.makescacoldesc("S", ""),
        ct.makescacoldesc("SFIX", "", maxlen=12),
        ct.makearrcoldesc("AD", 0.0, shape=[3], options=5),
        ct.makearrcoldesc("AB", True, shape=[5], options=5),
        ct.makearrcoldesc("AC", 0j, shape=[2, 3], valuetype="complex", options=5),
        ct.makearrcoldesc("VF", 0.0, ndim=2, valuetype="float"),
        ct.makearrcoldesc("VB", True, ndim=2),
        ct.makearrcoldesc("VC", 0j, ndim=1, valuetype="complex"),
        ct.makearrcoldesc("FS", "", shape=[2], options=5),
        ct.makearrcoldesc("VS", "", ndim=1),
    ]
    dm = {"*1": {"TYPE": "StandardStMan", "NAME": "ssm", "SPEC": {"BUCKETSIZE": 512},
                 "COLUMNS": [c["name"] for c in cols]}}
    tb = ct.table(path, ct.maketabdesc(cols), nrow=NROW, dminfo=dm, endian=endian, ack=False)
    for r in range(NROW):
        tb.putcell("B", r, r % 3 == 0)
        tb.putcell("UC", r, r * 7 % 256)
        tb.putcell("SH", r, -300 + 11 * r)
        tb.putcell("I", r, -(r * 100003))
        tb.putcell("I64", r, (r - 20) * 10**12)
        tb.putcell("F", r, float(np.float32(rng.standard_normal())))
        tb.putcell("D", r, rng.standard_normal() * 1e9)
        tb.putcell("C", r, complex(cplx(())))
        tb.putcell("DC", r, complex(cplx((), np.complex128)))
        tb.putcell("S", r, "x" * (r % 23))
        tb.putcell("SFIX", r, "fix%d" % r)
        tb.putcell("AD", r, rng.standard_normal(3))
        tb.putcell("AB", r, rng.standard_normal(5) > 0)
        tb.putcell("AC", r, cplx((2, 3)))
        if r % 5 != 4:  # leave some indirect cells undefined
            tb.putcell("VF", r, rng.standard_normal((1 + r % 3, 1 + r % 4)).astype(np.float32))
            tb.putcell("VB", r, rng.standard_normal((2, 1 + r % 9)) > 0)
            tb.putcell("VC", r, cplx((1 + r % 6,)))
            tb.putcell("VS", r, ["s%d" % k * (k + 1) for k in range(1 + r % 4)])
        tb.putcell("FS", r, ["a%d" % r, "bbbbbbbbbbbbbbbbbbbbbbbb%d" % r])
    tb.close()


def ism(path, endian):
    cols = [
        ct.makescacoldesc("B", True),
        ct.makescacoldesc("I", 0, valuetype="int"),
        ct.makescacoldesc("F", 0.0, valuetype="float"),
        ct.makescacoldesc("D", 0.0, valuetype="double"),
        ct.makescacoldesc("C", 0j, valuetype="complex"),
        ct.makescacoldesc("S", ""),
        ct.makearrcoldesc("AD", 0.0, shape=[2], options=5),
        ct.makearrcoldesc("AB", True, shape=[3], options=5),
        ct.makearrcoldesc("VD", 0.0, ndim=1),
    ]
    dm = {"*1": {"TYPE": "IncrementalStMan", "NAME": "ism", "SPEC": {"BUCKETSIZE": 256},
                 "COLUMNS": [c["name"] for c in cols]}}
    tb = ct.table(path, ct.maketabdesc(cols), nrow=NROW, dminfo=dm, endian=endian, ack=False)
    for r in range(NROW):
        k = r // 4  # runs of equal values
        tb.putcell("B", r, k % 2 == 0)
        tb.putcell("I", r, k * 1000 - 7)
        tb.putcell("F", r, float(k) / 3)
        tb.putcell("D", r, 4.9e9 + k * 0.5)
        tb.putcell("C", r, complex(k, -k))
        tb.putcell("S", r, "field-%d" % (r // 6))
        tb.putcell("AD", r, [k, -k])
        tb.putcell("AB", r, [k % 2 == 0, True, k % 3 == 0])
        if r % 7 != 6:
            tb.putcell("VD", r, np.arange(1 + k % 4, dtype=float) + k)
    tb.close()


def tshape(path, endian):
    cols = [
        ct.makearrcoldesc("DATA", 0j, ndim=2, valuetype="complex"),
        ct.makearrcoldesc("FLAG", True, ndim=2),
    ]
    dm = {"*1": {"TYPE": "TiledShapeStMan", "NAME": "tdata",
                 "SPEC": {"DEFAULTTILESHAPE": np.array([2, 3, 4], dtype=np.int32)}, "COLUMNS": ["DATA"]},
          "*2": {"TYPE": "TiledShapeStMan", "NAME": "tflag",
                 "SPEC": {"DEFAULTTILESHAPE": np.array([3, 2, 5], dtype=np.int32)}, "COLUMNS": ["FLAG"]}}
    tb = ct.table(path, ct.maketabdesc(cols), nrow=NROW, dminfo=dm, endian=endian, ack=False)
    for r in range(NROW):
        if r % 11 == 10:
            continue  # undefined
        shape = (7, 4) if (r // 9) % 2 == 0 else (3, 2)  # numpy order: (nchan, ncorr)
        tb.putcell("DATA", r, cplx(shape))
        tb.putcell("FLAG", r, rng.standard_normal(shape) > 0.3)
    tb.close()


def tcolumn(path, endian):
    cols = [
        ct.makearrcoldesc("DATA", 0j, shape=[7, 4], valuetype="complex", options=4),
        ct.makearrcoldesc("FLAG", True, shape=[7, 4], options=4),
        ct.makearrcoldesc("WS", 0.0, shape=[7, 4], valuetype="float", options=4),
    ]
    td = ct.maketabdesc(cols)
    dm = {"*1": {"TYPE": "TiledColumnStMan", "NAME": "tcol",
                 "SPEC": {"DEFAULTTILESHAPE": np.array([3, 4, 5], dtype=np.int32)},
                 "COLUMNS": ["DATA", "FLAG", "WS"]}}
    tb = ct.table(path, td, nrow=NROW, dminfo=dm, endian=endian, ack=False)
    tb.putcol("DATA", cplx((NROW, 7, 4)))
    tb.putcol("FLAG", rng.standard_normal((NROW, 7, 4)) > 0)
    tb.putcol("WS", rng.standard_normal((NROW, 7, 4)).astype(np.float32))
    tb.close()


def tcell(path, endian):
    cols = [ct.makearrcoldesc("IMG", 0.0, ndim=2, valuetype="float")]
    dm = {"*1": {"TYPE": "TiledCellStMan", "NAME": "tcell",
                 "SPEC": {"DEFAULTTILESHAPE": np.array([2, 3], dtype=np.int32)}, "COLUMNS": ["IMG"]}}
    tb = ct.table(path, ct.maketabdesc(cols), nrow=9, dminfo=dm, endian=endian, ack=False)
    for r in range(9):
        tb.putcell("IMG", r, rng.standard_normal((1 + r % 4, 2 + r)).astype(np.float32))
    tb.close()


out = sys.argv[1]
for name, fn in [("ssm", ssm), ("ism", ism), ("tshape", tshape), ("tcolumn", tcolumn), ("tcell", tcell)]:
    for endian, tag in [("little", "le"), ("big", "be")]:
        fn(os.path.join(out, "%s_%s" % (name, tag)), endian)
