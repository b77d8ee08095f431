#!/usr/bin/env bash
# Scale benchmark (issue 7 item 9): `cubeimg run --max-resident 1GiB` on large cubes, each run inside a
# memory cgroup of 1.1 GiB, for a list of channel counts; prints peak RSS against nchan.
#
#   tools/bench-scale.sh [WORKDIR]          # default WORKDIR: /work/benchdata/scale
#
# Environment:
#   IMSIZE=4096 CELL=0.15 NCHANS="16 64 256" DURATION=30m FREQ=345.796GHz (30 min: shorter tracks leave PSF
#   sidelobes so high that auto-multithresh masks nothing)
#   MAX_RESIDENT=1GiB  CGROUP_LIMIT=1.1GiB (bytes, or a number with MiB/GiB)
#   NITER=100 (per channel: --niter-scope channel), NSIGMA=5, USEMASK=auto-multithresh
#   CUBEIMG_EXTRA: extra flags for cubeimg run; KEEP=1 keeps each cube (default: removed after its run)
#
# The cgroup is created as a child of this shell's own memory cgroup (v1 memory.limit_in_bytes, or v2
# memory.max with memory.swap.max 0), the run's process is moved into it before it execs cubeimg
# (so the spool, every tile written through the page cache and every buffer are charged to it), and
# the cgroup is removed afterwards. Without permission to create it, the runs go ahead without a
# cgroup and the table says so. Per run it records: /usr/bin/time's wall and ru_maxrss, run.json's
# VmHWM, budget peak and I/O, the cgroup's peak usage (v1 memory.max_usage_in_bytes, v2
# memory.peak), its failcnt / OOM kills, and the exit status.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/work/benchdata/scale}
IMSIZE=${IMSIZE:-4096}
CELL=${CELL:-0.15}
NCHANS=${NCHANS:-16 64 256}
DURATION=${DURATION:-30m}
FREQ=${FREQ:-345.796GHz}
MAX_RESIDENT=${MAX_RESIDENT:-1GiB}
CGROUP_LIMIT=${CGROUP_LIMIT:-1.1GiB}
NITER=${NITER:-100}
NSIGMA=${NSIGMA:-5}
USEMASK=${USEMASK:-auto-multithresh}

bytes() { # 1.1GiB -> bytes
	/usr/bin/python3 -c 'import re,sys; m=re.fullmatch(r"([0-9.]+)\s*([KMG]i?B)?", sys.argv[1]); u={"KiB":2**10,"MiB":2**20,"GiB":2**30,"KB":1e3,"MB":1e6,"GB":1e9,None:1}[m.group(2)]; print(int(float(m.group(1))*u))' "$1"
}
limit=$(bytes "$CGROUP_LIMIT")

make -C "$repo" build >/dev/null
cubeimg=$repo/bin/cubeimg
mkdir -p "$work"
cd "$work"

# cgroup_create NAME: prints the new cgroup's directory and version ("v1 DIR" or "v2 DIR"), or nothing.
cgroup_create() {
	local name=$1 rel dir
	if rel=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup) && [ -n "$rel" ] && [ -d /sys/fs/cgroup/memory ]; then
		dir=/sys/fs/cgroup/memory${rel%/}/$name
		if mkdir "$dir" 2>/dev/null; then
			if echo "$limit" >"$dir/memory.limit_in_bytes" 2>/dev/null; then
				[ -f "$dir/memory.memsw.limit_in_bytes" ] && echo "$limit" >"$dir/memory.memsw.limit_in_bytes" 2>/dev/null || true
				echo "v1 $dir"
				return
			fi
			rmdir "$dir"
		fi
	fi
	if rel=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup) && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		dir=/sys/fs/cgroup${rel%/}/$name
		if mkdir "$dir" 2>/dev/null; then
			if echo "$limit" >"$dir/memory.max" 2>/dev/null; then
				echo 0 >"$dir/memory.swap.max" 2>/dev/null || true
				echo "v2 $dir"
				return
			fi
			rmdir "$dir"
		fi
	fi
}

if [ ! -d sim.ms ] || [ "$(cat sim.flags 2>/dev/null)" != "$DURATION $FREQ $(echo "$NCHANS" | tr ' ' '\n' | sort -n | tail -1)" ]; then
	maxchan=$(echo "$NCHANS" | tr ' ' '\n' | sort -n | tail -1)
	echo "== simulate: --nchan $maxchan --duration $DURATION --freq $FREQ"
	"$cubeimg" simulate -o sim.ms --nchan "$maxchan" --duration "$DURATION" --freq "$FREQ" --config compact --overwrite -q
	echo "$DURATION $FREQ $maxchan" >sim.flags
