/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* --device HOST[:CONTAINER][:PERMS], docker's syntax: the host's device node HOST appears in the
 * container at CONTAINER (default: HOST), usable as PERMS says (letters of "rwm": read, write,
 * mknod; default "rwm"). The spec keeps the canonical "HOST:CONTAINER:PERMS". Both paths are
 * normalized absolute paths; CONTAINER lies in /dev (the container's own tmpfs, where the runtime
 * makes the node) but not in /dev/pts, /dev/shm or /dev/mqueue. That HOST is a device node is for
 * drayd to check, on the host. */

#define DEVICES_MAX 64U

/* -EINVAL for anything else. */
int device_spec_parse(const char *s, char **ret_host, char **ret_container, char **ret_perms);
/* The canonical form of s (-EINVAL as above). */
int device_spec_canonical(const char *s, char **ret);
/* s is canonical. */
bool device_spec_is_canonical(const char *s);
bool device_perms_are_valid(const char *p) _pure_;
