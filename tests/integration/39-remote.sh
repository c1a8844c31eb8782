#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray -H [USER@]HOST[:PORT] and $DRAY_HOST: the CLI talks to drayd of another machine over ssh, as
# machinectl -H does, to an sshd on 127.0.0.1 (lib-ssh.sh). Verbs that only call drayd go over the bus bridge
# (systemd-stdio-bridge); those that pass our file descriptors (run in the foreground, exec, attach) or read
# the journal (logs) run the remote dray over ssh; cp streams its tar through ssh. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/lib-ssh.sh
. "$(dirname "$0")/lib-ssh.sh"

require ssh ssh-keygen systemd-stdio-bridge
[ -x /usr/sbin/sshd ] || skip_all "sshd is not installed (tools/install-deps installs openssh-server)"

plan 19
setup_dray_test

ssh_setup

# --- over the bus bridge -------------------------------------------------------------------------

c="$(unique_name remote)"
track "$c"
dray run -d --name "$c" --rootfs "$rootfs" sh -c 'echo remote-line-1; echo remote-line-2; sleep 100000' >/dev/null
like "$(dray -H "$host" ps)" "$c" "dray -H HOST ps lists the remote host's containers"
like "$(DRAY_HOST="$host" dray ps)" "$c" "so does DRAY_HOST=HOST dray ps"
like "$(dray -H "root@127.0.0.1:1" ps 2>&1)" "port 1: Connection refused" \
        "-H really goes through ssh: a port nobody listens on fails"
d="$(unique_name remote-d)"
track "$d"
out="$(dray --host "$host" run -d --name "$d" --rootfs "$rootfs" sleep 100000)"
like "$out" '^[0-9a-f]{64}$' "run -d over the bridge prints the new container's ID"
ok "and the container runs on the remote host" state_is "$d" running
ok "stop over the bridge" dray -H "$host" stop -t 1 "$d"

# --- verbs that pass fds, or read the journal: the remote dray over ssh ---------------------------

is "$(dray -H "$host" run --rm --rootfs "$rootfs" echo hello-from-remote)" hello-from-remote \
        "run in the foreground: the output comes back over ssh"
status_is 7 "and its exit status" dray -H "$host" run --rm --rootfs "$rootfs" sh -c 'exit 7'
wait_until 20 sh -c "dray logs '$c' | grep -q remote-line-2"
is "$(DRAY_HOST="$host" dray logs "$c")" $'remote-line-1\nremote-line-2' "logs of a remote container"
is "$(dray -H "$host" exec "$c" echo "it's" 'quoted; $HOME')" "it's quoted; \$HOME" \
        "exec over ssh, arguments quoted for the remote shell"
status_is 3 "exec's exit status comes back" dray -H "$host" exec "$c" sh -c 'exit 3'
is "$(echo piped | DRAY_HOST="$host" dray exec -i "$c" cat)" piped "exec -i: our stdin goes over ssh too"
like "$(dray -H "$host" exec "$c" ls /nonexistent 2>&1 >/dev/null)" "nonexistent" \
        "and stderr comes back as stderr"
# cp: the tar stream goes over ssh, the host's paths are ours (relative ones from our working
# directory, which the remote dray's, root's home, is not).
k="$(unique_name remote-cp)"
track "$k"
dray run -d --ephemeral --name "$k" --rootfs "$rootfs" sleep 100000 >/dev/null
mkdir -p "$work/up" "$work/down"
echo local-content > "$work/up/file.txt"
(cd "$work/up" && dray -H "$host" cp file.txt "$k:/tmp/file.txt") &&
        is "$(dray exec "$k" cat /tmp/file.txt)" local-content "cp of a local file into a remote container" ||
        fail "cp of a local file into a remote container"
(cd "$work/down" && DRAY_HOST="$host" dray cp "$k:/tmp/file.txt" .) &&
        is "$(cat "$work/down/file.txt" 2>&1)" local-content "cp out of a remote container into a local directory" ||
        fail "cp out of a remote container into a local directory"
like "$(dray -H "$host" cp "$k:/nonexistent" "$work/down" 2>&1)" "nonexistent" "and the remote side's errors"

a="$(unique_name remote-a)"
track "$a"
dray -H "$host" run -d -i --name "$a" --rootfs "$rootfs" sh -c 'read -r l; echo "got $l"; exit 4' >/dev/null
out="$(echo hi | dray -H "$host" attach "$a")"
is "$?/$out" "4/got hi" "attach over ssh: input, output and the exit status"
like "$(dray -H 'bad host' ps 2>&1)" "Invalid host 'bad host'" "a host that is no host name is refused"
like "$(dray -H '-oProxyCommand=x' logs "$c" 2>&1)" "Invalid host '-oProxyCommand=x'" \
        "and one that ssh would take for an option"
