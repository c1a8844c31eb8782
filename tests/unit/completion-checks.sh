# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# The checks test-completion.sh (bash) and test-completion-zsh.sh share: each defines
# complete_line LINE SCRIPT (the words it would offer, one per line; a LINE ending in a space
# completes a new, empty word), sets $script, and sources this file.

check() {
        local got
        got="$(complete_line "$1" "$script" | sort | tr '\n' ' ')"
        case " $got" in
        *" $2 "*) ;;
        *) echo "completing '$1': '$2' not in: $got" >&2; exit 1 ;;
        esac
}

check "dray vol" volume
check "dray pa" pause
check "dray healthcheck r" run
check "dray volume cr" create
check "dray image lo" load
check "dray run --vol" --volumes-from
check "dray run --mo" --mount
check "dray run --in" --init
check "dray run --dev" --device
check "dray create --dev" --device
check "dray volume create --o" --opt
check "dray rm -" --volumes
check "dray cp -" --archive
check "dray logs --un" --until
check "dray ps --fi" --filter
check "dray ps --fo" --format
check "dray images --fo" --format
check "dray ps --format " json
check "dray run --pull " never
check "dray sta" stats
check "dray ev" events
check "dray system d" df
check "dray container pr" prune
check "dray stats --no-s" --no-stream
check "dray events --si" --since
