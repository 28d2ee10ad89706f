#!/usr/bin/env bash
# Set up, build and run the whole test suite: clang-tidy over the sources
# changed since the tree last passed it (scripts/tidy.sh), every test under
# the dev preset (the release build's optimisation, warnings as errors),
# then the core tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# One line per stage; a failing stage shows its log (build/logs/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export QT_QPA_PLATFORM=offscreen

# test PRESET: the preset's ctests, the summary on success, the whole
# output when one fails.
run_tests() {
    local log=$log_dir/test-$1.log status=0
    ctest --preset "$1" -j2 > "$log" 2>&1 || status=$?
    [ "$status" -eq 0 ] || IPC_LOG_LINES=100000 stage_failed "$log" "$status" "testing ($1)"
    say "testing ($1): $(grep -E 'tests passed' "$log")"
}

scripts/setup.sh dev
# clang-tidy over what changed since the whole tree last passed it.
scripts/tidy.sh --since-clean
run_tests dev
scripts/setup.sh asan
# Address and undefined-behaviour errors fail the run. Leak checking is off:
# workers are SIGKILLed by design, and QtCore keeps allocations for the
# life of a process, which LeakSanitizer would report as leaks at exit.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 run_tests asan
