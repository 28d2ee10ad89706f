#!/usr/bin/env bash
# The README's screenshots: the window during a race, lock off, then on.
# Needs xvfb-run, xdotool and ImageMagick's import (apt-get install xvfb
# xdotool imagemagick). Writes docs/race-lock-off.png and docs/race-lock-on.png.
#
#   scripts/screenshots.sh              # 1600x900, normal mode
#   PRESENT=1 OUT=/tmp scripts/screenshots.sh   # presentation mode (F11)
#   IPC_PLAYGROUND=build/dev/bin/ipc-playground scripts/screenshots.sh   # a build at hand
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ -z "${DISPLAY:-}" ]; then
    exec xvfb-run -a -s "-screen 0 1600x900x24" "$0" "$@"
fi
if [ -z "${IPC_PLAYGROUND:-}" ]; then
    scripts/setup.sh release >&2
    IPC_PLAYGROUND=build/release/bin/ipc-playground
fi
bin=$(realpath "$IPC_PLAYGROUND")
out=${OUT:-$root/docs}
XDG_CONFIG_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
export XDG_CONFIG_HOME XDG_RUNTIME_DIR
chmod 700 "$XDG_RUNTIME_DIR"
"$bin" & pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"' EXIT
sleep 4
win=$(xdotool search --sync --name "IPC Playground" | head -1)
xdotool windowmove "$win" 0 0 windowsize "$win" 1600 900
sleep 1
xdotool windowfocus --sync "$win"
xdotool key ctrl+l; sleep 0.3
xdotool type --delay 80 "Race"; sleep 0.5            # keyboard search in the list
if [ "${PRESENT:-0}" = 1 ]; then xdotool key F11; sleep 1; fi
xdotool key F5                                        # Start (the race runs until stopped)
sleep 8
import -window root "$out/race-lock-off.png"
xdotool key alt+3                                     # Lock on, live
sleep 5
import -window root "$out/race-lock-on.png"
xdotool key shift+F5                                  # Stop
sleep 1
echo "wrote $out/race-lock-off.png $out/race-lock-on.png"
