/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --format templates: the bytes are the argument of `dray ps --format`, parsed (with its `table`
 * prefix and \t escapes) and rendered, rows and header, over a document with every JSON type. */

#include <stdio.h>

#include "fuzz.h"
#include "json-util.h"
#include "output-format.h"
#include "strv.h"

static const char document[] =
        "[{\"Id\": \"abc\", \"N\": 3, \"D\": 1.5, \"Big\": 18446744073709551615, \"Neg\": -9223372036854775807, "
        "\"Empty\": \"\", \"List\": [\"a\", 1, null, {\"K\": [true]}], \"Labels\": {\"b\": \"2\", \"a\": \"1\"}, "
        "\"State\": {\"Status\": \"running\", \"Pid\": 42, \"Health\": null}, \"Null\": null, \"True\": true, "
        "\"Mounts\": [{\"Source\": \"/s\"}, {}]}, {}, {\"Id\": \"\\u001b[31m\"}]";

int fuzz_template(const uint8_t *data, size_t size) {
        _cleanup_json_ json_object *array = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL, *out = NULL;
        static const char *const headers[] = { "ID", "CONTAINER ID", NULL };
        OutputFormat f = {};
        size_t out_size = 0;
        FILE *sink;

        if (size > 4096)
                return 0;
        text = fuzz_strndup(data, size);
        array = json_tokener_parse(document);
        if (!text || !array)
                return 0;
        if (output_format_parse(text, &f, &error) < 0 || f.kind != OUTPUT_TEMPLATE)
                goto finish;
        /* The document's State has a text form, as dray inspect gives it. */
        (void) template_object_set_text(json_object_object_get(json_object_array_get_idx(array, 0), "State"),
                                        "running");
        sink = open_memstream(&out, &out_size);
        if (!sink)
                goto finish;
        (void) output_format_print(&f, array, headers, sink, &error);
        fclose(sink);
finish:
        output_format_done(&f);
        return 0;
}
