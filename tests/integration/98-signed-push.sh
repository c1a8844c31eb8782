#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray push --sign-by (issue 14): drayd signs with root's keyring (a key made here with gpg and
# imported into /root/.gnupg of the sandbox, then deleted), writing a simple-signing signature into
# the lookaside-staging location of /etc/dray/registries.d (a file: URL), which python's
# http.server serves on 127.0.0.1 as the lookaside. skopeo, under the same containers-policy.json(5),
# accepts what dray signed; dray pull does too. A passphrase-protected key through
# --sign-passphrase-file; an unknown key and a missing staging location fail before the manifest is
# pushed. Only loopback traffic.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/polkit-lib.sh
. "$(dirname "$0")/polkit-lib.sh"
# shellcheck source=tests/integration/lib-signing.sh
. "$(dirname "$0")/lib-signing.sh"

require jq skopeo docker-registry gpg gpgconf python3 setpriv pkcheck useradd

signing_setup

# --- keys: made in a home of the test's own, the secret ones imported into root's keyring -----------------
fpr="$(signing_gen_key pusher '')"
fpr_pass="$(signing_gen_key locked 'open sesame')"
printf 'open sesame\n' > "$work/passphrase"
root_home="$(getent passwd root | cut -d: -f6)/.gnupg"
mkdir -p -m 0700 "$root_home"
# gpg --homedir still reaches the agent of $GNUPGHOME for secret keys: root's keyring through its own.
rootgpg() { GNUPGHOME="$root_home" "$@"; }
# Deferred first, so run last: deleting the keys starts root's agent again.
defer rootgpg gpgconf --kill gpg-agent
for k in "$fpr" "$fpr_pass"; do
        gpg --batch --pinentry-mode loopback --passphrase 'open sesame' --export-secret-keys "$k" 2>/dev/null |
                rootgpg gpg --batch --import > /dev/null 2>&1 || bail_out "cannot import into $root_home"
        defer rootgpg gpg --batch --yes --delete-secret-and-public-key "$k"
done
ok "root's keyring has the secret keys" rootgpg gpg --batch --list-secret-keys "$fpr" "$fpr_pass"

# --- registry, lookaside, policy ------------------------------------------------------------------------
signing_start_lookaside
printf 'docker:\n  %s/signed:\n    lookaside: http://127.0.0.1:%s\n    sigstore-staging: file://%s\n' \
        "$reg" "$httpport" "$work/sigstore" > "$conf"
cat > "$work/policy.json" <<EOF
{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "$reg/signed": [{"type": "signedBy", "keyType": "GPGKeys",
                       "keyPaths": ["$work/pusher.gpg", "$work/locked.gpg"]}]
    }
  }
}
EOF
sk() { skopeo --registries.d /etc/dray/registries.d --policy "$work/policy.json" "$@"; }

ok "import the busybox rootfs" sh -c "tar -C '$rootfs' -c . | dray image import - localhost/t$tag-bb:1"
defer rmi "localhost/t$tag-bb:1"

# --- push --sign-by ---------------------------------------------------------------------------------------
out="$(dray push --sign-by "$fpr" "localhost/t$tag-bb:1" "$reg/signed/bb:1" 2>&1)"
like "$out" "Pushed: sha256:[0-9a-f]{64}" "dray push --sign-by"
digest="$(echo "$out" | grep -o 'sha256:[0-9a-f]\{64\}' | tail -1)"
sig="$work/sigstore/signed/bb@sha256=${digest#sha256:}/signature-1"
ok "the signature is in the staging location (sigstore-staging)" test -s "$sig"
payload="$(gpg --batch --decrypt "$sig" 2>/dev/null)"
is "$(echo "$payload" | jq -r '.critical.identity["docker-reference"]')" "$reg/signed/bb:1" "it names the reference"
is "$(echo "$payload" | jq -r '.critical.image["docker-manifest-digest"]')" "$digest" "and the manifest digest"
is "$(echo "$payload" | jq -r .critical.type)" "atomic container signature" "a simple signing payload"
ok "skopeo, under the policy, accepts the image dray signed" \
        sk copy -q --src-tls-verify=false "docker://$reg/signed/bb:1" "dir:$work/bb1"
