#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a default container sees of the host's /proc and /sys, and which capability sets it holds
# (issue 16): every path Docker or Podman masks is masked (the union of their lists and dray's), and
# the inheritable and ambient sets are empty, as Docker and Podman leave them.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

plan 10
setup_dray_test

run() { dray run --rm --rootfs "$rootfs" "$@" 2>&1; }

# Masked files read empty (the real /dev/null on top); masked directories are empty tmpfs.
for f in /proc/interrupts /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
        if [ -e "$f" ]; then
                is "$(run sh -c "wc -c < $f")" 0 "$f is masked (reads empty)"
        else
                skip "$f is masked" "the host has no $f"
        fi
done
for d in /sys/dev/block /sys/firmware /proc/acpi; do
        if [ -d "$d" ]; then
                is "$(run sh -c "ls -A $d | wc -l")" 0 "$d is masked (empty)"
        else
                skip "$d is masked" "the host has no $d"
        fi
done
is "$(run sh -c 'grep -E "^Cap(Inh|Amb):" /proc/self/status | cut -f2 | xargs')" "0000000000000000 0000000000000000" \
        "a root payload's inheritable and ambient capability sets are empty"
like "$(run --privileged sh -c 'wc -c < /proc/interrupts')" '^[1-9]' "--privileged keeps /proc/interrupts readable"
