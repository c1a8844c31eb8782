#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Images: import of rootfs tarballs in every compression, load of archives that podman, skopeo and
# umoci made (docker-archive, oci-archive, OCI layouts), containers from images (config applied,
# CLI overrides, user names, the upper directory), the store as skopeo and umoci read it, the
# dray → podman → dray round trip keeping every digest, hostile archives, removal, prune, export,
# commit, the D-Bus API with busctl (Image objects, transfers, cancel, drayd answering meanwhile).
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require busctl jq podman skopeo umoci python3 xz zstd bzip2 timeout

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rootfs="$(test_rootfs)" || bail_out "no test rootfs"
store=/var/lib/dray/images
P=(podman --cgroup-manager=cgroupfs --events-backend=none --storage-driver=vfs --root "$work/podman"
   --runroot "$work/podman-run")
defer rm -rf "$work/podman"
tag="$RANDOM$$"
img() { echo "localhost/t$tag-$1:1"; }
gone() { dray rm -f "$1" >/dev/null 2>&1 || true; }
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }
mgr() { busctl -- call org.dray1 /org/dray1 org.dray1.Manager "$@"; }
image_id() { dray image inspect "$1" 2>/dev/null | jq -r '.[0].Id'; }

tar -C "$rootfs" -cf "$work/root.tar" .

# --- import in every compression, detected from the content ----------------------------------
for c in none gzip xz zstd bzip2; do
        f="$work/root.$c"
        case $c in
        none) cp "$work/root.tar" "$f" ;;
        gzip) gzip -c "$work/root.tar" > "$f" ;;
        xz) xz -c "$work/root.tar" > "$f" ;;
        zstd) zstd -q -c "$work/root.tar" > "$f" ;;
        bzip2) bzip2 -c "$work/root.tar" > "$f" ;;
        esac
        defer rmi "$(img "$c")"
        ok "import of a $c tarball" dray image import "$f" "$(img "$c")"
done
diff_id() { dray image inspect "$1" 2>/dev/null | jq -r '.[0].Layers[0].DiffID'; }
is "$(diff_id "$(img none)")" "$(diff_id "$(img zstd)")" "every compression gives the same layer"
is "$(dray images | grep -c "t$tag-")" 5 "dray images lists the five names"
ok "import from stdin" sh -c "dray image import - $(img stdin) < '$work/root.tar'"
defer rmi "$(img stdin)"
status_is 125 "a file that is no tarball is refused" sh -c "head -c 1000 /dev/urandom | dray image import - $(img junk)"
fails "the refused import named nothing" dray image inspect "$(img junk)"
fails "an invalid reference is refused" dray image import "$work/root.tar" 'Bad Name'

# --- an image podman built (its config: Cmd, Env, WorkingDir, User, StopSignal, Labels) --------
"${P[@]}" import --change 'CMD ["/bin/sh", "-c", "echo cmd-from-image; echo $GREETING; pwd; id -u"]' \
        --change 'ENV GREETING=hello-from-env' --change 'WORKDIR /tmp' --change 'USER nobody' \
        --change 'STOPSIGNAL SIGUSR1' --change 'LABEL org.example=yes' --change 'EXPOSE 8080/tcp' \
        "$work/root.tar" "$(img podman)" >/dev/null 2>&1 || bail_out "podman import failed"
"${P[@]}" save --format docker-archive -o "$work/p-docker.tar" "$(img podman)" >/dev/null 2>&1
"${P[@]}" save --format oci-archive -o "$work/p-oci.tar" "$(img podman)" >/dev/null 2>&1
defer rmi "$(img podman)"
like "$(dray image load -i "$work/p-docker.tar")" "Loaded image: $(img podman)" "podman's docker-archive loads"
podman_id="$("${P[@]}" inspect --format '{{.Id}}' "$(img podman)")"
is "$(image_id "$(img podman)")" "sha256:$podman_id" "the image ID is podman's"
out="$(dray run --rm "$(img podman)" 2>&1)"
like "$out" '^cmd-from-image$' "the image's Cmd runs"
like "$out" '^hello-from-env$' "the image's Env applies"
like "$out" '^/tmp$' "the image's WorkingDir applies"
like "$out" '^65534$' "the image's User (nobody) is resolved in its /etc/passwd"
out="$(dray run --rm -e GREETING=over -w / -u root "$(img podman)" sh -c 'echo $GREETING; pwd; id -u')"
is "$out" "$(printf 'over\n/\n0')" "-e, -w, -u and a command override the image"
is "$(dray run --rm --entrypoint /bin/echo "$(img podman)" via-entrypoint)" via-entrypoint "--entrypoint replaces it"
status_is 125 "an unknown user is refused" dray run --rm -u nosuchuser "$(img podman)" true
name="img-$tag"
defer gone "$name"
ok "create from an image" dray create --name "$name" "$(img podman)" sleep 1000
is "$(dray inspect -f '{{.StopSignal}}' "$name")" 10 "StopSignal comes from the image (SIGUSR1)"
is "$(dray inspect -f '{{.Image}}' "$name")" "$(img podman)" "the container shows the image's name"
is "$(dray inspect -f '{{.ImageId}}' "$name")" "sha256:$podman_id" "and its ID"
id="$(dray inspect -f '{{.Id}}' "$name")"
like "$(jq -r '.labels[]' "/var/lib/dray/containers/$id/config.json")" '^org.example=yes$' "Labels reach the spec"
like "$(jq -r '.exposed_ports[]' "/var/lib/dray/containers/$id/config.json")" '^8080/tcp$' "ExposedPorts reach the spec"
dray rm -f "$name" >/dev/null

