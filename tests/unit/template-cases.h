/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Table-driven checks of CLI templates (test-cli-template.c, test-cli-inspect-document.c). */

#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "template.h"

typedef struct TemplateCase {
        const char *tmpl;
        const char *want; /* what it renders to (or, for parse errors, what the error says) */
} TemplateCase;

/* Renders each case over o (template_expand()), naming on stderr the first one that fails. */
static inline int template_cases_check(json_object *o, const TemplateCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *out = NULL, *error = NULL;
                int r;

                r = template_expand(cases[i].tmpl, o, &out, &error);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", cases[i].tmpl, strna(error));
                        return r;
                }
                if (!streq(out, cases[i].want)) {
                        fprintf(stderr, "%s: got '%s', want '%s'\n", cases[i].tmpl, out, cases[i].want);
                        return -EBADMSG;
                }
        }
        return 0;
}
