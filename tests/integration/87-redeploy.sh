#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Redeploys (issue 9): `dray rm -f NAME` and the same `dray run -d -p` at once gives the new container
# the address the old one released. With other containers on the bridge the bridge keeps its
# carrier, so the kernel does not flush its neighbour entries, and the host's entry for the address,
# REACHABLE from the last request, still names the old container's MAC: with random MACs the new one
# was unreachable until that entry aged out (15-45 s, then DELAY and probes). MACs derived from the
# address (02:42:…, as Docker's) and the announcement each container makes of its address keep the
# cache right: each redeploy answers at once, ten times over, from an image, on a published port.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require ip curl

plan 25
setup_dray_test

net="$(unique_name rd | cut -c1-30)"
keep="$(unique_name keep)"
other="$(unique_name other)"
r="$(unique_name r)"
img="localhost/redeploy-$$:latest"
port=$((20000 + $$ % 20000))
defer sh -c "dray network rm $net 2>/dev/null; true"
defer dray image rm "$img"
defer dray rm -f "$keep" "$other" "$r"

tar -C "$rootfs" -cf "$work/root.tar" . || bail_out "tar failed"
dray image import "$work/root.tar" "$img" >/dev/null || bail_out "image import failed"
dray network create --subnet 10.187.0.0/24 "$net" >/dev/null || bail_out "network create failed"
bridge="$(dray network inspect "$net" | grep '"Bridge"' | cut -d'"' -f4)"
[ -n "$bridge" ] || bail_out "no bridge for $net"

# The other containers hold the bridge's carrier up (and their own neighbour caches).
dray run -d --name "$keep" --network "$net" "$img" sleep 1000 >/dev/null || bail_out "run keep failed"
dray run -d --name "$other" --network "$net" "$img" sleep 1000 >/dev/null || bail_out "run other failed"

# answers: the published port gives the container's hostname within 5 s (a server just started may
# not listen yet; a stale neighbour entry would hold it for far longer). curl -m bounds each try.
answers() { wait_until 5 sh -c '[ "$(curl -s -m 1 "http://127.0.0.1:$1/hostname")" = "$2" ]' "$1" "$2"; }
ip_of() { dray inspect -f '{{.NetworkSettings.IPAddress}}' "$1"; }
mac_of_ip() { printf '02:42:%02x:%02x:%02x:%02x' $(echo "$1" | tr . ' '); }

# One name releases an address and another takes it.
dray run -d --name "$r" --network "$net" -p "$port:80" "$img" httpd -f -p 80 -h /etc >/dev/null
ok "a server from the image answers on 127.0.0.1:$port" answers "$port" "$r"
first="$(ip_of "$r")"
like "$first" '^10\.187\.0\.[0-9]+$' "it has an address on the network"
curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/"
like "$(ip neigh show "$first" dev "$bridge")" "lladdr $(mac_of_ip "$first") (REACHABLE|DELAY|STALE)" \
        "the host's neighbour entry for $first holds the MAC derived from it"
dray rm -f "$r" >/dev/null
r2="$(unique_name r2)"
defer dray rm -f "$r2"
dray run -d --name "$r2" --network "$net" -p "$port:80" "$img" httpd -f -p 80 -h /etc >/dev/null
is "$(ip_of "$r2")" "$first" "another name gets the released address"
ok "and answers at once" answers "$port" "$r2"
dray rm -f "$r2" >/dev/null

# The bridge's MAC is fixed (02:42 and the gateway): without one it took the lowest MAC of its ports
# and changed with them, flushing the host's neighbour entries and leaving the containers' entries
# for the gateway stale.
bridge_mac="$(cat "/sys/class/net/$bridge/address")"
is "$bridge_mac" "02:42:0a:bb:00:01" "the bridge's MAC is derived from the gateway 10.187.0.1"

# Ten redeploys of one name, each at once after the last answered.
for i in 1 2 3 4 5 6 7 8 9 10; do
        dray rm -f "$r" >/dev/null 2>&1
        dray run -d --name "$r" --network "$net" -p "$port:80" "$img" httpd -f -p 80 -h /etc >/dev/null
        ok "redeploy $i answers at once" answers "$port" "$r"
done
is "$(ip_of "$r")" "$first" "every redeploy reused the address"
is "$(cat "/sys/class/net/$bridge/address")" "$bridge_mac" "the bridge kept its MAC throughout"
ok "a container that was there all along still reaches the gateway at once" \
        dray exec "$keep" sh -c 'timeout 2 ping -c 1 -W 1 10.187.0.1 >/dev/null' 
mac="$(dray exec "$r" cat /sys/class/net/eth0/address)"
is "$mac" "$(mac_of_ip "$first")" "the container's MAC is 02:42 and its address"

# The other containers learnt the new container's MAC too (the announcement is a broadcast): one
# reaches the server without waiting for its stale entry.
ok "another container on the network reaches the redeployed server" \
        dray exec "$other" sh -c "timeout 5 wget -q -O- http://$first/hostname | grep -qx '$r'"
dray rm -f "$r" >/dev/null
dray run -d --name "$r" --network "$net" -p "$port:80" "$img" httpd -f -p 80 -h /etc >/dev/null
ok "and again right after a redeploy" wait_until 5 \
        dray exec "$other" sh -c "timeout 1 wget -q -O- http://$first/hostname | grep -qx '$r'"

# Low ports in the container's own network namespace work for any user, as with Docker and podman.
is "$(dray exec "$r" cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" 0 \
        "the container's network namespace opens the ports below 1024"
ok "a non-root payload binds port 81" dray run --rm --network "$net" --user 1000:1000 "$img" \
        sh -c 'httpd -p 81 -h /etc && sleep 0.1'
is "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" 1024 "the host's own setting is untouched"