# --- the container's own upper layer ------------------------------------------------------------
ok "a container writes to its root" dray run --name "$name" -u root "$(img podman)" sh -c 'echo kept > /written; rm /bin/ls; echo logged'
is "$(cat "/var/lib/dray/containers/$id/upper/written" 2>/dev/null || cat /var/lib/dray/containers/"$(dray inspect -f '{{.Id}}' "$name")"/upper/written)" kept "the write lands in its upper directory"
image_name_logged() {
        journalctl CONTAINER_NAME="$name" -o json --no-pager 2>/dev/null | jq -r .IMAGE_NAME | grep -x "$(img podman)" >/dev/null
}
ok "the journal's IMAGE_NAME is the image's name" wait_until 10 image_name_logged
lsdir="$store/../layers"
ok "the image's layer is untouched" test -e "$(find "$lsdir" -maxdepth 3 -path '*/bin/ls' | head -1)"
is "$(dray run --rm "$(img podman)" sh -c 'test -e /written && echo leak || echo clean')" clean \
        "another container of the image does not see it"
like "$(dray start -a "$name" 2>&1)" "rm: can't remove '/bin/ls'" "a restarted container keeps its changes (the deletion)"
id="$(dray inspect -f '{{.Id}}' "$name")"

# --- export and commit ----------------------------------------------------------------------------
like "$(dray export "$name" | tar -t 2>/dev/null)" '^\./written$' "dray export has the container's files"
unlike "$(dray export "$name" | tar -t 2>/dev/null)" '^\./bin/ls$' "and not the file it removed"
defer rmi "$(img committed)"
ok "dray commit" dray commit "$name" "$(img committed)"
is "$(dray run --rm -u root "$(img committed)" cat /written)" kept "the committed image has the change"
status_is 1 "and the removal (a whiteout)" dray run --rm -u root "$(img committed)" test -e /bin/ls
like "$(dray image history "$(img committed)")" 'dray commit' "history shows the commit"
fails "removing a used image is refused" dray image rm "$(img committed)" "$(img podman)"
like "$(dray image rm "$(img podman)" 2>&1)" "used by container" "with a message naming the container"
dray rm -f "$name" >/dev/null
ok "the container's directory went with it" test ! -e "/var/lib/dray/containers/$id"

# --- archives of skopeo and umoci; the store as they read it --------------------------------------
ok "skopeo inspect reads the store" skopeo inspect "oci:$store:$(img podman)"
skopeo copy -q "oci:$store:$(img podman)" "oci-archive:$work/s.tar:$(img skopeo)" >/dev/null 2>&1
defer rmi "$(img skopeo)"
like "$(dray image load -i "$work/s.tar")" "Loaded image: $(img skopeo)" "skopeo's oci-archive loads"
ok "umoci unpacks from the store" umoci unpack --image "$store:$(img podman)" "$work/bundle"
umoci init --layout "$work/ul" && umoci new --image "$work/ul:t" && \
        umoci unpack --image "$work/ul:t" "$work/ub" >/dev/null 2>&1 && cp -a "$rootfs/." "$work/ub/rootfs/" && \
        umoci repack --image "$work/ul:t" "$work/ub" >/dev/null 2>&1 && tar -C "$work/ul" -cf "$work/ul.tar" .
defer rmi t
ok "an OCI layout umoci made loads" dray image load -i "$work/ul.tar"
is "$(dray run --rm docker.io/library/t:latest echo umoci)" umoci "and runs"

