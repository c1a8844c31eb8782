/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macros.h"

/* The payload's seccomp filter, compiled (seccomp-bpf.h) before drayd lets the monitor go, so that the
 * work overlaps the start of the scope, and cached, so that it is done once per profile and set of
 * capabilities rather than on every start.
 *
 * The cache is a root-only directory (<runtime_dir>/seccomp, on tmpfs: it starts empty at every
 * boot). An entry's name is its key: the profile file's identity and change time (device, inode, size,
 * mtime, ctime: an edited or replaced profile gets a new key), the payload's capabilities, the native
 * architecture, the kernel release and the libseccomp version (the generated program depends on all of
 * them). Only root can write the profile or the directory, so the key needs no content hash. An entry
 * that is not a regular file owned by us and writable by nobody else is ignored, and the cache stops
 * growing at SECCOMP_CACHE_ENTRIES_MAX.
 *
 * A miss compiles in a short-lived child, so that neither the parsed JSON nor libseccomp's state ever
 * sits in the monitor's (or the container init's) memory. */

#define SECCOMP_CACHE_ENTRIES_MAX 256U

/* Returns a read-only fd of the compiled blob for the profile at profile_path and a payload holding
 * caps. Without cache_dir, or when the cache cannot be used, it compiles into a sealed memfd. On
 * failure *ret_error (if given) gets a malloc'd reason ("syscalls[3].action: …"). */
int monitor_seccomp_prepare(const char *cache_dir, const char *profile_path, uint64_t caps, int *ret_fd,
                            char **ret_error);

/* Compiles the profile read from profile_fd (from offset 0) in a child, into a sealed memfd; no cache.
 * For profiles that are not a root-owned file (a client's, passed as text). */
int monitor_seccomp_compile(int profile_fd, uint64_t caps, int *ret_fd, char **ret_error);
