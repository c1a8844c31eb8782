#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# More of container units (dray.container(5)) and their dray run options.
# Health checks: HealthCmd=, HealthInterval=,
# HealthRetries=, HealthOnFailure= and Notify=healthy become dray run's options:
# - the generated service is activating until the container is healthy, then active;
# - failures within HealthStartPeriod= do not count;
# - HealthOnFailure=kill ends the container when it turns unhealthy, and the service's
#   Restart=on-failure brings it back (healthy again: ready again);
# - `dray generate unit` writes the Health keys of a container back.
# Several networks: dray run --network A --network B starts the container on both (a bad second one
# leaves nothing behind); a .container file with two Network= keys (one a .network file) too.
# Templates: NAME@.container becomes NAME@.service; each instance runs container NAME-INSTANCE with
# %i expanded by systemd in its options and command; DefaultInstance= with WantedBy= links that
# instance.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/77-container-units.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl jq

plan 30
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"

[ -x /lib/systemd/system-generators/dray-generator ] || bail_out "dray-generator is not installed"
mkdir -p /etc/dray "$work/share"
name="$(unique_name hunit)"
cleanup_units() {
        unit_gone "$name.service"
        rm -f "/etc/dray/$name.container"
        systemctl daemon-reload
}
defer cleanup_units
track "$name"
health_is() { [ "$(prop "$1" Health)" = "$2" ]; }
service_state_is() { [ "$(unit_prop "$1" ActiveState)" = "$2" ]; }
main_pid_changed() { local p; p="$(unit_prop "$name.service" MainPID)"; [ "$p" != 0 ] && [ "$p" != "$1" ]; }

# The check passes while /share/ok exists; the test creates and removes it. The start period keeps
# early failures from counting: until its first success the container stays "starting".
cat > "/etc/dray/$name.container" <<EOT
[Container]
Rootfs=$rootfs
Network=none
Volume=$work/share:/share
Exec=sleep 1000
Notify=healthy
HealthCmd=test -e /share/ok
HealthInterval=300ms
HealthRetries=2
HealthStartPeriod=1h
HealthOnFailure=kill

[Service]
Restart=on-failure
RestartSec=1
TimeoutStartSec=120
EOT

ok "systemctl daemon-reload runs the generator" systemctl daemon-reload
like "$(unit_prop "$name.service" ExecStart)" "--sdnotify=healthy --volume" "the service runs dray run --sdnotify=healthy"
ok "systemctl start --no-block" systemctl start --no-block "$name.service"
ok "its container runs" wait_until 30 state_is "$name" running
checks_failed() { [ "$(dray inspect "$name" | jq '[.[0].HealthLog[] | select(.ExitCode != 0)] | length')" -ge 2 ]; }
ok "its checks fail" wait_until 30 checks_failed
is "$(prop "$name" Health)" starting "... within the start period it is still starting"
is "$(unit_prop "$name.service" ActiveState)" activating "the service waits for the container's health"
touch "$work/share/ok"
ok "healthy, the service is active" wait_until 30 service_state_is "$name.service" active
first="$(unit_prop "$name.service" MainPID)"
rm "$work/share/ok"
ok "unhealthy, HealthOnFailure=kill ends it and Restart=on-failure starts the service again" \
        wait_until 60 main_pid_changed "$first"
touch "$work/share/ok"
ok "... and it is active again once healthy" wait_until 60 service_state_is "$name.service" active
out="$(dray generate unit "$name")"
like "$out" "HealthCmd=test -e /share/ok" "dray generate unit writes HealthCmd="
like "$out" "HealthRetries=2" "... and the other Health keys"

# --- several networks -------------------------------------------------------------------------------
net1="hn1-$$-$RANDOM"
net2="hn2-$$-$RANDOM"
multi="$(unique_name multi)"
unitnet="$(unique_name unet)"
cleanup_networks() {
        unit_gone "$unitnet.service"
        unit_gone "$net1-network.service"
        rm -f "/etc/dray/$unitnet.container" "/etc/dray/$net1.network"
        systemctl daemon-reload
        dray network rm "$net1" "$net2" >/dev/null 2>&1 || true
}
# Deferred first, so it runs last: after the containers that use the networks are gone.
defer cleanup_networks
track "$multi"
track "$unitnet"
networks_of() { dray inspect "$1" | jq -r '[.[0].Networks[][0]] | join(" ")'; }
ok "a network" dray network create "$net2"
ok "dray run --network dray --network NET" dray run -d --name "$multi" --network dray --network "$net2" \
        --rootfs "$rootfs" sleep 1000
is "$(networks_of "$multi")" "dray $net2" "it is on both networks"
is "$(dray exec "$multi" sh -c 'ls /sys/class/net | grep -vc lo')" 2 "with an interface on each"
fails "a second network that does not exist fails the run" dray run -d --name "$multi-x" --network dray \
        --network no-such-net --rootfs "$rootfs" sleep 1000
fails "... and leaves no container behind" dray inspect "$multi-x"
printf '[Network]\n' > "/etc/dray/$net1.network"
cat > "/etc/dray/$unitnet.container" <<EOT
[Container]
Rootfs=$rootfs
Exec=sleep 1000
Network=$net1.network
Network=$net2
EOT
ok "a .container with two Network= keys" systemctl daemon-reload
ok "its service starts" systemctl start "$unitnet.service"
is "$(networks_of "$unitnet")" "$net1 $net2" "its container is on both, the .network file's first"
systemctl stop "$unitnet.service"

# --- templates ---------------------------------------------------------------------------------------
tmpl="$(unique_name tmpl)"
cleanup_template() {
        unit_gone "$tmpl@one.service"
        unit_gone "$tmpl@two.service"
        rm -f "/etc/dray/$tmpl@.container"
        systemctl daemon-reload
}
defer cleanup_template
track "$tmpl-one"
track "$tmpl-two"
mkdir -p "$work/share/one" "$work/share/two"
cat > "/etc/dray/$tmpl@.container" <<EOT
[Container]
Rootfs=$rootfs
Network=none
Volume=$work/share/%i:/data
Exec=sh -c 'echo "instance %i at 100%%"; touch /data/was-here; exec sleep 1000'

[Install]
WantedBy=multi-user.target
DefaultInstance=one
EOT
ok "a template NAME@.container: systemctl daemon-reload" systemctl daemon-reload
ok "the generator wrote NAME@.service" test -f "/run/systemd/generator/$tmpl@.service"
is "$(unit_prop "$tmpl@three.service" LoadState)" loaded "an instance of it loads"
ok "DefaultInstance= links NAME@one.service into multi-user.target.wants" \
        test -L "/run/systemd/generator/multi-user.target.wants/$tmpl@one.service"
ok "two instances start" systemctl start "$tmpl@one.service" "$tmpl@two.service"
ok "... each with its container NAME-INSTANCE" wait_until 30 state_is "$tmpl-two" running
ok "%i is expanded in Volume= (the instance's own directory)" wait_until 30 test -e "$work/share/one/was-here"
ok "... and in Exec=, with %% a literal percent" wait_until 30 journal_has "$tmpl@two.service" "instance two at 100%"
systemctl stop "$tmpl@one.service" "$tmpl@two.service"
ok "stopping the instances removes their containers" wait_until 30 container_gone "$tmpl-one"
