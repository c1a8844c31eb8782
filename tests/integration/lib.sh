# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# TAP helpers for the integration tests. Each tests/integration/NN-name.sh runs inside the booted
# sandbox (tools/sandbox), as root, with the checkout as working directory and dray installed
# into the sandbox's /usr. tools/test-all runs them one by one and counts their TAP lines.
#
#   . "$(dirname "$0")/lib.sh"
#   plan 3                                  # or nothing, and the plan is printed at the end
#   defer dray rm -f web                    # cleanup, run at exit in reverse order
#   ok "drayd answers" busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true
#   is "$(dray inspect -f '{{.State}}' web)" running "web is running"
#   wait_until 10 container_state_is web exited || diag "still $(…)"
#   like "$(journalctl -u dray-web.scope -o cat)" '^hello$' "output reached the journal"
#
# Every assertion prints "ok N - DESC" or "not ok N - DESC" (plus "# " diagnostics); skip prints
# "ok N - DESC # SKIP why". The script exits 1 if any assertion failed or the plan was not met.
# Scripts should use `set -u -o pipefail` but not `set -e`: a failed assertion must not end the
# script before its cleanup and the remaining assertions.

_tap_n=0
_tap_failed=0
_tap_planned=""
_tap_cleanups=()
TEST_NAME="$(basename "${0%.sh}")"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
# Where tests keep roots and other files shared between test files (in the sandbox's throwaway
# overlay; /var/lib/dray itself belongs to drayd).
TEST_DIR="${TEST_DIR:-/var/lib/dray-test}"

# --- plan and results ------------------------------------------------------------------------

# plan N: announce N assertions up front.
plan() {
        _tap_planned="$1"
        echo "1..$1"
}

# skip_all REASON: the whole file does not apply here (prints "1..0 # SKIP REASON", exits 0).
skip_all() {
        echo "1..0 # SKIP $*"
        _tap_planned=0
        exit 0
}

# bail_out REASON: nothing further can work (e.g. the daemon is not there). Counted as a failure.
bail_out() {
        echo "Bail out! $*"
        _tap_failed=$((_tap_failed + 1))
        exit 1
}

# diag MSG...: a diagnostic line (or lines) in the TAP stream.
diag() {
        local line
        printf '%s\n' "$*" | while IFS= read -r line; do echo "# $line"; done
}

pass() {
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $*"
}

# fail DESC [DIAGNOSTIC...]
fail() {
        local desc="$1" line; shift
        _tap_n=$((_tap_n + 1))
        _tap_failed=$((_tap_failed + 1))
        echo "not ok $_tap_n - $desc"
        for line in "$@"; do
                [ -z "$line" ] || diag "$line"
        done
}

# skip DESC REASON: an assertion that does not apply here.
skip() {
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

# todo DESC CMD...: like ok, but a failure is expected (not counted as one).
todo() {
        local desc="$1"; shift
        _tap_n=$((_tap_n + 1))
        if "$@" >/dev/null 2>&1; then
                echo "ok $_tap_n - $desc # TODO (passes now: drop the todo)"
        else
                echo "not ok $_tap_n - $desc # TODO"
        fi
}

# ok DESC CMD [ARGS...]: passes when CMD exits 0. Its output is shown only when it fails.
ok() {
        local desc="$1" out rc=0; shift
        out="$("$@" 2>&1)" || rc=$?
        if [ "$rc" -eq 0 ]; then
                pass "$desc"
        else
                fail "$desc" "command: $*" "exit status: $rc" "${out:+output:
$out}"
        fi
}

# fails DESC CMD [ARGS...]: passes when CMD exits non-zero.
fails() {
        local desc="$1" out rc=0; shift
        out="$("$@" 2>&1)" || rc=$?
        if [ "$rc" -ne 0 ]; then
                pass "$desc"
        else
                fail "$desc" "command unexpectedly succeeded: $*" "${out:+output:
$out}"
        fi
}

# status_is EXPECTED DESC CMD [ARGS...]: passes when CMD exits with status EXPECTED.
status_is() {
        local expected="$1" desc="$2" out rc=0; shift 2
        out="$("$@" 2>&1)" || rc=$?
        if [ "$rc" -eq "$expected" ]; then
                pass "$desc"
        else
                fail "$desc" "command: $*" "exit status: $rc, expected $expected" "${out:+output:
$out}"
        fi
}

