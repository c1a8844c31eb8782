/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Capability names as users type them (Docker's --cap-add): "net_admin", "CAP_NET_ADMIN" and
 * "Cap_Net_Admin" all name CAP_NET_ADMIN, and "all" is ALL. The one parser of them: the CLI, drayd
 * and the runtime each used to carry a copy. */

#define CAPABILITY_NAME_MAX 64

/* The canonical spelling ("CAP_NET_ADMIN", or "ALL") into buf, by spelling alone: letters and '_'
 * only, no numbers (libcap would take "12"). -EINVAL otherwise. */
int capability_name_canonical(const char *name, char buf[static CAPABILITY_NAME_MAX]);

/* The capability's number, for a name libcap knows (not "ALL"). -EINVAL otherwise. */
int capability_from_name(const char *name, int *ret);

/* capability_name_canonical() of a capability libcap knows (or "ALL"), allocated. */
int capability_name_normalize(const char *name, char **ret);
