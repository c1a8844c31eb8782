#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The harness itself, and the facts of systemd that dray's design rests on: the sandbox booted a
# real systemd with journald, the system bus, machined and polkit, and journald lifts its per-unit
# rate limit for a scope when /run/systemd/units/log-rate-limit-burst:UNIT exists before the
# scope starts (docs/ARCHITECTURE.md, "Logging to journald and the rate limit").
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl busctl systemd-run

plan 11

is "$(cat /proc/1/comm)" systemd "systemd is PID 1"
like "$(systemctl is-system-running)" '^(running|degraded)$' "the system is up"
is "$(systemctl --no-legend --plain --failed)" "" "no unit failed"
ok "the system bus answers" busctl call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus GetId
ok "machined is activatable" busctl call org.freedesktop.machine1 /org/freedesktop/machine1 \
        org.freedesktop.machine1.Manager ListMachines
ok "polkit is activatable" busctl call org.freedesktop.PolicyKit1 \
        /org/freedesktop/PolicyKit1/Authority org.freedesktop.DBus.Properties Get \
        ss org.freedesktop.PolicyKit1.Authority BackendName

tag="sbx-$$"
ok "systemd-run --scope works" systemd-run --quiet --scope --unit="$tag-scope" true
logger -t "$tag" "hello from $tag"
journalctl --sync
like "$(journalctl -t "$tag" -o cat --no-pager)" "^hello from $tag\$" "journald stores and returns entries"

# --- journald's per-unit rate limit and the burst symlink -------------------------------------

work="$(mktemp -d)"
defer rm -rf "$work"
cat > "$work/sender.c" <<'EOF'
#include <stdlib.h>
#include <systemd/sd-journal.h>
int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 100000;
        for (int i = 1; i <= n; i++)
                if (sd_journal_send("MESSAGE=line %d", i, NULL) < 0)
                        return 1;
        return 0;
}
EOF
# shellcheck disable=SC2046 # pkg-config's flags are words
if ! cc -O2 -o "$work/sender" "$work/sender.c" $(pkg-config --cflags --libs libsystemd) 2>"$work/cc.log"; then
        for d in "a scope loses lines past the default burst" \
                 "the burst symlink keeps every line" "the symlink outlives the scope"; do
                skip "$d" "cannot build the sender: $(head -1 "$work/cc.log")"
        done
        exit 0
fi

# sends N lines from a fresh scope UNIT; prints how many journald kept
send_count() {
        systemd-run --quiet --scope --unit="$1" "$work/sender" "$2" >/dev/null 2>&1
        journalctl --sync
        journalctl -u "$1.scope" -o cat --no-pager | grep -c '^line '
}

n=100000
kept="$(send_count "$tag-nolimit" $n)"
if [ "$kept" -lt "$n" ]; then
        pass "a scope loses lines past the default burst ($kept of $n kept)"
else
        fail "a scope loses lines past the default burst" \
             "all $n kept: journald's default limit changed? then dray may not need the symlink"
fi

mkdir -p /run/systemd/units
link="/run/systemd/units/log-rate-limit-burst:$tag-burst.scope"
defer rm -f "$link"
ln -sfn 1000000000 "$link"
is "$(send_count "$tag-burst" $n)" "$n" "the burst symlink, made before the scope starts, keeps every line"
# PID 1 removes such files only for units it wrote them for: whoever writes one removes it.
ok "the symlink outlives the scope (the writer must remove it)" test -L "$link"
