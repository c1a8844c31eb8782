/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-unpack.h"

/* image_unpack() in a worker process, as systemd-importd unpacks: the worker has a network namespace
 * of its own (no network), only the capabilities extraction needs (CAP_CHOWN, CAP_DAC_OVERRIDE,
 * CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETFCAP; an empty bounding set otherwise), no_new_privs and
 * a seccomp filter refusing what an unpacker never does (sockets but AF_UNIX, mount, ptrace, module
 * loading, namespaces, kexec, bpf, …). A bug in a decompressor or in libarchive thus does not hand the
 * archive root's powers. The worker cannot set trusted.* xattrs: the caller marks the directories it
 * reports opaque (trusted.overlay.opaque=y), after resolving each one inside target_fd again. */
int image_unpack_sandboxed(int archive_fd, int target_fd, const UnpackLimits *limits,
                           char ret_diff_id[static DIGEST_STRING_LEN + 1], UnpackError *error);

/* Enters that sandbox (the calling process). Exposed for tests and for other workers. */
int image_sandbox_enter(void);
