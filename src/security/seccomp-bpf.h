/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "seccomp-profile.h"

/* A compiled seccomp filter as one blob: a small header with the flags seccomp(2) is to be called with,
 * then the BPF program exactly as libseccomp generated it.
 *
 * Why: generating the program is by far the most expensive step of applying a profile. For Docker's
 * default profile on the test machine (libseccomp 2.5.4) parsing takes 0.3 ms, building the rules 3 ms
 * and generating the BPF 10 ms, on every container start. A blob is generated once per profile and set
 * of payload capabilities (dray-monitor caches it, see monitor-seccomp.h) and the payload only reads
 * and loads it: one read and one seccomp(2) call.
 *
 * The blob is trusted input from root (a root-only cache directory or a sealed memfd), but it is
 * checked all the same: magic, version, known flags only, a program length within the kernel's limit
 * that matches the size. */

#define SECCOMP_BPF_MAGIC "DRAYBPF\1"
#define SECCOMP_BPF_INSNS_MAX 4096U /* BPF_MAXINSNS: the kernel refuses longer classic programs */

typedef struct SeccompBpfHeader {
        char magic[8];
        uint32_t flags;   /* SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER) */
        uint32_t n_insns; /* struct sock_filter entries that follow */
} SeccompBpfHeader;

/* Compiles p for a payload holding caps (seccomp_profile_compile()) and writes the blob to fd, which
 * must be an empty, seekable file (a memfd or a regular file) open for writing. */
int seccomp_profile_export_blob(const SeccompProfile *p, uint64_t caps, int fd);

/* Reads a blob from fd (from offset 0) and loads it into the calling thread. The same rules as
 * seccomp_profile_apply(): after no_new_privs and the capability drop, last before execve().
 * -EBADMSG for a blob that is not one, or the kernel's errno. */
int seccomp_blob_load(int fd);
