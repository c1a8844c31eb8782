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
/* Without the option, the keys come from the first of $XDG_CONFIG_HOME/dray/dray.conf
 * (~/.config/dray/dray.conf) and /etc/dray/dray.conf that has a "detach-keys = KEYS" line (Docker
 * keeps "detachKeys" in its config.json likewise), else the default. */
#define DETACH_KEYS_SYSTEM_CONFIG "/etc/dray/dray.conf"

/* 1 with the value and the file's path (both to free) when a config file sets the keys, else 0. */
int detach_keys_config(char **ret_value, char **ret_path);

/* The bytes of the option's value, or when it is NULL of the configured or default keys. Logs and
 * returns -EINVAL for a bad value, naming it (and the file it came from). */
int detach_keys_resolve(const char *option, char ret[static DETACH_KEYS_MAX]);