# is GOT EXPECTED DESC
is() {
        if [ "$1" = "$2" ]; then
                pass "$3"
        else
                fail "$3" "     got: '$1'" "expected: '$2'"
        fi
}

# isnt GOT UNEXPECTED DESC
isnt() {
        if [ "$1" != "$2" ]; then
                pass "$3"
        else
                fail "$3" "got '$1', expected anything else"
        fi
}

# like GOT REGEX DESC: GOT matches the extended regular expression (grep -E; multi-line GOT
# passes when any line matches).
like() {
        if grep -Eq -- "$2" <<< "$1"; then
                pass "$3"
        else
                fail "$3" "     got: '$1'" "expected to match: /$2/"
        fi
}

# unlike GOT REGEX DESC
unlike() {
        if ! grep -Eq -- "$2" <<< "$1"; then
                pass "$3"
        else
                fail "$3" "     got: '$1'" "expected not to match: /$2/"
        fi
}

# --- waiting and cleaning up -----------------------------------------------------------------

# wait_until TIMEOUT_S CMD [ARGS...]: runs CMD until it succeeds (0) or TIMEOUT_S seconds have
# passed (1). Polls quickly at first, then every 0.2 s. Use it instead of sleep.
wait_until() {
        local timeout="$1" delay=0.01 deadline; shift
        deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
        while :; do
                if "$@" >/dev/null 2>&1; then
                        return 0
                fi
                [ "$(date +%s%N)" -lt "$deadline" ] || return 1
                sleep "$delay"
                case "$delay" in 0.01) delay=0.05 ;; 0.05) delay=0.2 ;; esac
        done
}

# defer CMD [ARGS...]: run CMD at exit (last registered first), whatever happens. Failures of
# cleanup commands are reported as diagnostics, not as test failures.
defer() {
        local q
        q="$(printf '%q ' "$@")"
        _tap_cleanups+=("$q")
}

