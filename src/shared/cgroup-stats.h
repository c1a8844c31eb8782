/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Parsers for the counters `dray stats` shows: the kernel's cgroup files (v1 and v2) and
 * /proc/<pid>/net/dev. Pure functions over text, so that both layouts are tested without a
 * kernel; the daemon reads the files (container-stats.c). */

#include <stdint.h>

/* "KEY VALUE" lines (memory.stat, cpu.stat): the value of key. -ENOENT when absent. */
int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret);

/* A single number (memory.current, pids.current, cpuacct.usage), or "max" (v2 limits), which gives
 * UINT64_MAX. -EINVAL otherwise. */
int cgroup_parse_value(const char *text, uint64_t *ret);

/* cgroup v1 blkio.throttle.io_service_bytes_recursive: "MAJ:MIN Read N" lines summed over devices
 * (the "Total" line is not counted twice). */
int cgroup_parse_blkio_v1(const char *text, uint64_t *ret_read, uint64_t *ret_write);

/* cgroup v2 io.stat: "MAJ:MIN rbytes=N wbytes=N ..." lines summed over devices. */
int cgroup_parse_io_stat(const char *text, uint64_t *ret_read, uint64_t *ret_write);

/* /proc/<pid>/net/dev: received and transmitted bytes summed over the interfaces but lo. */
int net_dev_parse(const char *text, uint64_t *ret_rx, uint64_t *ret_tx);

/* From the text of /proc/<pid>/cgroup: the path of the hierarchy that holds controller ("" for
 * the cgroup v2 line "0::"), cut after the path component unit (a process may sit in a sub-cgroup
 * of its scope), e.g. "/dray.slice/dray-web.scope"; *ret_hierarchy (may be NULL) points at the
 * hierarchy's name in text ("cpu,cpuacct"), *ret_hierarchy_len its length. -ENOENT when there is no
 * such hierarchy or the process is not inside unit. */
int cgroup_scope_path(const char *proc_cgroup, const char *controller, const char *unit, char **ret_path,
                      const char **ret_hierarchy, size_t *ret_hierarchy_len);

/* cgroup v1 memory limits: "unlimited" is a huge page-aligned number, not "max". */
#define CGROUP_V1_UNLIMITED_MIN (UINT64_C(1) << 62)
