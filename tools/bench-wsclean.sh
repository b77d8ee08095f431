#!/usr/bin/env bash
# M1 benchmark, side by side with WSClean (issue 7 item 8): simulate an ALMA-like MS with
# `cubeimg simulate`, image it with `cubeimg run` and with Debian's wsclean, and print for both the
# wall time, CPU time, peak RSS, bytes written, output bytes and the flux recovery against the
# simulation's truth (../shared/tools/check_truth.py).
#
#   tools/bench-wsclean.sh [WORKDIR]         # default WORKDIR: /work/benchdata/m1
#
# Environment (defaults are the M1 benchmark):
#   IMSIZE=1024 CELL=0.15 NCHAN=64 DURATION=1h CONFIG=compact FREQ=345.796GHz NITER=3000
#   NITER_SCOPE=channel   cubeimg's --niter-scope (WSClean's -niter counts per output channel)
#   MAX_RESIDENT=4GiB     cubeimg's --max-resident
#   RUN=both|cubeimg|wsclean|none   which imagers to run (the table uses what is in WORKDIR)
#   KEEP_SIM=1            reuse WORKDIR/sim.ms when it exists
#   SKY=pixel|default     source positions on pixel centres (default) or cubeimg simulate's own
#   CUBEIMG_EXTRA, WSCLEAN_EXTRA   extra flags for either imager
#
# How each figure is measured (the same for both imagers):
#   wall, CPU, peak RSS   /usr/bin/time -f '%e %U %S %M %O' around the imager: %M is ru_maxrss of the
#                         largest process (VmHWM; file pages mapped by the process included)
#   bytes written         write_bytes of /proc/<pid>/io of a wrapper bash, read after it reaped the
#                         imager (Linux adds a reaped child's I/O counters to its parent): bytes the
#                         imager sent, or dirtied for, the storage layer, temporary files included
#                         (cancelled_write_bytes: dirty data of files deleted or truncated before
#                         writeback, also printed). /usr/bin/time's %O (512-byte blocks) is the same
#                         counter and is printed as a cross-check.
#   output bytes          apparent size of what the imager leaves as its result: cubeimg NAME.cube
#                         plus NAME.*.fits (the spool, an input cache kept for re-runs, is listed
#                         apart); WSClean's ws-*.fits
#   load average          /proc/loadavg sampled every 10 s during each run (the machine is shared)
#   flux recovery         check_truth.py on per-channel images (cubeimg's FITS cubes split by
#                         split_cube.py); the summary applies issue 6's acceptance rules
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$repo/../shared}
work=${1:-/work/benchdata/m1}
IMSIZE=${IMSIZE:-1024}
CELL=${CELL:-0.15}
NCHAN=${NCHAN:-64}
DURATION=${DURATION:-1h}
CONFIG=${CONFIG:-compact}
FREQ=${FREQ:-345.796GHz}
NITER=${NITER:-3000}
NITER_SCOPE=${NITER_SCOPE:-channel}
MAX_RESIDENT=${MAX_RESIDENT:-4GiB}
RUN=${RUN:-both}
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1

for t in /usr/bin/time wsclean jq "$PY"; do
	command -v "$t" >/dev/null || { echo "bench-wsclean: $t is not installed" >&2; exit 1; }
done
[ -f "$shared/tools/check_truth.py" ] || { echo "bench-wsclean: $shared/tools/check_truth.py not found (set SHARED)" >&2; exit 1; }

make -C "$repo" build >/dev/null
cubeimg=$repo/bin/cubeimg
mkdir -p "$work"
cd "$work"

# measure NAME DIR CMD...: runs CMD in DIR under /usr/bin/time and a wrapper bash that saves the
# reaped child's /proc I/O counters; writes DIR/NAME.time, NAME.io, NAME.load, NAME.log.
measure() {
	local name=$1 dir=$2
	shift 2
	(
		cd "$dir"
		(while sleep 10; do cut -d' ' -f1 /proc/loadavg; done) >"$name.load" &
		local sampler=$!
		cut -d' ' -f1 /proc/loadavg >>"$name.load"
		local rc=0
		/usr/bin/time -o "$name.time" -f 'wall=%e user=%U sys=%S maxrss_kb=%M out_blocks=%O' \
			bash -c '"$@"; s=$?; cat /proc/$$/io >"'"$name"'.io"; exit $s' bash "$@" >"$name.log" 2>&1 || rc=$?
		kill "$sampler" 2>/dev/null || true
		wait "$sampler" 2>/dev/null || true
		cut -d' ' -f1 /proc/loadavg >>"$name.load"
		if [ $rc -ne 0 ]; then
			echo "bench-wsclean: $name failed (exit $rc); see $dir/$name.log" >&2
			tail -5 "$name.log" >&2
			exit $rc
		fi
	)
}

