#!/usr/bin/env bash
# The .deb as a lab's administrator installs it: in a clean Debian 12 root
# (debootstrap, minbase), `apt-get install ./ipc-playground_*.deb` takes its
# dependencies from Debian's archive; then `ipc-playground --version` and a
# headless race run from PATH, the menu entry is there, and
# `apt-get purge` leaves none of its files. Needs root (chroot) and
# Debian's archive; not part of scripts/test.sh (it downloads ~150 MB).
#   scripts/check-package.sh [ROOT]     default ROOT: build/debian-root (kept for the next time)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
root=$(realpath -m "${1:-build/debian-root}")
[ "$(id -u)" -eq 0 ] || { echo "check-package.sh: needs root (debootstrap, chroot)" >&2; exit 2; }
install_missing debootstrap

deb=$(scripts/package.sh | tail -n 1)
say "package: $deb, $(du -k "$deb" | cut -f1) KiB"
if [ ! -x "$root/usr/bin/apt-get" ]; then
    stage debootstrap "a clean Debian 12 root in $root" \
        debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
fi
# The race needs /proc (its workers are found through /proc/self/exe) and
# /dev/shm; nothing else of the host.
mounts=()
cleanup() { for m in "${mounts[@]}"; do umount -l "$m" 2> /dev/null || true; done; }
trap cleanup EXIT
for m in proc dev/shm; do
    mkdir -p "$root/$m"
    if [ "$m" = proc ]; then mount -t proc proc "$root/proc"; else mount -t tmpfs shm "$root/dev/shm"; fi
    mounts+=("$root/$m")
done
in_root() { timeout -k 10 600 chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

cp "$deb" "$root/tmp/"
name=$(basename "$deb")
stage deb-install "apt-get install ./$name in the clean root" \
    in_root sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/$name"
say "depends: $(dpkg-deb -f "$deb" Depends)"
version=$(in_root ipc-playground --version)
say "from PATH: $version"
in_root ipc-playground run race --seconds 1 --json > "$log_dir/deb-race.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["expected"] > 0, d; print("# a headless race from PATH:", d["expected"], "increments,", d["lost"], "lost")' \
    "$log_dir/deb-race.json"
for f in /usr/share/applications/io.github.ipc_playground.IpcPlayground.desktop /usr/libexec/ipc-playground/ipc-worker \
         /usr/share/bash-completion/completions/ipc-playground /usr/share/man/man1/ipc-playground.1; do
    [ -e "$root$f" ] || { echo "# FAILED: the package did not install $f" >&2; exit 1; }
done
files=$(dpkg-deb -c "$deb" | awk '$NF !~ /\/$/ {print substr($NF, 2)}')
stage deb-purge "apt-get purge ipc-playground" in_root apt-get purge -y ipc-playground
for f in $files; do
    [ ! -e "$root$f" ] || { echo "# FAILED: $f is left after the purge" >&2; exit 1; }
done
[ ! -e "$root/usr/libexec/ipc-playground" ] || { echo "# FAILED: /usr/libexec/ipc-playground is left" >&2; exit 1; }
say "purged: none of its $(echo "$files" | wc -l) files is left"
