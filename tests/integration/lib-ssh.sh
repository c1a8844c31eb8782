# SPDX-License-Identifier: LGPL-2.1-or-later
#
# An sshd of the test's own for the -H tests (39-remote.sh, 79-image-remote.sh), sourced after lib.sh
# and setup_dray_test: it listens on 127.0.0.1 only, with keys made in the test's directory; ssh gets
# its options through a wrapper first in PATH (sd-bus runs "ssh" from PATH, as machinectl -H does),
# so nothing of the sandbox's ssh configuration is touched.
# shellcheck shell=bash disable=SC2154 # work: set by lib.sh's setup_dray_test

# ssh_setup: starts the sshd and sets host (root@127.0.0.1:PORT) and port.
ssh_setup() {
        local try pid
        ssh_dir="$work/ssh"
        mkdir -p "$ssh_dir/bin" /run/sshd
        chmod 700 "$ssh_dir"
        ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/host_key" || bail_out "ssh-keygen failed"
        ssh-keygen -q -t ed25519 -N '' -f "$ssh_dir/id" || bail_out "ssh-keygen failed"
        cp "$ssh_dir/id.pub" "$ssh_dir/authorized_keys"
        for try in 1 2 3 4 5; do
                port=$((40000 + RANDOM % 20000))
                cat > "$ssh_dir/sshd_config" <<EOC
ListenAddress 127.0.0.1
Port $port
HostKey $ssh_dir/host_key
AuthorizedKeysFile $ssh_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
EOC
                /usr/sbin/sshd -D -e -f "$ssh_dir/sshd_config" 2> "$ssh_dir/sshd.log" &
                pid=$!
                if wait_until 10 sh -c "grep -q 'listening on' '$ssh_dir/sshd.log'"; then
                        defer kill "$pid"
                        break
                fi
                kill "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
                [ "$try" = 5 ] && bail_out "sshd does not start: $(cat "$ssh_dir/sshd.log")"
        done
        cat > "$ssh_dir/bin/ssh" <<EOC
#!/bin/sh
exec /usr/bin/ssh -i '$ssh_dir/id' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \\
        -o UserKnownHostsFile='$ssh_dir/known_hosts' -o LogLevel=ERROR "\$@"
EOC
        chmod +x "$ssh_dir/bin/ssh"
        export PATH="$ssh_dir/bin:$PATH"
        host="root@127.0.0.1:$port"
        ssh -p "$port" root@127.0.0.1 true || bail_out "ssh to the test's sshd fails: $(tail -5 "$ssh_dir/sshd.log")"
}