# 1. The MeasurementSet. SKY=pixel (default): cubeimg simulate's default sky (two continuum
# points, a point with a line, an elliptical Gaussian with a line) with each position moved to the
# nearest pixel centre (multiples of CELL), so that a restored peak measures the imager, not where
# the source falls between pixels (at 3.5 pixels per beam a source a third of a pixel off centre
# peaks about 6% low on its brightest pixel); SKY=default keeps the default positions.
simflags=(--nchan "$NCHAN" --duration "$DURATION" --config "$CONFIG" --freq "$FREQ")
rm -f sky.json
if [ "${SKY:-pixel}" = pixel ]; then
	"$PY" - "$NCHAN" "$CELL" >sky.json <<'PYEOF'
import json, sys
n, cell = int(sys.argv[1]), float(sys.argv[2])
snap = lambda a: round(round(a / cell) * cell, 6)
c1, c2 = 0.35 * (n - 1), 0.65 * (n - 1)
w1, w2 = max(0.06 * n, 1.5), max(0.12 * n, 2.5)
comps = [
    dict(name="P1", type="point", east=snap(4.0), north=snap(2.5), flux_jy=0.40, spectral_index=-0.8),
    dict(name="P2", type="point", east=snap(-6.0), north=snap(3.0), flux_jy=0.15),
    dict(name="P3", type="point", east=snap(2.5), north=snap(-5.0), flux_jy=0.03,
         lines=[dict(peak_jy=0.25, center_chan=c1, fwhm_chan=w1)]),
    dict(name="G1", type="gaussian", east=snap(-3.5), north=snap(-3.0), major_arcsec=2.4, minor_arcsec=1.2,
         pa_deg=35, flux_jy=0.08, lines=[dict(peak_jy=0.8, center_chan=c2, fwhm_chan=w2)]),
]
json.dump(dict(components=comps), sys.stdout, indent=1)
PYEOF
	simflags+=(--sky sky.json)
fi
simkey="${simflags[*]} $(if [ -f sky.json ]; then md5sum <sky.json; fi)"
if [ "${KEEP_SIM:-}" = 1 ] && [ -d sim.ms ] && [ -f sim.flags ] && [ "$(cat sim.flags)" = "$simkey" ]; then
	echo "== reusing $work/sim.ms (${simflags[*]})"
else
	echo "== simulate: cubeimg simulate -o sim.ms ${simflags[*]}"
	"$cubeimg" simulate -o sim.ms "${simflags[@]}" --overwrite -q
	echo "$simkey" >sim.flags
fi

# 2. cubeimg (the spool is removed first so that the run reads the MS, as WSClean does).
cubecmd=("$cubeimg" run --vis ../sim.ms --imagename cub --imsize "$IMSIZE" --cell "${CELL}arcsec"
	--weighting briggs --robust 0.5 --deconvolver hogbom --niter "$NITER" --niter-scope "$NITER_SCOPE"
	--nsigma 3 --usemask auto-multithresh --max-resident "$MAX_RESIDENT" --fits --report run.json --quiet
	${CUBEIMG_EXTRA:-})
if [ "$RUN" = both ] || [ "$RUN" = cubeimg ]; then
	# WSClean (casacore) leaves a table.lock of only casacore's request list (260 zero bytes) in
	# every table of an MS that had none; cubeimg's reader takes such a file for a truncated one
	# and refuses the MS. Remove them: nothing else was there before WSClean ran.
	find sim.ms -name table.lock -size 260c | while read -r f; do
		if cmp -s "$f" <(head -c 260 /dev/zero); then rm -f "$f"; fi
	done
	rm -rf cubeimg && mkdir cubeimg
	echo "== cubeimg: ${cubecmd[*]}"
	measure cubeimg cubeimg "${cubecmd[@]}"
	(
		cd cubeimg
		mkdir -p split
		for k in image model; do
			"$PY" "$shared/tools/split_cube.py" "cub.$k.fits" split/cub "$k"
		done
		"$PY" "$shared/tools/check_truth.py" ../sim.ms.truth.json split/cub --json truth.json --quiet >truth.txt 2>truth.err
	)
fi

