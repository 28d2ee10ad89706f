#!/usr/bin/env bash
# Installs what is missing on a Debian 12 machine (quiet when all is there),
# then configures and builds the given CMake preset.
#   scripts/setup.sh [PRESET]      default: release
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

packages=(cmake make g++ qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev
          libqt6svg6 fonts-dejavu-core xvfb xauth imagemagick libboost-dev python3
          desktop-file-utils appstream)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "# installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
