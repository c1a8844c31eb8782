#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A container's output must not drive the terminal of whoever reads its logs (issue 16): on a
# terminal, `dray logs` shows escape sequences (OSC 52 clipboard, screen clear, title) escaped, as
# journalctl does; with --raw, or into a pipe, as they were. Error messages that quote input escape
# ESC and newlines too. The terminal is script(1)'s pty.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require script od

plan 8
setup_dray_test

name="$(unique_name esc)"
defer dray rm -f "$name"
# OSC 52 (set the clipboard), clear screen, set title, an 8-bit CSI: all in one line.
ok "a container writes escape sequences" dray run --name "$name" --rootfs "$rootfs" \
        printf 'A\033]52;c;cHduZWQ=\007B\033[2J\033[HC\033]0;title\033\\D\302\2332JE\n'
wait_until 10 sh -c "dray logs '$name' | grep -q E" || diag "the line did not reach the journal in time"

esc=$'\033'
on_tty() { script -qec "$*" /dev/null < /dev/null | tr -d '\r'; }
out="$(on_tty dray logs "$name")"
like "$out" 'A\\x1b\]52;c;cHduZWQ=\\x07B\\x1b\[2J\\x1b\[HC\\x1b\]0;title\\x1b\\D\\x9b2JE' \
        "on a terminal, dray logs shows the sequences escaped"
case "$out" in *"$esc"*) fail "and no raw ESC reaches the terminal" "$(printf '%s' "$out" | od -c | head -5)" ;;
*) pass "and no raw ESC reaches the terminal" ;; esac
out="$(on_tty dray logs --raw "$name")"
case "$out" in *"$esc]52;c;"*) pass "--raw writes them as they are, even to a terminal" ;;
*) fail "--raw writes them as they are, even to a terminal" "$out" ;; esac
out="$(dray logs "$name" | cat)"
case "$out" in *"$esc]52;c;"*) pass "into a pipe, the output is raw" ;; *) fail "into a pipe, the output is raw" "$out" ;; esac
is "$(dray logs "$name" | od -An -tx1 | tr -d ' \n')" "$(printf 'A\033]52;c;cHduZWQ=\007B\033[2J\033[HC\033]0;title\033\\D\302\2332JE\n' | od -An -tx1 | tr -d ' \n')" \
        "byte for byte"

# --- error messages that quote input ----------------------------------------------------------------
out="$(dray rm "$(printf 'x\033]0;pwned\007\nforged: ok')" 2>&1)"
like "$out" "No such container 'x\\\\x1b\]0;pwned\\\\x07\\\\nforged: ok'" "an error quoting a name shows its ESC and newline escaped"
is "$(printf '%s' "$out" | grep -c "$esc")" 0 "and holds no raw ESC"
