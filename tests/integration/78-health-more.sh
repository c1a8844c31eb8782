#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The rest of issue 11's health checks and container units:
# - --health-start-interval (Docker 25): with a 1 h interval, checks still come every 200 ms while
#   the container is starting within its start period (failing ones there do not count), and stop
#   coming once it is healthy; inspect, the Healthcheck property and `dray generate unit` show it;
#   the image config's Healthcheck.StartInterval too; HealthStartInterval= in a .container file;
#   Quadlet's HealthStartup*= keys (a second, startup check dray lacks) are errors with file:line;
# - dray update --health-* / --no-healthcheck (as podman update): a shorter interval applies at once
#   (no waiting out the old hour), a new command is run, the values survive drayd's restart and the
#   timers run on after it, --no-healthcheck makes the health "none" and --health-cmd brings it
#   back; bad values are refused naming the option (CLI and UpdateContainer) and change nothing;
#   a stopped container keeps the update for its next start;
# - NAME@INSTANCE.container beside NAME@.container (Quadlet's instance files): a symlink to the
#   template becomes NAME@INSTANCE.service (its own SourcePath, its WantedBy= link, %i expanded), a
#   regular file gives that instance its own keys, other instances still use the template; drop-ins
#   (NAME@.container.d/*.conf for all, NAME@INSTANCE.container.d/ for one) add or override keys; a bad
#   key in a drop-in is logged with the drop-in's FILE:LINE and the unit is not made.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/78-health-more.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl busctl jq python3

plan 67
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"

