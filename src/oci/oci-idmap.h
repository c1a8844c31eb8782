/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "json-util.h"

/* The kernel's limit of lines in a uid_map or gid_map (Linux 4.15). */
#define OCI_IDMAP_LINES_MAX 340U

/* linux.uidMappings or linux.gidMappings (key names it in errors): an array of 1…340 objects with
 * containerID, hostID and size, no two overlapping on either side and none past 2^32, as the
 * kernel takes them. *ret_lines: the map file's text ("ID HOST-ID SIZE\n" each), *ret_root: the host
 * ID container ID 0 maps to (UINT32_MAX: none). On failure a malloc'd reason naming the entry. */
int oci_idmap_parse(json_object *a, const char *key, char **ret_lines, uint32_t *ret_root, char **ret_error);

/* A linux.namespaces[].path: a namespace file (nsfs) of the type named by clone_flag (CLONE_NEW*), so
 * that a wrong one is refused before anything is made. where names the key in errors. */
int oci_ns_path_check(const char *where, const char *path, unsigned long clone_flag, char **ret_error);
