/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"

/* The small subset of Go templates that `docker inspect -f` users reach for, over a JSON object:
 *   {{.Key}} or {{.A.B}}   the value: strings as they are, anything else as JSON
 *   {{json .Key}}          the value as JSON (strings quoted)
 *   {{.}}, {{json .}}      the whole object as JSON
 * Text outside {{ }} is copied. White space inside the braces is ignored. Returns -EINVAL for an
 * unterminated or unsupported action, -ENOENT for a key the object lacks (*ret_bad_action, when not
 * NULL, gets the offending action). */
int template_expand(const char *tmpl, json_object *o, char **ret, char **ret_bad_action);
