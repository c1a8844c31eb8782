#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Registry TLS trust (issue 14): a CA and a server certificate for 127.0.0.1 made here with
# openssl, Debian's docker-registry serving TLS on 127.0.0.1. Without the CA the pull is refused
# naming the certificate; with the CA in /etc/dray/certs.d/HOST:PORT/ (or /etc/docker/certs.d) it
# works; --tls-verify=false skips the check. Plain-http loopback registries still work (86-*.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require jq skopeo docker-registry openssl curl

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
tag="$RANDOM$$"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
inspect() { dray image inspect "$1" 2>/dev/null | jq -r ".[0].$2"; }

# --- a CA and a certificate for 127.0.0.1 -------------------------------------------------------------
(
        cd "$work" || exit 1
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=dray test CA $tag" &&
        openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
        printf 'subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n' > ext.cnf &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext.cnf
) > "$work/openssl.log" 2>&1 || bail_out "openssl fails: $(cat "$work/openssl.log")"

start_registry "$work/registry" "$(printf '  tls:\n    certificate: %s\n    key: %s' "$work/server.crt" "$work/server.key")" \
        https --cacert "$work/ca.crt"
is "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/ca.crt" "https://$reg/v2/")" 200 "the registry serves TLS"
for d in /etc/dray/certs.d /etc/containers/certs.d /etc/docker/certs.d; do
        defer rm -rf "$d/$reg"
done

ok "import the busybox rootfs" sh -c "tar -C '$rootfs' -c . | dray image import - localhost/t$tag-bb:1"
defer rmi "localhost/t$tag-bb:1"
local_id="$(inspect "localhost/t$tag-bb:1" Id)"
out="$(dray push "localhost/t$tag-bb:1" "$reg/dray/bb:1" 2>&1)"
isnt "$?" 0 "a push to a registry whose CA is unknown is refused"
like "$out" "certificate is not trusted.*certs.d" "naming the certificate and certs.d: $(echo "$out" | tail -1)"
out="$(dray pull "$reg/dray/bb:1" 2>&1)"
like "$out" "certificate is not trusted" "a pull too"
unlike "$out" "speaks no TLS|HTTP 400" "and no plain-http fallback happened for a loopback TLS registry"

# --- --tls-verify=false --------------------------------------------------------------------------------
out="$(dray push --tls-verify=false "localhost/t$tag-bb:1" "$reg/dray/bb:1" 2>&1)"
like "$out" "Pushed: sha256:[0-9a-f]{64}" "--tls-verify=false pushes over TLS without checking the certificate"
pushed="$(echo "$out" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1)"
is "$(curl -s --cacert "$work/ca.crt" -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "https://$reg/v2/dray/bb/manifests/1" | sha256sum | cut -d' ' -f1)" "${pushed#sha256:}" \
        "the registry holds that manifest (fetched over TLS with curl)"
rmi "localhost/t$tag-bb:1"
ok "--tls-verify=false pulls" dray pull --tls-verify=false "$reg/dray/bb:1"
is "$(inspect "$reg/dray/bb:1" Digest)" "$pushed" "with the pushed digest"
rmi "$reg/dray/bb:1"

# --- certs.d -------------------------------------------------------------------------------------------
mkdir -p "/etc/dray/certs.d/$reg"
cp "$work/ca.crt" "/etc/dray/certs.d/$reg/ca.crt"
ok "with the CA in /etc/dray/certs.d/$reg the pull is verified and works" dray pull "$reg/dray/bb:1"
defer rmi "$reg/dray/bb:1"
is "$(inspect "$reg/dray/bb:1" Digest)" "$pushed" "the pulled digest is the pushed one"
is "$(inspect "$reg/dray/bb:1" Id)" "$local_id" "and the image ID the imported one"
ok "a push is verified the same way" dray push "$reg/dray/bb:1" "$reg/dray/bb:2"
rm -rf "/etc/dray/certs.d/$reg"
rmi "$reg/dray/bb:1"
like "$(dray pull "$reg/dray/bb:1" 2>&1)" "certificate is not trusted" "without it, refused again"
mkdir -p "/etc/docker/certs.d/$reg"
cp "$work/ca.crt" "/etc/docker/certs.d/$reg/ca.crt"
ok "the CA in /etc/docker/certs.d is read too" dray pull "$reg/dray/bb:1"
rm -rf "/etc/docker/certs.d/$reg"
mkdir -p "/etc/dray/certs.d/$reg"
cp "$work/server.crt" "/etc/dray/certs.d/$reg/client.cert"
like "$(dray pull "$reg/dray/bb:1" 2>&1)" "no key" "a client certificate without its key is named"
rm -rf "/etc/dray/certs.d/$reg"
