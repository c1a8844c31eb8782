/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/capability.h>

/* Docker's default capability set, as an X-macro so that the runtime (values) and drayd (names, to
 * tell whether a --cap-add goes beyond it) share one list. */
#define DEFAULT_CAPABILITIES(X)                                                                 \
        X(CAP_CHOWN) X(CAP_DAC_OVERRIDE) X(CAP_FSETID) X(CAP_FOWNER) X(CAP_MKNOD)               \
        X(CAP_NET_RAW) X(CAP_SETGID) X(CAP_SETUID) X(CAP_SETFCAP) X(CAP_SETPCAP)                 \
        X(CAP_NET_BIND_SERVICE) X(CAP_SYS_CHROOT) X(CAP_KILL) X(CAP_AUDIT_WRITE)
