/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "json-util.h"
#include "macros.h"

/* The extra mounts of a container (docker run -v / --tmpfs): part of the container spec, checked by
 * everyone who hands them on (the CLI, drayd's option parser, spec_validate()) and carried out by
 * the runtime inside the container's root. */

#define MOUNTS_MAX 64U
#define TMPFS_OPTIONS_MAX 256U

typedef enum MountType {
        MOUNT_BIND,
        MOUNT_TMPFS,
        MOUNT_VOLUME,
        _MOUNT_TYPE_MAX,
        _MOUNT_TYPE_INVALID = -EINVAL,
} MountType;

typedef struct MountSpec {
        MountType type;
        char *source;      /* bind: absolute host path, resolved by drayd (no symlinks); tmpfs: NULL;
                            * volume: the volume's data directory (…/volumes/NAME/_data) */
        char *destination; /* absolute container path, normalized (mount_destination_normalize()) */
        bool read_only;
        char *options;     /* tmpfs: "size=64m,mode=1777" (tmpfs_options_validate()), or NULL; bind: NULL */
        char *volume;      /* volume: its name (volume_name_is_valid()); others: NULL */
        bool noexec;       /* mounted noexec too (an OCI config's option; not in the JSON of drayd's spec) */
        unsigned long propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, maybe | MS_REC, set on the
                                    * mount once made; 0: private (an OCI config's option; not in the JSON) */
} MountSpec;

const char *mount_type_to_string(MountType t) _pure_;
MountType mount_type_from_string(const char *s) _pure_;

void mount_spec_done(MountSpec *m);
MountSpec *mount_spec_array_free(MountSpec *a, size_t n);
/* Appends a copy of the given values to the array *a of *n entries. */
int mount_spec_append(MountSpec **a, size_t *n, MountType type, const char *source, const char *destination,
                      bool read_only, const char *options);

/* Sets the volume name of the last entry of a (after mount_spec_append() with MOUNT_VOLUME). */
int mount_spec_set_volume(MountSpec *m, const char *volume);

/* Docker's rule for volume names: 1-128 of [a-zA-Z0-9_.-], starting with a letter or digit. */
#define VOLUME_NAME_MAX 128U
bool volume_name_is_valid(const char *name) _pure_;

/* "a/b" component-wise: path is prefix itself or lies below it ("/var/lib/dray-x" is not below
 * "/var/lib/dray"). Both must be normalized absolute paths. */
bool path_is_below_or_equal(const char *path, const char *prefix) _pure_;

/* An absolute path without "..", control characters or overlong length, with "//", "/./" and a
 * trailing "/" removed: "/data//x/./" → "/data/x". -EINVAL for anything else. */
int mount_path_normalize(const char *p, char **ret);
/* p is what mount_path_normalize() would return for it. */
bool mount_path_is_normalized(const char *p) _pure_;

/* A destination is a normalized path other than "/", not in /proc or /sys (the kernel's own file
 * systems: a mount there would shadow or unmask what the runtime masked). */
bool mount_destination_is_valid(const char *p) _pure_;

/* tmpfs options: comma-separated KEY=VALUE with KEY one of size (bytes, k/m/g suffix or %),
 * nr_inodes (k/m/g suffix), mode (octal, at most 07777), uid, gid (decimal), each at most once.
 * -EINVAL with the offending item in *ret_bad (a static description) otherwise. */
int tmpfs_options_validate(const char *opts, const char **ret_bad);

/* Checks every entry: count, types, paths, options, no destination twice. */
int mount_specs_validate(const MountSpec *a, size_t n, const char **ret_reason);

int mount_specs_to_json(const MountSpec *a, size_t n, json_object **ret);
/* Parses an array of mount objects; validates nothing but types (spec_validate() does the rest). */
int mount_specs_from_json(json_object *array, MountSpec **ret, size_t *ret_n);