fi

results=()
for n in $NCHANS; do
	d=n$n
	rm -rf "$d" && mkdir "$d"
	cmd=("$cubeimg" run --vis ../sim.ms --imagename cub --nchan "$n" --imsize "$IMSIZE" --cell "${CELL}arcsec"
		--weighting briggs --robust 0.5 --niter "$NITER" --niter-scope channel --nsigma "$NSIGMA"
		--usemask "$USEMASK" --max-resident "$MAX_RESIDENT" --report run.json --quiet ${CUBEIMG_EXTRA:-})
	cg=$(cgroup_create "cubeimg-bench-scale-$$-$n")
	ver=${cg%% *}
	dir=${cg#* }
	echo "== nchan $n: ${cmd[*]}  (cgroup: ${cg:-none, not permitted})"
	df -h "$work" | tail -1
	load0=$(cut -d' ' -f1 /proc/loadavg)
	rc=0
	(
		cd "$d"
		if [ -n "$cg" ]; then
			/usr/bin/time -o time.txt -f 'wall=%e user=%U sys=%S maxrss_kb=%M' \
				bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' bash "$dir" "${cmd[@]}" >log.txt 2>&1
		else
			/usr/bin/time -o time.txt -f 'wall=%e user=%U sys=%S maxrss_kb=%M' "${cmd[@]}" >log.txt 2>&1
		fi
	) || rc=$?
	load1=$(cut -d' ' -f1 /proc/loadavg)
	peak=- fail=- oom=-
	if [ "$ver" = v1 ]; then
		peak=$(cat "$dir/memory.max_usage_in_bytes")
		fail=$(cat "$dir/memory.failcnt")
		oom=$(awk '$1 == "oom_kill" {print $2}' "$dir/memory.oom_control")
	elif [ "$ver" = v2 ]; then
		peak=$(cat "$dir/memory.peak" 2>/dev/null || echo -)
		fail=$(awk '$1 == "max" {print $2}' "$dir/memory.events")
		oom=$(awk '$1 == "oom_kill" {print $2}' "$dir/memory.events")
	fi
	[ -n "$cg" ] && rmdir "$dir"
	du -sb "$d/cub.cube" 2>/dev/null | cut -f1 >"$d/cube_bytes.txt" || true
	echo "cgroup=$ver limit=$limit peak=$peak failcnt=$fail oom_kill=$oom rc=$rc load=$load0..$load1" | tee "$d/cgroup.txt"
	tail -3 "$d/log.txt"
	[ "${KEEP:-}" = 1 ] || rm -rf "$d/cub.cube" "$d/cub.spool"
done

# The table.
/usr/bin/python3 - "$work" $NCHANS <<'EOF'
import json, os, re, sys
work, nchans = sys.argv[1], sys.argv[2:]
MiB = 2**20
print("\n| nchan | exit | wall | CPU | peak RSS (time / VmHWM) | budget peak | cgroup peak (limit) | failcnt / OOM kills | written | store | write ampl. | load |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for n in nchans:
    d = os.path.join(work, "n" + n)
    kv = lambda p: dict(m.groups() for m in re.finditer(r"(\w+)=(\S+)", open(p).read()))
    t, cg = kv(os.path.join(d, "time.txt")), kv(os.path.join(d, "cgroup.txt"))
    try:
        r = json.load(open(os.path.join(d, "run.json")))
    except Exception:
        r = None
    fmt = lambda b: "%.0f MiB" % (int(b) / MiB) if b not in ("-", None) else "-"
    row = [n, cg["rc"], "%.0f s" % float(t.get("wall", "nan")), "%.0f s" % (float(t.get("user", "nan")) + float(t.get("sys", "nan"))),
           "%s / %s" % (fmt(int(t.get("maxrss_kb", 0)) * 1024), fmt(r["memory"]["peak_rss_bytes"]) if r else "-"),
           fmt(r["memory"]["budget_peak_bytes"]) if r else "-",
           "%s (%s)" % (fmt(cg["peak"]), fmt(cg["limit"])), "%s / %s" % (cg["failcnt"], cg["oom_kill"]),
           "%.2f GB" % (r["io"]["write_bytes"] / 1e9) if r else "-", "%.2f GB" % (r["io"]["output_bytes"] / 1e9) if r else "-",
           "%.2f" % r["io"]["write_amplification"] if r else "-", cg["load"]]
    print("| " + " | ".join(str(x) for x in row) + " |")
    if r and r.get("error"):
        print("|  | error: %s |" % r["error"])
EOF
