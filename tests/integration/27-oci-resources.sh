#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dray-oci's linux.resources beyond memory/cpu/pids (issue 17): blockIO, hugepageLimits, cpu.cpus and
# cpu.mems, unified. cgroupfs: the values read back from the cgroup files (v2 on a pure host; v1 blkio
# and cpuset, and hugetlb wherever the host has it, on a hybrid one); --systemd-cgroup: read back from
# `systemctl show` and the scope's cgroups. A controller the layout lacks is an error naming it (and
# the readbacks are skipped with the reason); bad values are refused naming the key and index; nothing
# is left behind after a refusal or a delete.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require systemctl
# Its containers sleep: the values are read back while they run.
oci_config_extra="c['process']['args']=['sleep','1000']"
# shellcheck source=tests/integration/lib-oci.sh
. "$(dirname "$0")/lib-oci.sh"
oci_bg() { "${O[@]}" "$@" </dev/null >>"$work/containers.out" 2>&1; }

# The layout: pure cgroup v2, or v1 controllers beside systemd's unified hierarchy.
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then pure=1; v2=/sys/fs/cgroup; else pure=0; v2=/sys/fs/cgroup/unified; fi
# have V1NAME V2NAME: the controller is there (v1 hierarchy first on a hybrid host, as dray-oci looks).
have() {
        if [ "$pure" = 0 ] && [ -d "/sys/fs/cgroup/$1" ]; then return 0; fi
        grep -qw "$2" "$v2/cgroup.controllers" 2>/dev/null
}
# dir_of V1NAME V2NAME REL: where the controller's files of cgroup REL are.
dir_of() {
        if [ "$pure" = 0 ] && [ -d "/sys/fs/cgroup/$1" ]; then echo "/sys/fs/cgroup/$1$3"; else echo "$v2$3"; fi
}
# A whole disk of the host (throttling takes disks, not partitions).
disk=""
for d in /sys/block/*; do
        case "${d##*/}" in loop*|ram*|zram*) continue ;; esac
        disk="$(cat "$d/dev")" && break
done
[ -n "$disk" ] || disk="$(cat "$(ls -d /sys/block/* | head -n 1)/dev" 2>/dev/null)"
[ -n "$disk" ] || skip_all "the host has no block device"
maj="${disk%:*}" min="${disk#*:}"
io_name=blkio; [ "$pure" = 1 ] && io_name=io
hp=""; [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] && hp=2MB

# The cgroups of the v2 hierarchy whose subtree_control enables hugetlb: dray-oci enables it in the
# ancestors of a cgroup that takes hugepageLimits; the test disables again where it found it disabled
# (deepest first), so no later test depends on this one having run.
hugetlb_enabled() { { find "$v2" -maxdepth 12 -name cgroup.subtree_control -exec grep -lw hugetlb {} + 2>/dev/null || true; } | sort; }
hugetlb_before="$(hugetlb_enabled)"
restore_hugetlb() {
        hugetlb_enabled | awk '{ print length($0), $0 }' | sort -rn | cut -d' ' -f2- | while read -r f; do
                grep -qxF "$f" <<<"$hugetlb_before" || echo -hugetlb >"$f" 2>/dev/null || true
        done
        return 0
}
defer restore_hugetlb

# refused WHAT EXPECT EDIT [--systemd-cgroup]: create fails naming EXPECT; no state, no cgroup left.
refused() {
        local what="$1" expect="$2" out status=0
        fresh_config
        edit "c['linux']['cgroupsPath']='/dray-oci-res/bad1'; $3"
        # Into a file: a create wrongly accepted leaves a container holding a pipe open.
        "${O[@]}" ${4:-} create --bundle "$b" bad1 >"$work/refused.out" 2>&1 </dev/null || status=$?
        out="$(cat "$work/refused.out")"
        isnt "$status" 0 "$what: refused"
        [ "$status" = 0 ] && gone bad1
        like "$out" "$expect" "$what: the message names it"
        ok "$what: nothing left behind" sh -c "test ! -e '$root/bad1' && ! ls -d /sys/fs/cgroup/*/dray-oci-res/bad1 $v2/dray-oci-res/bad1 2>/dev/null | grep -q ."
}

