#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The archive verbs over dray -H (image import, load, save, export): FILE is the client's, as with
# docker -H and podman --remote. The bus bridge carries no fds, so the remote dray runs the verb on
# '-' and the archive goes through ssh to or from our file (or our stdin/stdout). The remote host is
# this one, reached through an sshd on 127.0.0.1 (lib-ssh.sh); the remote dray runs in root's home,
# our files are relative to another directory, so a file opened there would not be ours.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/lib-ssh.sh
. "$(dirname "$0")/lib-ssh.sh"

require ssh ssh-keygen systemd-stdio-bridge tar jq
[ -x /usr/sbin/sshd ] || skip_all "sshd is not installed (tools/install-deps installs openssh-server)"

plan 16
setup_dray_test
ssh_setup

tag="$RANDOM$$"
img="localhost/remote-img:$tag"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
defer rmi "$img"
local_dir="$work/local"
mkdir -p "$local_dir"
remote_home="$(ssh -p "$port" root@127.0.0.1 'pwd')"
defer sh -c 'rm -f "$1"/root-79.tgz "$1"/out-79.tar "$1"/docker-79.tar "$1"/fs-79.tar' - "$remote_home"
tar -C "$rootfs" -czf "$local_dir/root-79.tgz" .

cd "$local_dir" || bail_out "no $local_dir"
ok "image import of a local file (relative to our directory) over -H" \
        dray -H "$host" image import root-79.tgz "$img"
ok "the image is in the remote store" dray image inspect "$img"
id="$(dray image inspect -f '{{.Id}}' "$img")"

ok "save -o FILE over -H" dray -H "$host" save -o out-79.tar "$img"
ok "writes our file" tar -tf out-79.tar index.json
fails "and nothing in the remote dray's directory" test -e "$remote_home/out-79.tar"
DRAY_HOST="$host" dray image save --format docker-archive -o docker-79.tar "$img"
ok "image save --format docker-archive -o FILE with DRAY_HOST" tar -tf docker-79.tar manifest.json

rmi "$img"
out="$(dray -H "$host" load -i out-79.tar)"
like "$out" "Loaded image: $img" "load -i FILE over -H reads our file"
is "$(dray image inspect -f '{{.Id}}' "$img" 2>&1)" "$id" "the same image, in the remote store"
rmi "$img"
like "$(DRAY_HOST="$host" dray image load -i docker-79.tar)" "Loaded image: $img" \
        "image load of a docker-archive with DRAY_HOST"

dray -H "$host" save "$img" > "$work/stdout.tar"
ok "save to stdout over -H" tar -tf "$work/stdout.tar" index.json
rmi "$img"
like "$(dray -H "$host" load < "$work/stdout.tar")" "Loaded image: $img" "load from stdin over -H"

out="$(dray -H "$host" save -o failed-79.tar localhost/no-such-image:x 2>&1)"
status=$?
isnt "$status" 0 "save of a missing image over -H fails"
like "$out" "no-such-image" "naming the image (the remote dray's message)"
fails "and leaves no file of ours" test -e failed-79.tar
like "$(dray -H "$host" load -i missing-79.tar 2>&1)" "Failed to open 'missing-79.tar'" \
        "a local file that does not exist is our error"

c="$(unique_name remote-export)"
track "$c"
dray run -d --ephemeral --name "$c" --rootfs "$rootfs" sh -c 'echo marker > /exported; sleep 100000' >/dev/null
wait_until 20 dray exec "$c" test -e /exported
dray -H "$host" export -o fs-79.tar "$c"
ok "export -o FILE over -H writes our file" sh -c "tar -tf fs-79.tar | grep -Eqx '(\./)?exported'"
