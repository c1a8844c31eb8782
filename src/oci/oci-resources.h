/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "json-util.h"

/* linux.resources beyond memory, cpu shares/quota and pids (those are the ContainerSpec's limits):
 * blockIO, hugepageLimits, cpu.cpus/cpu.mems and unified, read as hostile input and carried out as
 * runc does:
 *   --systemd-cgroup: the scope's properties (IO* on pure cgroup v2, BlockIO* on a hybrid host,
 *     AllowedCPUs, AllowedMemoryNodes), devices as /dev/block/MAJ:MIN; what systemd has no property
 *     for (hugetlb, unified, and on a hybrid host the IOPS limits and the v1 cpuset) is written into
 *     the scope's cgroups once it runs.
 *   cgroupfs: io.weight, io.max, cpuset.*, hugetlb.SIZE.max, the unified keys on pure v2; blkio.*,
 *     cpuset.* (cpus and mems inherited first) and hugetlb (v1 or the unified hierarchy, wherever
 *     the host has it) on a hybrid host, the caller joining each v1 hierarchy. */

typedef enum OciIoLimit {
        OCI_IO_READ_BPS,
        OCI_IO_WRITE_BPS,
        OCI_IO_READ_IOPS,
        OCI_IO_WRITE_IOPS,
        _OCI_IO_LIMIT_MAX,
} OciIoLimit;

typedef struct OciDeviceValue {
        unsigned major, minor;
        uint64_t value; /* a weight (10..1000) or a rate (0: no limit) */
} OciDeviceValue;

typedef struct OciHugepageLimit {
        char size[24]; /* the kernel's name of the size: "2MB", "1GB", "64KB" */
        uint64_t limit;
} OciHugepageLimit;

typedef struct OciResources {
        uint64_t blkio_weight; /* 10..1000, 0: unset */
        OciDeviceValue *weight_devices;
        size_t n_weight_devices;
        OciDeviceValue *io_limits[_OCI_IO_LIMIT_MAX];
        size_t n_io_limits[_OCI_IO_LIMIT_MAX];
        OciHugepageLimit *hugepages;
        size_t n_hugepages;
        char *cpus; /* a checked CPU list ("0-1,3"), NULL: unset */
        char *mems;
        char **unified; /* key, value, key, value, … */
        /* linux.resources.memory beyond limit (runc's meaning): reservation → MemoryLow=, memory.low or
         * memory.soft_limit_in_bytes; swap (memory+swap as v1 counts it) → MemorySwapMax=/memory.swap.max
         * as swap - limit, memory.memsw.limit_in_bytes on v1; swappiness and disableOOMKiller v1 only.
         * 0: unset, -1: unlimited. */
        int64_t mem_limit, mem_reservation, mem_swap;
        int64_t swappiness; /* -1: unset */
        bool disable_oom_killer;
} OciResources;

OciResources *oci_resources_free(OciResources *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciResources *, oci_resources_free);

/* Reads linux.resources (res; NULL: none). *ret is NULL when none of these keys is set. warn gets
 * what runc only warns about (leafWeight). On failure a malloc'd reason naming the key and index. */
int oci_resources_parse(json_object *res, void (*warn)(const char *message, void *userdata), void *userdata,
                        OciResources **ret, char **ret_error);

/* Before any cgroup is made: every controller the resources need is there (cgroupfs: all of them;
 * --systemd-cgroup: those written to files), or an error naming it. */
int oci_resources_check(const OciResources *r, bool systemd, char **ret_error);

/* The scope's properties (StartTransientUnit's array is open); resources is an OciResources (the
 * shape of oci-cgroup.h's OciScopeAppend). */
int oci_resources_append_properties(sd_bus_message *m, const void *resources);

/* With the caller in the container's cgroup (its scope or cgroupfs directory): the files, and on a
 * hybrid host the v1 blkio, cpuset and hugetlb directories of the same path, joined. On failure the
 * directories it made are removed again. */
int oci_resources_apply(const OciResources *r, bool systemd, char **ret_error);

/* rmdir of the v1 blkio, cpuset and hugetlb directories at cgroup's path (a bounded wait while the
 * last processes leave). */
void oci_resources_remove(const char *cgroup);
