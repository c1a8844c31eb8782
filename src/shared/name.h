/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* The one rule for container names, network names and aliases, Docker's: 1–63 of [a-zA-Z0-9_.-], starting
 * with a letter or digit. Every such name is valid in a unit name (dray-NAME.scope: systemd 252 takes
 * [a-zA-Z0-9:_.\\-]). It is not always a host name: systemd-machined (252) takes only host names
 * (letters, digits, '-', dot-separated non-empty labels), so container_host_name() maps the others. */
#define CONTAINER_NAME_MAX 63
#define CONTAINER_ID_LEN 64
#define CONTAINER_ID_SHORT_LEN 12
#define CONTAINER_ID_PREFIX_MIN 4

bool container_name_is_valid(const char *name);
bool container_id_is_valid(const char *id);        /* exactly 64 lowercase hex digits */
bool container_id_prefix_is_valid(const char *p);  /* 4..64 lowercase hex digits */
/* A host name, and so a machined machine name: 1-63 of [a-zA-Z0-9.-], starting with a letter or digit,
 * not ending in '.' or '-', no empty label (".."). */
bool hostname_is_valid_simple(const char *s);

/* A label of a container or a volume: KEY=VALUE, a non-empty key, no control characters, valid
 * UTF-8, at most LABEL_MAX bytes. */
#define LABEL_MAX 4096U
#define LABELS_MAX 64U
bool label_is_valid(const char *label);
/* What a container is called where a host name is needed (its default hostname, its machined machine
 * name): its name when that is a valid host name, else its short ID, the hostname Docker gives every
 * container. Deterministic, so registering and unregistering agree. Returns name or buf. */
const char *container_host_name(const char *name, const char *id, char buf[static CONTAINER_ID_SHORT_LEN + 1]);
/* A slice unit a container's scope may go into: systemd's unit name alphabet ([a-zA-Z0-9:_.\\-]),
 * ending in ".slice", at most 255 characters, not the root slice "-.slice", no empty "-" parts
 * ("a--b.slice", "-a.slice", "a-.slice" are not slices systemd makes). */
bool slice_name_is_valid(const char *s);
/* A unit name as systemd spells it: at most 255 of [a-zA-Z0-9:_.@\\-], a non-empty name, a '.' and a
 * non-empty type suffix of letters. Used for the caller's unit a monitor names in journal entries. */
bool unit_name_is_valid_simple(const char *s);

/* 64 hex digits from the kernel's RNG. ret must hold CONTAINER_ID_LEN + 1 bytes. */
int container_id_generate(char ret[static CONTAINER_ID_LEN + 1]);
/* "adjective-noun-NNNN" style name from the same alphabet. */
int container_name_generate(char **ret);
