#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# containerd's CRI plugin (the path a kubelet takes) with dray-oci as the runc shim's binary
# (issue 17): a containerd of the test's own (socket, root, state and runc root in the test
# directory) gets a runtime handler "dray" (runc shim v2, BinaryName /usr/bin/dray-oci,
# SystemdCgroup). A CRI client speaking runtime.v1 over gRPC (cri_client.py, messages from
# cri_v1.proto) runs a host-network pod on that handler with a local sandbox image, creates and
# starts a container in it, execs into it, then stops and removes both; dray-oci's state, the
# scopes and the cgroups must be gone. A second pod has a network namespace of its own, set up by
# Debian's CNI plugins (a bridge inside the sandbox): its container joins it by path and serves HTTP
# on the pod's IP.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/lib-containerd.sh
. "$(dirname "$0")/lib-containerd.sh"

require dray-oci podman containerd ctr containerd-shim-runc-v2 systemd-run protoc jq wget ip
[ -x /usr/lib/cni/bridge ] || skip_all "containernetworking-plugins missing"
/usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null || skip_all "python3-grpcio or python3-protobuf missing"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")" || bail_out "mktemp failed"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
unit="dray-test-cri-$$"
ns=k8s.io
runc_root="$work/runc"
# The pod's slice, as a kubelet makes one per pod (a name without "-": no parent slices to clean up).
slice="cripod$$.slice"
bridge="cribr$$"
# Whatever a failure left (containerd's shims die with its unit, the containers' scopes do not):
# dray-oci's containers, the pod's slice with their scopes, mounts under the test directory.
leftovers() {
        local dir
        for dir in "$runc_root/$ns"/*/; do
                [ -d "$dir" ] && dray-oci --root "$runc_root/$ns" delete --force "$(basename "$dir")"
        done
        systemctl stop "$slice" 2>/dev/null
        ip link del "$bridge" 2>/dev/null
        findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l
        return 0
}
defer leftovers

# The CRI client's messages.
mkdir -p "$work/pb"
protoc -I "$here" --python_out="$work/pb" "$here/cri_v1.proto" || bail_out "protoc failed"
cri() { PYTHONPATH="$work/pb" /usr/bin/python3 "$here/cri_client.py" "$work/containerd.sock" "$@"; }

# One image, the busybox root, serves as the pod's sandbox ("pause") image and the container's.
image_of_rootfs "$rootfs" "$work" localhost/oci-cri '["sleep", "100000"]'

# The pod network for pods not on the node's: a bridge with host-local addresses, the bridge the
# gateway (the sandbox's side reaches the pods through it), no masquerading.
mkdir -p "$work/cni-conf"
cat > "$work/cni-conf/10-dray-test.conflist" <<CONF
{"cniVersion": "0.4.0", "name": "dray-test-cri",
 "plugins": [{"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false,
              "ipam": {"type": "host-local", "dataDir": "$work/cni-ipam",
                       "ranges": [[{"subnet": "10.231.18.0/24"}]]}}]}
CONF

# The native snapshotter (overlayfs may not nest in the sandbox); CNI from the test's directory;
# the streaming server on loopback; AppArmor off (dray-oci applies no profile: containerd would
# load its default one for nothing on a host with AppArmor).
containerd_start "$work" "$unit" "$(cat <<CONF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/oci-cri:latest"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$work/cni-conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.dray]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.dray.options]
        BinaryName = "/usr/bin/dray-oci"
        Root = "$runc_root"
        SystemdCgroup = true
CONF
)"
wait_until 30 cri Version '{"version": "v1"}' >/dev/null || bail_out "the CRI plugin does not answer: $(cri Version 2>&1)"
like "$(cri Version '{"version": "v1"}')" '"runtime_api_version": "v1"' "the CRI plugin speaks runtime.v1"

ok "ctr -n $ns images import" ctr --address "$work/containerd.sock" -n "$ns" images import --snapshotter native \
        --base-name localhost/oci-cri "$work/image.tar"

# The pod: on the node's network, its own PID and IPC namespaces, in a kubelet-style pod slice.
uid="ocicri-$$"
mkdir -p "$work/logs"
pod_config="$(jq -cn --arg uid "$uid" --arg slice "$slice" --arg logs "$work/logs" '{
        metadata: {name: "oci-cri", uid: $uid, namespace: "default", attempt: 0},
        log_directory: $logs,
        labels: {test: "18-oci-cri"},
        linux: {cgroup_parent: $slice,
                security_context: {namespace_options: {network: "NODE", pid: "POD", ipc: "POD"}}}}')"
pod="$(cri RunPodSandbox "$(jq -cn --argjson c "$pod_config" '{config: $c, runtime_handler: "dray"}')" | jq -r .pod_sandbox_id)"
if [ -z "$pod" ] || [ "$pod" = null ]; then bail_out "RunPodSandbox failed"; fi
defer sh -c "PYTHONPATH='$work/pb' /usr/bin/python3 '$here/cri_client.py' '$work/containerd.sock' RemovePodSandbox '{\"pod_sandbox_id\": \"$pod\"}' >/dev/null 2>&1 || true"
pods="$(cri ListPodSandbox "{\"filter\": {\"id\": \"$pod\"}}")"
is "$(jq -r '.items[0].state' <<<"$pods")" SANDBOX_READY "the pod is ready"
is "$(jq -r '.items[0].runtime_handler' <<<"$pods")" dray "on the runtime handler dray"

# The pod's sandbox container is dray-oci's: in its state (containerd's k8s.io namespace under the
# handler's Root), running, in a scope of the pod's slice.
D=(dray-oci --root "$runc_root/$ns")
is "$("${D[@]}" state "$pod" | jq -r .status)" running "dray-oci runs the pod's sandbox container"
spid="$("${D[@]}" state "$pod" | jq -r .pid)"
like "$(cat "/proc/$spid/cgroup")" "$slice/cri-containerd-$pod.scope" "the sandbox runs in its scope under the pod's slice"
is "$(readlink "/proc/$spid/ns/net")" "$(readlink /proc/self/ns/net)" "on the node's network (host network)"
isnt "$(readlink "/proc/$spid/ns/pid")" "$(readlink /proc/self/ns/pid)" "in a PID namespace of its own"

# A container in the pod.
ctr_config='{"metadata": {"name": "app", "attempt": 0}, "image": {"image": "localhost/oci-cri:latest"},
        "command": ["sh", "-c", "echo hello-from-cri; exec sleep 200000"], "envs": [{"key": "GREETING", "value": "hi-cri"}],
        "log_path": "app.log",
        "linux": {"security_context": {"namespace_options": {"network": "NODE", "pid": "POD", "ipc": "POD"}}}}'
cid="$(cri CreateContainer "$(jq -cn --arg pod "$pod" --argjson c "$ctr_config" --argjson s "$pod_config" \
        '{pod_sandbox_id: $pod, config: $c, sandbox_config: $s}')" | jq -r .container_id)"
if [ -z "$cid" ] || [ "$cid" = null ]; then bail_out "CreateContainer failed"; fi
fails "CreateContainer: no task yet (the CRI plugin creates it at StartContainer)" "${D[@]}" state "$cid"
ok "StartContainer" cri StartContainer "{\"container_id\": \"$cid\"}"
running() { [ "$(cri ContainerStatus "{\"container_id\": \"$cid\"}" | jq -r .status.state)" = CONTAINER_RUNNING ]; }
ok "the container runs" wait_until 30 running
is "$(cri ListContainers "{\"filter\": {\"pod_sandbox_id\": \"$pod\"}}" | jq -r '.containers[] | "\(.metadata.name) \(.state)"')" \
        "app CONTAINER_RUNNING" "ListContainers: the pod's container"
is "$("${D[@]}" state "$cid" | jq -r .status)" running "dray-oci runs it"
cpid="$("${D[@]}" state "$cid" | jq -r .pid)"
like "$(cat "/proc/$cpid/cgroup")" "$slice/cri-containerd-$cid.scope" "in its scope under the pod's slice"
is "$(readlink "/proc/$cpid/ns/pid")" "$(readlink "/proc/$spid/ns/pid")" "in the pod's PID namespace (joined by path)"
is "$(readlink "/proc/$cpid/ns/ipc")" "$(readlink "/proc/$spid/ns/ipc")" "and its IPC namespace"
listed="$("${D[@]}" list 2>/dev/null)"
like "$listed" "$pod" "dray-oci list: the sandbox"
like "$listed" "$cid" "dray-oci list: the container"
logged() { grep -q hello-from-cri "$work/logs/app.log"; }
ok "the container's output is in its CRI log" wait_until 30 logged

out="$(cri ExecSync "{\"container_id\": \"$cid\", \"cmd\": [\"sh\", \"-c\", \"echo \$GREETING; echo err >&2; exit 3\"], \"timeout\": 60}")"
is "$(jq -r .stdout <<<"$out")" "hi-cri" "ExecSync: its stdout, with the container's environment"
is "$(jq -r .stderr <<<"$out")" "err" "ExecSync: its stderr"
is "$(jq -r .exit_code <<<"$out")" 3 "ExecSync: its exit code"
# shellcheck disable=SC2016 # the container's shell expands it
ps_cmd='for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done'
like "$(cri ExecSync "$(jq -cn --arg id "$cid" --arg c "$ps_cmd" '{container_id: $id, cmd: ["sh", "-c", $c]}')" | jq -r .stdout)" \
        "sleep 100000" "ExecSync: the pod's sandbox process is in the container's PID namespace"

# Stop and remove: nothing is left.
ok "StopContainer" cri StopContainer "{\"container_id\": \"$cid\", \"timeout\": 10}"
status="$(cri ContainerStatus "{\"container_id\": \"$cid\"}")"
is "$(jq -r .status.state <<<"$status")" CONTAINER_EXITED "the container exited"
is "$(jq -r .status.exit_code <<<"$status")" 143 "on SIGTERM (exit code 143)"
ok "RemoveContainer" cri RemoveContainer "{\"container_id\": \"$cid\"}"
fails "dray-oci's state of the container is gone" "${D[@]}" state "$cid"
ok "StopPodSandbox" cri StopPodSandbox "{\"pod_sandbox_id\": \"$pod\"}"
is "$(cri ListPodSandbox "{\"filter\": {\"id\": \"$pod\"}}" | jq -r '.items[0].state')" SANDBOX_NOTREADY "the pod is not ready"
ok "RemovePodSandbox" cri RemovePodSandbox "{\"pod_sandbox_id\": \"$pod\"}"
is "$(cri ListPodSandbox '{}' | jq -r '.items | length')" 0 "no pod left"
is "$(cri ListContainers '{}' | jq -r '.containers | length')" 0 "no container left"
fails "dray-oci's state of the sandbox is gone" "${D[@]}" state "$pod"
is "$(find "$runc_root/$ns" -mindepth 1 2>/dev/null | wc -l)" 0 "dray-oci's root is empty"
fails "no process of the sandbox" kill -0 "$spid"
fails "no process of the container" kill -0 "$cpid"
is "$(systemctl list-units --all --plain --no-legend "cri-containerd-*.scope" | wc -l)" 0 "no scope left"
ok "the pod's slice stops (a kubelet removes it)" systemctl stop "$slice"
gone() { [ -z "$(find /sys/fs/cgroup -name "cri-containerd-*.scope" 2>/dev/null)" ]; }
ok "no cgroup left" wait_until 10 gone

# A pod with a network namespace of its own: the CRI plugin makes it and sets it up with CNI, the
# sandbox and the container join it by path.
pod_config="$(jq -cn --arg uid "$uid-net" --arg slice "$slice" --arg logs "$work/logs" '{
        metadata: {name: "oci-cri-net", uid: $uid, namespace: "default", attempt: 0},
        hostname: "cri-net", log_directory: $logs,
        linux: {cgroup_parent: $slice,
                security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}}')"
pod="$(cri RunPodSandbox "$(jq -cn --argjson c "$pod_config" '{config: $c, runtime_handler: "dray"}')" | jq -r .pod_sandbox_id)"
if [ -z "$pod" ] || [ "$pod" = null ]; then bail_out "RunPodSandbox (pod network) failed"; fi
status="$(cri PodSandboxStatus "{\"pod_sandbox_id\": \"$pod\"}")"
is "$(jq -r .status.runtime_handler <<<"$status")" dray "a pod with its own network on the handler dray"
ip="$(jq -r .status.network.ip <<<"$status")"
like "$ip" '^10\.231\.18\.[0-9]+$' "the CRI plugin reports its IP from CNI"
netns="$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$work/state/io.containerd.runtime.v2.task/$ns/$pod/config.json")"
like "$netns" '^/.*/netns/' "dray-oci is given the pod's network namespace by path"
spid="$("${D[@]}" state "$pod" | jq -r .pid)"
is "$(stat -L -c %i "/proc/$spid/ns/net")" "$(stat -L -c %i "$netns")" "the sandbox joined it"
ctr_config='{"metadata": {"name": "web", "attempt": 0}, "image": {"image": "localhost/oci-cri:latest"},
        "command": ["sh", "-c", "mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"],
        "log_path": "web.log",
        "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}}'
cid="$(cri CreateContainer "$(jq -cn --arg pod "$pod" --argjson c "$ctr_config" --argjson s "$pod_config" \
        '{pod_sandbox_id: $pod, config: $c, sandbox_config: $s}')" | jq -r .container_id)"
if [ -z "$cid" ] || [ "$cid" = null ]; then bail_out "CreateContainer (pod network) failed"; fi
ok "StartContainer (pod network)" cri StartContainer "{\"container_id\": \"$cid\"}"
ok "the container runs" wait_until 30 running
cpid="$("${D[@]}" state "$cid" | jq -r .pid)"
is "$(stat -L -c %i "/proc/$cpid/ns/net")" "$(stat -L -c %i "$netns")" "the container joined the pod's network namespace"
like "$(cri ExecSync "{\"container_id\": \"$cid\", \"cmd\": [\"ip\", \"-4\", \"addr\", \"show\", \"eth0\"]}" | jq -r .stdout)" \
        "inet $ip/24" "ExecSync: the pod's address on its eth0"
served() { [ "$(wget -q -T 5 -O - "http://$ip:8080/" 2>/dev/null)" = cri-net ]; }
ok "the container serves on the pod's IP, reached over the bridge" wait_until 30 served
ok "StopContainer (pod network)" cri StopContainer "{\"container_id\": \"$cid\", \"timeout\": 10}"
ok "RemoveContainer (pod network)" cri RemoveContainer "{\"container_id\": \"$cid\"}"
ok "StopPodSandbox (pod network)" cri StopPodSandbox "{\"pod_sandbox_id\": \"$pod\"}"
ok "RemovePodSandbox (pod network)" cri RemovePodSandbox "{\"pod_sandbox_id\": \"$pod\"}"
is "$(cri ListPodSandbox '{}' | jq -r '.items | length')" 0 "no pod left"
is "$(find "$runc_root/$ns" -mindepth 1 2>/dev/null | wc -l)" 0 "dray-oci's root is empty"
fails "the pod's network namespace is gone" test -e "$netns"
is "$(systemctl list-units --all --plain --no-legend "cri-containerd-*.scope" | wc -l)" 0 "no scope left"
ok "no cgroup left" wait_until 10 gone
