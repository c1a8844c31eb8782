/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"

/* The subset of Go's text/template that `docker … --format` users reach for, over a JSON document:
 *   {{.Key}} {{.A.B}} {{.}} {{$}} {{$.A}}   a value: strings as they are, anything else as JSON
 *   {{json .X}} {{.X | json}}               the value as JSON (strings quoted)
 *   {{index .Labels "k"}} {{len .X}} {{join .X ","}} {{split .S ","}} {{upper .S}} {{lower .S}}
 *   {{title .S}} {{truncate .S 12}} {{printf "%s:%d" .A .B}} {{eq .A "x"}} ne lt le gt ge not and or
 *   {{if P}}…{{else if P}}…{{else}}…{{end}}  Go's truth: false, 0, null, "", [] and {} are false
 *   {{range P}}…{{else}}…{{end}}            over an array, or an object's values in key order;
 *   {{range $v := P}} {{range $k, $v := P}}  with variables; {{with P}}…{{end}}
 *   {{- and -}} trim the white space beside them; an action opening with slash-star is a comment
 * A missing key is an error when printed ("no such property"), and false/empty for if, with,
 * range, len and the comparisons, so `{{if .State.Health}}` works whether or not it is there.
 * Objects print as JSON unless template_object_set_text() gave them a text form, as a Go value
 * with a String() method prints that. */
typedef struct Template Template;

/* On a syntax error: -EINVAL, and *ret_error (when not NULL) says where and what:
 * "template '…': position N: …" (N counted in bytes from 1). */
int template_parse(const char *text, Template **ret, char **ret_error);
Template *template_free(Template *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Template *, template_free);
const char *template_source(const Template *t);

/* -ENOENT for a missing property printed, -EINVAL for a type error (index of a string…), with the
 * message in *ret_error. */
int template_render(const Template *t, json_object *o, char **ret, char **ret_error);

/* The header line of a `table` format: each action replaced by the name of the field it shows, upper
 * case ({{.Names}} → NAMES, {{json .State.Status}} → STATUS), or by headers[field] when the NULL
 * terminated pairs list { field, header, … } names it ({ "ID", "CONTAINER ID", NULL }). Blocks show
 * their body once. */
int template_render_header(const Template *t, const char *const *headers, char **ret);

/* Parse and render at once; *ret_bad_action as for template_render()'s *ret_error. */
int template_expand(const char *tmpl, json_object *o, char **ret, char **ret_bad_action);

/* o (an object or array) prints as text, not JSON, outside {{json}}. */
int template_object_set_text(json_object *o, const char *text);
