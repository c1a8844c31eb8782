#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Health checks (--health-*, the image's Healthcheck, --health-on-failure, --sdnotify=healthy):
# - a container whose payload (busybox httpd) answers is healthy; when it stops answering it turns
#   unhealthy, in dray ps, inspect and the Health property, and a D-Bus client (busctl monitor) sees
#   PropertiesChanged say so; dray healthcheck run exits 1, then 0 once it answers again;
# - --health-on-failure restart restarts it (RestartCount 1) and it is healthy again;
# - a check that outlives --health-timeout is killed (nothing of it is left in the container) and
#   fails with exit code -1;
# - drayd's restart keeps the health and re-arms the timers (a change after it is still seen); a check
#   running when drayd is killed (-9) is killed by the next drayd;
# - the image's Healthcheck applies, --no-healthcheck turns it off;
# - a Type=notify service with --sdnotify=healthy is activating until the container is healthy.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/49-health.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl systemd-run busctl jq python3 timeout

plan 55
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"

mkdir -p "$rootfs/www"
echo alive > "$rootfs/www/index.html"
run_opts=(--network none --rootfs "$rootfs")
# The payload serves on the container's own loopback; the check asks it.
serve='httpd -p 127.0.0.1:8080 -h /www; exec sleep 1000'
check='wget -q -O- http://127.0.0.1:8080/'
health_is() { [ "$(prop "$1" Health)" = "$2" ]; }
count_is() { [ "$(prop "$1" RestartCount)" = "$2" ]; }
service_active() { [ "$(unit_prop "$1" ActiveState)" = active ]; }
container_path() { busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" | cut -d'"' -f2; }

# --- healthy, then unhealthy when the payload stops answering ------------------------------------
web="$(unique_name web)"
track "$web"
ok "run -d with --health-cmd" dray run -d --name "$web" --health-cmd "$check" --health-interval 300ms \
        --health-retries 2 "${run_opts[@]}" sh -c "$serve"
ok "it becomes healthy" wait_until 30 health_is "$web" healthy
like "$(dray ps --filter "name=$web")" "Up .* \(healthy\)" "dray ps says (healthy)"
is "$(dray inspect "$web" | jq -r '.[0].HealthLog[-1].Output')" alive "inspect shows the check's output"
is "$(dray inspect "$web" | jq -r '.[0].Healthcheck.Test | join(" ")')" "CMD-SHELL $check" "... and the test"
monitor_out="$work/monitor"
timeout 60 busctl monitor --match "type='signal',interface='org.freedesktop.DBus.Properties',path='$(container_path "$web")'" \
        > "$monitor_out" 2>&1 &
monitor_pid=$!
defer kill "$monitor_pid"
# busctl monitor says nothing when it is ready: each check sends PropertiesChanged (HealthLog), so
# once one is seen it listens.
monitor_listens() { grep -q '"HealthLog"' "$monitor_out"; }
wait_until 30 monitor_listens || diag "busctl monitor saw no PropertiesChanged of $web yet"
ok "the payload stops answering (its httpd killed)" dray exec "$web" sh -c 'kill $(pidof httpd)'
ok "it becomes unhealthy" wait_until 30 health_is "$web" unhealthy
like "$(dray ps --filter "name=$web")" "Up .* \(unhealthy\)" "dray ps says (unhealthy)"
like "$(dray ps --filter health=unhealthy --format json | jq -r '.[].Name')" "^$web\$" "dray ps --filter health=unhealthy lists it"
unlike "$(dray ps --filter health=healthy --format json | jq -r '.[].Name')" "^$web\$" "... and health=healthy does not"
ok "inspect keeps at most 5 results" sh -c "[ \"\$(dray inspect '$web' | jq '.[0].HealthLog | length')\" -le 5 ]"
isnt "$(prop "$web" HealthFailingStreak)" 0 "the failing streak counts"
is "$(dray inspect -f '{{.State.Health.Status}}' "$web")" unhealthy "Docker's {{.State.Health.Status}}"
like "$(dray inspect "$web" | jq -c '[.[0].State.Health.FailingStreak > 0, (.[0].State.Health.Log[-1].Start | test("^20")),
        .[0].Config.Healthcheck.Interval, .[0].Config.Healthcheck.Retries]')" '^\[true,true,300000000,2\]$' \
        "State.Health (FailingStreak, Log) and Config.Healthcheck (nanoseconds) as Docker's"
