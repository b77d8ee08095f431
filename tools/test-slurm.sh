#!/usr/bin/env bash
# make test-slurm: cubeimg slurm on a one-node Slurm cluster on localhost (cmd/cubeimg
# TestSlurmCluster). Installs Debian's slurm-wlm and munge if missing, starts munged, slurmctld and
# slurmd with tools/slurm-local.sh, runs the test, and stops the daemons. Where Slurm cannot be
# started (not root, no apt, the daemons do not come up) it says why and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
skip() {
	echo "test-slurm: SKIPPED: $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root to run munged, slurmctld and slurmd (run make test-slurm as root, as CI does)"
missing=()
for p in slurm-wlm munge; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	command -v apt-get >/dev/null || skip "no apt-get to install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } || skip "could not install ${missing[*]}"
fi
dir=${SLURM_TEST_DIR:-/tmp/cubeimg-slurm}
trap 'tools/slurm-local.sh stop' EXIT
if ! env=$(tools/slurm-local.sh start); then
	skip "Slurm did not start on this machine (logs in $dir/log)"
fi
eval "$env"
export SLURM_CONF
# The test builds cubeimg with the pure-Go FFT: FFTW_MEASURE may pick other plans in other
# processes, which changes results in the last bits (README, Running on a cluster).
CUBEIMG_TEST_SLURM=1 go test -count=1 -timeout 15m -run 'TestSlurmCluster$' -v ./cmd/cubeimg
