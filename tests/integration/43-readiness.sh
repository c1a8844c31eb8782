#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Readiness, activation and the shipped template: a Type=notify service running `dray run` becomes
# active once the container runs (--sdnotify=ready, the default), or once the payload itself says
# READY=1 (--sdnotify=container), and times out with --sdnotify=ignore, leaving no container behind; a .socket unit hands its listening socket to the
# payload (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID as the payload sees it), and a socket-activated
# busybox httpd in a container answers on the socket's port; --preserve-fds passes fds by hand;
# `systemctl enable --now dray@NAME` runs a container created earlier, the service's state follows
# the container's, and its journal has the container's lines. Runs inside the sandbox
# (tools/test-all, or: tools/sandbox exec -- bash tests/integration/43-readiness.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl systemd-run journalctl jq cc

plan 30
setup_dray_test

# shellcheck source=tests/integration/lib-units.sh
. "$(dirname "$0")/lib-units.sh"
run_opts=(--network none --rootfs "$rootfs")
service_active() { [ "$(unit_prop "$1" ActiveState)" = active ]; }

# --- Type=notify ------------------------------------------------------------------------------
name="$(unique_name ready)"
track "$name"
track_unit "$name.service"
# systemd-run waits for the start job: it returns once the service is active.
ok "a Type=notify service running dray run starts" \
        systemd-run --quiet --unit="$name" -p Type=notify -p TimeoutStartSec=60 \
        dray run --rm --name "$name" "${run_opts[@]}" sleep 1000
is "$(unit_prop "$name.service" ActiveState)" active "it is active"
ok "... with its container running" state_is "$name" running
like "$(unit_prop "$name.service" StatusText)" "running" "its status text says the container runs"
systemctl stop "$name.service"
ok "stopping the service removes the --rm container" wait_until 30 container_gone "$name"

# --sdnotify=container: the payload's own READY=1 and STATUS= (sent with a tiny static sd_notify()
# built here: busybox has none) reach the service; a MAINPID= of its own does not.
cat >"$work/notify.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *p = getenv("NOTIFY_SOCKET");
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

        if (!p || argc < 2 || fd < 0)
                return 2;
        strncpy(sa.sun_path, p, sizeof(sa.sun_path) - 1);
        return sendto(fd, argv[1], strlen(argv[1]), 0, (struct sockaddr *) &sa, sizeof(sa)) < 0;
}
EOF
cc -static -O2 -o "$rootfs/bin/notify" "$work/notify.c" || bail_out "cannot build the static notify helper"
name="$(unique_name container)"
track "$name"
track_unit "$name.service"
# The payload waits for a file before it says READY=1: the service must still be activating then.
ok "a Type=notify service with --sdnotify=container" \
        systemd-run --quiet --no-block --unit="$name" -p Type=notify -p TimeoutStartSec=120 \
        dray run --rm --sdnotify=container --name "$name" -v "$work:/w" "${run_opts[@]}" \
        sh -c 'while [ ! -e /w/ready ]; do sleep 0.05; done; notify "$(printf "READY=1\nSTATUS=from-the-payload\nMAINPID=1")"; sleep 1000'
ok "its container runs" wait_until 30 state_is "$name" running
is "$(unit_prop "$name.service" ActiveState)" activating "the service waits for the payload's READY=1"
touch "$work/ready"
ok "the payload's READY=1 makes it active" wait_until 30 service_active "$name.service"
is "$(unit_prop "$name.service" StatusText)" from-the-payload "the payload's STATUS= is the service's"
isnt "$(unit_prop "$name.service" MainPID)" 1 "the payload's MAINPID= is not passed on"
systemctl stop "$name.service"

name="$(unique_name ignore)"
track "$name"
track_unit "$name.service"
fails "with --sdnotify=ignore nobody says READY=1: the start times out" \
        systemd-run --quiet --unit="$name" -p Type=notify -p TimeoutStartSec=2 \
        dray run --rm --sdnotify=ignore --name "$name" "${run_opts[@]}" sleep 1000
is "$(unit_prop "$name.service" Result)" timeout "the service's result is timeout"
ok "... and its container is gone" wait_until 30 container_gone "$name"
status_is 125 "dray create refuses --sdnotify (it is about the run)" \
        dray create --sdnotify=ready "${run_opts[@]}" true
status_is 125 "an unknown --sdnotify mode is an error" dray run --sdnotify=sometimes "${run_opts[@]}" true

