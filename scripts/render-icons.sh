#!/usr/bin/env bash
# Renders the PNG sizes of the icon from its SVG (data/icons/); run it after
# changing the SVG and commit the PNGs. Needs rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../data/icons"
id=io.github.ipc_playground.IpcPlayground
for size in 48 128 256; do
    rsvg-convert --width "$size" --height "$size" "$id.svg" --output "$id-$size.png"
done
