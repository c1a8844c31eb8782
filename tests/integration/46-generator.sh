#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-generator (dray.container(5)): /etc/dray/NAME.container becomes NAME.service at
# `systemctl daemon-reload`:
# - it starts (Type=notify), its output is in `journalctl -u NAME.service`, it is restarted by its
#   Restart=on-failure after its payload is SIGKILLed, and `systemctl stop` stops and removes the
#   container with a clean result;
# - a bad key gives FILE:LINE in the journal and no unit, while the good files still get theirs;
# - [Install] WantedBy=multi-user.target: after a simulated reboot (the service and drayd stopped,
#   /run/dray cleared, the generator run again, multi-user.target started) the unit is up again;
# - a .network file becomes a oneshot that creates the network, for Network=NAME.network.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/46-generator.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl

plan 24
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"

gen_dir=/run/systemd/generator
[ -x /lib/systemd/system-generators/dray-generator ] || bail_out "dray-generator is not installed"
mkdir -p /etc/dray
tag="$RANDOM$RANDOM"
name="$(unique_name gen)"
bad="$(unique_name genbad)"
net="$(unique_name gennet)"
netc="$(unique_name gennetc)"
cleanup_units() {
        local u
        for u in "$name.service" "$netc.service" "$net-network.service"; do unit_gone "$u"; done
        rm -f "/etc/dray/$name.container" "/etc/dray/$bad.container" "/etc/dray/$net.network" \
                "/etc/dray/$netc.container"
        systemctl daemon-reload
        dray network rm "$net" >/dev/null 2>&1 || true
}
defer cleanup_units
track "$name"
track "$netc"

cat > "/etc/dray/$name.container" <<EOT
# A container unit of test 46
[Unit]
Description=generator test $tag

[Container]
Rootfs=$rootfs
Network=none
Exec=sh -c 'echo "started-$tag"; exec sleep 1000'
StopTimeout=5

[Service]
Restart=on-failure
RestartSec=1

[Install]
WantedBy=multi-user.target
EOT
printf '[Container]\nRootfs=%s\nFrobnicate=1\nExec=true\n' "$rootfs" > "/etc/dray/$bad.container"

ok "systemctl daemon-reload runs the generator" systemctl daemon-reload
is "$(unit_prop "$name.service" LoadState)" loaded "$name.service exists"
is "$(unit_prop "$name.service" FragmentPath)" "$gen_dir/$name.service" "... written by the generator"
is "$(unit_prop "$name.service" SourcePath)" "/etc/dray/$name.container" "... from its .container file"
is "$(unit_prop "$name.service" Description)" "generator test $tag" "[Unit] is passed through"
ok "... and wanted by multi-user.target (a generator's .wants link)" \
        test -L "$gen_dir/multi-user.target.wants/$name.service"

# --- the bad file: FILE:LINE in the journal, no unit -----------------------------------------
is "$(unit_prop "$bad.service" LoadState)" not-found "a file with an unknown key gets no unit"
journalctl --sync
like "$(journalctl -t dray-generator -o cat --no-pager 2>&1)" \
        "/etc/dray/$bad.container:3: Unknown key 'Frobnicate' in \\[Container\\]" \
        "the journal names its file and line"

# --- start, output, restart, stop -------------------------------------------------------------
ok "systemctl start $name.service (Type=notify: active once the container runs)" \
        timeout 60 systemctl start "$name.service"
is "$(systemctl is-active "$name.service")" active "the service is active"
ok "its output is in journalctl -u $name.service" wait_until 20 journal_has "$name.service" "started-$tag"
ok "the container runs" state_is "$name" running
init_pid="$(prop "$name" Pid)"
payload="$(pgrep -P "$init_pid" | head -1)"
like "$payload" '^[1-9][0-9]*$' "the payload's PID is known"
kill -KILL "$payload"
restarted() { [ "$(unit_prop "$name.service" NRestarts)" = 1 ] && systemctl is-active --quiet "$name.service"; }
ok "killed, the payload's service is restarted by Restart=on-failure" wait_until 60 restarted
started_twice() {
        journalctl --sync
        [ "$(journalctl -u "$name.service" -o cat --no-pager | grep -cx "started-$tag")" = 2 ]
}
ok "... and the new run's output is in its journal too" wait_until 20 started_twice
ok "systemctl stop $name.service" timeout 60 systemctl stop "$name.service"
is "$(unit_prop "$name.service" Result)" success "a stop is a clean end (Result=success)"
ok "the container is gone (--rm)" wait_until 20 container_gone "$name"

# --- a simulated reboot: the enabled unit comes back ------------------------------------------
# /run/dray is cleared only when no container of another test could miss it (tools/test-all runs
# the files one after another; a container of an earlier file may still be there).
others="$(dray ps -aq 2>/dev/null)"
systemctl stop drayd.service
[ -z "$others" ] && rm -rf /run/dray/*
systemctl daemon-reload
ok "after a simulated reboot, multi-user.target starts again" timeout 90 systemctl start multi-user.target
ok "... with $name.service active" wait_until 60 systemctl is-active --quiet "$name.service"
three_runs() {
        journalctl --sync
        [ "$(journalctl -u "$name.service" -o cat --no-pager | grep -cx "started-$tag")" = 3 ]
}
ok "... running the container again" wait_until 20 three_runs
unit_gone "$name.service"

# --- a .network file and Network=NAME.network --------------------------------------------------
printf '[Network]\nSubnet=10.231.%d.0/24\n' $((RANDOM % 250)) > "/etc/dray/$net.network"
printf '[Container]\nRootfs=%s\nNetwork=%s.network\nExec=sh -c "ip -4 addr show eth0 | grep -q inet && echo up-%s; exec sleep 1000"\n' \
        "$rootfs" "$net" "$tag" > "/etc/dray/$netc.container"
systemctl daemon-reload
ok "a container on NAME.network starts (its network's oneshot first)" timeout 60 systemctl start "$netc.service"
ok "the network exists" dray network inspect "$net"
ok "... and the container is on it" wait_until 20 journal_has "$netc.service" "up-$tag"
