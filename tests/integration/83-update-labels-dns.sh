#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A container's metadata after create: dray update (memory, CPU and tasks limits of a running
# container reach its scope, systemctl show, and its spec; a stopped container keeps them for its
# next start; bad values and keys), --label with ps --filter label= (and name=, status=), and the
# resolver and hosts options --dns-search, --dns-option, --add-host.
# Runs inside the sandbox (tools/test-all, or: tools/sandbox exec -- bash tests/integration/83-update-labels-dns.sh).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl systemctl

plan 26
setup_dray_test
c="$(unique_name upd)"
defer dray rm -f "$c"
dray run -d --name "$c" --rootfs "$rootfs" --memory 256m sleep 100000 >/dev/null
ok "dray update of a running container" dray update --memory 64m --cpus 0.5 --pids-limit 77 "$c"
is "$(systemctl show -p MemoryMax --value "dray-$c.scope")" 67108864 "MemoryMax reached the scope"
is "$(systemctl show -p CPUQuotaPerSecUSec --value "dray-$c.scope")" 500ms "CPUQuotaPerSecUSec too"
is "$(systemctl show -p TasksMax --value "dray-$c.scope")" 77 "and TasksMax"
path="$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$c" | cut -d'"' -f2)"
is "$(busctl get-property org.dray1 "$path" org.dray1.Container MemoryMax)" "t 67108864" "the spec has the new limit"
like "$(busctl introspect org.dray1 "$path" org.dray1.Container | grep -E '^\.(MemoryMax|CPUQuotaPerSecUSec|CPUWeight|TasksMax) ')" \
        "emits-change" "the limit properties announce changes (not const: clients cache const ones)"
unlike "$(busctl introspect org.dray1 "$path" org.dray1.Container | grep -E '^\.(MemoryMax|CPUQuotaPerSecUSec|CPUWeight|TasksMax) ')" \
        "const" "... none of the four is const"
dray stop -t 1 "$c" >/dev/null
ok "dray update of a stopped container" dray update --pids-limit 55 "$c"
dray start "$c" >/dev/null
is "$(systemctl show -p TasksMax --value "dray-$c.scope")" 55 "its next start uses it"
is "$(systemctl show -p MemoryMax --value "dray-$c.scope")" 67108864 "and keeps the earlier update"
like "$(dray update --memory 1k "$c" 2>&1)" "out of range" "a limit below the minimum is refused"
like "$(busctl call org.dray1 /org/dray1 org.dray1.Manager UpdateContainer 'sa{sv}' "$c" 1 Command as 1 x 2>&1)" \
        "Unknown option 'Command'" "UpdateContainer takes limits only"

# --- labels ---------------------------------------------------------------------------------------

l1="$(unique_name lab1)"; l2="$(unique_name lab2)"
defer dray rm -f "$l1"
defer dray rm -f "$l2"
ok "create with --label" \
        dray create --name "$l1" --rootfs "$rootfs" --label tier=db -l owner=ops true
dray create --name "$l2" --rootfs "$rootfs" --label tier=web true >/dev/null 2>&1
is "$(busctl get-property org.dray1 "$(busctl call org.dray1 /org/dray1 org.dray1.Manager GetContainer s "$l1" | cut -d'"' -f2)" org.dray1.Container Labels)" \
        'as 2 "tier=db" "owner=ops"' "the Labels property has them"
is "$(dray ps -a --filter label=tier=db --format json | grep -c "\"$l1\"")" 1 "ps --filter label=KEY=VALUE finds it"
is "$(dray ps -a --filter label=tier=db | grep -c "$l2")" 0 "and not the other"
is "$(dray ps -a --filter label=tier | grep -c "$l1\|$l2")" 2 "label=KEY matches both"
is "$(dray ps --filter status=created --filter "name=$l2" | grep -c "$l2")" 1 "status= lists stopped containers too, name= narrows"
like "$(dray create --rootfs "$rootfs" --label '=x' true 2>&1)" "Invalid --label value" "a label without a key is refused"
like "$(dray ps --filter colour=red 2>&1)" "Invalid --filter value" "an unknown filter is refused"

# --- --dns-search, --dns-option, --add-host (a bridge network's generated files) ------------------

files="$(dray run --rm --rootfs "$rootfs" --dns-search example.test --dns-search corp.example \
        --dns-option ndots:3 --dns-option edns0 --add-host db.local:10.1.2.3 --add-host v6.local:fd00::7 \
        cat /etc/resolv.conf /etc/hosts 2>&1)"
like "$files" "(^|\n)search example.test corp.example" "--dns-search makes the search line"
like "$files" "options ndots:3 edns0" "--dns-option makes the options line"
like "$files" "10\.1\.2\.3[[:space:]]+db\.local" "--add-host adds an IPv4 line to /etc/hosts"
like "$files" "fd00::7[[:space:]]+v6\.local" "and an IPv6 one"
like "$(dray run --rm --rootfs "$rootfs" --add-host 'bad name:1.2.3.4' true 2>&1)" "Invalid option 'ExtraHosts'" \
        "a bad --add-host is refused"
like "$(dray run --rm --rootfs "$rootfs" --dns-option 'ndots 2' true 2>&1)" "Invalid option 'DNSOptions'" \
        "a --dns-option with a space is refused (no line of its own in resolv.conf)"

