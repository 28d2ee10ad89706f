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
ASAN_OPTIONS=detect_leaks=1 ctest --preset asan -j2
