#!/usr/bin/env bash
# Installs what is missing on a Debian 12 machine, then configures and
# builds the given CMake preset: one line per stage, the logs in
# build/logs/ (shown when a stage fails).
#   scripts/setup.sh [PRESET]      default: release
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
preset=${1:-release}

install_missing cmake make g++ qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev \
    libqt6svg6 fonts-dejavu-core xvfb xauth imagemagick libboost-dev python3 \
    desktop-file-utils appstream
stage "configure-$preset" "configuring ($preset)" cmake --preset "$preset"
build "$preset"