monitor_saw() { grep -q '"unhealthy"' "$monitor_out"; }
ok "a D-Bus client saw PropertiesChanged with Health unhealthy" wait_until 10 monitor_saw
status_is 1 "dray healthcheck run exits 1 while it fails" dray healthcheck run "$web"
ok "the payload answers again" dray exec -d "$web" httpd -p 127.0.0.1:8080 -h /www
ok "dray healthcheck run exits 0 once it answers" wait_until 10 dray healthcheck run "$web"
ok "... and it is healthy again" health_is "$web" healthy

# --- --health-on-failure restart -----------------------------------------------------------------
restarted="$(unique_name restarted)"
track "$restarted"
ok "run -d with --health-on-failure restart" dray run -d --name "$restarted" --health-cmd "$check" \
        --health-interval 300ms --health-retries 2 --health-on-failure restart "${run_opts[@]}" sh -c "$serve"
ok "it becomes healthy" wait_until 30 health_is "$restarted" healthy
first_pid="$(prop "$restarted" Pid)"
dray exec "$restarted" sh -c 'kill $(pidof httpd)'
ok "unhealthy, it is restarted (RestartCount 1)" wait_until 30 count_is "$restarted" 1
ok "... and healthy again" wait_until 30 health_is "$restarted" healthy
isnt "$(prop "$restarted" Pid)" "$first_pid" "it is a new run"
is "$(prop "$restarted" RestartPolicy)" no "its restart policy is still 'no'"
is "$(dray ps --format json | jq -r --arg n "$restarted" '.[] | select(.Name == $n) | .RestartCount')" 1 \
        "dray ps --format json shows its RestartCount"

# --- the timeout kills the check ------------------------------------------------------------------
slow="$(unique_name slow)"
track "$slow"
ok "run -d with a check that hangs" dray run -d --name "$slow" --health-cmd 'sleep 77' --health-timeout 2s \
        --health-interval 1s --health-retries 1 "${run_opts[@]}" tail -f /dev/null
# Not under ok: it runs its command in a subshell, and slow_pid is wanted here.
slow_pid=""
slow_check() { slow_pid="$(dray exec "$slow" pidof sleep)"; [ -n "$slow_pid" ]; }
wait_until 30 slow_check
ok "the check runs" test -n "$slow_pid"
ok "the check times out: unhealthy" wait_until 30 health_is "$slow" unhealthy
is "$(dray inspect "$slow" | jq -r '.[0].HealthLog[0].ExitCode')" -1 "its exit code is -1"
like "$(dray inspect "$slow" | jq -r '.[0].HealthLog[0].Output')" "exceeded timeout" "its output says why"
# Later checks run as new processes: the one that timed out must be gone.
unlike " $(dray exec "$slow" pidof sleep) " " $slow_pid " "the check that timed out was killed (nothing left behind)"

# --- drayd's restart ----------------------------------------------------------------------------------
ok "systemctl restart drayd" systemctl restart drayd.service
ok "the health is kept across drayd's restart" wait_until 30 health_is "$web" healthy
dray exec "$web" sh -c 'kill $(pidof httpd)'
ok "the timers run again after drayd's restart: it turns unhealthy" wait_until 30 health_is "$web" unhealthy

# --- kill -9 of drayd during a check ------------------------------------------------------------------
hung="$(unique_name hung)"
track "$hung"
ok "run -d with a check that hangs for an hour" dray run -d --name "$hung" --health-cmd 'sleep 3600' \
        --health-timeout 1h --health-interval 300ms "${run_opts[@]}" tail -f /dev/null
