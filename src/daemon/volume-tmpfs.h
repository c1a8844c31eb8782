/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* docker volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=64m,uid=1000: the local
 * driver's options for a volume that lives in memory. drayd mounts a tmpfs with the o= options on the
 * volume's directory when it creates the volume and again when it loads it after a reboot (a
 * mount that is there already, after a restart of drayd, is kept), and unmounts it when the volume
 * is removed. Containers bind it as any volume, so the ones that share it see the same files; its
 * content is gone after a reboot. Other types (nfs, a block device) are refused.
 *
 * The options are docker's KEY=VALUE strings: type (tmpfs), device (tmpfs, or left out) and o (the
 * tmpfs options of --tmpfs: size, nr_inodes, mode, uid, gid). -EINVAL with *ret_error saying why. */
int volume_options_validate(char *const *options, const char **ret_error);

/* Mounts the tmpfs of a volume with options on its mountpoint, unless one is mounted there already;
 * 0 for a volume without options. Unmounting ignores (logs) errors. */
int volume_tmpfs_mount(char *const *options, const char *mountpoint);
void volume_tmpfs_unmount(char *const *options, const char *mountpoint);