_tap_exit() {
        local rc=$? i
        trap - EXIT
        for ((i = ${#_tap_cleanups[@]} - 1; i >= 0; i--)); do
                eval "${_tap_cleanups[$i]}" >/dev/null 2>&1 ||
                        diag "cleanup failed: ${_tap_cleanups[$i]}"
        done
        if [ -z "$_tap_planned" ]; then
                echo "1..$_tap_n"
        elif [ "$_tap_planned" != "$_tap_n" ]; then
                diag "planned $_tap_planned assertions but ran $_tap_n"
                rc=1
        fi
        [ "$_tap_failed" -eq 0 ] || rc=1
        exit "$rc"
}
trap _tap_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- fixtures --------------------------------------------------------------------------------

# in_pty SHELL-COMMAND: runs it with a terminal as its stdio (script(1)). script(1) relays its own
# stdin into the terminal, and at EOF of it (CI runs the tests with stdin from /dev/null) it types an
# end-of-file into the pty, which a payload's raw terminal echoes as "^@" (issue 9: "^@33 100"). So
# script gets a stdin of its own that stays open and silent until it is done: whatever the runner's
# stdin, nothing is ever typed. Returns the command's exit status.
in_pty() {
        local rc=0 feeder fd
        exec {fd}< <(exec sleep 3600)
        feeder=$!
        script -qec "$1" /dev/null <&"$fd" || rc=$?
        exec {fd}<&-
        kill "$feeder" 2>/dev/null
        return "$rc"
}

# require CMD...: skip the whole file when a command is missing.
require() {
        local c
        for c in "$@"; do
                command -v "$c" >/dev/null 2>&1 || skip_all "'$c' is not installed"
        done
}

# test_rootfs: prints the path of a busybox root (built once per sandbox, shared by the tests).
test_rootfs() {
        local root="$TEST_DIR/rootfs"
        mkdir -p "$TEST_DIR"
        (
                flock 8
                [ -x "$root/bin/busybox" ] || "$REPO_ROOT/tools/make-rootfs" "$root" >/dev/null
        ) 8> "$TEST_DIR/.rootfs.lock" || return 1
        echo "$root"
}

# setup_dray_test: the common start of a test file: dray is installed and drayd answers (else bail
# out); $work is a fresh directory of this file's own, removed at exit, and $rootfs a busybox root
# in it (a private one: the test may change it).
setup_dray_test() {
        command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
        wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus: $(
                busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true 2>&1)"
        mkdir -p "$TEST_DIR"
        work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")" || bail_out "mktemp failed"
        defer rm -rf "$work"
        rootfs="$work/rootfs"
        "$REPO_ROOT/tools/make-rootfs" "$rootfs" >/dev/null || bail_out "tools/make-rootfs failed"
}

# mounts_of STRING: the mounts whose target or source contains STRING (a container ID, a path), one
# a line, from the mount table as libmount reads it (findmnt), not from a grep of mountinfo; empty
# when there is none. For the leak checks: a stopped or removed container leaves no mount.
mounts_of() { findmnt -rn -o TARGET,SOURCE 2>/dev/null | grep -F -- "$1" || true; }

# gone_for_good NAME: removes container NAME if it is there (for cleanups: it may be gone already).
gone_for_good() { dray rm --force "$1" >/dev/null 2>&1 || true; }
# track NAME: container NAME is removed at exit. Not in a $(...): defer must run in this shell.
track() { defer gone_for_good "$1"; }
# prop NAME FIELD: dray inspect's FIELD of container NAME ("" when there is none).
prop() { dray inspect -f "{{.$2}}" "$1" 2>/dev/null; }
# state_is NAME STATE: container NAME is in STATE (for wait_until).
state_is() { [ "$(prop "$1" State)" = "$2" ]; }

# has_controller NAME: the kernel enforces NAME's limits here (memory, pids, cpu...). The pure
# cgroup v2 sandbox (tools/sandbox --cgroup2) has only the controllers the host's v1 hierarchies
# leave free.
has_controller() {
        if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
                grep -qw "$1" /sys/fs/cgroup/cgroup.controllers
        else
                [ -d "/sys/fs/cgroup/$1" ]
        fi
}

# controlled NAME DESC: true when NAME is enforced here; else the assertion DESC is skipped.
controlled() {
        has_controller "$1" && return 0
        skip "$2" "no $1 controller in this cgroup layout"
        return 1
}

# start_registry DIR [CONFIG [URL-SCHEME [CURL-ARGS...]]]: a docker-registry on 127.0.0.1 (a free
# port of 20000-39999), storing in DIR, with the YAML lines CONFIG appended to its config (after
# the http: block: "  tls: ..." extends it, "auth: ..." starts a new key), ready once curl with
# CURL-ARGS gets any HTTP answer from URL-SCHEME (http)://127.0.0.1:PORT/v2/; sets $reg (HOST:PORT)
# and stops it at exit. Bails out if it does not start.
start_registry() {
        local dir="$1" extra="${2:-}" scheme="${3:-http}" p pid try
        shift $(($# < 3 ? $# : 3))
        mkdir -p "$dir/data"
        for try in 1 2 3 4 5; do
                p=$((20000 + RANDOM % 20000))
                printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n%s' \
                        "$dir/data" "$p" "$extra" > "$dir/config.yml"
                docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
                pid=$!
                if wait_until 10 sh -c '[ "$(curl -s -o /dev/null -w "%{http_code}" "$@")" != 000 ]' - "$@" \
                        "$scheme://127.0.0.1:$p/v2/"; then
                        defer kill "$pid"
                        reg="127.0.0.1:$p"
                        return 0
                fi
                kill "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
        done
        bail_out "docker-registry does not start: $(cat "$dir/log")"
}

# start_flaky_registry LOG: tests/integration/registry-flaky.py on 127.0.0.1, its blob requests logged
# to LOG, stopped at exit; sets reg (127.0.0.1:PORT). Needs $work.
start_flaky_registry() {
        python3 "$REPO_ROOT/tests/integration/registry-flaky.py" "$work/flaky.port" "$1" &
        defer kill "$!"
        wait_until 10 test -s "$work/flaky.port" || bail_out "the flaky registry does not start"
        reg="127.0.0.1:$(cat "$work/flaky.port")"
}

# unique_name [PREFIX]: a container name no other test (or earlier run) uses.
unique_name() {
        echo "${1:-t}-$TEST_NAME-$$-$RANDOM" | tr -c 'a-zA-Z0-9.\n-' '-' | cut -c1-63
}

# drayd_ready: the daemon answers on the bus (bus activation starts it on the first call).
drayd_ready() {
        busctl call org.dray1 /org/dray1 org.dray1.Manager ListContainers b true >/dev/null 2>&1
}
