# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench scripts: each command timed alone by hyperfine, medians kept in MEDIAN[LABEL].
# Needs RUNS; BENCH_NAME names the script in messages.
declare -A MEDIAN
# time_cmd LABEL PREPARE COMMAND: median in ms (one decimal), or "fail" (hyperfine stops at a failing run).
time_cmd() {
        local label="$1" prepare="$2" cmd="$3" csv
        csv="$(mktemp)"
        if hyperfine -N --style none --warmup 1 --runs "$RUNS" --prepare "$prepare" --export-csv "$csv" -- "$cmd" \
                >/dev/null 2>"$csv.err"; then
                MEDIAN[$label]="$(awk -F, 'NR==2 { printf "%.1f", $4 * 1000 }' "$csv")"
        else
                MEDIAN[$label]=fail
                echo "$BENCH_NAME: '$label' failed: $(tail -n 3 "$csv.err")" >&2
        fi
        rm -f "$csv" "$csv.err"
}
ratio() { awk -v a="${MEDIAN[$1]}" -v b="${MEDIAN[$2]}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
# mbps LABEL MIB: throughput of LABEL's median over MIB mebibytes.
mbps() { awk -v ms="${MEDIAN[$1]}" -v mb="$2" 'BEGIN { if (ms + 0 > 0) printf "%.0f", mb / (ms / 1000); else print "n/a" }'; }
