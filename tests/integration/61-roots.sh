#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Who may run which root directory (issue 16, High 1). A directory root is a bind of a host path
# with write access for the container's root: a user whom polkit allows only
# org.dray1.manage-containers may run roots below the directories the administrator declared
# (/etc/dray/container-roots.conf; /var/lib/machines by default), and nothing else: not the host's
# /, not any other host tree, not through a symlink out of a declared directory. Root and holders
# of org.dray1.privileged-options may; drayd's own state is refused to everybody. drayd never
# changes the ownership of, or creates entries in, a tree it does not own. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/polkit-lib.sh
. "$(dirname "$0")/polkit-lib.sh"

require busctl setpriv useradd pkcheck

plan 24
setup_dray_test
polkit_test_user dray-roots-test /etc/polkit-1/rules.d/10-dray-roots-test.rules
conf=/etc/dray/container-roots.conf
mkdir -p /etc/dray
[ ! -e "$conf" ] || bail_out "$conf exists already"
defer rm -f "$conf"
M=org.dray1.manage-containers
P=org.dray1.privileged-options

# tree_listing DIR: every entry with its owner, to show nothing was created or chowned.
tree_listing() { find "$1" -xdev -printf '%P %u:%g %m\n' | sort; }

# --- a user allowed only to manage containers -----------------------------------------------------

grant $M || bail_out "polkitd did not pick up the rule"
pass "the user may manage containers, nothing more"
rm -f /etc/pwned
refused "the issue's attack: --rootfs / needs the privileged action" $P \
        dray run --rm --rootfs / sh -c 'head -2 /etc/shadow; echo x > /etc/pwned'
ok "and /etc/pwned did not appear on the host" test ! -e /etc/pwned
refused "a host tree outside the declared roots needs it too" $P dray run --rm --rootfs "$rootfs" true
refused "so does drayd's own state" $P dray run --rm --rootfs /var/lib/dray true
refused "and a create (not only run)" $P dray create --rootfs /srv true

mkdir -p /var/lib/machines
machine="/var/lib/machines/$(unique_name m)"
defer rm -rf "$machine"
"$REPO_ROOT/tools/make-rootfs" "$machine" >/dev/null || bail_out "tools/make-rootfs failed"
is "$(as_user dray run --rm --rootfs "$machine" echo hi-machine 2>&1)" hi-machine \
        "a root below /var/lib/machines (declared by default) runs for the user"
refused "/var/lib/machines itself is no root" $P dray run --rm --rootfs /var/lib/machines true
evil="/var/lib/machines/$(unique_name evil)"
ln -s / "$evil"
defer rm -f "$evil"
like "$(as_user dray run --rm --rootfs "$evil" sh -c 'head -2 /etc/shadow' 2>&1)" \
        "resolves to '/', outside the directories declared for container roots" \
        "a symlink in a declared directory to / is refused, naming where it leads"
like "$(as_user dray run --rm --rootfs "$evil/etc" true 2>&1)" "outside the directories declared|Not authorized" \
        "so is a path through it"

# --- the administrator's list ------------------------------------------------------------------------

mkdir -p "$work/declared"
"$REPO_ROOT/tools/make-rootfs" "$work/declared/one" >/dev/null || bail_out "tools/make-rootfs failed"
printf '# roots for the test\n%s/declared\n\n' "$work" > "$conf"
is "$(as_user dray run --rm --rootfs "$work/declared/one" echo declared 2>&1)" declared \
        "a directory declared in $conf serves roots"
refused "the file replaces the default: /var/lib/machines is no longer declared" $P \
        dray run --rm --rootfs "$machine" true
: > "$conf"
refused "an empty file declares nothing" $P dray run --rm --rootfs "$work/declared/one" true
rm -f "$conf"

# --- root and the privileged action -----------------------------------------------------------------

before="$(ls -A /var/lib/dray)"
like "$(dray run --rm --rootfs /var/lib/dray true 2>&1)" "drayd's own state" "root may not run drayd's state as a root"
like "$(dray run --rm --rootfs /var/lib/dray/containers true 2>&1)" "drayd's own state" "nor a directory in it"
is "$(ls -A /var/lib/dray)" "$before" "and nothing was created in drayd's state"
is "$(dray run --rm --rootfs "$rootfs" echo root-ok 2>&1)" root-ok "root runs a host tree anywhere"
grant $P $M || bail_out "polkitd did not pick up the second rule"
ok "with the privileged action the user may run the host's / (read-only here)" \
        as_user dray run --rm --read-only --rootfs / true

# --- a tree drayd does not own: no chown, no new entries ---------------------------------------------

# The sandbox's root is an overlayfs: no idmapped mounts there.
shared="$work/shared"
"$REPO_ROOT/tools/make-rootfs" "$shared" >/dev/null || bail_out "tools/make-rootfs failed"
before="$(tree_listing "$shared")"
like "$(dray run --rm --userns auto --rootfs "$shared" true 2>&1)" \
        "needs a rootfs on a file system with idmapped mounts.*does not change the ownership" \
        "--userns auto on a tree without idmapped mounts is refused, with the reason"
is "$(tree_listing "$shared")" "$before" "and not one entry of that tree changed owner"

bare="$work/bare"
mkdir -p "$bare/bin" && cp "$rootfs/bin/busybox" "$bare/bin/busybox" && ln -s busybox "$bare/bin/sh" ||
        bail_out "cannot build a bare tree"
before="$(tree_listing "$bare")"
like "$(dray run --rm --rootfs "$bare" true 2>&1)" "has no /proc: drayd creates nothing" \
        "a tree without /proc is refused, not filled in"
is "$(tree_listing "$bare")" "$before" "no dev, etc, proc or sys appeared in it"
is "$(dray run --rm --ephemeral --rootfs "$bare" sh -c 'test -d /proc/self && echo eph' 2>&1)" eph \
        "--ephemeral runs it (the mount points go into the container's own upper layer)"
is "$(tree_listing "$bare")" "$before" "and the tree is still untouched"
