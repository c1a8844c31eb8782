#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Signed images on pull (issue 14): GPG keys made here with gpg (batch, no passphrase, a GNUPGHOME
# of the test's own), images pushed to Debian's docker-registry on 127.0.0.1 and signed by
# `skopeo copy --sign-by` into a file: lookaside that python's http.server serves on 127.0.0.1, as
# /etc/dray/registries.d says. Under a containers-policy.json(5) signedBy rule the signed image is
# pulled; an unsigned one, a signature by another key, a tampered signature, a signature replayed
# for another manifest or another tag are refused naming the rule, and nothing of them is stored.
# reject and insecureAcceptAnything; the host's /etc/dray/policy.json. Only loopback traffic.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/polkit-lib.sh
. "$(dirname "$0")/polkit-lib.sh"
# shellcheck source=tests/integration/lib-signing.sh
. "$(dirname "$0")/lib-signing.sh"

require jq skopeo docker-registry gpg python3 curl setpriv pkcheck useradd

signing_setup
state=/var/lib/dray
blobs() { find "$state/images/blobs/sha256" -type f | wc -l; }

# --- two keys -----------------------------------------------------------------------------------------
fpr="$(signing_gen_key signer '')"
signing_gen_key other '' > /dev/null
ok "a signing key ($fpr) and its public key file" test -s "$work/signer.gpg"

# --- the registry, the lookaside and its configuration -------------------------------------------------
signing_start_lookaside
printf 'docker:\n  %s:\n    lookaside: http://127.0.0.1:%s\n    lookaside-staging: file://%s\n' \
        "$reg" "$httpport" "$work/sigstore" > "$conf"
sk() { skopeo --registries.d /etc/dray/registries.d "$@"; }

ok "import the busybox rootfs" sh -c "tar -C '$rootfs' -c . | dray image import - localhost/t$tag-bb:1"
defer rmi "localhost/t$tag-bb:1"
ok "and a second image" sh -c "tar -C '$rootfs' -c . | dray image import - localhost/t$tag-b2:1"
defer rmi "localhost/t$tag-b2:1"
ok "another layer on it" dray run --name "t$tag-c" localhost/t$tag-b2:1 sh -c 'echo other > /other'
ok "committed" dray commit "t$tag-c" "localhost/t$tag-b2:2"
dray rm -f "t$tag-c" >/dev/null 2>&1
defer rmi "localhost/t$tag-b2:2"
ok "push the first unsigned" dray push "localhost/t$tag-bb:1" "$reg/plain/bb:1"
ok "push the second unsigned" dray push "localhost/t$tag-b2:2" "$reg/signed/unsigned:1"
ok "skopeo copies the first with --sign-by into the lookaside" \
        sk copy -q --src-tls-verify=false --dest-tls-verify=false --sign-by "$fpr" \
        "docker://$reg/plain/bb:1" "docker://$reg/signed/bb:1"
