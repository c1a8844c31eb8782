#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Booted containers, the console and the wait for readiness: `dray run -it --boot` shows the inner
# getty's login prompt on the container's /dev/console (closing the terminal detaches, ^C halts),
# `machinectl login` one on a pts; `dray run -d --boot --timeout` gives up on
# an init that never says READY=1 with a clear error and leaves the container running; a command
# given after the root replaces the tree's init as PID 1. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require tmux busctl

plan 12
setup_dray_test
tree="$("$REPO_ROOT/tools/make-os-tree")" ||
        bail_out "no OS tree in /var/cache/dray-test: run tools/make-os-tree on the host (tools/test-all does)"

prop() {
        local path
        path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$1" | cut -d'"' -f2)" || return 1
        busctl get-property org.dray1 "$path" org.dray1.Container "$2" | cut -d' ' -f2- | tr -d '"'
}

# --- the console --------------------------------------------------------------------------------
name="$(unique_name bcon)"
session="dray-test-$$"
defer dray rm -f "$name"
defer sh -c "tmux kill-session -t $session 2>/dev/null || true"
tmux new-session -d -s "$session" -x 100 -y 30 "dray run -it --boot --ephemeral --name $name --rootfs $tree"
prompt() { tmux capture-pane -p -t "$session" | grep "^$name login:" >/dev/null; }
ok "dray run -it --boot shows the inner getty's login prompt" wait_until 60 prompt
tmux send-keys -t "$session" root Enter
password() { tmux capture-pane -p -t "$session" | grep '^Password:' >/dev/null; }
ok "what is typed reaches the getty (it asks for the password)" wait_until 20 password
is "$(prop "$name" Tty)" true "a booted container always has its console terminal"
status_is 0 "dray stop powers it off" dray stop "$name"
client_gone() { ! tmux has-session -t "$session" 2>/dev/null; }
ok "the attached client ends with it" wait_until 20 client_gone

# Closing the client's terminal detaches: the system keeps running.
dname="$(unique_name bdet)"
dsession="dray-test-detach-$$"
defer dray rm -f "$dname"
tmux new-session -d -s "$dsession" -x 100 -y 30 "dray run -it --boot --ephemeral --name $dname --rootfs $tree"
dprompt() { tmux capture-pane -p -t "$dsession" | grep "^$dname login:" >/dev/null; }
wait_until 60 dprompt || diag "no login prompt on the console"
tmux kill-session -t "$dsession"
still_up() {
        [ "$(prop "$dname" State)" = running ] || return 1
        case "$(systemctl -M "$dname" is-system-running 2>/dev/null)" in running|degraded) return 0 ;; esac
        return 1
}
sleep 1 # give a wrongly forwarded hangup the time to take the system down
ok "closing the client's terminal detaches: the system keeps running" still_up
dray rm -f "$dname" >/dev/null

# --- machinectl login: a getty on a pts of the container's, through machined ----------------------
lname="$(unique_name blogin)"
lsession="dray-test-login-$$"
defer dray rm -f "$lname"
defer sh -c "tmux kill-session -t $lsession 2>/dev/null || true"
dray run -d --boot --ephemeral --name "$lname" --rootfs "$tree" >/dev/null
tmux new-session -d -s "$lsession" -x 100 -y 30 "machinectl login $lname"
login_prompt() { tmux capture-pane -p -t "$lsession" | grep "^$lname login:" >/dev/null; }
ok "machinectl login gets the container's login prompt" wait_until 30 login_prompt
tmux kill-session -t "$lsession" 2>/dev/null
dray rm -f "$lname" >/dev/null

# --- ^C on a foreground dray run --boot: the system halts (not systemd's Ctrl-Alt-Del reboot) ----
fname="$(unique_name bfg)"
defer dray rm -f "$fname"
dray run --boot --ephemeral --name "$fname" --rootfs "$tree" >/dev/null 2>&1 &
client=$!
up() { case "$(systemctl -M "$fname" is-system-running 2>/dev/null)" in running|degraded) return 0 ;; esac; return 1; }
wait_until 60 up || diag "the foreground container did not come up"
kill -INT "$client"
wait "$client"; rc=$?
is "$rc" 0 "^C on the client of a foreground dray run --boot ends it with status 0"
is "$(prop "$fname" State) $(prop "$fname" ExitStatus)" "exited 0" "... the system was shut down, not rebooted"
dray rm -f "$fname" >/dev/null

# --- an init that never says READY=1 --------------------------------------------------------------
slow="$(unique_name bslow)"
defer dray rm -f "$slow"
out="$(dray run -d --boot --timeout 1 --name "$slow" --rootfs "$rootfs" /bin/sleep 1000 2>&1)"; rc=$?
is "$rc" 125 "--timeout: an init that never reports ready fails dray run -d after the timeout"
like "$out" 'did not report that its system is up within 1 s; it is still running' "... saying so"
is "$(prop "$slow" State)" starting "... and the container is left as it is (its command is PID 1)"
