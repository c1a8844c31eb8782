#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Readiness and the shipped template: a Type=notify service running `dray run` becomes active once
# the container runs (--sdnotify=ready, the default), and times out with --sdnotify=ignore, leaving
# no container behind; `systemctl enable --now dray@NAME` runs a container created earlier, the
# service's state follows the container's, and its journal has the container's lines. Runs inside
# the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/43-notify-template.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl systemd-run journalctl jq

plan 18
setup_dray_test

# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"
run_opts=(--network none --rootfs "$rootfs")

# --- Type=notify ------------------------------------------------------------------------------
name="$(unique_name ready)"
track "$name"
track_unit "$name.service"
# systemd-run waits for the start job: it returns once the service is active.
ok "a Type=notify service running dray run starts" \
        systemd-run --quiet --unit="$name" -p Type=notify -p TimeoutStartSec=60 \
        dray run --rm --name "$name" "${run_opts[@]}" sleep 1000
is "$(unit_prop "$name.service" ActiveState)" active "it is active"
ok "... with its container running" state_is "$name" running
like "$(unit_prop "$name.service" StatusText)" "running" "its status text says the container runs"
systemctl stop "$name.service"
ok "stopping the service removes the --rm container" wait_until 30 container_gone "$name"

name="$(unique_name ignore)"
track "$name"
track_unit "$name.service"
fails "with --sdnotify=ignore nobody says READY=1: the start times out" \
        systemd-run --quiet --unit="$name" -p Type=notify -p TimeoutStartSec=2 \
        dray run --rm --sdnotify=ignore --name "$name" "${run_opts[@]}" sleep 1000
is "$(unit_prop "$name.service" Result)" timeout "the service's result is timeout"
ok "... and its container is gone" wait_until 30 container_gone "$name"
status_is 125 "dray create refuses --sdnotify (it is about the run)" \
        dray create --sdnotify=ready "${run_opts[@]}" true
status_is 125 "an unknown --sdnotify mode is an error" dray run --sdnotify=sometimes "${run_opts[@]}" true

# --- dray@NAME ----------------------------------------------------------------------------
name="$(unique_name tmpl)"
tag="$RANDOM$RANDOM"
track "$name"
track_unit "dray@$name.service"
defer systemctl disable "dray@$name.service"
ok "dray create a container" dray create --name "$name" "${run_opts[@]}" \
        sh -c "trap 'echo bye-$tag; exit 0' TERM; echo hello-$tag; while :; do sleep 0.1; done"
ok "systemctl enable --now dray@NAME" systemctl enable --now "dray@$name.service"
is "$(unit_prop "dray@$name.service" ActiveState)" active "the service is active"
ok "... and the container runs" state_is "$name" running
ok "its output is in the service's journal" wait_until 20 journal_has "dray@$name.service" "hello-$tag"
ok "systemctl stop dray@NAME" systemctl stop "dray@$name.service"
is "$(dray inspect -f '{{.State}} {{.ExitStatus}}' "$name")" "exited 0" \
        "the container was stopped with its stop signal (its handler's status 0)"
is "$(unit_prop "dray@$name.service" ActiveState)" inactive "the service is inactive, not failed"
