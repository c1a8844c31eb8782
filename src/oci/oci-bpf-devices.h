/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "oci-devices.h"

/* A BPF_PROG_TYPE_CGROUP_DEVICE program deciding as oci_device_rules_allows() does, hand-assembled from
 * linux/bpf.h as systemd and crun assemble theirs (no libbpf): the request's type, access, major and
 * minor are loaded once; the rules are tested last first, each one clearing the access bits it allows
 * or refusing those it denies; what no rule allowed is refused. */
int oci_bpf_devices_build(const OciDeviceRule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n);

/* Loads the program and attaches it with BPF_F_ALLOW_MULTI (programs of the parent cgroups, systemd's
 * among them, still apply) to the cgroup directory cgroup_fd. The cgroup holds the program's last
 * reference: it goes with the cgroup's removal. */
int oci_bpf_devices_attach(int cgroup_fd, const struct bpf_insn *insns, size_t n, char **ret_error);
