#!/usr/bin/env bash
# clang-tidy with the project's checks (.clang-tidy) over the product's
# sources (core/, widgets/, app/), two at a time; any finding fails.
#
#   scripts/tidy.sh                 # every source
#   scripts/tidy.sh REV             # only those changed since REV
#
# Needs a configured dev build (compile_commands.json) and clang-tidy 19 or
# later (Debian's clang-tidy-19: the C++23 library of GCC 12, std::expected
# among it, is beyond clang-tidy 14).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_missing clang-tidy-19
[ -f build/dev/compile_commands.json ] || scripts/setup.sh dev
if [ $# -gt 0 ]; then
    files=$(git diff --name-only --diff-filter=d "$1" -- 'core/*.cpp' 'widgets/*.cpp' 'app/*.cpp')
else
    files=$(git ls-files 'core/*.cpp' 'widgets/*.cpp' 'app/*.cpp')
fi
[ -n "$files" ] || { say "tidy: no source to check"; exit 0; }
log=$log_dir/tidy.log
status=0
# -Wno-unknown-warning-option: GCC's own flags (-Wno-restrict) mean nothing
# to clang; -Wno-deprecated-declarations: libstdc++ 12's stable_sort uses
# what clang 19 calls deprecated.
echo "$files" | xargs -P 2 -n 4 clang-tidy-19 -p build/dev --quiet \
    --extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-deprecated-declarations > "$log" 2>&1 || status=$?
[ "$status" -eq 0 ] || stage_failed "$log" "$status" "clang-tidy"
say "tidy: $(echo "$files" | wc -l) files, no finding"
