/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macros.h"

/* A payload may hold at most this many groups (the kernel's NGROUPS_MAX is 65536). */
#define IMAGE_GROUPS_MAX 1024U

typedef struct ImageUser {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* the primary group first, then the supplementary ones; no duplicates */
        size_t n_groups;
} ImageUser;

/* Resolves a user as docker run -u does, against the /etc/passwd and /etc/group of a root made of
 * layers (top-most first, as overlayfs stacks them; a plain rootfs is one layer):
 *   "uid" / "uid:gid"     numbers as they are (gid = uid's primary group from passwd when listed, else 0)
 *   "name" / "name:group" looked up; the primary group comes from passwd
 *   NULL                  root
 * The groups are the primary one, every group in /etc/group that lists the user's name (as Docker
 * does: a user left out of a group that denies it access would get that access, CVE-2022-36109),
 * then group_add (names from /etc/group, or numbers).
 * Files are opened with safe-open.h (never a FIFO, device or symlink out), read up to 1 MiB, and a
 * whiteout in an upper layer hides a lower layer's file. -ESRCH when a name is not found (*ret_bad
 * names the group when it was one of group_add), -EINVAL when a string is malformed, -EMEDIUMTYPE
 * or -EFBIG when a file cannot be read (*ret_bad names it). ret->groups is the caller's to free. */
int image_resolve_user(char *const *layers, const char *user, char *const *group_add, ImageUser *ret,
                       const char **ret_bad);

/* Whether s looks like a user spec ("name[:group]" or numbers), without resolving it. */
bool user_spec_is_valid(const char *s);

/* Whether s looks like a group (a name or a number), for --group-add. */
bool group_spec_is_valid(const char *s);