# --- cgroupfs: blockIO throttles ------------------------------------------------------------------
blkio_cfg="c['linux']['resources']={'blockIO':{'throttleReadBpsDevice':[{'major':$maj,'minor':$min,'rate':1048576}],
 'throttleWriteIOPSDevice':[{'major':$maj,'minor':$min,'rate':100}]}}"
if have blkio io; then
        fresh_config
        edit "c['linux']['cgroupsPath']='/dray-oci-res/f1'; $blkio_cfg"
        defer gone f1
        ok "cgroupfs: create with blockIO throttles" oci_bg create --bundle "$b" --pid-file "$work/f1.pid" f1
        d="$(dir_of blkio io /dray-oci-res/f1)"
        if [ "$pure" = 1 ]; then
                like "$(cat "$d/io.max" 2>&1)" "^$maj:$min rbps=1048576 wbps=max riops=max wiops=100" "cgroupfs: io.max holds both limits"
        else
                is "$(cat "$d/blkio.throttle.read_bps_device" 2>&1)" "$maj:$min 1048576" "cgroupfs: blkio.throttle.read_bps_device"
                is "$(cat "$d/blkio.throttle.write_iops_device" 2>&1)" "$maj:$min 100" "cgroupfs: blkio.throttle.write_iops_device"
                like "$(cat "/proc/$(cat "$work/f1.pid")/cgroup")" "blkio:/dray-oci-res/f1" "cgroupfs: the init is in the v1 blkio cgroup"
        fi
        ok "cgroupfs: delete --force" "${O[@]}" delete --force f1
        ok "cgroupfs: the blkio cgroup is removed" test ! -d "$d"
else
        refused "cgroupfs: blockIO without the $io_name controller" "no $io_name controller" "$blkio_cfg"
        skip "cgroupfs: blockIO read back" "no $io_name controller in this cgroup layout"
fi

# --- cgroupfs: cpu.cpus, cpu.mems -------------------------------------------------------------------
cpuset_cfg="c['linux']['resources']={'cpu':{'cpus':'0','mems':'0'}}"
if have cpuset cpuset; then
        fresh_config
        edit "c['linux']['cgroupsPath']='/dray-oci-res/f2'; $cpuset_cfg; c['process']['args']=['sh','-c','grep Cpus_allowed_list /proc/self/status; sleep 1000']"
        defer gone f2
        ok "cgroupfs: create with cpu.cpus and cpu.mems" oci_bg create --bundle "$b" --pid-file "$work/f2.pid" f2
        d="$(dir_of cpuset cpuset /dray-oci-res/f2)"
        is "$(cat "$d/cpuset.cpus" 2>&1)" 0 "cgroupfs: cpuset.cpus"
        is "$(cat "$d/cpuset.mems" 2>&1)" 0 "cgroupfs: cpuset.mems"
        is "$(awk '/Cpus_allowed_list/ {print $2}' "/proc/$(cat "$work/f2.pid")/status")" 0 "cgroupfs: the init runs on CPU 0 only"
        ok "cgroupfs: delete --force" "${O[@]}" delete --force f2
        ok "cgroupfs: the cpuset cgroup is removed" test ! -d "$d"
else
        refused "cgroupfs: cpus without the cpuset controller" "no cpuset controller" "$cpuset_cfg"
        skip "cgroupfs: cpuset read back" "no cpuset controller in this cgroup layout"
fi

# --- cgroupfs: hugepageLimits, unified ---------------------------------------------------------------
if [ -z "$hp" ]; then
        skip "cgroupfs: hugepageLimits" "the host has no 2MB huge pages"