[ -x /lib/systemd/system-generators/dray-generator ] || bail_out "dray-generator is not installed"
gen_dir=/run/systemd/generator
mkdir -p /etc/dray "$work/share"
health_is() { [ "$(prop "$1" Health)" = "$2" ]; }
log_length() { dray inspect "$1" | jq '.[0].HealthLog | length'; }
log_at_least() { [ "$(log_length "$1")" -ge "$2" ]; }
container_path() { busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" | cut -d'"' -f2; }
check_of() { dray inspect "$1" | jq -c "[.[0].Config.Healthcheck.$2]"; }
run_opts=(--network none --rootfs "$rootfs")

# --- --health-start-interval -------------------------------------------------------------------------
fast="$(unique_name fast)"
track "$fast"
ok "run -d with --health-start-interval 200ms (interval 1h, start period 1h)" \
        dray run -d --name "$fast" --health-cmd false --health-interval 1h --health-start-period 1h \
        --health-start-interval 200ms "${run_opts[@]}" sleep 1000
ok "failing checks come every start interval while it is starting" wait_until 30 log_at_least "$fast" 3
is "$(prop "$fast" Health)" starting "... and within the start period they do not count"
is "$(check_of "$fast" StartInterval)" "[200000000]" "inspect shows Config.Healthcheck.StartInterval (ns)"
like "$(busctl get-property org.dray1 "$(container_path "$fast")" org.dray1.Container Healthcheck)" \
        '^\(asttttus\) 2 "CMD-SHELL" "false" 3600000000 0 3600000000 200000 0 "none"$' \
        "the Healthcheck property has the start interval"
like "$(dray generate unit "$fast")" "HealthStartInterval=200ms" "dray generate unit writes HealthStartInterval="

quick="$(unique_name quick)"
track "$quick"
ok "run -d with a passing check, interval 1h, start interval 200ms" dray run -d --name "$quick" \
        --health-cmd true --health-interval 1h --health-start-period 1h --health-start-interval 200ms \
        "${run_opts[@]}" sleep 1000
ok "it is healthy long before the interval" wait_until 30 health_is "$quick" healthy
n="$(log_length "$quick")"
sleep 1
is "$(log_length "$quick")" "$n" "healthy, the checks go back to the 1h interval"
status_is 125 "a start interval below 1 ms is refused" dray run --health-start-interval 1us "${run_opts[@]}" true
like "$(dray run --health-start-interval soon "${run_opts[@]}" true 2>&1)" "--health-start-interval" \
        "... naming the option"

# The image config's Healthcheck.StartInterval.
tag="localhost/health3-$$-$RANDOM:1"
defer dray image rm -f "$tag"
python3 "$(dirname "$0")/health-image.py" "$rootfs" "$work/image.tar" "$tag" \
        '{"Test": ["CMD-SHELL", "true"], "Interval": 3600000000000, "StartPeriod": 3600000000000, "StartInterval": 200000000}'
ok "an image with Healthcheck.StartInterval loads" dray image load -i "$work/image.tar"
from_image="$(unique_name image)"
track "$from_image"
ok "run -d of it" dray run -d --name "$from_image" --network none "$tag"
ok "its StartInterval makes it healthy long before its 1h interval" wait_until 30 health_is "$from_image" healthy
is "$(check_of "$from_image" StartInterval)" "[200000000]" "inspect shows the image's StartInterval"

# HealthStartInterval= in a .container file; Quadlet's HealthStartup*= are refused.
unit="$(unique_name sunit)"
badunit="$(unique_name badunit)"
cleanup_units() {
        unit_gone "$unit.service"
        rm -f "/etc/dray/$unit.container" "/etc/dray/$badunit.container"
        systemctl daemon-reload
}
defer cleanup_units
track "$unit"
cat > "/etc/dray/$unit.container" <<EOT
[Container]
Rootfs=$rootfs
Network=none
Exec=sleep 1000
Notify=healthy
HealthCmd=true
HealthInterval=1h
HealthStartPeriod=1h
HealthStartInterval=200ms
EOT
printf '[Container]\nRootfs=%s\nExec=true\nHealthCmd=true\nHealthStartupInterval=1s\n' "$rootfs" \
        > "/etc/dray/$badunit.container"
ok "systemctl daemon-reload" systemctl daemon-reload
like "$(unit_prop "$unit.service" ExecStart)" "--health-start-interval 200ms" \
        "HealthStartInterval= becomes --health-start-interval"
ok "the service is ready (healthy) long before the 1h interval" systemctl start "$unit.service"
is "$(prop "$unit" Health)" healthy "... its container is healthy"
ok "HealthStartupInterval= gets no unit" test ! -e "$gen_dir/$badunit.service"
journalctl --sync
like "$(journalctl -t dray-generator -o cat --no-pager 2>&1 | grep -F "/etc/dray/$badunit.container")" \
        "$badunit.container:5: HealthStartupInterval= is not supported" "... and the journal says FILE:LINE why"

# --- dray update of the health check --------------------------------------------------------------
upd="$(unique_name upd)"
track "$upd"
ok "run -d with a check every hour" dray run -d --name "$upd" -v "$work/share:/share" --health-cmd 'test -e /share/ok' \
        --health-interval 1h --health-retries 1 "${run_opts[@]}" sleep 1000
touch "$work/share/ok"
is "$(prop "$upd" Health)" starting "it starts as 'starting' (the first check is an hour away)"
ok "dray update --health-interval 200ms" dray update --health-interval 200ms "$upd"
ok "the new interval applies at once: it turns healthy" wait_until 30 health_is "$upd" healthy
is "$(check_of "$upd" Interval)" "[200000000]" "inspect shows the new interval"
ok "dray update --health-cmd (a file that is not there)" dray update --health-cmd 'test -e /share/other' "$upd"
ok "the new command runs: it turns unhealthy" wait_until 30 health_is "$upd" unhealthy
is "$(dray inspect "$upd" | jq -r '.[0].Config.Healthcheck.Test | join(" ")')" "CMD-SHELL test -e /share/other" \
        "inspect shows the new command"

# Refused updates name the option and change nothing.
like "$(dray update --health-interval 1us "$upd" 2>&1)" "--health-interval" "a bad --health-interval is refused, named"
like "$(dray update --health-on-failure sometimes "$upd" 2>&1)" "--health-on-failure" "a bad --health-on-failure too"
like "$(dray update --no-healthcheck --health-retries 2 "$upd" 2>&1)" "conflicts" \
        "--no-healthcheck with --health-* is refused"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager UpdateContainer 'sa{sv}' "$upd" 1 \
        HealthIntervalUSec t 5 2>&1)" "Invalid option 'HealthIntervalUSec'" "UpdateContainer refuses 5 µs, naming the key"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager UpdateContainer 'sa{sv}' "$upd" 2 \
        RestartPolicy s always HealthCmd as 2 CMD-SHELL '' 2>&1)" "Invalid option 'HealthCmd'" \
        "... and an empty HealthCmd"
is "$(prop "$upd" RestartPolicy)" no "a refused update changes nothing (restart policy)"
is "$(check_of "$upd" Interval)" "[200000000]" "... nor the health check"

ok "systemctl restart drayd" systemctl restart drayd.service
is "$(check_of "$upd" Interval)" "[200000000]" "the updated interval survives drayd's restart"
is "$(dray inspect "$upd" | jq -r '.[0].Config.Healthcheck.Test[1]')" "test -e /share/other" "... and the command"
touch "$work/share/other"
ok "the timers run on after drayd's restart: healthy again" wait_until 30 health_is "$upd" healthy

ok "dray update --no-healthcheck" dray update --no-healthcheck "$upd"
is "$(prop "$upd" Health)" none "its health is 'none'"
status_is 125 "dray healthcheck run has no check to run" dray healthcheck run "$upd"
ok "dray update --health-cmd true brings a check back" dray update --health-cmd true "$upd"
ok "... which makes it healthy" wait_until 30 health_is "$upd" healthy

rmc="$(unique_name rm)"
track "$rmc"
dray run -d --rm --name "$rmc" --health-cmd true "${run_opts[@]}" sleep 1000 >/dev/null
like "$(dray update --health-on-failure restart "$rmc" 2>&1)" "HealthOnFailure" \
        "--health-on-failure restart of a --rm container is refused, naming it"

