#!/usr/bin/env bash
# A lecture-length run keeps its beginning: `run race --seconds 75 --export
# DIR --format csv` writes a values CSV whose first row is within the first
# second and whose last is past 74 s (the charts no longer keep only the
# last minute). The counters are slowed to 50 increments per second each,
# so the test costs little CPU beside the others.
#   long_run_csv.sh IPC_PLAYGROUND
set -euo pipefail
playground=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
timeout 120 "$playground" run race --seconds 75 --pace 50 --export "$dir" --format csv > "$dir/result.txt"
csv="$dir/race-values.csv"
[ -s "$csv" ] || { echo "no $csv; exported: $(ls "$dir")"; exit 1; }
python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
header, data = rows[0], rows[1:]
times = [float(r[0]) for r in data]
print(f"{len(data)} rows from {times[0]:.3f} s to {times[-1]:.3f} s; columns {header}")
if not data or times[0] > 1.0 or times[-1] < 74.0 or times != sorted(times):
    sys.exit("the CSV does not cover the whole run")
PY
