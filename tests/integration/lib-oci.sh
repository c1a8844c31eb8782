# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# The dray-oci files' common fixture (21, 24, 28), sourced after lib.sh: $work (removed at exit), the
# state directory $root, the command O=(dray-oci --root $root), the bundle $b with a busybox rootfs;
# gone ID, edit PYTHON (changes $b/config.json, c being the parsed config), fresh_config (dray-oci
# spec's config, without a terminal, then the file's own $oci_config_extra edit if set).

require dray-oci jq python3
mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")" || bail_out "mktemp failed"
defer rm -rf "$work"
root="$work/state"
O=(dray-oci --root "$root")
b="$work/bundle"
mkdir -p "$b"
"$REPO_ROOT/tools/make-rootfs" "$b/rootfs" >/dev/null || bail_out "tools/make-rootfs failed"

gone() { "${O[@]}" delete --force "$1" >/dev/null 2>&1 || true; }
edit() {
        python3 -c "import json
c=json.load(open('$b/config.json'))
$1
json.dump(c,open('$b/config.json','w'))" || bail_out "cannot edit config.json"
}
fresh_config() {
        rm -f "$b/config.json"
        (cd "$b" && "${O[@]}" spec) || bail_out "dray-oci spec failed"
        edit "c['process']['terminal']=False${oci_config_extra:+; $oci_config_extra}"
}
