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
        # A line ending in a space completes a new, empty word.
        bash -c "source '$2'; COMP_WORDS=(\$1); [[ \$1 == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _dray; printf '%s\n' \"\${COMPREPLY[@]}\"" _ "$1" "$2"
}
script="$2"
# shellcheck source=tests/unit/completion-checks.sh
. "$(dirname "$0")/completion-checks.sh"
echo "ok"
