/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "oci-config.h"
#include "runtime.h"

/* What create, run and exec share (oci-lifecycle.c). */

/* runc's console socket protocol: connects to the unix socket at path and sends master (SCM_RIGHTS)
 * with the terminal's name as the message. */
int oci_send_console(const char *path, int master);

/* Writes pid to path (temporary file, rename), logging any failure. */
int oci_write_pid_file(const char *path, pid_t pid);

/* The process's seccomp filter (config->seccomp), compiled for its capabilities into a memfd for
 * RuntimeIO.seccomp_fd. */
int oci_seccomp_memfd(const OciConfig *config, int *ret);

/* --preserve-fds N: fds 3…3+N-1, each checked to be open, into fds. */
int oci_preserved_fds(unsigned n, int *fds);

/* The process's part of io: process.rlimits set on ourselves (the payload inherits them), the seccomp
 * filter compiled into *seccomp_fd (the caller closes it), stdio and the preserved fds. */
int oci_process_io(const OciConfig *config, const int *pass_fds, unsigned n_pass_fds, int *seccomp_fd, RuntimeIO *io);
