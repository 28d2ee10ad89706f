#!/usr/bin/env bash
# clang-tidy with the project's checks (.clang-tidy) over the product's
# sources (core/, widgets/, app/), two at a time; any finding fails.
#
#   scripts/tidy.sh                 # every source (about 12 minutes on 2 CPUs)
#   scripts/tidy.sh REV             # the sources changed since REV, and the
#                                   # sources of the headers changed since
#                                   # (a header is checked through the .cpp
#                                   # of its name, or every .cpp in its folder)
#   scripts/tidy.sh --since-clean   # REV = .ci/tidy-clean: what the test
#                                   # command runs (scripts/test.sh)
#
# .ci/tidy-clean holds the commit at which the whole tree last passed; after
# a whole-tree run passes, write HEAD's hash there.
#
# Needs a configured dev build (compile_commands.json) and clang-tidy 19 or
# later (Debian's clang-tidy-19: the C++23 library of GCC 12, std::expected
# among it, is beyond clang-tidy 14).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
install_missing clang-tidy-19
[ -f build/dev/compile_commands.json ] || scripts/setup.sh dev
sources=('core/*.cpp' 'widgets/*.cpp' 'app/*.cpp')
base=${1:-}
if [ "$base" = --since-clean ]; then
    base=$(cat .ci/tidy-clean)
    # A clone without that commit (shallow): the whole tree.
    git cat-file -e "$base^{commit}" 2>/dev/null || base=
fi
if [ -n "$base" ]; then
    files=$(
        git diff --name-only --diff-filter=d "$base" -- "${sources[@]}"
        for header in $(git diff --name-only --diff-filter=d "$base" -- 'core/*.h' 'widgets/*.h' 'app/*.h'); do
            if [ -f "${header%.h}.cpp" ]; then echo "${header%.h}.cpp"; else git ls-files "$(dirname "$header")/*.cpp"; fi
        done
    )
    files=$(echo "$files" | sort -u | sed '/^$/d')
else
    files=$(git ls-files "${sources[@]}")
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
