#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Who may do what: an unprivileged user may read (ps, inspect, properties) but every call that
# changes a container is refused with "Not authorized" until a polkit rule grants
# org.dray1.manage-containers; options that reach into the host (bind mounts, extra capabilities)
# need org.dray1.privileged-options on top. Root passes without asking. Runs inside the sandbox,
# with the sandbox's own polkitd (tools/test-all, or: tools/sandbox exec -- bash tests/integration/45-polkit.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/polkit-lib.sh
. "$(dirname "$0")/polkit-lib.sh"

require busctl setpriv useradd

plan 38
command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"
mkdir -p "$TEST_DIR"
# Below /var/lib/machines, declared for container roots by default: a root elsewhere would itself
# need org.dray1.privileged-options (61-roots.sh).
rootfs="/var/lib/machines/$(unique_name pk-root)"
defer rm -rf "$rootfs"
"$REPO_ROOT/tools/make-rootfs" "$rootfs" >/dev/null || bail_out "could not build the busybox root"
polkit_test_user dray-polkit-test /etc/polkit-1/rules.d/10-dray-test.rules

c="$(unique_name pk)"
defer dray rm -f "$c"
ok "root creates a container (no polkit rule needed)" dray create --name "$c" --rootfs "$rootfs" sleep 300

# --- reading is open ---------------------------------------------------------------------------

like "$(as_user dray ps -a 2>&1)" "$c" "the user can list containers"
is "$(as_user dray inspect -f '{{.State}}' "$c" 2>&1)" created "the user can inspect a container"
ok "the user can read properties over D-Bus" as_user busctl get-property org.dray1 \
        "$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$c" | cut -d'"' -f2)" \
        org.dray1.Container State

# --- without a rule: every change is refused ---------------------------------------------------

M=org.dray1.manage-containers
P=org.dray1.privileged-options
if not_granted $M; then pass "without a rule polkit denies the user"; else fail "without a rule polkit denies the user"; fi
before="$(dray ps -a -q --no-trunc | sort)"
refused "create is refused" $M dray create --rootfs "$rootfs" true
refused "run is refused" $M dray run --rm --rootfs "$rootfs" true
refused "start is refused" $M dray start "$c"
refused "stop is refused" $M dray stop "$c"
refused "restart is refused" $M dray restart "$c"
refused "kill is refused" $M dray kill "$c"
refused "rm is refused" $M dray rm "$c"
refused "rm -f is refused" $M dray rm -f "$c"
refused "a bind mount asks for the privileged action" $P dray create --rootfs "$rootfs" -v /tmp:/x true
out="$(as_user busctl call org.dray1 /org/dray1 org.dray1.Manager StartContainer 'sa{sh}' "$c" 0 2>&1)"
like "$out" "Not authorized|Access denied|AccessDenied" "a raw StartContainer call is refused too"
path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$c" | cut -d'"' -f2)"
out="$(as_user busctl call org.dray1 "$path" org.dray1.Container Kill i 9 2>&1)"
like "$out" "Not authorized" "the Container object's own Kill is refused"
is "$(dray inspect -f '{{.State}}' "$c" 2>&1)" created "nothing changed: the container is still created"
is "$(dray ps -a -q --no-trunc | sort)" "$before" "no container was created or removed by the user"

# --- with manage-containers ---------------------------------------------------------------------

if grant $M; then pass "polkitd picked up the rule"; else fail "polkitd picked up the rule"; fi
ok "start is allowed" as_user dray start "$c"
ok "restart is allowed" as_user dray restart -t 1 "$c"
ok "kill is allowed" as_user dray kill "$c"
wait_until 10 sh -c "[ \"\$(dray inspect -f '{{.State}}' '$c')\" = exited ]"
ok "start again is allowed" as_user dray start "$c"
ok "stop is allowed" as_user dray stop -t 1 "$c"
ok "rm is allowed" as_user dray rm "$c"
is "$(as_user dray run --rm --rootfs "$rootfs" echo hi 2>&1)" hi "run is allowed"
is "$(as_user dray run --rm --rootfs "$rootfs" --cap-drop ALL --cap-add CHOWN --tmpfs /scratch echo ok 2>&1)" ok \
        "default capabilities and a tmpfs need no privileged action"
refused "a bind mount still needs the privileged action" $P dray run --rm --rootfs "$rootfs" -v /tmp:/x true
refused "--cap-add SYS_ADMIN needs the privileged action" $P dray run --rm --rootfs "$rootfs" --cap-add SYS_ADMIN true
refused "--cap-add ALL needs the privileged action" $P dray run --rm --rootfs "$rootfs" --cap-add ALL true
refused "--device needs the privileged action" $P dray run --rm --rootfs "$rootfs" --device /dev/null:/dev/xnull true

# --- with privileged-options ----------------------------------------------------------------------

if grant $P $M; then pass "polkitd picked up the second rule"; else fail "polkitd picked up the second rule"; fi
is "$(as_user dray run --rm --rootfs "$rootfs" -v "$rootfs/etc:/x:ro" sh -c 'test -d /x && echo bound' 2>&1)" bound \
        "a bind mount is allowed with the privileged action"
ok "--cap-add SYS_ADMIN is allowed with the privileged action" as_user dray run --rm --rootfs "$rootfs" \
        --cap-add SYS_ADMIN true
like "$(as_user dray run --rm --rootfs "$rootfs" -v /:/x true 2>&1)" "refusing to bind '/'" \
        "authorised callers still cannot bind the host's /"

# --- root ------------------------------------------------------------------------------------

rm -f "$rules"
if wait_until 10 not_granted $M; then
        pass "the rule is gone again"
else
        fail "the rule is gone again"
fi
refused "without the rule the user is refused again" $M dray run --rm --rootfs "$rootfs" true
is "$(dray run --rm --rootfs "$rootfs" -v "$rootfs/etc:/x:ro" --cap-add SYS_ADMIN echo root-ok 2>&1)" root-ok \
        "root passes without a rule, privileged options included"