elif have hugetlb hugetlb; then
        fresh_config
        edit "c['linux']['cgroupsPath']='/dray-oci-res/f3'; c['linux']['resources']={'hugepageLimits':[{'pageSize':'2048KB','limit':4194304}]}"
        defer gone f3
        ok "cgroupfs: create with hugepageLimits" oci_bg create --bundle "$b" f3
        d="$(dir_of hugetlb hugetlb /dray-oci-res/f3)"
        if [ -d /sys/fs/cgroup/hugetlb ] && [ "$pure" = 0 ]; then f=hugetlb.2MB.limit_in_bytes; else f=hugetlb.2MB.max; fi
        is "$(cat "$d/$f" 2>&1)" 4194304 "cgroupfs: $f (the page size spelt the kernel's way)"
        ok "cgroupfs: delete --force" "${O[@]}" delete --force f3
        ok "cgroupfs: the hugetlb cgroup is removed" test ! -d "$d"
else
        refused "cgroupfs: hugepageLimits without hugetlb" "no hugetlb controller" "c['linux']['resources']={'hugepageLimits':[{'pageSize':'2MB','limit':4194304}]}"
fi
if [ "$pure" = 0 ]; then
        refused "unified on a hybrid host" "unified: needs cgroup v2" "c['linux']['resources']={'unified':{'pids.max':'10'}}"
elif [ -n "$hp" ] && have hugetlb hugetlb; then
        fresh_config
        edit "c['linux']['cgroupsPath']='/dray-oci-res/f4'; c['linux']['resources']={'unified':{'hugetlb.2MB.max':'2097152'}}"
        defer gone f4
        ok "cgroupfs: create with unified" oci_bg create --bundle "$b" f4
        is "$(cat "$v2/dray-oci-res/f4/hugetlb.2MB.max" 2>&1)" 2097152 "cgroupfs: the unified key is written"
        ok "cgroupfs: delete --force" "${O[@]}" delete --force f4
        ok "cgroupfs: its cgroup is removed" test ! -d "$v2/dray-oci-res/f4"
else
        skip "cgroupfs: unified" "no hugetlb controller to set through it"
fi
# A limit whose controller the container's cgroup lacks (memory on this pure v2 sandbox, whose host
# binds it to v1): refused naming the controller, and the cgroup made for it removed again.
if [ "$pure" = 1 ] && ! grep -qw memory "$v2/cgroup.controllers"; then
        refused "cgroupfs: a memory limit without the memory controller" "the memory controller is not available" \
                "c['linux']['resources']={'memory':{'limit':67108864}}"
else
        skip "cgroupfs: a memory limit without the memory controller" "this layout has the memory controller"
fi

