#!/usr/bin/env bash
# The installed program works on its own: `cmake --install` into a staging
# prefix puts every file where GNUInstallDirs says, the desktop entry and
# the AppStream metainfo validate, and the installed ipc-playground prints
# its version and runs a lesson with the workers it finds in
# libexec/ipc-playground (IPC_WORKER unset, no worker beside it). Without
# those workers the same run fails, so it was them that ran.
#   install_check.sh CMAKE BUILD_DIR APP_ID VERSION BINDIR LIBEXECDIR DATADIR MANDIR
set -euo pipefail
cmake=$1 build=$2 id=$3 version=$4 bindir=$5 libexecdir=$6 datadir=$7 mandir=$8
unset IPC_WORKER IPC_PLAYGROUND
prefix=$(mktemp -d "${TMPDIR:-/tmp}/ipc-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
limit() { timeout -k 10 "$@"; } # every step has a deadline

limit 120 "$cmake" --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 \
    || { cat "$prefix.log"; rm -f "$prefix.log"; fail "cmake --install"; }
rm -f "$prefix.log"

program=$prefix/$bindir/ipc-playground
workers=$prefix/$libexecdir/ipc-playground
for f in "$program" "$workers/ipc-worker" "$workers/ipc-worker-qt"; do
    [ -x "$f" ] || fail "not installed as an executable: ${f#"$prefix"/}"
done
for f in "$datadir/applications/$id.desktop" "$datadir/metainfo/$id.metainfo.xml" \
         "$datadir/icons/hicolor/scalable/apps/$id.svg" "$datadir/icons/hicolor/48x48/apps/$id.png" \
         "$datadir/icons/hicolor/128x128/apps/$id.png" "$datadir/icons/hicolor/256x256/apps/$id.png" \
         "$mandir/man1/ipc-playground.1" "$datadir/bash-completion/completions/ipc-playground"; do
    [ -s "$prefix/$f" ] || fail "not installed: $f"
done
[ ! -e "$prefix/$bindir/ipc-worker" ] || fail "a worker is installed beside the program"

limit 60 desktop-file-validate "$prefix/$datadir/applications/$id.desktop" || fail "desktop-file-validate"
limit 60 appstreamcli validate --no-net "$prefix/$datadir/metainfo/$id.metainfo.xml" || fail "appstreamcli validate"
echo "desktop entry and metainfo validate"
bash -n "$prefix/$datadir/bash-completion/completions/ipc-playground" || fail "the bash completion does not parse"

out=$(limit 30 "$program" --version) || fail "--version exited with $?"
[ "$out" = "ipc-playground $version" ] || fail "--version printed '$out', not 'ipc-playground $version'"
limit 30 "$program" --help > /dev/null || fail "--help exited with $?"
echo "$out"

json=$(limit 60 "$program" run race --seconds 1 --json) || fail "installed run exited with $?"
printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
if not isinstance(d, dict) or "expected" not in d:
    sys.exit("the result is not the race result: %r" % d)
print("installed run: a race result with %d keys" % len(d))
' || fail "the run's output is not the race's JSON: $json"

# The control: the same run without the libexec workers cannot start.
mv "$workers" "$workers.away"
status=0
limit 60 "$program" run race --seconds 1 --json > /dev/null 2>&1 || status=$?
mv "$workers.away" "$workers"
[ "$status" -ne 0 ] || fail "the run succeeded without libexec/ipc-playground: it used other workers"
echo "without libexec/ipc-playground the run fails (exit $status), as it should"