digest="$(sk inspect --tls-verify=false "docker://$reg/signed/bb:1" | jq -r .Digest)"
sig="$work/sigstore/signed/bb@sha256=${digest#sha256:}/signature-1"
ok "the signature is where containers-registries.d(5) puts it" test -s "$sig"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$httpport/signed/bb@sha256=${digest#sha256:}/signature-1")" \
        200 "and served over http"
other_digest="$(sk inspect --tls-verify=false "docker://$reg/signed/unsigned:1" | jq -r .Digest)"
isnt "$other_digest" "$digest" "the unsigned image has another manifest"

# --- the policy ---------------------------------------------------------------------------------------
signed_by() { printf '[{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "%s"%s}]' "$1" "${2:-}"; }
cat > "$work/policy.json" <<EOF
{
  "default": [{"type": "insecureAcceptAnything"}],
  "transports": {
    "docker": {
      "$reg/signed": $(signed_by "$work/signer.gpg"),
      "$reg/signed/exact": $(signed_by "$work/signer.gpg" ', "signedIdentity": {"type": "matchExact"}'),
      "$reg/signed/repo": $(signed_by "$work/signer.gpg" ', "signedIdentity": {"type": "matchRepository"}'),
      "$reg/otherkey": $(signed_by "$work/other.gpg"),
      "$reg/mirror": $(signed_by "$work/signer.gpg" ', "signedIdentity": {"type": "remapIdentity", "prefix": "'"$reg/mirror"'", "signedPrefix": "'"$reg/signed"'"}'),
      "$reg/rejected": [{"type": "reject"}]
    },
    "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]}
  }
}
EOF
pull() { dray pull --signature-policy "$work/policy.json" "$@" 2>&1; }
rule() { printf 'transports.docker\\["%s"\\]\\[0\\] \\(%s\\)' "$reg/$1" "$2"; }

# refused_pull NAME REGEX WHAT: the pull fails, says REGEX, and stores nothing.
refused_pull() {
        local before out
        before="$(blobs)"
        out="$(pull "$1")"
        isnt "$?" 0 "$3 is refused"
        like "$out" "$2" "naming the rule and the reason: $(echo "$out" | tail -1)"
        fails "no image $1" dray image inspect "$1"
        is "$(blobs)" "$before" "no blob of it stored"
}

out="$(pull "$reg/signed/bb:1")"
like "$out" "Pulled: $reg/signed/bb:1" "signedBy: the signed image is pulled"
defer rmi "$reg/signed/bb:1"
is "$(inspect "$reg/signed/bb:1" Digest)" "$digest" "with the signed digest"
rmi "$reg/signed/bb:1"
ok "signedBy: by digest too (matchRepoDigestOrExact: the repository)" dray pull --signature-policy "$work/policy.json" \
        "$reg/signed/bb@$digest"
rmi "$reg/signed/bb@$digest"

refused_pull "$reg/signed/unsigned:1" "$(rule signed signedBy): it is not signed \\(nothing at http://127.0.0.1:$httpport/signed/unsigned@sha256=" \
        "an unsigned image"

# The signature replayed for another manifest of the same repository.
mkdir -p "$work/sigstore/signed/unsigned@sha256=${other_digest#sha256:}"
cp "$sig" "$work/sigstore/signed/unsigned@sha256=${other_digest#sha256:}/signature-1"
refused_pull "$reg/signed/unsigned:1" "$(rule signed signedBy): .*signs another manifest" "a signature of another manifest"

# The same manifest under another tag: the signature names tag 1.
ok "the signed manifest under tag 2" sk copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$reg/signed/bb:1" "docker://$reg/signed/bb:2"
refused_pull "$reg/signed/bb:2" "$(rule signed signedBy): .*another image name" "tag 2 with tag 1's signature (matchRepoDigestOrExact)"

# A tampered signature: one byte of the signed message changed.
ok "skopeo signs another copy" sk copy -q --src-tls-verify=false --dest-tls-verify=false --sign-by "$fpr" \
        "docker://$reg/plain/bb:1" "docker://$reg/signed/tampered:1"
tsig="$work/sigstore/signed/tampered@sha256=${digest#sha256:}/signature-1"
python3 - "$tsig" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'docker-reference')
assert i >= 0 or len(b) > 40, "no place to tamper with"
i = i if i >= 0 else len(b) // 2
b[i] ^= 0x20
open(p, 'wb').write(bytes(b))
EOF
refused_pull "$reg/signed/tampered:1" "$(rule signed signedBy): no valid signature among 1: " "a tampered signature"

# A key the policy does not name.
ok "skopeo signs for the otherkey repository with the signer's key" sk copy -q --src-tls-verify=false \
        --dest-tls-verify=false --sign-by "$fpr" "docker://$reg/plain/bb:1" "docker://$reg/otherkey/bb:1"
refused_pull "$reg/otherkey/bb:1" "$(rule otherkey signedBy): .*a key the policy does not name" "a signature by another key"

# signedIdentity: matchExact refuses a digest reference; matchRepository takes another tag.
ok "skopeo signs exact:1" sk copy -q --src-tls-verify=false --dest-tls-verify=false --sign-by "$fpr" \
        "docker://$reg/plain/bb:1" "docker://$reg/signed/exact:1"
ok "matchExact: the exact reference is pulled" dray pull --signature-policy "$work/policy.json" "$reg/signed/exact:1"
defer rmi "$reg/signed/exact:1"
rmi "$reg/signed/exact:1"
refused_pull "$reg/signed/exact@$digest" "$(rule signed/exact signedBy): .*another image name" "matchExact: by digest"
ok "skopeo signs repo:1" sk copy -q --src-tls-verify=false --dest-tls-verify=false --sign-by "$fpr" \
        "docker://$reg/plain/bb:1" "docker://$reg/signed/repo:1"
ok "repo:1 under tag 2" sk copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$reg/signed/repo:1" "docker://$reg/signed/repo:2"
ok "matchRepository: tag 2 with tag 1's signature" dray pull --signature-policy "$work/policy.json" "$reg/signed/repo:2"
defer rmi "$reg/signed/repo:2"

# remapIdentity: a mirror's copy, with the original's signature, checked as the original.
ok "the signed image copied to a mirror repository" sk copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$reg/signed/bb:1" "docker://$reg/mirror/bb:1"
mkdir -p "$work/sigstore/mirror/bb@sha256=${digest#sha256:}"
cp "$sig" "$work/sigstore/mirror/bb@sha256=${digest#sha256:}/signature-1"
ok "remapIdentity: the mirror's image is accepted with the original's signature" \
        dray pull --signature-policy "$work/policy.json" "$reg/mirror/bb:1"
defer rmi "$reg/mirror/bb:1"
ok "the signed image under another tag of the mirror" sk copy -q --src-tls-verify=false --dest-tls-verify=false \
        "docker://$reg/signed/bb:1" "docker://$reg/mirror/bb:2"
