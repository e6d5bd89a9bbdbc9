#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for tests: Debian's slurm-wlm and munge,
# a configuration written for this host, and daemons that are this script's own.
#
#   scripts/slurm/cluster.sh start DIR    install if needed, configure, start, wait for idle
#   scripts/slurm/cluster.sh status DIR   which of our daemons run; sinfo
#   scripts/slurm/cluster.sh stop DIR     cancel our jobs, stop our daemons, remove DIR
#   scripts/slurm/cluster.sh env DIR      prints `export SLURM_CONF=...` for sbatch/sinfo/squeue
#
# Everything lives in DIR (made if missing; `stop` removes it): slurm.conf, the munge key and
# socket, state, spool, logs and the pid files. Nothing under /etc is written, and the system's
# own munged (if any) is left alone: ours listens on DIR/munge.socket, which slurm.conf names
# (AuthInfo=socket=..., used by the job credentials too). `stop` kills only the pids in DIR's
# pid files, and only when that process's command line names DIR, so a recycled pid is never hit.
# Ports are picked free, so two clusters on one machine do not collide.
#
# Why each setting: see the comments in write_config below.
# Runs as root (slurmd must, to start jobs as their owner). Start takes about 2 s (plus about
# 15 s for apt the first time), stop about 2 s.
set -euo pipefail

die() { echo "cluster.sh: $*" >&2; exit 1; }

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"

conf="$dir/slurm.conf"

# The daemons we may start, each with its pid file.
daemons=(slurmd slurmctld munged)
pidfile() { echo "$dir/$1.pid"; }

# The pid in $1's pid file if that process is alive and is ours (its command line names $dir).
our_pid() {
    local f pid
    f=$(pidfile "$1")
    [[ -s $f ]] || return 1
    pid=$(<"$f")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/" || return 1
    echo "$pid"
}

install_packages() {
    local missing=()
    command -v slurmctld >/dev/null || missing+=(slurmctld)
    command -v slurmd >/dev/null || missing+=(slurmd)
    command -v sbatch >/dev/null || missing+=(slurm-client)
    command -v munged >/dev/null || missing+=(munge)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    echo "cluster.sh: installing slurm-wlm munge (missing: ${missing[*]})" >&2
    # The packages' own services are not needed (and on a machine without systemd their
    # start fails harmlessly); ours run from DIR.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >"$dir/apt.log" 2>&1; then
        apt-get update -q >>"$dir/apt.log" 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >>"$dir/apt.log" 2>&1 \
            || { tail -20 "$dir/apt.log" >&2; die "apt-get install slurm-wlm munge failed (log: $dir/apt.log)"; }
    fi
}

# A free TCP port: the kernel picks one, so two clusters on one machine never collide.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

write_config() {
    local host cpus mem ctld_port d_port
    host=$(hostname -s)
    # What slurmd itself detects (CPUs, sockets, cores, threads, memory), so the node is
    # described exactly and slurmctld does not drain it for a mismatch.
    local node
    node=$(slurmd -C | head -1)
    [[ $node == NodeName=* ]] || die "slurmd -C printed no node line: $node"
    ctld_port=$(free_port)
    d_port=$(free_port)
    [[ $ctld_port != "$d_port" ]] || d_port=$(free_port)
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    cat >"$conf" <<EOF
# Written by scripts/slurm/cluster.sh for $host.
ClusterName=bpetest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
# Root runs both daemons: one machine, no service accounts to set up.
SlurmUser=root
SlurmdUser=root
# Our own munged, not the system's.
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
# No cgroups: none of the cgroup plugins are needed for batch jobs, and there is no cgroup.conf
# (22.05 does not know CgroupPlugin=disabled; slurmd then refuses to start).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
# sbatch --wait polls after 2 s, then sleeps 4x longer while that is below MinJobAge/2 (and
# 32 s): with 30 it polls at 2, 10, 42 s; with 10 at 2, 10, 18, 26 s. Not much lower: Slurm
# judges --dependency=afterok from the record of the job it names, and forgets a finished job
# MinJobAge seconds after it ends (the default is 300).
MinJobAge=10
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=30
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$(pidfile slurmctld)
SlurmdPidFile=$(pidfile slurmd)
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    mungekey --create --keyfile="$dir/munge.key" 2>/dev/null || die "mungekey --create failed"
    chmod 600 "$dir/munge.key"
    # --force: munged refuses to run as root, and a scratch folder under /tmp (sticky,
    # world-writable parent) otherwise; both are fine for a test cluster.
    munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" \
        --pid-file="$(pidfile munged)" --log-file="$dir/log/munged.log" --seed-file="$dir/munge.seed" \
        || die "munged did not start: $(tail -3 "$dir/log/munged.log" 2>/dev/null)"
    munge -n --socket="$dir/munge.socket" | unmunge --socket="$dir/munge.socket" >/dev/null \
        || die "munge -n | unmunge failed on $dir/munge.socket"
}

