/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-fields.h"

int json_add_fields(json_object *o, JsonField *fields, size_t n) {
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                if (r >= 0 && !fields[i].value && !fields[i].null)
                        r = -ENOMEM;
                if (r >= 0 && json_object_object_add(o, fields[i].key, fields[i].value) < 0)
                        r = -ENOMEM;
                else if (r >= 0)
                        continue; /* o owns it now */
                json_object_put(fields[i].value);
        }
        return r;
}

json_object *json_string(const char *s) {
        return json_object_new_string(s ? s : "");
}
