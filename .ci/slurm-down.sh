#!/usr/bin/env bash
# Stop the daemons .ci/slurm-up.sh started, by their pid files, in reverse order, waiting for each (at most 30 s).
for pid_file in /run/slurmd.pid /run/slurmctld.pid /run/slurmdbd.pid /run/mysqld/mysqld.pid /run/munge/munged.pid; do
    [ -s "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then echo "slurm-down: still running: $pid_file ($pid)" >&2; else echo "slurm-down: stopped $pid_file"; fi
done