# 3. WSClean (temporary reordered files in its own directory; MODEL_DATA is not written).
wscmd=(wsclean -name ws -size "$IMSIZE" "$IMSIZE" -scale "${CELL}asec" -channels-out "$NCHAN"
	-weight briggs 0.5 -niter "$NITER" -auto-threshold 3 -auto-mask 5 -mgain 0.8
	-no-update-model-required -temp-dir . ${WSCLEAN_EXTRA:-} ../sim.ms)
if [ "$RUN" = both ] || [ "$RUN" = wsclean ]; then
	rm -rf wsclean && mkdir wsclean
	echo "== wsclean: ${wscmd[*]}"
	measure wsclean wsclean "${wscmd[@]}"
	(cd wsclean && "$PY" "$shared/tools/check_truth.py" ../sim.ms.truth.json ws --json truth.json --quiet >truth.txt 2>truth.err)
fi

# 4. The table.
"$PY" - "$work" <<'EOF'
import glob, json, math, os, re, sys
import numpy as np

work = sys.argv[1]

def kv(path):
    d = {}
    for line in open(path):
        for m in re.finditer(r"(\w+)[=:]\s*(\S+)", line):
            d[m.group(1)] = m.group(2)
    return d

def size(paths):
    n = 0
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                n += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        elif os.path.exists(p):
            n += os.path.getsize(p)
    return n

runs = {}
for name, outputs, extra in (("cubeimg", ["cub.cube", "cub.*.fits"], ["cub.spool"]), ("wsclean", ["ws-*.fits"], [])):
    d = os.path.join(work, name)
    if not os.path.exists(os.path.join(d, name + ".time")):
        continue
    os.chdir(d)
    outputs = [p for g in outputs for p in glob.glob(g)]
    t, io = kv(name + ".time"), kv(name + ".io")
    load = [float(x) for x in open(name + ".load").read().split()]
    r = dict(wall=float(t["wall"]), cpu=float(t["user"]) + float(t["sys"]), rss=int(t["maxrss_kb"]) * 1024,
             written=int(io["write_bytes"]), cancelled=int(io["cancelled_write_bytes"]),
             oublock=int(t["out_blocks"]) * 512, read=int(io["read_bytes"]), rchar=int(io["rchar"]),
             output=size(outputs), extra=size(extra), load=(min(load), float(np.mean(load)), max(load)))
    if os.path.exists("truth.json"):
        r["truth"] = json.load(open("truth.json"))
    if os.path.exists("run.json"):
        r["report"] = json.load(open("run.json"))
    runs[name] = r

GB = 1e9
def fmt_row(label, f):
    print("| %s | %s |" % (label, " | ".join(f(runs[n]) for n in runs)))

print()
print("| | " + " | ".join(runs) + " |")
print("|---|" + "---|" * len(runs))
fmt_row("wall time", lambda r: "%.1f s" % r["wall"])
fmt_row("CPU time (user+sys)", lambda r: "%.1f s" % r["cpu"])
fmt_row("load average during the run (min/mean/max)", lambda r: "%.1f / %.1f / %.1f" % r["load"])
fmt_row("peak RSS (ru_maxrss)", lambda r: "%.3f GB" % (r["rss"] / GB))
fmt_row("bytes written (write_bytes)", lambda r: "%.3f GB" % (r["written"] / GB))
fmt_row("  of which cancelled (deleted before writeback)", lambda r: "%.3f GB" % (r["cancelled"] / GB))
fmt_row("  time %O x 512 (cross-check)", lambda r: "%.3f GB" % (r["oublock"] / GB))
fmt_row("bytes read from storage / read(2) bytes", lambda r: "%.3f / %.3f GB" % (r["read"] / GB, r["rchar"] / GB))
fmt_row("output bytes", lambda r: "%.3f GB" % (r["output"] / GB))
fmt_row("bytes written / output", lambda r: "%.2f" % (r["written"] / max(1, r["output"])))
if "cubeimg" in runs:
    r = runs["cubeimg"]
    print("\ncubeimg: spool (input cache kept beside the output) %.3f GB" % (r["extra"] / GB))
    rep = r.get("report")
    if rep:
        print("cubeimg run.json: wall %.1f s, peak RSS %.3f GB, write_bytes %.3f GB, output %.3f GB, write amplification %.2f"
              % (rep["wall_s"], rep["memory"]["peak_rss_bytes"] / GB,
                 rep["io"]["write_bytes"] / GB, rep["io"]["output_bytes"] / GB, rep["io"]["write_amplification"]))
        print("cubeimg phases: " + ", ".join("%s %.1f s" % (p["name"], p["seconds"]) for p in rep.get("phases", [])))
        ch = rep.get("channels", {})
        print("cubeimg channels: %s, %s CLEAN components" % (ch.get("stops"), ch.get("iterations")))
