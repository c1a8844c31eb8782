#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Registry credentials (issue 14): Debian's docker-registry on 127.0.0.1 with htpasswd (bcrypt)
# auth. Without credentials a push and a pull fail naming dray login; a wrong password is a clear
# 401; dray login stores root's credentials where podman and skopeo read them (both use them);
# the password is neither in the journal nor in a command line; push, pull into a clean store,
# digests compared; --authfile on login, pull and push; logout (one, --all) and the pull fails again.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq skopeo docker-registry htpasswd curl journalctl

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
tag="$RANDOM$$"
user="u$tag"
pass="Pw-$tag-$RANDOM-secret"
authfile=/run/containers/0/auth.json
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
inspect() { dray image inspect "$1" 2>/dev/null | jq -r ".[0].$2"; }
since="$(date '+%Y-%m-%d %H:%M:%S')"

# --- docker-registry with htpasswd auth on 127.0.0.1 --------------------------------------------------
mkdir -p "$work/registry"
htpasswd -Bbn "$user" "$pass" > "$work/registry/htpasswd" || bail_out "htpasswd fails"
start_registry "$work/registry" "$(printf 'auth:\n  htpasswd:\n    realm: dray-test\n    path: %s' "$work/registry/htpasswd")"
is "$(curl -s -o /dev/null -w '%{http_code}' -u "$user:$pass" "http://$reg/v2/")" 200 \
        "the registry takes the htpasswd credentials"

# Start from no stored login for this registry (an earlier run's is gone with its port anyway).
dray logout "$reg" >/dev/null 2>&1
defer sh -c "dray logout '$reg' >/dev/null 2>&1; true"

ok "import the busybox rootfs" sh -c "tar -C '$rootfs' -c . | dray image import - localhost/t$tag-bb:1"
defer rmi "localhost/t$tag-bb:1"
local_id="$(inspect "localhost/t$tag-bb:1" Id)"

# --- without credentials --------------------------------------------------------------------------
out="$(dray push "localhost/t$tag-bb:1" "$reg/dray/bb:1" 2>&1)"
rc=$?
isnt "$rc" 0 "a push without credentials fails"
like "$out" "credentials.*dray login" "and says to run dray login: $(echo "$out" | tail -1)"
like "$(dray pull "$reg/dray/bb:1" 2>&1)" "credentials.*dray login" "so does a pull"

# --- wrong password: a clear 401 --------------------------------------------------------------------
ok "dray login with a wrong password (stored, not tried)" sh -c "echo wrong-$pass | dray login -u '$user' --password-stdin '$reg'"
out="$(dray push "localhost/t$tag-bb:1" "$reg/dray/bb:1" 2>&1)"
like "$out" "refused the credentials.*HTTP 401" "a wrong password is a clear 401: $(echo "$out" | tail -1)"
like "$(dray pull "$reg/dray/bb:1" 2>&1)" "refused the credentials.*HTTP 401" "for a pull too"

# --- login, push, pull into a clean store -------------------------------------------------------------
like "$(dray login -u "$user" -p "$pass" "$reg" 2>&1)" "password-stdin" "-p PASSWORD is refused (it would be on the command line)"
like "$(echo "$pass" | dray login -u "$user" --password-stdin "$reg" 2>&1)" "Stored the credentials for $reg" "dray login --password-stdin"
ok "the credentials are in root's auth file" sh -c "jq -r '.auths[\"$reg\"].auth' $authfile | base64 -d | grep -qx '$user:$pass'"
is "$(stat -c %a $authfile)" 600 "the auth file is root-only (0600)"
is "$(stat -c %a "$(dirname $authfile)")" 700 "in a root-only directory"
out="$(dray push "localhost/t$tag-bb:1" "$reg/dray/bb:1" 2>&1)"
like "$out" "Pushed: sha256:[0-9a-f]{64}" "dray push with the stored login"
pushed="$(echo "$out" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1)"
is "$(skopeo inspect --tls-verify=false "docker://$reg/dray/bb:1" | jq -r .Digest)" "$pushed" \
        "skopeo, reading the same root auth file, sees the pushed manifest"
if command -v podman >/dev/null; then
        # podman, as root, reads the same file: it pulls what dray pushed with dray's login.
        prun="$(mktemp -d /run/dray-p.XXXXXX)"
        is "$(podman --root "$work/podman" --runroot "$prun" --storage-driver vfs pull -q \
                --tls-verify=false "$reg/dray/bb:1" 2>&1 | tail -1)" "${local_id#sha256:}" \
                "podman pulls dray's push with dray's login (same image ID)"
        rm -rf "$work/podman" "$prun"
else
        skip "podman is not installed"
fi
rmi "localhost/t$tag-bb:1"
fails "the image is gone from the store" dray image inspect "$local_id"
ok "dray pull with the stored login" dray pull "$reg/dray/bb:1"
defer rmi "$reg/dray/bb:1"
is "$(inspect "$reg/dray/bb:1" Digest)" "$pushed" "the pulled manifest digest is the pushed one"
is "$(inspect "$reg/dray/bb:1" Id)" "$local_id" "and the image ID the imported one"

# The password went over the bus in Login's arguments only.
journalctl --sync 2>/dev/null
is "$(journalctl --since "$since" --no-pager -o cat 2>/dev/null | grep -c -- "$pass")" 0 \
        "the password is nowhere in the journal"

# --- --authfile ---------------------------------------------------------------------------------------
ok "dray logout" dray logout "$reg"
fails "the entry is gone from root's auth file" sh -c "jq -e '.auths[\"$reg\"]' $authfile"
like "$(dray logout "$reg" 2>&1)" "Not logged in" "a second logout says there is nothing to remove"
like "$(dray pull "$reg/dray/bb:1" 2>&1)" "credentials.*dray login" "after logout a pull fails clearly"
ok "dray login --authfile writes the file named" sh -c "echo '$pass' | dray login --authfile '$work/auth.json' -u '$user' --password-stdin '$reg'"
fails "and nothing to root's auth file" sh -c "jq -e '.auths[\"$reg\"]' $authfile"
rmi "$reg/dray/bb:1"
ok "dray pull --authfile" dray pull --authfile "$work/auth.json" "$reg/dray/bb:1"
is "$(inspect "$reg/dray/bb:1" Digest)" "$pushed" "with the same digest"
ok "dray push --authfile" dray push --authfile "$work/auth.json" "$reg/dray/bb:1" "$reg/dray/bb:2"
like "$(dray pull --authfile "$work/nosuch.json" "$reg/dray/bb:1" 2>&1)" "Cannot open the auth file" \
        "a missing --authfile is named"
echo '{"auths": {"'"$reg"'": {"auth": "!!not base64!!"}}}' > "$work/bad.json"
like "$(dray pull --authfile "$work/bad.json" "$reg/dray/bb:1" 2>&1)" "not valid containers-auth.json" \
        "a malformed auth entry is refused clearly"

# --- logout --all -------------------------------------------------------------------------------------
ok "login again" sh -c "echo '$pass' | dray login -u '$user' --password-stdin '$reg'"
ok "dray logout --all" dray logout --all
fails "no entry left in root's auth file" sh -c "jq -e '.auths | length > 0' $authfile"
like "$(dray push "$reg/dray/bb:1" "$reg/dray/bb:3" 2>&1)" "credentials.*dray login" "after logout --all a push fails clearly"
like "$(dray logout 2>&1)" "one registry" "logout without a registry or --all is an error"
like "$(dray login --bogus "$reg" 2>&1)" "bogus" "an unknown option is named"