# --- memory beyond limit: reservation, swap, swappiness, disableOOMKiller --------------------------
# runc's meaning: swap is memory+swap (v1's memsw; v2's memory.swap.max gets swap - limit); swappiness
# and disableOOMKiller exist on v1 only (a warning on v2). A host without swap accounting has no
# memsw file: the swap limit is left out of the config there (and its check skipped with the reason).
memsw=/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
[ "$pure" = 1 ] && memsw="$(ls "$v2"/*/memory.swap.max 2>/dev/null | head -n 1)"
have_swap=0; [ -n "$memsw" ] && [ -e "$memsw" ] && have_swap=1
mem_cfg="c['linux']['resources']={'memory':{'limit':268435456,'reservation':134217728,'swappiness':10,'disableOOMKiller':True}}
if $have_swap: c['linux']['resources']['memory']['swap']=536870912"
if have memory memory; then
        fresh_config
        edit "c['linux']['cgroupsPath']='/dray-oci-res/m1'; $mem_cfg"
        defer gone m1
        ok "cgroupfs: create with memory reservation, swap, swappiness, disableOOMKiller" \
                oci_bg create --bundle "$b" --pid-file "$work/m1.pid" m1
        d="$(dir_of memory memory /dray-oci-res/m1)"
        if [ "$pure" = 1 ]; then
                is "$(cat "$d/memory.low" 2>&1)" 134217728 "cgroupfs: memory.low holds the reservation"
                [ "$have_swap" = 1 ] && is "$(cat "$d/memory.swap.max" 2>&1)" 268435456 "cgroupfs: memory.swap.max is swap - limit"
        else
                is "$(cat "$d/memory.soft_limit_in_bytes" 2>&1)" 134217728 "cgroupfs: memory.soft_limit_in_bytes holds the reservation"
                [ "$have_swap" = 1 ] && is "$(cat "$d/memory.memsw.limit_in_bytes" 2>&1)" 536870912 "cgroupfs: memory.memsw.limit_in_bytes holds swap"
                is "$(cat "$d/memory.swappiness" 2>&1)" 10 "cgroupfs: memory.swappiness"
                like "$(cat "$d/memory.oom_control" 2>&1)" "oom_kill_disable 1" "cgroupfs: memory.oom_control disables the OOM killer"
        fi
        [ "$have_swap" = 1 ] || skip "cgroupfs: memory swap read back" "the host has no swap accounting ($memsw missing)"
        ok "cgroupfs: delete --force (memory)" "${O[@]}" delete --force m1

        fresh_config
        edit "c['linux']['cgroupsPath']='system.slice:dray-oci-res:m2'; $mem_cfg"
        defer sh -c "systemctl stop dray-oci-res-m2.scope 2>/dev/null || true"
        defer gone m2
        ok "--systemd-cgroup: create with memory reservation and swap" oci_bg --systemd-cgroup create --bundle "$b" m2
        is "$(systemctl show -P MemoryLow dray-oci-res-m2.scope)" 134217728 "--systemd-cgroup: MemoryLow holds the reservation"
        mpath="$(systemctl show -P ControlGroup dray-oci-res-m2.scope)"
        if [ "$have_swap" = 0 ]; then
                skip "--systemd-cgroup: memory swap" "the host has no swap accounting ($memsw missing)"
        elif [ "$pure" = 1 ]; then
                is "$(systemctl show -P MemorySwapMax dray-oci-res-m2.scope)" 268435456 "--systemd-cgroup: MemorySwapMax is swap - limit"
        else
                is "$(cat "/sys/fs/cgroup/memory$mpath/memory.memsw.limit_in_bytes" 2>&1)" 536870912 \
                        "--systemd-cgroup: memsw (no systemd property on v1) written into the scope's memory cgroup"
                is "$(cat "/sys/fs/cgroup/memory$mpath/memory.swappiness" 2>&1)" 10 "--systemd-cgroup: the scope's memory.swappiness"
        fi
        ok "--systemd-cgroup: delete --force (memory)" "${O[@]}" delete --force m2
        ok "--systemd-cgroup: the memory scope is gone" wait_until 10 sh -c "! systemctl is-active -q dray-oci-res-m2.scope"
else
        skip "memory reservation, swap, swappiness, disableOOMKiller" "no memory controller in this cgroup layout"
fi
refused "a swap below the memory limit" "linux.resources.memory.swap: 1048576 is below memory.limit 268435456" \
        "c['linux']['resources']={'memory':{'limit':268435456,'swap':1048576}}"
refused "a swap without a memory limit" "linux.resources.memory.swap: needs memory.limit" \
        "c['linux']['resources']={'memory':{'swap':268435456}}"
refused "a swappiness out of range" "linux.resources.memory.swappiness: out of range" \
        "c['linux']['resources']={'memory':{'swappiness':101}}"
refused "a reservation that is no number" "linux.resources.memory.reservation: not an int" \
        "c['linux']['resources']={'memory':{'reservation':'1G'}}"

# --- --systemd-cgroup: the scope's properties ------------------------------------------------------
fresh_config
edit "c['linux']['cgroupsPath']='system.slice:dray-oci-res:s1'
c['linux']['resources']={'blockIO':{'weight':500,'weightDevice':[{'major':$maj,'minor':$min,'weight':200}],
 'throttleReadBpsDevice':[{'major':$maj,'minor':$min,'rate':1048576}],'throttleWriteBpsDevice':[{'major':$maj,'minor':$min,'rate':2097152}],
 'throttleReadIOPSDevice':[{'major':$maj,'minor':$min,'rate':300}],'throttleWriteIOPSDevice':[{'major':$maj,'minor':$min,'rate':400}]},
 'cpu':{'cpus':'0','mems':'0'}}
