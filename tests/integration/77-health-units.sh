#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Health checks in container units (dray.container(5)): HealthCmd=, HealthInterval=,
# HealthRetries=, HealthOnFailure= and Notify=healthy become dray run's options:
# - the generated service is activating until the container is healthy, then active;
# - failures within HealthStartPeriod= do not count;
# - HealthOnFailure=kill ends the container when it turns unhealthy, and the service's
#   Restart=on-failure brings it back (healthy again: ready again);
# - `dray generate unit` writes the Health keys of a container back.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/77-health-units.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl jq

plan 12
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
