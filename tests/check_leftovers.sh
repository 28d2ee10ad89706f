#!/usr/bin/env bash
# Fails if a test left an ipc-* process or a test segment (ipc-test-*) behind.
set -u
# The last tests' processes may still be dying (SIGKILLed children of a
# test that has just exited, slower under a sanitizer or a loaded machine):
# what is left after 5 s is left running.
bad=0
for _ in $(seq 50); do
    procs=$(ps -eo pid=,stat=,comm= | awk '$3 ~ /^(ipc-worker|ipc-worker-qt|ipc-playground|ipc-bench)$/ && $2 !~ /^Z/')
    [ -z "$procs" ] && break
    sleep 0.1
done
if [ -n "$procs" ]; then
    echo "processes left running:"; echo "$procs"; bad=1
fi
segs=$(ls -1 /dev/shm 2>/dev/null | grep -E '^ipc-' || true)
if [ -n "$segs" ]; then
    echo "segments left in /dev/shm:"; echo "$segs"; bad=1
fi
[ $bad -eq 0 ] && echo "nothing left behind"
exit $bad
