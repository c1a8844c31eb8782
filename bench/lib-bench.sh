# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by the bench scripts that source it: timing one command alone with hyperfine, medians into
# MEDIAN[LABEL] ("fail" when any run exits non-zero: a failed run is never a baseline), and ratios.
# BENCH_NAME and RUNS are the caller's.

declare -A MEDIAN
time_cmd() {
        local label="$1"; shift
        local csv; csv="$(mktemp)"
        if hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-csv "$csv" -- "$*" >/dev/null 2>"$csv.err"; then
                MEDIAN[$label]="$(awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$csv")"
        else
                MEDIAN[$label]="fail"
                echo "$BENCH_NAME: '$label' failed: $(tail -n 3 "$csv.err")" >&2
        fi
        rm -f "$csv" "$csv.err"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.1f", a / b; else print "n/a" }'; }
