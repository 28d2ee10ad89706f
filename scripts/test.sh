#!/usr/bin/env bash
# Set up, build and run the whole test suite: every test under the dev
# preset (warnings as errors), then the core tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
scripts/setup.sh dev
ctest --preset dev -j2
echo "# core tests under asan+ubsan" >&2
scripts/setup.sh asan
# Address and undefined-behaviour errors fail the run. Leak checking is off:
# workers are SIGKILLed by design, and QtCore keeps allocations for the
# life of a process, which LeakSanitizer would report as leaks at exit.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --preset asan -j2