# --- socket activation ---------------------------------------------------------------------
tag="$RANDOM$RANDOM"
# A listening socket (Accept=no): what the payload gets. In a unit file, $$ is a literal '$'.
name="$(unique_name sock)"
port=$((20000 + RANDOM % 20000))
track "$name"
track_unit "$name.socket"
track_unit "$name.service"
defer rm -f "/run/systemd/system/$name.socket" "/run/systemd/system/$name.service"
printf '[Socket]\nListenStream=127.0.0.1:%s\nFileDescriptorName=web\n' "$port" >"/run/systemd/system/$name.socket"
printf '[Service]\nExecStart=/usr/bin/dray run --rm --name %s --network none --rootfs %s sh -c %s\n' \
        "$name" "$rootfs" \
        "'echo \"fds=\$\$LISTEN_FDS names=\$\$LISTEN_FDNAMES mine=\$\$([ \$\$LISTEN_PID = \$\$\$\$ ] && echo yes) fd3=\$\$(readlink /proc/self/fd/3 | cut -c1-7)\"; sleep 1000'" \
        >"/run/systemd/system/$name.service"
systemctl daemon-reload
ok "a .socket unit for a dray run service" systemctl start "$name.socket"
exec 5<>"/dev/tcp/127.0.0.1/$port"
ok "a connection starts the service; its payload has the socket as fd 3, LISTEN_PID its own PID" \
        wait_until 30 journal_has "$name.service" "fds=1 names=web mine=yes fd3=socket:"
exec 5>&-
systemctl stop "$name.socket" "$name.service"

# Accept=yes: one container per connection, busybox httpd in inetd mode on it.
name="$(unique_name web)"
port=$((20000 + RANDOM % 20000))
track_unit "$name.socket"
defer rm -f "/run/systemd/system/$name.socket" "/run/systemd/system/$name@.service"
mkdir -p "$rootfs/www"
echo "hello-$tag" >"$rootfs/www/index.html"
printf '[Socket]\nListenStream=127.0.0.1:%s\nAccept=yes\n' "$port" >"/run/systemd/system/$name.socket"
printf '[Service]\nExecStart=/usr/bin/dray run --rm --network none --rootfs %s sh -c %s\n' "$rootfs" \
        "'exec httpd -i -h /www <&3 >&3'" >"/run/systemd/system/$name@.service"
systemctl daemon-reload
ok "a socket for a busybox httpd in a container" systemctl start "$name.socket"
http_get() {
        exec 6<>"/dev/tcp/127.0.0.1/$port" || return 1
        printf 'GET /index.html HTTP/1.0\r\n\r\n' >&6
        timeout 60 cat <&6
        exec 6>&-
}
like "$(http_get)" "hello-$tag" "the socket-activated httpd answers on the socket's port"

# By hand: --preserve-fds.
is "$(dray run --rm "${run_opts[@]}" --preserve-fds 2 sh -c 'cat <&4' 3</dev/null 4<<<"fd-four-$tag")" \
        "fd-four-$tag" "--preserve-fds 2 passes fds 3 and 4"
status_is 125 "--preserve-fds of an fd that is not open fails" dray run --rm "${run_opts[@]}" --preserve-fds 40 true

# --- dray@NAME ----------------------------------------------------------------------------
name="$(unique_name tmpl)"
tag="$RANDOM$RANDOM"
track "$name"
track_unit "dray@$name.service"
defer systemctl disable "dray@$name.service"
ok "dray create a container" dray create --name "$name" "${run_opts[@]}" \
        sh -c "trap 'echo bye-$tag; exit 0' TERM; echo hello-$tag; while :; do sleep 0.1; done"
ok "systemctl enable --now dray@NAME" systemctl enable --now "dray@$name.service"
is "$(unit_prop "dray@$name.service" ActiveState)" active "the service is active"
ok "... and the container runs" state_is "$name" running
ok "its output is in the service's journal" wait_until 20 journal_has "dray@$name.service" "hello-$tag"
ok "systemctl stop dray@NAME" systemctl stop "dray@$name.service"
is "$(dray inspect -f '{{.State}} {{.ExitStatus}}' "$name")" "exited 0" \
        "the container was stopped with its stop signal (its handler's status 0)"
is "$(unit_prop "dray@$name.service" ActiveState)" inactive "the service is inactive, not failed"