dray stop -t 1 "$fast" >/dev/null
ok "dray update of a stopped container" dray update --health-cmd true --health-start-interval 300ms "$fast"
dray start "$fast" >/dev/null
ok "its next start uses it: healthy" wait_until 30 health_is "$fast" healthy
is "$(check_of "$fast" StartInterval)" "[300000000]" "... with the updated start interval"

# --- NAME@INSTANCE.container ---------------------------------------------------------------------
tmpl="$(unique_name tmpl)"
cleanup_instances() {
        unit_gone "$tmpl@two.service"
        unit_gone "$tmpl@three.service"
        unit_gone "$tmpl@four.service"
        rm -f "/etc/dray/$tmpl@.container" "/etc/dray/$tmpl@two.container" "/etc/dray/$tmpl@three.container" \
                "/etc/dray/$tmpl-d.container"
        rm -rf "/etc/dray/$tmpl@.container.d" "/etc/dray/$tmpl@two.container.d" "/etc/dray/$tmpl-d.container.d"
        systemctl daemon-reload
}
defer cleanup_instances
track "$tmpl-two"
track "$tmpl-custom-three"
track "$tmpl-four"
cat > "/etc/dray/$tmpl@.container" <<EOT
[Container]
Rootfs=$rootfs
Network=none
Exec=sh -c 'echo template %i \$FROM; exec sleep 1000'

[Install]
WantedBy=multi-user.target
DefaultInstance=one
EOT
ln -s "$tmpl@.container" "/etc/dray/$tmpl@two.container"
cat > "/etc/dray/$tmpl@three.container" <<EOT
[Container]
Rootfs=$rootfs
Network=none
ContainerName=$tmpl-custom-%i
Exec=sh -c 'echo own file %i; exec sleep 1000'
EOT
# Drop-ins: the template's apply to every instance, an instance's own to it alone.
mkdir -p "/etc/dray/$tmpl@.container.d" "/etc/dray/$tmpl@two.container.d" "/etc/dray/$tmpl-d.container.d"
printf '[Container]\nEnvironment=FROM=tmpl-dropin\n' > "/etc/dray/$tmpl@.container.d/10-env.conf"
printf '[Container]\nExec=sh -c %s\n' "'echo dropin %i \$FROM; exec sleep 1000'" \
        > "/etc/dray/$tmpl@two.container.d/20-exec.conf"
printf '[Container]\nRootfs=%s\nExec=true\n' "$rootfs" > "/etc/dray/$tmpl-d.container"
printf '[Container]\n\nBogus=1\n' > "/etc/dray/$tmpl-d.container.d/bad.conf"
ok "systemctl daemon-reload with instance files" systemctl daemon-reload
is "$(unit_prop "$tmpl@two.service" FragmentPath)" "$gen_dir/$tmpl@two.service" \
        "a symlinked NAME@two.container becomes NAME@two.service"
is "$(unit_prop "$tmpl@two.service" SourcePath)" "/etc/dray/$tmpl@two.container" "... made from the instance file"
ok "... enabled by its WantedBy= (the template's DefaultInstance= does not concern it)" \
        test -L "$gen_dir/multi-user.target.wants/$tmpl@two.service"
like "$(dray generate unit --service "/etc/dray/$tmpl@two.container")" '"echo dropin %i \$\$FROM; exec sleep 1000"' \
        "dray generate unit --service shows the instance file's service with its drop-ins"
ok "systemctl start NAME@two.service" systemctl start "$tmpl@two.service"
is "$(prop "$tmpl-two" State)" running "its container is NAME-two"
ok "%i is the instance; its own drop-in and the template's apply" \
        wait_until 20 journal_has "$tmpl@two.service" "dropin two tmpl-dropin"
ok "systemctl start NAME@three.service (a file of its own)" systemctl start "$tmpl@three.service"
ok "its own keys apply (ContainerName=, Exec=)" wait_until 20 journal_has "$tmpl@three.service" "own file three"
is "$(prop "$tmpl-custom-three" State)" running "... its container is $tmpl-custom-three"
ok "another instance still uses the template" systemctl start "$tmpl@four.service"
is "$(prop "$tmpl-four" State)" running "... container NAME-four"
ok "... with the template's drop-in" wait_until 20 journal_has "$tmpl@four.service" "template four tmpl-dropin"
ok "a bad key in a drop-in: no unit" test ! -e "$gen_dir/$tmpl-d.service"
like "$(journalctl -t dray-generator -o cat --no-pager 2>&1 | grep -F "$tmpl-d.container.d")" \
        "$tmpl-d.container.d/bad.conf:3: Unknown key 'Bogus'" "... and the journal names the drop-in and its line"
ok "systemctl stop NAME@two.service stops its container" systemctl stop "$tmpl@two.service"
ok "... which is gone (dray run --rm)" wait_until 30 container_gone "$tmpl-two"
