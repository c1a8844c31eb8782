# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The preamble the signed-image tests (97-*.sh, 98-*.sh) share, sourced after lib.sh and
# polkit-lib.sh: a work directory, keys made with gpg in a GNUPGHOME of the test's own, and a
# docker-registry with a lookaside that python's http.server serves on 127.0.0.1 (loopback only).
# shellcheck shell=bash disable=SC2154 # work: set by lib.sh's setup_dray_test

# signing_setup: setup_dray_test (work, rootfs), then tag and GNUPGHOME (an empty, private one).
# shellcheck disable=SC2034 # its variables are for the test that sources this
signing_setup() {
        setup_dray_test
        tag="$RANDOM$$"
        export GNUPGHOME="$work/gnupg"
        mkdir -m 0700 "$GNUPGHOME"
        # gpg-agent ends when its home goes (inotify); killed first all the same.
        defer gpgconf --kill gpg-agent
}

rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
inspect() { dray image inspect "$1" 2>/dev/null | jq -r ".[0].$2"; }

# signing_gen_key WHO PASSPHRASE: a key "dray WHO <WHO@dray.test>", its public key in $work/WHO.gpg;
# prints its fingerprint.
signing_gen_key() {
        gpg --batch --pinentry-mode loopback --passphrase "$2" --quick-gen-key "dray $1 <$1@dray.test>" \
                default default never > "$work/gpg.log" 2>&1 || bail_out "gpg cannot make a key: $(cat "$work/gpg.log")"
        gpg --batch --export "$1@dray.test" > "$work/$1.gpg"
        gpg --batch --with-colons --list-keys "$1@dray.test" 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }'
}

# signing_start_lookaside: the registry (reg), $work/sigstore served over http (httpport), and the name
# of a registries.d file of the test's own (conf, removed at exit) for the caller to write.
# shellcheck disable=SC2034 # its variables are for the test that sources this
signing_start_lookaside() {
        start_registry "$work/registry"
        mkdir -p "$work/sigstore"
        python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/sigstore" > "$work/http.log" 2>&1 &
        httppid=$!
        defer kill "$httppid"
        wait_until 10 grep -q 'port [0-9]' "$work/http.log" || bail_out "http.server does not start: $(cat "$work/http.log")"
        httpport="$(grep -o 'port [0-9]*' "$work/http.log" | head -1 | cut -d' ' -f2)"
        mkdir -p /etc/dray/registries.d
        conf="/etc/dray/registries.d/t$tag.yaml"
        defer rm -f "$conf"
}
