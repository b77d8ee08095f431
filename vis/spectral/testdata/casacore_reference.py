#!/usr/bin/python3
"""Reference frequency-frame conversions computed with python-casacore's measures.

Reads a JSON request on stdin:
  {"ms": [path, ...],
   "cases": [{"pos": [x, y, z], "dir": [lon, lat, "J2000"], "time": mjd_seconds,
              "from": "TOPO", "to": "LSRK", "freq": hz}, ...],
   "tai_utc": [mjd_utc_days, ...]}
and writes JSON on stdout:
  {"cases": [<case with "out": hz>, ...], "tai_utc": [seconds, ...],
   "ms": [{"path": ..., "telescope": ..., "position_source": "observatory"|"antenna0", "cases": [...]}]}

For each MeasurementSet it takes the observatory position as tclean does (the casacore
Observatories entry for OBSERVATION.TELESCOPE_NAME, else the first antenna's position), every
field's PHASE_DIR with its reference frame, three row times (first, middle, last) and the first and
last channel of every spectral window; it converts from the window's MEAS_FREQ_REF to LSRK when
that frame is convertible, and from TOPO to LSRK in every case (to exercise each site and epoch).
"""
import json
import sys

from casacore import quanta as qa
from casacore.measures import measures
from casacore.tables import table

DM = measures()


def convert(pos, direction, time, frm, to, freq):
    DM.doframe(DM.position('ITRF', qa.quantity(pos[0], 'm'), qa.quantity(pos[1], 'm'),
                           qa.quantity(pos[2], 'm')))
    DM.doframe(DM.epoch('UTC', qa.quantity(time, 's')))
    DM.doframe(DM.direction(direction[2], qa.quantity(direction[0], 'rad'),
                            qa.quantity(direction[1], 'rad')))
    f = DM.frequency(frm, qa.quantity(freq, 'Hz'))
    return DM.measure(f, to)['m0']['value']


def ms_cases(path):
    obs = table(path + '/OBSERVATION', ack=False)
    telescope = obs.getcol('TELESCOPE_NAME')[0]
    try:
        pos = qa_to_xyz(DM.measure(DM.observatory(telescope.upper()), 'ITRF'))
        source = 'observatory'
    except RuntimeError:
        ant = table(path + '/ANTENNA', ack=False)
        pos = [float(x) for x in ant.getcol('POSITION')[0]]
        source = 'antenna0'
    fld = table(path + '/FIELD', ack=False)
    minfo = fld.getcolkeywords('PHASE_DIR')['MEASINFO']
    phase = fld.getcol('PHASE_DIR')
    if 'VarRefCol' in minfo:
        codes = fld.getcol(minfo['VarRefCol'])
        names = dict(zip([int(c) for c in minfo['TabRefCodes']], minfo['TabRefTypes']))
        frames = [names[int(c)] for c in codes]
    else:
        frames = [minfo['Ref']] * fld.nrows()
    main = table(path, ack=False)
    times = sorted(set(main.getcol('TIME')))
    picks = sorted(set([times[0], times[len(times) // 2], times[-1]]))
    spw = table(path + '/SPECTRAL_WINDOW', ack=False)
    out = []
    for s in range(spw.nrows()):
        ref = int(spw.getcell('MEAS_FREQ_REF', s))
        freqs = spw.getcell('CHAN_FREQ', s)
        ref_name = ['REST', 'LSRK', 'LSRD', 'BARY', 'GEO', 'TOPO', 'GALACTO', 'LGROUP', 'CMB'][ref] \
            if ref < 9 else 'Undefined'
        for f in range(fld.nrows()):
            d = [float(phase[f][0][0]), float(phase[f][0][1]), frames[f]]
            for t in picks:
                for nu in sorted(set([float(freqs[0]), float(freqs[-1])])):
                    froms = ['TOPO']
                    if ref_name not in ('TOPO', 'REST', 'Undefined'):
                        froms.append(ref_name)
                    for frm in froms:
                        out.append({'pos': pos, 'dir': d, 'time': float(t), 'from': frm, 'to': 'LSRK',
                                    'freq': nu, 'out': convert(pos, d, float(t), frm, 'LSRK', nu),
                                    'spw': s, 'field': f, 'ms_frame': ref_name})
    return {'path': path, 'telescope': telescope, 'position_source': source, 'cases': out}


def qa_to_xyz(p):
    """Rectangular ITRF coordinates of a casacore position record in ITRF (lon, lat, radius)."""
    import math
    lon = p['m0']['value']
    lat = p['m1']['value']
    r = p['m2']['value']
    return [r * math.cos(lat) * math.cos(lon), r * math.cos(lat) * math.sin(lon), r * math.sin(lat)]


def main():
    req = json.load(sys.stdin)
    res = {'cases': [], 'ms': [], 'tai_utc': []}
    for mjd in req.get('tai_utc', []):
        tai = DM.measure(DM.epoch('UTC', qa.quantity(mjd, 'd')), 'TAI')['m0']['value']
        res['tai_utc'].append((tai - mjd) * 86400.0)
    for c in req.get('cases', []):
        c = dict(c)
        c['out'] = convert(c['pos'], c['dir'], c['time'], c['from'], c['to'], c['freq'])
        res['cases'].append(c)
    for path in req.get('ms', []):
        res['ms'].append(ms_cases(path))
    json.dump(res, sys.stdout)


if __name__ == '__main__':
    main()
