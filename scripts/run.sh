#!/usr/bin/env bash
# Set up, build, and start ipc-playground: the window when there is a
# display, otherwise the default scenario headless with its result printed.
#   scripts/run.sh [ipc-playground arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
bin=build/release/bin/ipc-playground
if [ $# -gt 0 ]; then
    exec "$bin" "$@"
elif [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec "$bin"
else
    echo "# no display: running the race scenario headless for 5 seconds" >&2
    exec "$bin" run race --seconds 5
fi
