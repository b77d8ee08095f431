#!/usr/bin/env bash
# Starts (or stops) a one-node Slurm cluster on localhost for tests: munged, slurmctld and slurmd with
# a configuration written under $SLURM_TEST_DIR (default /tmp/cubeimg-slurm). Needs root and Debian's
# slurm-wlm and munge packages. Prints `export SLURM_CONF=...` for the caller.
#   tools/slurm-local.sh start | stop | status
set -euo pipefail
dir=${SLURM_TEST_DIR:-/tmp/cubeimg-slurm}
conf=$dir/slurm.conf
host=$(hostname -s)
cpus=$(nproc)
memmb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))

stop() {
	for p in slurmd slurmctld; do
		[ -f "$dir/$p.pid" ] && kill "$(cat "$dir/$p.pid")" 2>/dev/null || true
	done
	pkill -f "slurmd -f $conf" 2>/dev/null || true
	pkill -f "slurmctld -f $conf" 2>/dev/null || true
	[ -f "$dir/munged.pid" ] && kill "$(cat "$dir/munged.pid")" 2>/dev/null || true
	sleep 0.5
}

start() {
	stop
	rm -rf "$dir"
	mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
	chmod 700 "$dir/munge"
	if [ ! -s /etc/munge/munge.key ]; then
		dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
	fi
	chown root:root /etc/munge/munge.key 2>/dev/null || true
	chmod 400 /etc/munge/munge.key
	munged --force --socket="$dir/munge/munge.socket.2" --pid-file="$dir/munged.pid" \
		--log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" --key-file=/etc/munge/munge.key
	cat >"$conf" <<CONF
ClusterName=cubeimgtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket.2,cred_expire=5
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
JobRequeue=1
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$memmb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
	cp "$conf" "$dir/cgroup.conf.unused" 2>/dev/null || true
	slurmctld -f "$conf"
	slurmd -f "$conf"
	for _ in $(seq 1 60); do
		if SLURM_CONF=$conf sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
			echo "export SLURM_CONF=$conf"
			return 0
		fi
		sleep 0.5
	done
	echo "slurm did not come up; logs in $dir/log" >&2
	tail -20 "$dir/log/"*.log >&2 || true
	return 1
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) SLURM_CONF=$conf sinfo ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