ok "dray pull, under the same policy, too" dray pull --signature-policy "$work/policy.json" "$reg/signed/bb:1"
defer rmi "$reg/signed/bb:1"
is "$(inspect "$reg/signed/bb:1" Digest)" "$digest" "with that digest"
ok "a second push without signing" dray push "localhost/t$tag-bb:1" "$reg/signed/bb:2"
out="$(sk copy -q --src-tls-verify=false "docker://$reg/signed/bb:2" "dir:$work/bb2" 2>&1)"
like "$out" "Source image rejected" "skopeo refuses the unsigned tag"
if command -v podman >/dev/null; then
        # podman reads registries.d from /etc/containers only.
        mkdir -p /etc/containers/registries.d
        defer rm -f "/etc/containers/registries.d/t$tag.yaml"
        cp "$conf" "/etc/containers/registries.d/t$tag.yaml"
        prun="$(mktemp -d /run/dray-p.XXXXXX)"
        defer rm -rf "$prun" "$work/podman"
        pod() { podman --root "$work/podman" --runroot "$prun" --storage-driver vfs "$@"; }
        out="$(pod pull -q --tls-verify=false --signature-policy "$work/policy.json" "$reg/signed/bb:1" 2>&1)"
        is "$(echo "$out" | tail -1)" "$(inspect "$reg/signed/bb:1" Id | sed 's/^sha256://')" \
                "podman, under the policy, pulls what dray signed (same image ID)"
        out="$(pod pull -q --tls-verify=false --signature-policy "$work/policy.json" "$reg/signed/bb:2" 2>&1)"
        like "$out" "rejected|[Ss]ignature" "and refuses the unsigned tag: $(echo "$out" | tail -1)"
else
        skip "podman is not installed"
        skip "podman is not installed"
fi

# --- a key with a passphrase ------------------------------------------------------------------------------
out="$(dray push --sign-by "$fpr_pass" --sign-passphrase-file "$work/passphrase" "localhost/t$tag-bb:1" \
        "$reg/signed/bb:3" 2>&1)"
like "$out" "Pushed: $digest" "--sign-passphrase-file signs with a locked key"
ok "a second signature of the same manifest, as signature-2" \
        test -s "$work/sigstore/signed/bb@sha256=${digest#sha256:}/signature-2"
ok "skopeo accepts tag 3 (its signature is the second)" \
        sk copy -q --src-tls-verify=false "docker://$reg/signed/bb:3" "dir:$work/bb3"

# --- failures before the manifest goes up ------------------------------------------------------------------
out="$(dray push --sign-by nobody@dray.test "localhost/t$tag-bb:1" "$reg/signed/bb:4" 2>&1)"
like "$out" "no secret key 'nobody@dray.test'" "an unknown key is refused: $(echo "$out" | tail -1)"
fails "and the manifest was not pushed" skopeo inspect --tls-verify=false "docker://$reg/signed/bb:4"
# gpg-agent keeps a passphrase it was given: a fresh one must be asked (and the old one be gone).
rootgpg gpgconf --kill gpg-agent
wait_until 10 sh -c "! ps -eo args | grep -q '^gpg-agent --homedir $root_home '" || bail_out "root's gpg-agent does not end"
out="$(dray push --sign-by "$fpr_pass" "localhost/t$tag-bb:1" "$reg/signed/bb:5" 2>&1)"
like "$out" "the key needs a passphrase \\(--sign-passphrase-file\\)" "a locked key without a passphrase: $(echo "$out" | tail -1)"
fails "and the manifest was not pushed" skopeo inspect --tls-verify=false "docker://$reg/signed/bb:5"
printf 'wrong\n' > "$work/wrong"
out="$(dray push --sign-by "$fpr_pass" --sign-passphrase-file "$work/wrong" "localhost/t$tag-bb:1" "$reg/signed/bb:5" 2>&1)"
like "$out" "cannot sign with" "a wrong passphrase is refused: $(echo "$out" | tail -1)"
fails "and the manifest was not pushed" skopeo inspect --tls-verify=false "docker://$reg/signed/bb:5"
out="$(dray push --sign-by "$fpr" "localhost/t$tag-bb:1" "$reg/elsewhere/bb:1" 2>&1)"
like "$out" "no lookaside-staging \\(or lookaside\\) is configured for $reg/elsewhere/bb:1" \
        "no staging location configured: $(echo "$out" | tail -1)"
like "$(dray push --sign-passphrase-file "$work/passphrase" "localhost/t$tag-bb:1" "$reg/signed/bb:6" 2>&1)" \
        "needs --sign-by" "--sign-passphrase-file alone is refused"
like "$(dray push --signature-policy "$work/policy.json" "localhost/t$tag-bb:1" "$reg/signed/bb:6" 2>&1)" \
        "is a dray pull option" "dray push refuses --signature-policy"
like "$(busctl -- call org.dray1 /org/dray1 org.dray1.Manager PushImage 'ssa{sv}' "localhost/t$tag-bb:1" "$reg/signed/bb:6" \
        1 SignBy s '--export' 2>&1)" "not a key to sign with" "PushImage refuses a SignBy that looks like an option"

# --- who may sign with root's keys ------------------------------------------------------------------
polkit_test_user dray-t98-signed /etc/polkit-1/rules.d/10-dray-t98.rules
grant org.dray1.manage-images
refused "a manage-images user cannot sign with root's keys" org.dray1.privileged-options \
        dray push --sign-by "$fpr" "localhost/t$tag-bb:1" "$reg/signed/bb:7"
fails "and nothing was pushed" skopeo inspect --tls-verify=false "docker://$reg/signed/bb:7"
ok "an unsigned push is theirs to make" as_user dray push "localhost/t$tag-bb:1" "$reg/signed/bb:7"
