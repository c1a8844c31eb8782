/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macros.h"

/* Resolves a user as docker run -u does, against the /etc/passwd and /etc/group of a root made of
 * layers (top-most first, as overlayfs stacks them; a plain rootfs is one layer):
 *   "uid" / "uid:gid"     numbers as they are (gid = uid's primary group from passwd when listed, else 0)
 *   "name" / "name:group" looked up; the primary group comes from passwd
 * Files are opened inside each layer with openat2(RESOLVE_IN_ROOT), read up to 1 MiB, and a whiteout
 * in an upper layer hides a lower layer's file. -ESRCH when a name is not found, -EINVAL when the
 * string is malformed. */
int image_resolve_user(char *const *layers, const char *user, uid_t *ret_uid, gid_t *ret_gid);

/* Whether s looks like a user spec ("name[:group]" or numbers), without resolving it. */
bool user_spec_is_valid(const char *s);
