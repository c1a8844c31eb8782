#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Containers do not reach the host's loopback (issue 16, High 2; the class of CVE-2020-8558). A
# container holds CAP_NET_RAW by default: it can put a hand-made TCP SYN to 127.0.0.1:PORT on its
# eth0, addressed to the gateway's MAC. drayd sets route_localnet on its bridges (so that the host's
# own connections to a port published on 127.0.0.1 can be forwarded), which would let the host
# accept such a packet: services bound to 127.0.0.1 only, and other containers' ports published with
# -p 127.0.0.1:PORT, answered. Packets to 127.0.0.0/8 or ::1 that arrive on any interface but lo are
# dropped, on every bridge. The probe is tests/helpers/synprobe.c, built -static here; a SYN to the
# gateway's own address shows it works. Runs inside the sandbox.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl cc ip nft wget busybox

plan 15
setup_dray_test
cc -static -O2 -D_GNU_SOURCE -o "$rootfs/bin/synprobe" "$REPO_ROOT/tests/helpers/synprobe.c" 2>/dev/null ||
        bail_out "cannot build the static synprobe helper"
mkdir -p "$work/www" "$rootfs/www"
echo host-loopback-only > "$work/www/index.html"
echo container-b > "$rootfs/www/index.html"

# serve ADDR:PORT: a web server of the host's (the sandbox's), stopped at exit.
serve() {
        busybox httpd -f -p "$1" -h "$work/www" &
        defer kill "$!"
}
serve 127.0.0.1:18080
serve 0.0.0.0:18081
wait_until 5 wget -q -O /dev/null http://127.0.0.1:18080/ || bail_out "the host's loopback server did not start"

b="$(unique_name b)"
defer dray rm -f "$b"
ok "a container publishes a port on the host's loopback only" \
        dray run -d --name "$b" -p 127.0.0.1:18082:80 --rootfs "$rootfs" httpd -f -p 80 -h /www
is "$(wait_until 10 wget -q -O /dev/null http://127.0.0.1:18082/; wget -q -O- http://127.0.0.1:18082/)" container-b \
        "the host reaches it on 127.0.0.1"

gw_ip="$(ip -4 -o addr show dev dray0 | awk '{ print $4 }' | cut -d/ -f1)"
# probe [DRAY-OPTIONS...] -- DEST PORT: the SYN from a fresh container; prints SYNACK, RST or NOREPLY.
# The container first pings its gateway ($GW, default dray0's): that gives it the gateway's MAC from
# its own neighbour table (a bridge's MAC can change as ports come and go), and the host an entry
# for this container's MAC (a fresh container may reuse an address). IPv6 waits for DAD first.
probe() {
        local opts=()
        while [ "$1" != -- ]; do opts+=("$1"); shift; done
        shift
        dray run --rm "${opts[@]}" --rootfs "$rootfs" sh -c '
                for i in $(seq 50); do ip addr show dev eth0 | grep -q tentative || break; sleep 0.1; done
                ping -c1 -W2 "$1" >/dev/null 2>&1
                mac="$(ip neigh show | awk -v gw="$1" '"'"'$1 == gw { for (i = 2; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'"'"')"
                exec synprobe eth0 "${mac:-none}" "$2" "$3" 3' sh "${GW:-$gw_ip}" "$1" "$2" 2>&1
}

is "$(probe -- "$gw_ip" 18081)" SYNACK "control: a raw SYN to the gateway's address is answered"
is "$(probe -- 127.0.0.1 18080)" NOREPLY "a raw SYN to the host's 127.0.0.1 service gets no answer"
is "$(probe -- 127.0.0.1 18081)" NOREPLY "nor to a service on 0.0.0.0, through 127.0.0.1"
is "$(probe -- 127.0.0.1 18082)" NOREPLY "nor to another container's port published on 127.0.0.1"
is "$(probe -- 127.0.0.2 18082)" NOREPLY "nor anywhere in 127.0.0.0/8"
is "$(probe --cap-add NET_ADMIN -- 127.0.0.1 18080)" NOREPLY "not even with NET_ADMIN"
is "$(wget -q -O- http://127.0.0.1:18080/)" host-loopback-only "the host's own loopback still works"
is "$(wget -q -O- http://127.0.0.1:18082/)" container-b "and so does the loopback-published port"
like "$(nft list table inet dray)" 'iifname != "lo" ip daddr 127\.0\.0\.0/8 drop' \
        "dray's table drops 127.0.0.0/8 from any interface but lo"

# --- a user network, IPv6 included ------------------------------------------------------------------

net="$(unique_name l6 | cut -c1-30)"
defer dray network rm "$net"
if [ -e /proc/sys/net/ipv6 ] && dray network create --ipv6 --subnet6 fd00:5ec:1::/64 "$net" >/dev/null; then
        br="$(dray network inspect "$net" | grep '"Bridge"' | cut -d'"' -f4)"
        serve '[::1]:18084'
        serve '[::]:18085'
        GW=fd00:5ec:1::1
        is "$(GW=$GW probe --network "$net" -- fd00:5ec:1::1 18085)" SYNACK \
                "control: on a user network, a raw IPv6 SYN to the gateway is answered"
        is "$(GW=$GW probe --network "$net" -- ::1 18084)" NOREPLY "a raw SYN to the host's ::1 gets no answer"
        is "$(GW="$(ip -4 -o addr show dev "$br" | awk '{ print $4 }' | cut -d/ -f1)" probe --network "$net" -- 127.0.0.1 18080)" NOREPLY \
                "nor one to 127.0.0.1 on this network's bridge"
        like "$(nft list table inet dray)" 'iifname != "lo" ip6 daddr ::1 drop' "dray's table drops ::1 from any interface but lo"
else
        for t in "IPv6 control" "IPv6 ::1" "user network 127.0.0.1" "::1 rule"; do skip "$t" "no IPv6 network"; done
fi