wait_idle() {
    local i state
    for i in $(seq 1 120); do
        state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
        case $state in
            idle) return 0 ;;
            drain*|down*|fail*)
                if [[ $i -gt 20 ]]; then
                    sinfo -N -R >&2 || true
                    die "node is $state (logs in $dir/log)"
                fi ;;
        esac
        sleep 0.25
    done
    sinfo -N -l >&2 || true
    tail -5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    die "node not idle after 30 s (last state: '${state:-none}')"
}

start() {
    [[ $EUID -eq 0 ]] || die "run as root (slurmd starts jobs as their owner)"
    mkdir -p "$dir"
    chmod 700 "$dir"
    for d in "${daemons[@]}"; do
        if our_pid "$d" >/dev/null; then die "$d already runs from $dir; stop it first"; fi
    done
    install_packages
    write_config
    export SLURM_CONF=$conf
    start_munge
    # -i: no saved state to recover (a fresh folder).
    slurmctld -f "$conf" -i || die "slurmctld did not start: $(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)"
    slurmd -f "$conf" || die "slurmd did not start: $(tail -5 "$dir/log/slurmd.log" 2>/dev/null)"
    wait_idle
    echo "cluster.sh: up: $(sinfo -h -N -o '%N %T %c CPUs %m MB') (SLURM_CONF=$conf)" >&2
}

stop() {
    [[ -d $dir ]] || return 0
    export SLURM_CONF=$conf
    if our_pid slurmctld >/dev/null; then
        # Jobs first, so no slurmstepd outlives its slurmd.
        scancel --full --quiet --user=root 2>/dev/null || true
        local i
        for i in $(seq 1 40); do
            [[ -z $(squeue -h -t running,completing 2>/dev/null) ]] && break
            sleep 0.25
        done
    fi
    # All at once: each takes about 2 s to notice SIGTERM, and none needs the others to stop.
    local d pid pids=() names=() i
    for d in "${daemons[@]}"; do
        pid=$(our_pid "$d") || continue
        kill -TERM "$pid" 2>/dev/null || true
        pids+=("$pid"); names+=("$d")
    done
    for i in "${!pids[@]}"; do
        local waited=0
        while kill -0 "${pids[$i]}" 2>/dev/null && [[ $waited -lt 100 ]]; do sleep 0.1; waited=$((waited + 1)); done
        if kill -0 "${pids[$i]}" 2>/dev/null; then
            echo "cluster.sh: ${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for 10 s; killing it" >&2
            kill -KILL "${pids[$i]}" 2>/dev/null || true
        fi
    done
    # Only what we made: the folder holds nothing else.
    rm -rf -- "$dir"
}

status() {
    local d pid rc=0
    for d in "${daemons[@]}"; do
        if pid=$(our_pid "$d"); then echo "$d: running (pid $pid)"; else echo "$d: not running"; rc=1; fi
    done
    [[ $rc -eq 0 ]] && SLURM_CONF=$conf sinfo -N -l
    return $rc
}

case $cmd in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export SLURM_CONF=$conf" ;;
    *) usage ;;
esac