hung_pid=""
hung_check() { hung_pid="$(dray exec "$hung" pidof sleep)"; [ -n "$hung_pid" ]; }
wait_until 30 hung_check
ok "the check runs" test -n "$hung_pid"
systemctl kill -s KILL drayd.service
ok "drayd comes back" wait_until 30 drayd_ready
hung_gone() { [[ " $(dray exec "$hung" pidof sleep) " != *" $hung_pid "* ]]; }
ok "the next drayd kills the check the killed one left running" wait_until 30 hung_gone

# --- the API, and what is refused -----------------------------------------------------------------
api="$(unique_name api)"
track "$api"
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
ok "CreateContainer with HealthCmd and HealthRetries (busctl)" mgr CreateContainer 'sa{sv}' "$api" 5 \
        Rootfs s "$rootfs" Command as 2 sleep 1000 Network s none HealthCmd as 2 CMD-SHELL true HealthRetries u 2
like "$(busctl get-property org.dray1 "$(container_path "$api")" org.dray1.Container Healthcheck)" \
        '^\(asttttus\) 2 "CMD-SHELL" "true" 0 0 0 0 2 "none"$' "the Healthcheck property says what was given"
like "$(mgr CreateContainer 'sa{sv}' "$(unique_name bad)" 3 Rootfs s "$rootfs" Command as 1 true \
        HealthCmd as 2 NONE x 2>&1)" "Invalid option 'HealthCmd'" "a malformed HealthCmd is refused"
like "$(mgr CreateContainer 'sa{sv}' "$(unique_name bad)" 4 Rootfs s "$rootfs" Command as 1 true \
        AutoRemove b true HealthOnFailure s restart 2>&1)" "conflict" "AutoRemove with HealthOnFailure restart is refused"
status_is 125 "dray run --rm --health-on-failure restart is refused" \
        dray run --rm --health-on-failure restart "${run_opts[@]}" true

# --- the image's Healthcheck ---------------------------------------------------------------------------
tag="localhost/health-$$-$RANDOM:1"
defer dray image rm -f "$tag"
python3 "$(dirname "$0")/health-image.py" "$rootfs" "$work/image.tar" "$tag" \
        '{"Test": ["CMD-SHELL", "test -e /etc/passwd"], "Interval": 300000000, "Retries": 2}'
ok "an image with a Healthcheck loads" dray image load -i "$work/image.tar"
from_image="$(unique_name image)"
track "$from_image"
ok "run -d of it" dray run -d --name "$from_image" --network none "$tag"
ok "the image's Healthcheck makes it healthy" wait_until 30 health_is "$from_image" healthy
none="$(unique_name nocheck)"
track "$none"
dray run -d --name "$none" --network none --no-healthcheck "$tag" >/dev/null
is "$(prop "$none" Health)" none "--no-healthcheck turns it off"
status_is 125 "dray healthcheck run of a container without a check fails (125)" dray healthcheck run "$none"

# --- --sdnotify=healthy ------------------------------------------------------------------------------
svc="$(unique_name notify)"
track "$svc"
track_unit "$svc.service"
ok "a Type=notify service with --sdnotify=healthy" \
        systemd-run --quiet --no-block --unit="$svc" -p Type=notify -p TimeoutStartSec=120 \
        dray run --rm --sdnotify=healthy --name "$svc" --health-cmd 'test -e /tmp/ready' --health-interval 300ms \
        "${run_opts[@]}" sleep 1000
ok "its container runs" wait_until 30 state_is "$svc" running
ok "... and is not healthy yet" wait_until 30 health_is "$svc" unhealthy
is "$(unit_prop "$svc.service" ActiveState)" activating "the service waits for the container's health"
dray exec "$svc" touch /tmp/ready
ok "healthy, the container makes the service active" wait_until 30 service_active "$svc.service"
like "$(unit_prop "$svc.service" StatusText)" healthy "its status text says so"
systemctl stop "$svc.service"