if "cubeimg" in runs and "wsclean" in runs:
    c, w = runs["cubeimg"], runs["wsclean"]
    print("\ntargets (issue 7): wall %.2f x WSClean's (target <= 0.33): %s; peak RSS %.2f x (target <= 1): %s; "
          "bytes written %.2f x output (target <= 1.2): %s"
          % (c["wall"] / w["wall"], "met" if c["wall"] <= w["wall"] / 3 else "NOT met",
             c["rss"] / w["rss"], "met" if c["rss"] <= w["rss"] else "NOT met",
             c["written"] / c["output"], "met" if c["written"] <= 1.2 * c["output"] else "NOT met"))

# Flux recovery against the truth, by issue 6's rules.
def science(tr):
    out = {}
    chans = tr["results"]
    names = [s["name"] for s in chans[0]["sources"]]
    for nm in names:
        rows = [(res, next(s for s in res["sources"] if s["name"] == nm)) for res in chans]
        typ = rows[0][1]["type"]
        o = dict(type=typ)
        if typ == "point":
            strong = [(res, s) for res, s in rows if s["true_flux"] / s["rms"] > 50]
            o["n_strong"] = len(strong)
            if strong:
                frac = [abs(s["peak"] - s["true_flux"]) / (0.005 * s["true_flux"] + 3 * s["rms"]) for _, s in strong]
                o["allow_worst"] = max(frac)
                o["bias_median"] = float(np.median([s["peak_rel_err"] for _, s in strong]))
                o["peak_sigma_worst"] = max(abs(s["peak_err_sigma"]) for _, s in strong)
                o["pos_beam_max"] = max(s["offset_beam"] for _, s in strong)
                o["pos_mas_median"] = float(np.median([s["offset_mas"] for _, s in strong]))
        ap = np.array([s["flux_rel_err"] for _, s in rows])
        o["aper_median"] = float(np.median(ap))
        o["aper_worst"] = float(ap[np.argmax(np.abs(ap))])
        o["aper_worst_chan"] = int(np.argmax(np.abs(ap)))
        o["pos_beam_max_all"] = max(s["offset_beam"] for _, s in rows)
        out[nm] = o
    rms = np.array([res["rms"] for res in chans])
    beams = np.array([res["beam_arcsec"][:2] for res in chans])
    return out, rms, beams

sci = {n: science(r["truth"]) for n, r in runs.items() if "truth" in r}
if sci:
    print("\nFlux recovery against the truth (check_truth.py; point sources: channels with true peak > 50 rms)")
    print("\n| source | check | " + " | ".join(sci) + " |")
    print("|---|---|" + "---|" * len(sci))
    first = next(iter(sci.values()))[0]
    for nm, o in first.items():
        if o["type"] == "point":
            lines = [("channels with SNR > 50", lambda s: "%d" % s.get("n_strong", 0)),
                     ("worst peak error / allowance (0.5% + 3 sigma)", lambda s: "%.2f" % s["allow_worst"] if "allow_worst" in s else "-"),
                     ("median peak bias", lambda s: "%+.2f%%" % (100 * s["bias_median"]) if "bias_median" in s else "-"),
                     ("worst peak error in sigma", lambda s: "%.1f" % s["peak_sigma_worst"] if "peak_sigma_worst" in s else "-"),
                     ("position: median / worst", lambda s: "%.0f mas / %.3f beam" % (s["pos_mas_median"], s["pos_beam_max"]) if "pos_beam_max" in s else "-")]
        else:
            lines = [("aperture flux: median error", lambda s: "%+.1f%%" % (100 * s["aper_median"])),
                     ("aperture flux: worst channel", lambda s: "%+.1f%% (ch %d)" % (100 * s["aper_worst"], s["aper_worst_chan"])),
                     ("position: worst", lambda s: "%.3f beam" % s["pos_beam_max_all"])]
        for label, f in lines:
            print("| %s (%s) | %s | %s |" % (nm, o["type"], label, " | ".join(f(v[0][nm]) for v in sci.values())))
    print("| all | image rms median (min-max), mJy/beam | %s |" % " | ".join(
        "%.3f (%.3f-%.3f)" % (1e3 * np.median(v[1]), 1e3 * v[1].min(), 1e3 * v[1].max()) for v in sci.values()))
    print("| all | beam median, arcsec | %s |" % " | ".join(
        "%.3f x %.3f" % tuple(np.median(v[2], axis=0)) for v in sci.values()))
EOF
