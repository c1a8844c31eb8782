#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# podman with dray-oci as its OCI runtime (issue 17): --runtime /usr/bin/dray-oci and a runtime named
# in containers.conf run, exec into (also with a terminal), pause, stop, restart and remove
# containers, with -it, -p and -v; exit statuses come through; nothing is left in dray-oci's state.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require dray-oci podman wget jq script
mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")" || bail_out "mktemp failed"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
# podman wants a run root of at most 50 characters.
runroot="$(mktemp -d /run/oci-p.XXXXXX)" || bail_out "mktemp failed"
defer rm -rf "$runroot"
cat > "$work/containers.conf" <<CONF
[engine.runtimes]
dray = ["/usr/bin/dray-oci"]
CONF
export CONTAINERS_CONF="$work/containers.conf"
P=(podman --events-backend=none --storage-driver=vfs --root "$work/podman" --runroot "$runroot"
   --runtime /usr/bin/dray-oci)
PN=(podman --events-backend=none --storage-driver=vfs --root "$work/podman" --runroot "$runroot"
    --runtime dray)
defer rm -rf "$work/podman"
defer sh -c "$(printf '%q ' "${P[@]}") rm -f -a -t 0 >/dev/null 2>&1"
tar -C "$rootfs" -cf "$work/root.tar" . || bail_out "tar failed"
"${P[@]}" import --change 'CMD ["sh"]' "$work/root.tar" localhost/oci-bb >/dev/null 2>&1 || bail_out "podman import failed"
port=$((20000 + RANDOM % 20000))

out="$("${P[@]}" run --rm localhost/oci-bb sh -c 'echo hello; cat /proc/1/status | grep ^NoNewPrivs')"
like "$out" "hello" "podman run --rm prints the output"
status_is 7 "the exit status comes through" "${P[@]}" run --rm localhost/oci-bb sh -c 'exit 7'
status_is 127 "a missing command is 127" "${P[@]}" run --rm localhost/oci-bb no-such-command
is "$("${PN[@]}" run --rm localhost/oci-bb echo named)" named "a runtime named in containers.conf"
# /proc files show size 0: read a byte. A masked file is /dev/null bound on top.
is "$("${P[@]}" run --rm localhost/oci-bb sh -c '[ -n "$(head -c 1 /proc/timer_list)" ] && echo open || echo masked')" masked \
        "podman's masked paths are masked"
is "$("${P[@]}" run --rm --security-opt unmask=/proc/timer_list localhost/oci-bb \
        sh -c '[ -n "$(head -c 1 /proc/timer_list)" ] && echo open || echo masked')" open "podman's unmask reaches the container"

mkdir -p "$work/vol"
echo from-host > "$work/vol/f"
ok "podman run -d -p -v" "${P[@]}" run -d --name oci-web -p "127.0.0.1:$port:80" -v "$work/vol:/data" localhost/oci-bb \
        httpd -f -p 80 -h /data
is "$("${P[@]}" inspect -f '{{.State.Status}}' oci-web)" running "the container runs"
ok "the published port serves the volume" wait_until 10 wget -q -O "$work/got" "http://127.0.0.1:$port/f"
is "$(cat "$work/got" 2>/dev/null)" from-host "the file came from the bind mount"
is "$("${P[@]}" exec oci-web sh -c 'echo exec-$(cat /data/f)')" exec-from-host "podman exec"
status_is 3 "podman exec's exit status" "${P[@]}" exec oci-web sh -c 'exit 3'
out="$(in_pty "$(printf '%q ' "${P[@]}") exec -it oci-web sh -c 'tty; echo it-ok'" 2>&1)"
like "$out" "/dev/pts/" "podman exec -it gets a terminal"
like "$out" "it-ok" "podman exec -it runs"
ok "podman pause" "${P[@]}" pause oci-web
is "$("${P[@]}" inspect -f '{{.State.Status}}' oci-web)" paused "paused"
ok "podman unpause" "${P[@]}" unpause oci-web
is "$("${P[@]}" inspect -f '{{.State.Status}}' oci-web)" running "running again"
ok "podman stop" "${P[@]}" stop -t 5 oci-web
is "$("${P[@]}" inspect -f '{{.State.Status}}' oci-web)" exited "exited"
ok "podman start of the stopped container" "${P[@]}" start oci-web
ok "it serves again" wait_until 10 wget -q -O /dev/null "http://127.0.0.1:$port/f"
ok "podman rm -f" "${P[@]}" rm -f -t 0 oci-web
fails "it is gone" "${P[@]}" inspect oci-web

out="$(in_pty "$(printf '%q ' "${P[@]}") run --rm -it localhost/oci-bb sh -c 'tty; echo tty-ok'" 2>&1)"
like "$out" "/dev/pts/0" "podman run -it: the console socket's terminal"
like "$out" "tty-ok" "podman run -it runs"
ok "nothing is left in dray-oci's state" sh -c '[ -z "$(ls -A /run/dray-oci 2>/dev/null)" ]'