if '$hp': c['linux']['resources']['hugepageLimits']=[{'pageSize':'2MB','limit':4194304}]
if '$hp' and $pure: c['linux']['resources']['unified']={'hugetlb.1GB.max':'1073741824'}"
scope=dray-oci-res-s1.scope
defer sh -c "systemctl stop $scope 2>/dev/null || true"
defer gone s1
if [ "$pure" = 0 ] && ! have blkio io; then
        skip "--systemd-cgroup: resources" "no blkio controller for the IOPS limits"
elif [ -n "$hp" ] && ! have hugetlb hugetlb; then
        skip "--systemd-cgroup: resources" "no hugetlb controller"
else
        ok "--systemd-cgroup: create with blockIO, cpus, mems, hugepageLimits" oci_bg --systemd-cgroup create --bundle "$b" s1
        sp() { systemctl show -P "$1" "$scope"; }
        dev="/dev/block/$maj:$min"
        if [ "$pure" = 1 ]; then
                is "$(sp IOWeight)" 4950 "--systemd-cgroup: IOWeight (blkio 500 converted as runc does)"
                is "$(sp IODeviceWeight)" "$dev $((1 + (200 - 10) * 9999 / 990))" "--systemd-cgroup: IODeviceWeight names /dev/block/MAJ:MIN"
                is "$(sp IOReadBandwidthMax)" "$dev 1048576" "--systemd-cgroup: IOReadBandwidthMax"
                is "$(sp IOWriteBandwidthMax)" "$dev 2097152" "--systemd-cgroup: IOWriteBandwidthMax"
                is "$(sp IOReadIOPSMax)" "$dev 300" "--systemd-cgroup: IOReadIOPSMax"
                is "$(sp IOWriteIOPSMax)" "$dev 400" "--systemd-cgroup: IOWriteIOPSMax"
        else
                is "$(sp BlockIOWeight)" 500 "--systemd-cgroup: BlockIOWeight on a hybrid host"
                is "$(sp BlockIODeviceWeight)" "$dev 200" "--systemd-cgroup: BlockIODeviceWeight names /dev/block/MAJ:MIN"
                is "$(sp BlockIOReadBandwidth)" "$dev 1048576" "--systemd-cgroup: BlockIOReadBandwidth"
                is "$(sp BlockIOWriteBandwidth)" "$dev 2097152" "--systemd-cgroup: BlockIOWriteBandwidth"
                path="$(systemctl show -P ControlGroup "$scope")"
                is "$(cat "/sys/fs/cgroup/blkio$path/blkio.throttle.read_iops_device" 2>&1)" "$maj:$min 300" \
                        "--systemd-cgroup: the IOPS limits (no BlockIO property) written into the scope's blkio cgroup"
                is "$(cat "/sys/fs/cgroup/cpuset$path/cpuset.cpus" 2>&1)" 0 "--systemd-cgroup: cpuset.cpus of the scope's v1 cpuset cgroup"
        fi
        is "$(sp AllowedCPUs)" 0 "--systemd-cgroup: AllowedCPUs"
        is "$(sp AllowedMemoryNodes)" 0 "--systemd-cgroup: AllowedMemoryNodes"
        if [ -n "$hp" ]; then
                path="$(systemctl show -P ControlGroup "$scope")"
                d="$(dir_of hugetlb hugetlb "$path")"
                if [ -d /sys/fs/cgroup/hugetlb ] && [ "$pure" = 0 ]; then f=hugetlb.2MB.limit_in_bytes; else f=hugetlb.2MB.max; fi
                is "$(cat "$d/$f" 2>&1)" 4194304 "--systemd-cgroup: hugetlb (no systemd property) written into the scope's cgroup"
                [ "$pure" = 1 ] && is "$(cat "$d/hugetlb.1GB.max" 2>&1)" 1073741824 "--systemd-cgroup: a unified key written into the scope's cgroup"
        fi
        ok "--systemd-cgroup: delete --force" "${O[@]}" delete --force s1
        ok "--systemd-cgroup: the scope is gone" wait_until 10 sh -c "! systemctl is-active -q $scope"
        ok "--systemd-cgroup: no v1 cgroup of it left" sh -c "! ls -d /sys/fs/cgroup/*/system.slice/$scope /sys/fs/cgroup/*$path 2>/dev/null | grep -q ."