refused_pull "$reg/mirror/bb:2" "$(rule mirror signedBy): .*another image name" "remapIdentity: another tag"

# reject and insecureAcceptAnything.
ok "push to the rejected repository" dray push "localhost/t$tag-bb:1" "$reg/rejected/bb:1"
refused_pull "$reg/rejected/bb:1" "$(rule rejected reject): the rule rejects every image" "reject"
ok "insecureAcceptAnything (the default): an unsigned image elsewhere" \
        dray pull --signature-policy "$work/policy.json" "$reg/plain/bb:1"
defer rmi "$reg/plain/bb:1"
rmi "$reg/plain/bb:1"

# --- the host's policy ------------------------------------------------------------------------------------
[ -e /etc/dray/policy.json ] && bail_out "/etc/dray/policy.json exists already"
defer rm -f /etc/dray/policy.json
cp "$work/policy.json" /etc/dray/policy.json
before="$(blobs)"
out="$(dray pull "$reg/signed/unsigned:1" 2>&1)"
like "$out" "the trust policy in /etc/dray/policy.json refuses $reg/signed/unsigned:1: rule" \
        "without --signature-policy, /etc/dray/policy.json is the policy"
is "$(blobs)" "$before" "nothing stored"
out="$(dray run --rm "$reg/signed/unsigned:1" true 2>&1)"
like "$out" "/etc/dray/policy.json refuses $reg/signed/unsigned:1: rule" "dray run's pull obeys it too"
ok "and takes the signed image" dray pull "$reg/signed/bb:1"
rmi "$reg/signed/bb:1"
echo '{"default": [{"type": "reject"}], "transports": {"docker": {"'"$reg"'": 5}}}' > /etc/dray/policy.json
like "$(dray pull "$reg/plain/bb:1" 2>&1)" "/etc/dray/policy.json: transports.docker\\[\"$reg\"\\]: not an array" \
        "a broken policy file is an error naming the file and the key"
printf 'docker: [' > "/etc/dray/registries.d/t$tag-broken.yaml"
defer rm -f "/etc/dray/registries.d/t$tag-broken.yaml"
cp "$work/policy.json" /etc/dray/policy.json
like "$(dray pull "$reg/signed/bb:1" 2>&1)" "/etc/dray/registries.d/t$tag-broken.yaml: not valid YAML" \
        "a broken registries.d file too"
rm -f "/etc/dray/registries.d/t$tag-broken.yaml" /etc/dray/policy.json

# --- the D-Bus option --------------------------------------------------------------------------------
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager PullImage 'sa{sv}' "$reg/plain/bb:1" 1 SignaturePolicy s x 2>&1)" \
        "Option 'SignaturePolicy' must be of type 'h'" "PullImage: SignaturePolicy is a descriptor"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager PullImage 'sa{sv}' "$reg/plain/bb:1" 1 SignBy s "$fpr" 2>&1)" \
        "push options" "PullImage refuses SignBy"
like "$(dray pull --sign-by "$fpr" "$reg/plain/bb:1" 2>&1)" "is a dray push option" "dray pull refuses --sign-by"
ok "no temporary GNUPGHOME is left behind" sh -c '! ls -d /var/lib/dray/tmp/dray-gnupg-* 2>/dev/null'
# Its gpg-agent ends with it (inotify on the home).
ok "no gpg-agent of a temporary GNUPGHOME is left" \
        wait_until 10 sh -c '! ps -eo args | grep -q "^gpg-agent --homedir /var/lib/dray/tmp/dray-gnupg-"'

# --- who may replace the policy ---------------------------------------------------------------------
# A user allowed to manage images pulls under the host's policy, but replacing it is
# privileged-options: otherwise any such user could lift the administrator's signedBy.
polkit_test_user dray-t97-signed /etc/polkit-1/rules.d/10-dray-t97.rules
grant org.dray1.manage-images
pub="$(mktemp -d /tmp/t97-pub.XXXXXX)"
defer rm -rf "$pub"
chmod 0755 "$pub"
echo '{"default": [{"type": "insecureAcceptAnything"}]}' > "$pub/policy.json"
chmod 0644 "$pub/policy.json"
refused "a manage-images user cannot bring their own policy" org.dray1.privileged-options \
        dray pull --signature-policy "$pub/policy.json" "$reg/signed/unsigned:1"
fails "and nothing was pulled" dray image inspect "$reg/signed/unsigned:1"
cp "$work/policy.json" /etc/dray/policy.json
out="$(as_user dray pull "$reg/signed/unsigned:1" 2>&1)"
like "$out" "/etc/dray/policy.json refuses" "the host's policy holds for them: $(echo "$out" | tail -1)"
ok "and lets them pull the signed image" as_user dray pull "$reg/signed/bb:1"
rmi "$reg/signed/bb:1"
rm -f /etc/dray/policy.json
