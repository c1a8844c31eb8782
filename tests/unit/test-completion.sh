#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion loads without errors and completes verbs, sub-verbs and options from dray's
# own --help (no drayd needed). Usage: test-completion.sh DRAY-BINARY COMPLETION-SCRIPT
set -eu
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
ln -s "$(readlink -f "$1")" "$dir/dray"
export PATH="$dir:$PATH"
# shellcheck source=/dev/null
out="$(bash -c "set -e; source '$2' 2>&1; echo loaded")"
[ "$out" = loaded ] || { echo "sourcing the completion printed: $out" >&2; exit 1; }
complete_line() {
        bash -c "source '$2'; COMP_WORDS=($1); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _dray; printf '%s\n' \"\${COMPREPLY[@]}\"" _ "$1" "$2"
}
check() {
        local got
        got="$(complete_line "$1" "$3" | sort | tr '\n' ' ')"
        case " $got" in
        *" $2 "*) ;;
        *) echo "completing '$1': '$2' not in: $got" >&2; exit 1 ;;
        esac
}
check "dray vol" volume "$2"
check "dray pa" pause "$2"
check "dray healthcheck r" run "$2"
check "dray volume cr" create "$2"
check "dray image lo" load "$2"
check "dray run --vol" --volumes-from "$2"
check "dray run --mo" --mount "$2"
check "dray cp -" --archive "$2"
check "dray logs --un" --until "$2"
check "dray ps --fi" --filter "$2"
echo "ok"