fi

# A create that fails after the resources were set (a failing createRuntime hook) leaves no v1 cgroup
# of the scope behind: on a hybrid host dray-oci made the scope's cpuset one itself.
if [ "$pure" = 0 ] && have cpuset cpuset; then
        fresh_config
        edit "c['linux']['cgroupsPath']='system.slice:dray-oci-res:s2'; c['linux']['resources']={'cpu':{'cpus':'0'}}
c['hooks']={'createRuntime':[{'path':'/bin/false'}]}"
        defer gone s2
        fails "--systemd-cgroup: a failing createRuntime hook fails create" "${O[@]}" --systemd-cgroup create --bundle "$b" s2
        ok "--systemd-cgroup: its state is gone" test ! -e "$root/s2"
        ok "--systemd-cgroup: no cpuset cgroup of the scope left" \
                wait_until 10 sh -c "test -z \"\$(find /sys/fs/cgroup/cpuset -maxdepth 8 -name dray-oci-res-s2.scope)\""
else
        skip "--systemd-cgroup: a failed create leaves no v1 cpuset cgroup" "no v1 cpuset hierarchy in this cgroup layout"
fi

# --- exec joins every hierarchy of the container ----------------------------------------------------
# A process started by `dray-oci exec` is in the same cgroup as the init in each hierarchy: the v2 one,
# and on a hybrid host each v1 one (memory, cpu, pids, blkio, cpuset, ...), or it would escape their
# limits. Both placements: a cgroupfs directory, and a scope (whose v1 paths systemd chose).
for mode in cgroupfs systemd; do
        id="e-$mode" flag=""
        fresh_config
        if [ "$mode" = systemd ]; then
                flag=--systemd-cgroup
                edit "c['linux']['cgroupsPath']='system.slice:dray-oci-res:$id'"
                defer sh -c "systemctl stop dray-oci-res-$id.scope 2>/dev/null || true"
        else
                edit "c['linux']['cgroupsPath']='/dray-oci-res/$id'"
        fi
        # Limits in each v1 hierarchy a hybrid host has (a pure v2 sandbox may lack the controllers).
        [ "$pure" = 0 ] && edit "c['linux']['resources']={'memory':{'limit':268435456},'pids':{'limit':100}}
if $(have cpuset cpuset && echo 1 || echo 0): c['linux']['resources']['cpu']={'cpus':'0'}"
        defer gone "$id"
        ok "$mode: create" oci_bg $flag create --bundle "$b" --pid-file "$work/$id.pid" "$id"
        ok "$mode: start" "${O[@]}" start "$id"
        ok "$mode: exec --detach" oci_bg $flag exec --detach --pid-file "$work/$id.exec" "$id" sleep 1000
        init_cg="$(sort "/proc/$(cat "$work/$id.pid")/cgroup" 2>&1)"
        exec_cg="$(sort "/proc/$(cat "$work/$id.exec" 2>/dev/null)/cgroup" 2>&1)"
        if [ "$pure" = 1 ]; then like "$init_cg" "0::/.*$id" "$mode: the init is in the container's cgroup"
        else like "$init_cg" "memory:/.*$id" "$mode: the init is in the container's v1 memory cgroup"; fi
        is "$exec_cg" "$init_cg" "$mode: the exec'd process is in the init's cgroup in every hierarchy"
        ok "$mode: delete --force" "${O[@]}" delete --force "$id"
done

