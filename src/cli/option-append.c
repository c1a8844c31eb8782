/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "option-append.h"
#include "strv.h"

int option_append_string(sd_bus_message *m, const char *key, const char *value) {
        if (!value)
                return 0;
        return sd_bus_message_append(m, "{sv}", key, "s", value);
}

int option_append_bool(sd_bus_message *m, const char *key, bool value) {
        if (!value)
                return 0;
        return sd_bus_message_append(m, "{sv}", key, "b", 1);
}

int option_append_u64(sd_bus_message *m, const char *key, uint64_t value) {
        if (value == UINT64_MAX)
                return 0;
        return sd_bus_message_append(m, "{sv}", key, "t", value);
}

int option_append_strv(sd_bus_message *m, const char *key, char **l, bool always) {
        int r;

        if (!always && strv_length(l) == 0)
                return 0;
        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", key);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', "as");
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(m, l);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}
