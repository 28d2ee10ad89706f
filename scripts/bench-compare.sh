#!/usr/bin/env bash
# A change's cost, measured: ipc-bench of this tree against ipc-bench of an
# earlier commit, in one session, back to back at each placement, ROUNDS
# times; prints each row's rate ratio (this tree / REV), the median of its
# rounds, with the range. A ratio below 1 is this tree slower. Both are
# release builds; REV's is built in a git worktree under build/.
#
#   scripts/bench-compare.sh REV             # e.g. HEAD~3
#   ROUNDS=3 SCALE=0.5 ONLY=queue_throughput,pipe_throughput scripts/bench-compare.sh REV
#
# Env: ROUNDS passes (default 5), SCALE iteration counts (default 1),
#      PINS placements (default "none same split"), ONLY ipc-bench's --only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rev=${1:?usage: scripts/bench-compare.sh REV}
ROUNDS=${ROUNDS:-5}
SCALE=${SCALE:-1}
PINS=${PINS:-none same split}
ONLY=${ONLY:-value_locked_increments,queue_throughput,pipe_throughput,pingpong,manager_dict,process_spawn}
sha=$(git rev-parse --short "$rev")
old=$root/build/compare-$sha
out=$root/build/bench
mkdir -p "$out"

scripts/setup.sh release >&2
if [ ! -x "$old/build/release/bin/ipc-bench" ]; then
    [ -d "$old" ] || git worktree add --detach "$old" "$rev" >&2
    (cd "$old" && cmake --preset release >/dev/null && cmake --build build/release -j2 --target ipc-bench >/dev/null)
fi
echo "# $(date -u +%FT%TZ), this tree against $sha, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: > "$out/compare.jsonl"
for round in $(seq 1 "$ROUNDS"); do
    for pin in $PINS; do
        echo "# round $round of $ROUNDS, pin=$pin" >&2
        # Who goes first alternates: the later of two runs back to back
        # tends to differ, whichever it is.
        sides="new old"
        [ $((round % 2)) = 0 ] && sides="old new"
        for side in $sides; do
            bench=$root/build/release/bin/ipc-bench
            [ "$side" = old ] && bench=$old/build/release/bin/ipc-bench
            "$bench" --reps 1 --scale "$SCALE" --pin "$pin" --only "$ONLY" 2>/dev/null |
                python3 -c 'import json,sys
for line in sys.stdin:
    r = json.loads(line); r["side"] = sys.argv[1]; r["round"] = int(sys.argv[2]); print(json.dumps(r))' "$side" "$round"
        done
    done >> "$out/compare.jsonl"
done

python3 - "$out/compare.jsonl" "$sha" <<'EOF'
import collections, json, statistics, sys
rows = collections.defaultdict(dict)  # (bench, impl, bytes, pin) -> round -> side -> rate
for line in open(sys.argv[1]):
    r = json.loads(line)
    rate = r.get("ops_per_s") or (1e6 / r["latency_us"] if r.get("latency_us") else None)
    if not rate:
        continue
    key = (r["bench"], r["impl"], r.get("msg_bytes"), r["pin"])
    rows[key].setdefault(r["round"], {})[r["side"]] = rate
print(f"| bench | impl | bytes | pin | this tree / {sys.argv[2]} (median, range) |")
print("|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: tuple(str(x) for x in k)):
    ratios = [v["new"] / v["old"] for v in rows[key].values() if "new" in v and "old" in v]
    if not ratios:
        continue
    b, impl, size, pin = key
    print(f"| {b} | {impl} | {size if size is not None else ''} | {pin} | "
          f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) |")
EOF
