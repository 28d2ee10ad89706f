#!/usr/bin/env bash
# One picture per lesson for docs/scenarios/: each lesson runs headless
# (real processes) with settings that spread its effect over a few
# seconds, and its most telling chart is exported as a 1280x720 PNG.
#
#   scripts/lesson-pictures.sh           # all thirteen, about two minutes
#   scripts/lesson-pictures.sh race ring # some of them
#   IPC_PLAYGROUND=build/dev/bin/ipc-playground scripts/lesson-pictures.sh   # a build at hand
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${IPC_PLAYGROUND:-}" ]; then
    scripts/setup.sh release >&2
    IPC_PLAYGROUND=build/release/bin/ipc-playground
fi
bin=$(realpath "$IPC_PLAYGROUND")
out=$PWD/docs/scenarios
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# lesson | chart | options
lessons=(
    "isolation|values|"
    "race|values|--seconds 6"
    "producer-consumer|queue-depth|--items 2500 --seconds 8"
    "worker-pool|values|--tasks 300"
    "pingpong|pipe-traffic|--messages 30000 --rate 6000"
    "pipe-deadlock|process-states|--seconds 4"
    "join-deadlock|process-states|--seconds 4"
    "ring|values|--particles 128 --seconds 5"
    "shared-memory|values|--pause-us 8000"
    "manager|values|--processes 4 --increments 60000"
    "barrier-print|process-states|--phases 8"
    "compare|results|"
    "zombie|process-states|--seconds 7"
)
for entry in "${lessons[@]}"; do
    IFS='|' read -r name chart options <<<"$entry"
    if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
    # shellcheck disable=SC2086 # options are words
    "$bin" run "$name" $options --export "$work/$name" --format png >/dev/null 2>&1
    cp "$work/$name/$name-$chart.png" "$out/$name.png"
    echo "wrote docs/scenarios/$name.png"
done
