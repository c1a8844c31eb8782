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

/* cgroup v1 memory limits: "unlimited" is a huge page-aligned number, not "max". */
#define CGROUP_V1_UNLIMITED_MIN (UINT64_C(1) << 62)
