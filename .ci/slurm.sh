#!/usr/bin/env bash
# Starts a one-node Slurm cluster (Debian's slurm-wlm and munge) on this machine for
# the shard test (`cargo test --test cli -- --ignored slurm`); exits non-zero, with
# the daemons' logs, where it cannot. Run by .ci/run; safe to run again.
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "== installing slurm-wlm and munge"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
fi
host=$(hostname -s)
cpus=$(nproc)
# munge: a key, its folders, the daemon.
if ! $SUDO test -s /etc/munge/munge.key; then
  $SUDO sh -c 'head -c 1024 /dev/urandom > /etc/munge/munge.key'
fi
$SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
$SUDO chown munge:munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge
$SUDO chmod 400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
  if [ -n "$SUDO" ]; then sudo -u munge /usr/sbin/munged; else runuser -u munge -- /usr/sbin/munged; fi
fi
# One node, one partition; jobs run as root with no cgroups (a container has none to give).
$SUDO mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
$SUDO tee /etc/slurm/slurm.conf >/dev/null <<CONF
ClusterName=riskscore
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || $SUDO slurmctld
pgrep -x slurmd >/dev/null || $SUDO slurmd
# Ready when the node is idle (or mixed/allocated by an earlier job).
for _ in $(seq 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  case "$state" in
    idle|mixed|allocated) echo "== slurm: node $host ($cpus CPUs) is $state"; exit 0 ;;
    down*|drain*) $SUDO scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
  esac
  sleep 1
done
echo "slurm did not start: node state '${state:-none}'" >&2
$SUDO tail -n 30 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
