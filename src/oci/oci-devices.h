/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json-util.h"

/* The device cgroup of dray-oci's containers: linux.resources.devices, the runtime's default nodes
 * and the nodes of linux.devices, as runc and crun apply them. The effective list is the config's rules
 * in their order, then the defaults, then one rwm allow per linux.devices node (runc's order: a config
 * cannot take /dev/null away), matched last rule first with nothing allowed unless a rule allows it.
 * Each access (read, write, mknod) of a request is decided by the last rule that names it. */

/* The access bits are the kernel's BPF_DEVCG_ACC_* ones. */
#define OCI_DEV_ACC_MKNOD 1U
#define OCI_DEV_ACC_READ 2U
#define OCI_DEV_ACC_WRITE 4U
#define OCI_DEV_ACC_ALL 7U
#define OCI_DEV_WILDCARD (-1)
#define OCI_DEVICE_RULES_MAX 1024U

typedef struct OciDeviceRule {
        bool allow;
        char type;      /* 'a' (both), 'c' or 'b' */
        int32_t major;  /* OCI_DEV_WILDCARD: any */
        int32_t minor;
        unsigned access; /* OCI_DEV_ACC_* */
} OciDeviceRule;

typedef struct OciDeviceRules {
        OciDeviceRule *user;   /* linux.resources.devices */
        size_t n_user;
        OciDeviceRule *nodes;  /* linux.devices */
        size_t n_nodes;
} OciDeviceRules;

void oci_device_rules_done(OciDeviceRules *d);

/* linux.resources.devices (a JSON array) into d->user. On failure a malloc'd reason naming the key and
 * index ("linux.resources.devices[2].access: ...") is in *ret_error. */
int oci_device_rules_parse(json_object *array, OciDeviceRules *d, char **ret_error);
/* A linux.devices node: type 'c', 'u' or 'b'. */
int oci_device_rules_add_node(OciDeviceRules *d, char type, uint32_t major, uint32_t minor);

/* The effective list (user rules, defaults, nodes), malloc'd. */
int oci_device_rules_effective(const OciDeviceRules *d, OciDeviceRule **ret, size_t *ret_n);

/* What the effective list decides for one request (the reference the BPF program is tested against):
 * type 'c' or 'b', access OCI_DEV_ACC_* bits. */
bool oci_device_rules_allows(const OciDeviceRule *rules, size_t n, char type, uint32_t major, uint32_t minor,
                             unsigned access);

/* A rule as a cgroup v1 devices.allow/devices.deny line ("c 1:3 rwm"); 'a' with numbers or with less
 * than rwm is two lines, c and b. Returns the number of lines (1 or 2); each buffer holds 64 bytes. */
int oci_device_rule_v1_lines(const OciDeviceRule *r, char line0[static 64], char line1[static 64]);

/* Applies the rules to the cgroup dray-oci is in (it has entered the container's cgroup or scope, so
 * that the init is born under them): the BPF program attached to its cgroup v2 directory (on a hybrid
 * host the unified hierarchy's, which the kernel consults as well), and on a hybrid host the v1 devices
 * cgroup of the same path (entered first where systemd left the scope in its slice's) denying all but
 * what any rule allows. */
int oci_devices_apply_self(const OciDeviceRules *d, char **ret_error);