# --- warnings, bad values ---------------------------------------------------------------------------
fresh_config
edit "c['linux']['cgroupsPath']='/dray-oci-res/w1'; c['linux']['resources']={'blockIO':{'leafWeight':300}}; c['process']['args']=['true']"
out="$(cd "$b" && "${O[@]}" run w1 2>&1)"; rc=$?
is "$rc" 0 "blockIO.leafWeight alone: the container runs"
like "$out" "leafWeight has no effect" "blockIO.leafWeight: a warning, as runc gives on cgroup v2"
refused "a weight out of range" "linux.resources.blockIO.weight: out of range" "c['linux']['resources']={'blockIO':{'weight':5}}"
refused "a device weight out of range" "blockIO.weightDevice\\[0\\].weight: out of range" \
        "c['linux']['resources']={'blockIO':{'weightDevice':[{'major':$maj,'minor':$min,'weight':2000}]}}"
refused "a throttle of a device the host lacks" "blockIO.throttleReadBpsDevice\\[1\\]: the host has no block device 4095:1048575" \
        "c['linux']['resources']={'blockIO':{'throttleReadBpsDevice':[{'major':$maj,'minor':$min,'rate':1},{'major':4095,'minor':1048575,'rate':1}]}}"
refused "a throttle without rate" "throttleWriteIOPSDevice\\[0\\].rate: missing" \
        "c['linux']['resources']={'blockIO':{'throttleWriteIOPSDevice':[{'major':$maj,'minor':$min}]}}"
refused "a negative rate" "throttleReadBpsDevice\\[0\\].rate: out of range" \
        "c['linux']['resources']={'blockIO':{'throttleReadBpsDevice':[{'major':$maj,'minor':$min,'rate':-1}]}}"
refused "a page size the host lacks" "hugepageLimits\\[0\\].pageSize: the host has no 3MB huge pages" \
        "c['linux']['resources']={'hugepageLimits':[{'pageSize':'3MB','limit':0}]}"
refused "a page size that is no size" "hugepageLimits\\[0\\].pageSize: '2XB' is not a size" \
        "c['linux']['resources']={'hugepageLimits':[{'pageSize':'2XB','limit':0}]}"
refused "a hugepage limit that is not a number" "hugepageLimits\\[0\\].limit: not an int" \
        "c['linux']['resources']={'hugepageLimits':[{'pageSize':'2MB','limit':'1G'}]}"
refused "a CPU the host lacks" "linux.resources.cpu.cpus: the host has no CPU 4000 online" "c['linux']['resources']={'cpu':{'cpus':'0,4000'}}"
refused "a CPU list of bad syntax" "linux.resources.cpu.mems: '0-' is not a list" "c['linux']['resources']={'cpu':{'mems':'0-'}}"
refused "a unified key with a path" "unified: '../cgroup.procs' is not a cgroup file" "c['linux']['resources']={'unified':{'../cgroup.procs':'1'}}"
refused "a unified key with a slash" "unified: 'memory/max' is not a cgroup file" "c['linux']['resources']={'unified':{'memory/max':'1'}}"
refused "a unified key dray-oci drives" "unified: 'cgroup.procs' is not a cgroup file" "c['linux']['resources']={'unified':{'cgroup.procs':'1'}}"
refused "rdma" "linux.resources.rdma: not supported" "c['linux']['resources']={'rdma':{'mlx5_1':{'hcaHandles':3}}}"
refused "network classID" "linux.resources.network: not supported" "c['linux']['resources']={'network':{'classID':1048577}}"
if [ "$pure" = 0 ] && ! [ -e /sys/fs/cgroup/blkio/blkio.weight ]; then
        refused "cgroupfs: a weight the kernel cannot give" "blockIO.weight: the blkio controller has no weights" \
                "c['linux']['resources']={'blockIO':{'weight':500}}"
fi
left="$(ls -d /sys/fs/cgroup/*/dray-oci-res/*/ "$v2"/dray-oci-res/*/ 2>/dev/null)"
is "$left" "" "nothing of the tests' cgroups left"
rmdir /sys/fs/cgroup/*/dray-oci-res "$v2/dray-oci-res" 2>/dev/null || true
restore_hugetlb
is "$(hugetlb_enabled)" "$hugetlb_before" "no cgroup left with hugetlb enabled that had it disabled before"
