#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Restart policies of containers drayd runs itself (--restart, RestartPolicy):
# - on-failure:2 restarts a failing container exactly twice, 100 ms then 200 ms after its ends
#   (drayd's own journal says which delay it chose), then leaves it exited; RestartCount is 2;
# - always survives kill -9 of drayd: a payload killed while drayd is down is started again by the
#   next drayd;
# - dray stop ends always and unless-stopped containers; after a restart of drayd the always one
#   is back and the unless-stopped one stays stopped;
# - dray update --restart changes the policy; --rm with a policy is refused.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/48-restart-policy.sh).
# shellcheck disable=SC2016 # single-quoted scripts are expanded by the payload's shell
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl journalctl busctl

plan 24
setup_dray_test
# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"

run_opts=(--network none --rootfs "$rootfs")
count_is() { [ "$(prop "$1" RestartCount)" = "$2" ]; }
# payload NAME: the PID of the container's command (the child of its init).
payload() { pgrep -P "$(prop "$1" Pid)" | head -1; }
drayd_journal() { journalctl --sync; journalctl -u drayd.service -o cat --no-pager --since "@$since"; }
since="$(date +%s)"

# --- on-failure:2 ----------------------------------------------------------------------------------
fail_name="$(unique_name onfail)"
track "$fail_name"
ok "run -d --restart on-failure:2 of a command that fails" dray run -d --name "$fail_name" --restart on-failure:2 \
        "${run_opts[@]}" -v "$work:/w" sh -c 'echo start >> /w/starts; exit 3'
ok "it is restarted twice (RestartCount 2)" wait_until 30 count_is "$fail_name" 2
ok "... and stays exited" wait_until 30 state_is "$fail_name" exited
sleep 2 # a third restart would have come 400 ms after the second end
is "$(prop "$fail_name" RestartCount)" 2 "no third restart"
is "$(wc -l < "$work/starts")" 3 "the command ran three times"
is "$(prop "$fail_name" ExitStatus)" 3 "its last exit status is kept"
delays="$(drayd_journal | sed -n "s/^Container $fail_name: restarting it in \([0-9]*\) ms.*/\1/p" | tr '\n' ' ')"
is "$delays" "100 200 " "the delays grow: 100 ms, then 200 ms"
is "$(prop "$fail_name" RestartPolicy)" on-failure:2 "RestartPolicy property"
ok "a client's start counts from 0 again" dray start "$fail_name"
ok "... and the policy restarts it again" wait_until 30 count_is "$fail_name" 2

# --- always, across kill -9 of drayd -------------------------------------------------------------------
always="$(unique_name always)"
track "$always"
ok "run -d --restart always" dray run -d --name "$always" --restart always "${run_opts[@]}" sleep 1000
ok "it runs" wait_until 20 state_is "$always" running
payload_known() { pid="$(payload "$always")"; [ -n "$pid" ]; }
wait_until 20 payload_known || diag "no payload PID for $always"
systemctl kill -s KILL drayd.service
kill -KILL "$pid"
ok "killed while drayd was down (kill -9), it is started again by the next drayd" \
        wait_until 60 count_is "$always" 1
ok "... and runs" wait_until 20 state_is "$always" running

# --- dray stop, then a restart of drayd ---------------------------------------------------------------
unless="$(unique_name unless)"
track "$unless"
ok "run -d --restart unless-stopped" dray run -d --name "$unless" --restart unless-stopped "${run_opts[@]}" sleep 1000
ok "dray stop ends both" dray stop -t 1 "$always" "$unless"
ok "systemctl restart drayd" systemctl restart drayd.service
ok "the always container comes back" wait_until 30 state_is "$always" running
sleep 1 # an unless-stopped restart would be armed with no delay, as the always one was
is "$(prop "$unless" State)" exited "the unless-stopped one stays stopped"

# --- a simulated reboot: drayd stopped, the containers' scopes gone, /run/dray cleared ----------------
boot_always="$(unique_name balways)"
boot_unless="$(unique_name bunless)"
track "$boot_always"
track "$boot_unless"
ok "two more running containers, always and unless-stopped" dray run -d --name "$boot_always" --restart always \
        "${run_opts[@]}" sleep 1000
dray run -d --name "$boot_unless" --restart unless-stopped "${run_opts[@]}" sleep 1000 >/dev/null
dray stop -t 1 "$boot_unless" >/dev/null
# /run/dray is cleared only when no container of another test runs (tools/test-all runs the files one
# after another; a container of an earlier file may still be there).
others="$(for id in $(dray ps -q); do dray inspect -f '{{.Name}}' "$id"; done 2>/dev/null |
        grep -vx -e "$boot_always" -e "$always")"
systemctl stop drayd.service
systemctl kill -s KILL "dray-$boot_always.scope" "dray-$always.scope" 2>/dev/null
[ -z "$others" ] && rm -rf /run/dray/*
systemctl start drayd.service
ok "after the reboot, the always container runs again" wait_until 30 state_is "$boot_always" running
sleep 1 # an unless-stopped restart would be armed with no delay, as the always one was
is "$(prop "$boot_unless" State)" exited "the stopped unless-stopped one stays stopped"

# --- dray update --restart, and --rm ---------------------------------------------------------------------
dray update --restart no "$always" >/dev/null
is "$(prop "$always" RestartPolicy)" no "dray update --restart no"
like "$(dray run --rm --restart always "${run_opts[@]}" true 2>&1)" "conflict" "--rm with --restart is refused"
