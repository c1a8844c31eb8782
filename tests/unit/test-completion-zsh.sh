#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The zsh completion loads in zsh through compinit (from fpath, as Debian's zsh finds it in
# vendor-completions) without errors, and completes verbs, sub-verbs, options and option values from
# dray's own --help (no drayd needed; compadd is replaced by a function printing what it is given).
# Usage: test-completion-zsh.sh DRAY-BINARY COMPLETION-FILE
set -eu
if ! command -v zsh >/dev/null; then
        echo "zsh is not installed (tools/install-deps installs it)" >&2
        exit 77
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/bin" "$dir/fpath"
ln -s "$(readlink -f "$1")" "$dir/bin/dray"
cp "$2" "$dir/fpath/_dray"
export PATH="$dir/bin:$PATH"

zsh -n "$2" || { echo "zsh -n: syntax errors" >&2; exit 1; }
out="$(HOME="$dir" zsh -f -c "fpath=('$dir/fpath' \$fpath); autoload -Uz compinit; compinit -u -d '$dir/zcompdump';
        [[ \${_comps[dray]} == _dray ]] && print loaded" 2>&1)"
[ "$out" = loaded ] || { echo "compinit did not register _dray: $out" >&2; exit 1; }

complete_line() {
        HOME="$dir" zsh -f -c '
                compadd() {
                        while [[ $# -gt 0 && $1 == -* && $1 != -- ]]; do
                                [[ $1 == -[SPWJVX] ]] && shift
                                shift
                        done
                        [[ ${1-} == -- ]] && shift
                        (( $# )) && print -l -- "$@"
                        return 0
                }
                _files() { print -- "<files>"; }
                _path_files() { print -- "<paths>"; }
                compdef() { :; }
                source "$1"
                words=(${=2})
                [[ $2 == *" " ]] && words+=("")
                CURRENT=${#words}
                _dray' _ "$2" "$1"
}
script="$2"
# shellcheck source=tests/unit/completion-checks.sh
. "$(dirname "$0")/completion-checks.sh"
check "dray network ls" ls
check "dray run --rootfs " "<paths>"
check "dray image load " "<files>"
echo "ok"
