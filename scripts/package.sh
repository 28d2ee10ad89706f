#!/usr/bin/env bash
# Builds the program and its workers under the release preset and makes a
# Debian package of them:
#   scripts/package.sh      -> build/release/ipc-playground_VERSION_ARCH.deb
# Install it with: sudo apt-get install ./build/release/ipc-playground_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh
install_missing cmake make g++ qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libqt6svg6 \
    dpkg-dev file

# Only what the package holds is built: cpack's install step would otherwise
# build every target first, the tests and benchmarks included.
stage configure-release "configuring (release)" cmake --preset release -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON
build release --target ipc-playground ipc-worker ipc-worker-qt ipc-playground-completion
rm -f build/release/ipc-playground_*.deb
stage package "packaging" sh -c 'cd build/release && cpack -G DEB'
deb=$(ls build/release/ipc-playground_*.deb)
echo "$deb"
