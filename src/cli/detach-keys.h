/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Detach keys (Docker's --detach-keys): a sequence typed into a terminal attached to a container
 * (dray attach, run -it, start -ai) that lets the container go on running and ends the client.
 * Docker's syntax: keys separated by commas, each a single character or "ctrl-<c>" for c in a-z, @,
 * [, \, ], ^ and _; "" disables them. The default is ctrl-p,ctrl-q. */

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define DETACH_KEYS_MAX 16

/* The bytes of keys into ret (at most DETACH_KEYS_MAX); returns how many (0 for ""), or -EINVAL. */
int detach_keys_parse(const char *keys, char ret[static DETACH_KEYS_MAX]);
/* The bytes of the option's value, or of the default when it is NULL. Logs and returns -EINVAL for a
 * bad value, naming it. */
int detach_keys_resolve(const char *option, char ret[static DETACH_KEYS_MAX]);
