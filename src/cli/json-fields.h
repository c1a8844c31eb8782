/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"

/* Building a JSON object of many keys with one call and one check (STYLE.md), instead of a check per
 * key: the values are made in place (json_object_new_*() returns NULL only when out of memory), then
 * json_add_fields() adds them in order, or frees them all and fails. */
typedef struct JsonField {
        const char *key;
        json_object *value;
        bool null;              /* the value is JSON null on purpose (value NULL) */
} JsonField;

#define JSON_FIELD_NULL(k) { .key = (k), .null = true }

/* Takes every value, also on failure; -ENOMEM when a value is NULL without .null. */
int json_add_fields(json_object *o, JsonField *fields, size_t n);

#define json_add_fieldsv(o, ...)                                                                   \
        json_add_fields((o), (JsonField[]) { __VA_ARGS__ }, sizeof((JsonField[]) { __VA_ARGS__ }) / sizeof(JsonField))

/* json_object_new_string() of s, "" for NULL. */
json_object *json_string(const char *s);
