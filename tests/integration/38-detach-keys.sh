#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray attach to a container with a terminal, through real ptys (tmux panes, on a tmux server of this
# file's own; nothing is read from the runner's stdin): two clients at once, what either types runs
# and both see the output; the detach keys (Ctrl-P Ctrl-Q by default, --detach-keys, "" disabling
# them, or dray.conf's) end a client and leave the container running, for attach, run -it (--rm
# too), start -ai and exec -it (the command runs on);
# a signal to a client of a terminal is not passed on (Docker's --sig-proxy applies without one);
# errors for bad keys and for a terminal container attached from no terminal. Runs inside the
# sandbox.
# shellcheck disable=SC2016 # the typed commands are single-quoted on purpose
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require tmux

plan 22
setup_dray_test
sock="dray-38-$$"
T() { tmux -L "$sock" "$@"; }
defer tmux -L "$sock" kill-server
# pane SESSION: what the session's terminal shows.
pane() { T capture-pane -p -t "$1" 2>/dev/null; }
shows() { pane "$1" | grep -q -- "$2"; }
# start_client SESSION CMD: runs CMD in a new 120x40 terminal; when it ends the pane says
# "END rc=STATUS" and stays. CMD's PID is in $work/SESSION.pid.
start_client() {
        T new-session -d -s "$1" -x 120 -y 40 \
                "bash -c '$2 <&0 & echo \$! > $work/$1.pid; wait \$!; echo END rc=\$?; sleep 3600'"
        wait_until 20 test -s "$work/$1.pid"
}
# typed SESSION TEXT: types TEXT and Enter into the session's terminal.
typed() { T send-keys -t "$1" "$2" Enter; }
# reaches FROM TO: what FROM types is echoed in TO (both attached): polls, typing again each time.
reaches() {
        local mark="seen-$RANDOM"
        wait_until 20 sh -c "tmux -L '$sock' send-keys -t '$1' 'echo $mark-\$((1+1))' Enter; sleep 0.3;
                tmux -L '$sock' capture-pane -p -t '$2' | grep -q '$mark-2'"
}

c="$(unique_name tty)"
track "$c"
dray run -dit --name "$c" --rootfs "$rootfs" sh >/dev/null

# --- two clients on one terminal -----------------------------------------------------------------

start_client s1 "dray attach $c"
reaches s1 s1 && pass "attach: what the client types runs in the container's terminal" ||
        fail "attach: what the client types runs in the container's terminal" "$(pane s1)"
start_client s2 "dray attach $c"
reaches s1 s2 && pass "a second client sees the output of the first one's input" ||
        fail "a second client sees the output of the first one's input" "$(pane s2)"
reaches s2 s1 && pass "and what the second one types reaches the container too" ||
        fail "and what the second one types reaches the container too" "$(pane s1)"

# --- detach keys ---------------------------------------------------------------------------------

T send-keys -t s1 C-p C-q
wait_until 20 shows s1 "END rc=0" && pass "Ctrl-P Ctrl-Q detaches the client (exit status 0)" ||
        fail "Ctrl-P Ctrl-Q detaches the client (exit status 0)" "$(pane s1)"
like "$(pane s1)" "Detached from container" "and says so"
ok "the container keeps running" state_is "$c" running
reaches s2 s2 && pass "the other client stays attached" || fail "the other client stays attached" "$(pane s2)"

start_client s3 "dray attach --detach-keys ctrl-x,y $c"
reaches s2 s3 || diag "the third client does not see the output"
T send-keys -t s3 C-p C-q
reaches s3 s3 && pass "--detach-keys: the default keys no longer detach" ||
        fail "--detach-keys: the default keys no longer detach" "$(pane s3)"
T send-keys -t s3 C-x y
wait_until 20 shows s3 "END rc=0" && pass "--detach-keys ctrl-x,y detaches" ||
        fail "--detach-keys ctrl-x,y detaches" "$(pane s3)"

