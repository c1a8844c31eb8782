/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Upper bound for any JSON file we read: state and spec files are small; anything bigger is hostile. */
#define JSON_FILE_MAX (4U * 1024U * 1024U)

/* Write obj to dir_fd/name atomically: temp file in the same directory, fsync, rename, fsync the
 * directory. A crash leaves either the old or the new file, never a torn one. What json_read_file()
 * would refuse (over JSON_FILE_MAX) is not written: -EFBIG. */
int json_write_atomic(int dir_fd, const char *name, json_object *obj);
/* The bytes json_write_atomic() would write (SIZE_MAX on OOM); above JSON_FILE_MAX it refuses (-EFBIG). */
size_t json_file_size(json_object *obj);
/* Read and parse dir_fd/name. -ENOENT when missing, -EBADMSG when not valid JSON or not an object. */
int json_read_file(int dir_fd, const char *name, json_object **ret);

/* Typed getters: return -ENOENT if the key is missing (ret untouched), -EBADMSG on wrong type. */
int json_get_string(json_object *o, const char *key, const char **ret);
int json_get_bool(json_object *o, const char *key, bool *ret);
int json_get_int(json_object *o, const char *key, int *ret);
int json_get_uint64(json_object *o, const char *key, uint64_t *ret);
int json_get_strv(json_object *o, const char *key, char ***ret);

int json_add_string(json_object *o, const char *key, const char *value); /* NULL value: no key */
int json_add_bool(json_object *o, const char *key, bool value);
int json_add_int(json_object *o, const char *key, int value);
int json_add_uint64(json_object *o, const char *key, uint64_t value);
int json_add_strv(json_object *o, const char *key, char *const *value);
