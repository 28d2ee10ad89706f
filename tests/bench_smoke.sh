#!/usr/bin/env bash
# ipc-bench end to end at a hundredth of its counts: it exits 0 (a queue
# bench that loses or duplicates an item fails the run), and every bench
# emits its rows, the bare ring's among them, as JSON lines in the peers'
# schema. No figure is asserted.
#   bench_smoke.sh IPC_BENCH
set -euo pipefail
bench=$1
pin=none
[ "$(nproc)" -ge 2 ] && pin=split
out=$(timeout 120 "$bench" --scale 0.01 --reps 1 --pin "$pin")
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(line) for line in sys.argv[1].splitlines()]
need = {  # bench -> impls that must be there
    "queue_throughput": {"proj/Queue 1p1c", "proj/Queue 2p2c +board", "bound/bare ring 1p1c cap=1024",
                         "proj/Queue 1p1c +board +trace"},
    "pipe_throughput": {"proj/Pipe(duplex=False) [pipe]", "proj/Pipe() [socketpair]"},
    "pingpong": {"proj/Pipe() [socketpair]", "proj/Pipe(duplex=False) x2 [pipe]"},
    "value_locked_increments": {"proj/Value+Lock", "proj/Value+Lock +board +trace",
                                "bound/pthread_mutex PROCESS_SHARED ROBUST"},
    "manager_dict": {"proj/Manager dict set", "proj/Manager dict get"},
    "process_spawn": {"proj/ipc-worker start+join"},
}
seen = {(r["bench"], r["impl"]) for r in rows}
missing = [f"{b}: {i}" for b, impls in need.items() for i in impls if (b, i) not in seen]
bad = [r for r in rows if not (r.get("seconds") or 0) > 0 and r["bench"] != "idle_child_rss"]
ring = {r["msg_bytes"] for r in rows if r["impl"].startswith("bound/bare ring")}
if missing or bad or ring != {64, 4096}:
    print("missing rows:", missing, "rows without a time:", bad, "bare ring sizes:", sorted(ring))
    sys.exit(1)
print(f"{len(rows)} rows, every bench present")
PY