start_client s4 "dray attach --detach-keys \"\" $c"
reaches s2 s4 || diag "the fourth client does not see the output"
T send-keys -t s4 C-p C-q
reaches s4 s4 && ! shows s4 "END rc" && pass "--detach-keys \"\" disables them" ||
        fail "--detach-keys \"\" disables them" "$(pane s4)"

# --- signals with a terminal ---------------------------------------------------------------------

kill -USR1 "$(cat "$work/s4.pid")"
wait_until 20 shows s4 "END rc=138" && pass "a signal ends a client attached to a terminal (128+10)" ||
        fail "a signal ends a client attached to a terminal (128+10)" "$(pane s4)"
# The container's shell would have died of SIGUSR1: it still answers.
reaches s2 s2 && state_is "$c" running && pass "and is not passed on to the container" ||
        fail "and is not passed on to the container" "$(pane s2)"
T send-keys -t s2 'exit 5' Enter
wait_until 20 shows s2 "END rc=5" && pass "the container's end ends the client with its exit status" ||
        fail "the container's end ends the client with its exit status" "$(pane s2)"

# --- run -it and start -ai -----------------------------------------------------------------------

r="$(unique_name run)"
track "$r"
start_client s5 "dray run -it --rm --name $r --rootfs $rootfs sh"
reaches s5 s5 || diag "run -it does not answer"
T send-keys -t s5 C-p C-q
wait_until 20 shows s5 "END rc=0" && pass "run -it: the detach keys end the run with status 0" ||
        fail "run -it: the detach keys end the run with status 0" "$(pane s5)"
ok "and leave the container running (its client's going does not stop it)" state_is "$r" running
start_client s6 "dray attach $r"
reaches s6 s6 || diag "attaching to the detached run failed"
typed s6 'exit 0'
wait_until 20 sh -c "! dray inspect $r >/dev/null 2>&1" && pass "run --rm: removed once it exits after all" ||
        fail "run --rm: removed once it exits after all"

s="$(unique_name start)"
track "$s"
dray create -it --name "$s" --rootfs "$rootfs" sh >/dev/null
start_client s7 "dray start -ai --detach-keys ctrl-a,d $s"
reaches s7 s7 || diag "start -ai does not answer"
T send-keys -t s7 C-a d
wait_until 20 shows s7 "END rc=0" && pass "start -ai: --detach-keys ends the client" ||
        fail "start -ai: --detach-keys ends the client" "$(pane s7)"
ok "and leaves the container running" state_is "$s" running

# exec -it: the detached command runs on (two shells in the container then).
start_client s9 "dray exec -it $s sh"
reaches s9 s9 || diag "exec -it does not answer"
T send-keys -t s9 C-p C-q
wait_until 20 shows s9 "END rc=0" && [ "$(dray top "$s" | grep -c ' sh$')" -ge 2 ] &&
        pass "exec -it: the detach keys end the client, the command runs on" ||
        fail "exec -it: the detach keys end the client, the command runs on" "$(pane s9; dray top "$s")"

# The keys from a config file (as Docker's detachKeys in its config.json).
mkdir -p "$work/cfg/dray"
printf '# test\ndetach-keys = ctrl-b,b\n' > "$work/cfg/dray/dray.conf"
start_client s8 "XDG_CONFIG_HOME=$work/cfg dray attach $s"
reaches s8 s8 || diag "the client with a config file does not see the output"
T send-keys -t s8 C-b b
wait_until 20 shows s8 "END rc=0" && pass "detach-keys in \$XDG_CONFIG_HOME/dray/dray.conf detach" ||
        fail "detach-keys in \$XDG_CONFIG_HOME/dray/dray.conf detach" "$(pane s8)"

# --- errors --------------------------------------------------------------------------------------

like "$(dray attach --detach-keys ctrl-1 "$s" 2>&1)" "Invalid --detach-keys 'ctrl-1'" "a bad --detach-keys is named"
like "$(dray attach "$s" 2>&1 < /dev/null)" "has a terminal and our input is not one" \
        "a terminal container is not attached from input that is no terminal"
