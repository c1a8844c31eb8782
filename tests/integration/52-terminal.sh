#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# -i and -t, as Docker users type them: stdin piped into a container (-i), kept open for a detached
# one (-d -i), attached later (start -a -i); a terminal of the container's own (-t: /dev/pts/0 of its
# devpts, the controlling terminal, TERM, the client's window size, resized with the client's
# window, raw input, the exit status), its lines in the journal without the terminal's "\r", and
# -i -t refused without a terminal. script(1) and tmux(1) give the CLI a terminal. Runs inside the
# sandbox.
# shellcheck disable=SC2016 # the payloads' scripts are single-quoted on purpose
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require script tmux journalctl

plan 21
command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"
rootfs="$(test_rootfs)" || bail_out "could not build the busybox root"
run() { dray run --rm --rootfs "$rootfs" "$@"; }
gone() { dray rm --force "$1" >/dev/null 2>&1 || true; }
# in_terminal CMD: runs CMD with a terminal of 33 rows and 100 columns as its stdio (in_pty of lib.sh:
# never typing what the runner's stdin holds, or its EOF).
in_terminal() { in_pty "stty rows 33 cols 100; $1"; }

# --- -i without a terminal ---------------------------------------------------------------------

is "$(echo hello | run -i cat)" hello "-i: our stdin reaches the payload"
is "$(printf 'a\nb\nc\n' | run -i wc -l | tr -d ' ')" 3 "-i: every line, then EOF"
is "$(echo hello | run cat)" "" "without -i the payload reads /dev/null, not our stdin"
is "$(seq 1 20000 | run -i wc -l | tr -d ' ')" 20000 "-i: input larger than a pipe's buffer arrives whole"

name="$(unique_name di)"
defer gone "$name"
dray run -d -i --name "$name" --rootfs "$rootfs" sh -c 'read x; echo "got $x"' >/dev/null
sleep 0.3
is "$(dray inspect -f '{{.State}}' "$name")" running "-d -i: stdin stays open, the payload waits for input"
gone "$name"

name="$(unique_name ai)"
defer gone "$name"
dray create -i --name "$name" --rootfs "$rootfs" sh -c 'read x; echo "got $x"' >/dev/null
is "$(echo yes | dray start -a -i "$name")" "got yes" "start -a -i attaches our stdin"
like "$(dray start -i "$name" 2>&1)" 'needs -a' "start -i without -a is refused"
gone "$name"
name="$(unique_name noi)"
defer gone "$name"
dray create --name "$name" --rootfs "$rootfs" true >/dev/null
like "$(echo x | dray start -a -i "$name" 2>&1)" 'not created with -i' "start -a -i of a container without -i is refused"
gone "$name"

# --- -t ----------------------------------------------------------------------------------------

out="$(in_terminal "dray run -it --rm --rootfs $rootfs sh -c 'tty; stty size; echo \$TERM; readlink /proc/self/fd/1'")"
like "$out" '^/dev/pts/0' "-t: the payload's stdin is /dev/pts/0 of the container's own devpts"
like "$out" '^33 100' "-t: the terminal has the client's window size"
like "$out" '^xterm' "-t: TERM=xterm"
like "$out" '^/dev/pts/0' "-t: stdout is the terminal too"
# Field 7 of /proc/PID/stat is the controlling terminal's device number: /dev/pts/0 is 136:0.
out="$(in_terminal "dray run -it --rm --rootfs $rootfs sh -c 'read -r pid comm state ppid pgrp sid tty rest < /proc/self/stat; echo tty_nr=\$tty'")"
like "$out" 'tty_nr=34816' "the terminal is the payload's controlling terminal"

status_is 7 "-it: the exit status of the payload is ours" in_terminal "dray run -it --rm --rootfs $rootfs sh -c 'exit 7'"
out="$(printf 'echo typed-$((6*7))\nexit 0\n' | script -qec "dray run -it --rm --rootfs $rootfs sh" /dev/null)"
like "$out" 'typed-42' "-it: what we type runs in the container's shell"

name="$(unique_name tj)"
defer gone "$name"
in_terminal "dray run -t --name $name --rootfs $rootfs sh -c 'echo line1; echo line2'" >/dev/null
is "$(journalctl -q -o cat CONTAINER_NAME="$name" | od -An -c | tr -s ' ' | tr -d '\n')" " l i n e 1 \n l i n e 2 \n" \
        "the terminal's lines reach the journal without their \\r"
gone "$name"

# A window change of the client reaches the container: tmux resizes the window under a running one.
session="dray-test-$$"
defer sh -c "tmux kill-session -t $session 2>/dev/null || true"
tmux new-session -d -s "$session" -x 80 -y 24 \
        "dray run -it --rm --rootfs $rootfs sh -c 'stty size; trap \"stty size\" WINCH; while sleep 0.1; do :; done'"
wait_until 10 sh -c "tmux capture-pane -p -t $session | grep -q '^24 80'"
like "$(tmux capture-pane -p -t "$session")" '^24 80' "tmux: the payload starts with tmux's window size"
tmux resize-window -t "$session" -x 120 -y 40
wait_until 10 sh -c "tmux capture-pane -p -t $session | grep -q '^40 120'"
like "$(tmux capture-pane -p -t "$session")" '^40 120' "a resize of the client's window reaches the container's terminal"
tmux send-keys -t "$session" C-c
wait_until 10 sh -c "! tmux has-session -t $session 2>/dev/null"
fails "^C typed in the client's terminal ends the payload (raw mode: it goes through the pty)" \
        tmux has-session -t "$session"

# --- refused ------------------------------------------------------------------------------------

out="$(echo x | dray run -it --rm --rootfs "$rootfs" true 2>&1)"; rc=$?
is "$rc" 125 "-i -t without a terminal on stdin fails with 125"
like "$out" 'not a terminal' "... saying the input is not a terminal"
