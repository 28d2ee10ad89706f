#!/usr/bin/env bash
# The window as a lecture hall sees it, every lesson while it runs:
#   docs/screens/LESSON-1024x768-presentation.png  (a projector, presentation mode)
#   docs/screens/LESSON-1920x1080.png              (a large screen, normal mode)
# and the README's race with its lock off, then on (docs/race-lock-*.png).
# Headless: each size gets an Xvfb screen of its own. Needs xvfb-run,
# xdotool and ImageMagick's import (apt-get install xvfb xdotool imagemagick).
#
#   scripts/screenshots.sh                 # everything, about seven minutes
#   scripts/screenshots.sh race ring       # some lessons
#   WAIT=10 scripts/screenshots.sh         # seconds each lesson runs before its picture (6)
#   IPC_PLAYGROUND=build/dev/bin/ipc-playground scripts/screenshots.sh   # a build at hand
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ -z "${IPC_PLAYGROUND:-}" ]; then
    scripts/setup.sh release >&2
    IPC_PLAYGROUND=build/release/bin/ipc-playground
fi
bin=$(realpath "$IPC_PLAYGROUND")
export IPC_PLAYGROUND=$bin

# Inside one Xvfb screen (called again by xvfb-run): SIZE MODE LESSON...
if [ "${1:-}" = --inside ]; then
    shift
    size=$1 mode=$2
    shift 2
    w=${size%x*} h=${size#*x}
    out=$root/docs/screens
    # A fresh configuration each time: no remembered layout or lesson.
    XDG_CONFIG_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
    export XDG_CONFIG_HOME XDG_RUNTIME_DIR
    chmod 700 "$XDG_RUNTIME_DIR"
    trap 'rm -rf "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"' EXIT
    for lesson in "$@"; do
        args=(--lesson "$lesson" --start)
        name=$lesson-$size
        if [ "$mode" = presentation ]; then args+=(--presentation); name+=-presentation; fi
        "$bin" "${args[@]}" & pid=$!
        # (a window that never opens must not hang the script)
        if ! win=$(timeout 30 xdotool search --sync --name "IPC Playground" | head -1) || [ -z "$win" ]; then
            echo "screenshots.sh: the window of '$lesson' did not open" >&2
            kill "$pid" 2>/dev/null || true
            exit 1
        fi
        # No window manager under Xvfb: the window takes the whole screen.
        xdotool windowmove "$win" 0 0 windowsize "$win" "$w" "$h"
        sleep "${WAIT:-6}"
        import -window root "$out/$name.png"
        if [ "$lesson" = race ] && [ "$size" = 1600x900 ]; then
            import -window root "$root/docs/race-lock-off.png"
            xdotool windowfocus --sync "$win" key alt+3   # the Lock switch, live
            sleep 5
            import -window root "$root/docs/race-lock-on.png"
            rm "$out/$name.png"
        fi
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        echo "wrote $name.png"
    done
    exit 0
fi

mkdir -p docs/screens
if [ $# -gt 0 ]; then lessons=("$@"); else mapfile -t lessons < <("$bin" list | awk '{print $1}'); fi
run() { xvfb-run -a -s "-screen 0 $1x24" "$0" --inside "$@"; }
run 1024x768 presentation "${lessons[@]}"
run 1920x1080 normal "${lessons[@]}"
if printf '%s\n' "${lessons[@]}" | grep -qx race; then run 1600x900 normal race; fi
