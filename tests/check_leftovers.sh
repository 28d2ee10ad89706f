#!/usr/bin/env bash
# Fails if a test left an ipc-* process or a test segment (ipc-test-*) behind.
set -u
sleep 0.3   # let the last SIGKILLed children be reaped by init
bad=0
procs=$(ps -eo pid=,stat=,comm= | awk '$3 ~ /^(ipc-worker|ipc-worker-qt|ipc-playground|ipc-bench)$/ && $2 !~ /^Z/')
if [ -n "$procs" ]; then
    echo "processes left running:"; echo "$procs"; bad=1
fi
segs=$(ls -1 /dev/shm 2>/dev/null | grep -E '^ipc-' || true)
if [ -n "$segs" ]; then
    echo "segments left in /dev/shm:"; echo "$segs"; bad=1
fi
[ $bad -eq 0 ] && echo "nothing left behind"
exit $bad
