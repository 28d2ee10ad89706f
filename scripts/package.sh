#!/usr/bin/env bash
# Builds the program and its workers under the release preset and makes a
# Debian package of them:
#   scripts/package.sh      -> build/release/ipc-playground_VERSION_ARCH.deb
# Install it with: sudo apt-get install ./build/release/ipc-playground_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libqt6svg6
          dpkg-dev file)
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

# Only what the package holds is built: cpack's install step would otherwise
# build every target first, the tests and benchmarks included.
cmake --preset release -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build --preset release -j"$(nproc)" --target ipc-playground ipc-worker ipc-worker-qt
cd build/release
rm -f ipc-playground_*.deb
cpack -G DEB >/dev/null
deb=$(ls ipc-playground_*.deb)
echo "build/release/$deb"