# --- the round trip dray → podman → dray keeps every digest ----------------------------------------
before="$(dray image inspect "$(img none)" | jq -c '[.[0].Id, [.[0].Layers[].DiffID]]')"
ok "dray image save (docker-archive)" dray image save --format docker-archive -o "$work/d.tar" "$(img none)"
ok "dray image save (oci-archive)" dray image save -o "$work/d-oci.tar" "$(img none)"
ok "podman loads dray's docker-archive" "${P[@]}" load -i "$work/d.tar"
ok "podman loads dray's oci-archive" "${P[@]}" load -i "$work/d-oci.tar"
ok "skopeo inspects dray's oci-archive" skopeo inspect "oci-archive:$work/d-oci.tar"
"${P[@]}" save --format docker-archive -o "$work/rt.tar" "$(img none)" >/dev/null 2>&1
dray image rm "$(img none)" >/dev/null
ok "podman's save of it loads again" dray image load -i "$work/rt.tar"
is "$(dray image inspect "$(img none)" | jq -c '[.[0].Id, [.[0].Layers[].DiffID]]')" "$before" \
        "image ID and diff IDs survived dray → podman → dray"

# --- hostile archives: one clear error, nothing written outside, nothing named -----------------------
for k in dotdot absolute symlink-write hardlink-out badname; do
        python3 "$REPO_ROOT/tests/integration/image-archives.py" "$k" "$work/h-$k.tar"
        out="$(dray image import "$work/h-$k.tar" "$(img "h-$k")" 2>&1)"
        rc=$?
        if [ $rc -ne 0 ] && ! dray image inspect "$(img "h-$k")" >/dev/null 2>&1; then
                pass "hostile layer '$k' is refused: ${out##*: }"
        else
                fail "hostile layer '$k' is refused" "$out"
        fi
done
ok "nothing escaped the layer" sh -c "! ls $TEST_DIR/escaped-* /var/lib/dray/escaped-* /var/lib/escaped-* 2>/dev/null | grep ."
for k in wrong-diffid bad-manifest huge-manifest bad-blob layer-dotdot-archive; do
        python3 "$REPO_ROOT/tests/integration/image-archives.py" "$k" "$work/a-$k.tar"
        status_is 125 "hostile archive '$k' is refused" dray image load -i "$work/a-$k.tar"
done
unlike "$(dray images)" 'hostile' "no hostile image got a name"
is "$(ls /var/lib/dray/tmp | wc -l)" 0 "no staging leftovers"

# --- D-Bus: Image objects, transfers, cancel, drayd answering meanwhile ---------------------------
path="$(mgr GetImage s "$(img podman)" | awk '{print $2}' | tr -d '"')"
like "$path" '^/org/dray1/image/' "GetImage gives an object path"
like "$(busctl get-property org.dray1 "$path" org.dray1.Image Names)" "$(img podman)" "its Names property"
like "$(mgr ListImages)" "$(img podman)" "ListImages lists it"
fifo="$work/fifo"
mkfifo "$fifo"
dray image load -i "$fifo" > "$work/held.out" 2>&1 &
loader=$!
exec 9> "$fifo"
head -c 10240 "$work/p-docker.tar" >&9
ok "a transfer is listed while it runs" wait_until 10 sh -c "busctl -- call org.dray1 /org/dray1 org.dray1.Manager ListTransfers | grep -q running"
ok "drayd answers other calls meanwhile" mgr ListContainers b true
tpath="$(mgr ListTransfers | grep -o '/org/dray1/transfer/[0-9]*' | head -1)"
like "$(busctl get-property org.dray1 "$tpath" org.dray1.Transfer Type)" load "the Transfer object has its Type"
ok "Cancel" busctl call org.dray1 "$tpath" org.dray1.Transfer Cancel
exec 9>&-
wait $loader
rc=$?
isnt "$rc" 0 "the canceled load fails"
like "$(cat "$work/held.out")" canceled "and says so"
# busctl cannot pass file descriptors: the fd methods are covered by dray above.
ok "TagImage from busctl" mgr TagImage ss "$(img podman)" "$(img busctl)"
defer rmi "$(img busctl)"
like "$(busctl call org.dray1 "$path" org.dray1.Image Inspect)" "$(img busctl)" "Image.Inspect shows the new name"
ok "RemoveImage from busctl drops only that name" mgr RemoveImage sb "$(img busctl)" false
ok "the image keeps its other name" dray image inspect "$(img podman)"
like "$(mgr RemoveImage sb "$(img nosuch)" false 2>&1)" 'No such image' "NoSuchImage for an unknown image"

# --- prune ---------------------------------------------------------------------------------------------
dray image rm "$(img skopeo)" "$(img stdin)" >/dev/null 2>&1
like "$(dray image prune)" 'Total reclaimed space' "dray image prune"
ok "the store is still whole for skopeo" skopeo inspect "oci:$store:$(img podman)"
is "$(dray run --rm "$(img podman)" echo still-runs)" still-runs "images in use keep their layers"
