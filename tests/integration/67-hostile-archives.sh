#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Hostile image archives (issue 16): an OCI archive whose manifest names a layer blob it does not
# hold, declares a layer size that lies, or is an index as well as a manifest is refused, naming the
# cause, even when the store already holds that layer from another image; a 10,000-deep layer that
# fails to import leaves nothing in /var/lib/dray/tmp. The archives come from hostile-oci.py.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require python3

plan 10
setup_dray_test
tag="$RANDOM$$"
gen() { python3 "$REPO_ROOT/tests/integration/hostile-oci.py" "$1" "$work/$1.tar" "localhost/t$tag-$1:1"; }
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }

gen good
defer rmi "localhost/t$tag-good:1"
like "$(dray image load -i "$work/good.tar" 2>&1)" "Loaded image: localhost/t$tag-good:1" \
        "a well-formed OCI archive loads (its layer is now in the store)"

# refused KIND PATTERN: loading the archive fails, names the cause, and names no image.
refused() {
        local out rc=0
        gen "$1"
        defer rmi "localhost/t$tag-$1:1"
        out="$(dray image load -i "$work/$1.tar" 2>&1)" || rc=$?
        if [ "$rc" -ne 0 ] && grep -qE "$2" <<< "$out" && ! dray image inspect "localhost/t$tag-$1:1" >/dev/null 2>&1; then
                pass "$3: $out"
        else
                fail "$3" "exit status $rc" "$out"
        fi
}
refused missing-layer "names layer 1 .*which is not in the archive" "a manifest naming a layer blob the archive lacks is refused"
refused size-lie "layer 1 .* is [0-9]+ bytes, but the manifest declares [0-9]+" "a layer whose declared size lies is refused"
refused manifests-too "carries a 'manifests' list" "a manifest that also carries a 'manifests' list is refused"
is "$(ls -A /var/lib/dray/tmp | wc -l)" 0 "no staging leftovers"

# --- a layer 10,000 directories deep: the import fails, and leaves nothing behind ----------------------
gen deep
out="$(dray image import "$work/deep.tar" "localhost/t$tag-deep:1" 2>&1)"
rc=$?
defer rmi "localhost/t$tag-deep:1"
if [ $rc -ne 0 ]; then
        pass "a 10,000-deep layer fails to import: $(printf '%s' "${out##*failed: }" | cut -c1-100)..."
else
        skip "a 10,000-deep layer fails to import" "it imported; the cleanup is then checked by image rm"
        rmi "localhost/t$tag-deep:1"
fi
is "$(ls -A /var/lib/dray/tmp | wc -l)" 0 "nothing of it is left in /var/lib/dray/tmp"
ok "drayd still answers" dray ps
unlike "$(journalctl -u drayd --no-pager -o cat 2>/dev/null | tail -50)" 'Too many levels of symbolic links' \
        "drayd logged no cleanup failure"
ok "the refused archives left the good image as it was" dray image inspect "localhost/t$tag-good:1"
