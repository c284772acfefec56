#!/usr/bin/env bash
# A single-node SLURM for the SLURM tests (tests/test_slurm.py): Debian's slurm-wlm with job accounting (slurmdbd on
# MariaDB) and munge, every daemon started by hand (no systemd in CI). Run as root; .ci/slurm-down.sh stops it.
# Idempotent: where a node already answers idle, it changes nothing. About 45 s from nothing, plus the packages.
set -euo pipefail
log() { echo "slurm-up: $*"; }
wait_for() {  # wait_for SECONDS WHAT COMMAND...: run COMMAND each second until it succeeds, or fail naming WHAT
    local seconds=$1 what=$2; shift 2
    for _ in $(seq "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    echo "slurm-up: $what did not come up within $seconds s; its log: $LOGS" >&2; exit 1
}
[ "$(id -u)" -eq 0 ] || { echo "slurm-up: run as root (it installs packages and starts daemons)" >&2; exit 1; }
if command -v sinfo >/dev/null 2>&1 && sinfo -h -o %T 2>/dev/null | grep -qx idle; then
    log "a SLURM node is already up"; sinfo; exit 0
fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmdbd >/dev/null 2>&1 || ! command -v mariadbd >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm slurmdbd munge mariadb-server >/dev/null
fi
HOST=$(hostname -s)
CPUS=$(nproc)
MEMORY_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 8 / 10 / 1024 ))  # below what slurmd sees
LOGS=/var/log/slurm
install -d -o slurm -g slurm /var/spool/slurmctld "$LOGS"
install -d /var/spool/slurmd

# munge: the package made /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
wait_for 10 munge bash -c "munge -n | unmunge"

# Accounting: slurmdbd on MariaDB (without it, sacct knows no job; the executors then read squeue and scontrol).
install -d -o mysql -g mysql /run/mysqld
pgrep -x mariadbd >/dev/null || { /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 >"$LOGS/mariadbd.log" 2>&1 & }
wait_for 30 MariaDB mysqladmin ping
mysql -u root -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
                  CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm-ci';
                  GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
cat > /etc/slurm/slurmdbd.conf <<EOC
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
LogFile=$LOGS/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurm-ci
StorageLoc=slurm_acct_db
EOC
chown slurm:slurm /etc/slurm/slurmdbd.conf
chmod 600 /etc/slurm/slurmdbd.conf

# One node, one partition "debug" with every CPU; no GPU (gres), as on the clusters the defaults must work on.
# KillWait=5: a cancelled or timed-out job gets SIGKILL 5 s after SIGTERM (default 30 s; the tests wait less).
cat > /etc/slurm/slurm.conf <<EOC
ClusterName=ci
SlurmctldHost=$HOST
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( MEMORY_MB / CPUS ))
ReturnToService=2
MpiDefault=none
KillWait=5
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
NodeName=$HOST CPUs=$CPUS RealMemory=$MEMORY_MB State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOC
pgrep -x slurmdbd >/dev/null || /usr/sbin/slurmdbd
wait_for 30 slurmdbd sacctmgr -n list cluster
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld  # registers the cluster "ci" in slurmdbd
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
wait_for 60 "the node (idle)" bash -c "sinfo -h -o %T | grep -qx idle"
srun -t 1 true
wait_for 30 "accounting (sacct)" bash -c "sacct -n -X -o State | grep -q COMPLETED"
log "up: node $HOST, $CPUS CPUs, $MEMORY_MB MB, accounting on"
sinfo
