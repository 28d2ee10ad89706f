# Sourced by the set-up scripts: Debian packages installed when missing,
# and stages run quietly -- one line each on the terminal, the whole output
# in build/logs/, named and shown only when the stage fails.
log_dir=build/logs
mkdir -p "$log_dir"

# A stage's line on stderr ("# building (dev): done").
say() { printf '# %s\n' "$*" >&2; }

# Shows how a failed stage ended and where its whole log is, then fails.
stage_failed() { # LOG STATUS WHAT
    printf '# %s FAILED (exit %s); the end of %s:\n' "$3" "$2" "$1" >&2
    tail -n "${IPC_LOG_LINES:-60}" "$1" >&2
    printf '# the whole log: %s\n' "$1" >&2
    exit "$2"
}

# stage NAME WHAT COMMAND...: runs COMMAND with its output in
# build/logs/NAME.log.
stage() {
    local name=$1 what=$2 status=0
    shift 2
    local log=$log_dir/$name.log
    "$@" > "$log" 2>&1 || status=$?
    [ "$status" -eq 0 ] || stage_failed "$log" "$status" "$what"
    say "$what: done"
}

# install_missing PACKAGE...: apt-get installs those not installed (as root,
# or through sudo); says nothing when every one is there.
install_missing() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    install_packages() {
        $sudo apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
    }
    stage install "installing ${#missing[@]} packages (${missing[*]})" install_packages "${missing[@]}"
}

# build PRESET [cmake --build arguments]: builds with "building N%" kept up
# to date on a terminal; fails, showing the log, on an error; counts the
# compiler's warnings (the dev preset makes them errors).
build() {
    local preset=$1 status=0
    shift
    local log=$log_dir/build-$preset.log
    cmake --build --preset "$preset" -j"$(nproc)" "$@" > "$log" 2>&1 &
    local pid=$!
    if [ -t 2 ]; then
        while kill -0 "$pid" 2> /dev/null; do
            local pct
            pct=$(grep -o '^\[ *[0-9]*%\]' "$log" 2> /dev/null | tail -n 1 | tr -dc 0-9)
            printf '\r# building (%s): %s%% ' "$preset" "${pct:-0}" >&2
            sleep 1
        done
        printf '\r' >&2
    fi
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || stage_failed "$log" "$status" "building ($preset)"
    local warnings
    warnings=$(grep -c 'warning:' "$log" || true)
    if [ "$warnings" -gt 0 ]; then
        say "building ($preset): done, with $warnings compiler warnings (see $log)"
    else
        say "building ($preset): done"
    fi
}
