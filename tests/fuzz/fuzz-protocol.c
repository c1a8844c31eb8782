/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The drayd ↔ dray-monitor contract (contract.h): whatever bytes arrive on the sync socket, the line
 * reader and the decoder neither crash nor accept a message the encoder would not write again as the
 * same line; the attach request; and the schema version check of the files dray keeps. */
#include <sys/socket.h>
#include <unistd.h>

#include "contract.h"
#include "fuzz.h"
#include "json-util.h"
#include "macros.h"

static void check_line(const char *line) {
        char again[SYNC_LINE_MAX];
        SyncMessage m, m2;
        ssize_t n;

        if (sync_message_parse(line, &m) < 0)
                return;
        /* Accepted: it must format, and parse back to the same message. */
        n = sync_message_format(&m, again, sizeof(again));
        if (n <= 0 || again[n - 1] != '\n')
                abort();
        again[n - 1] = 0;
        if (sync_message_parse(again, &m2) < 0 || m2.type != m.type || m2.pid != m.pid ||
            m2.error != m.error || m2.status != m.status)
                abort();
}

/* The attach request (drayd → a container's monitor): what parses formats back to the same bytes. */
static void check_attach(const char *msg, size_t len) {
        char again[SYNC_LINE_MAX];
        unsigned mask;
        ssize_t n;

        if (attach_request_parse(msg, len, &mask) < 0)
                return;
        n = attach_request_format(mask, again, sizeof(again));
        if (n <= 0 || attach_mask_count(mask) > 4)
                abort();
        if (attach_request_parse(again, (size_t) n, &mask) < 0)
                abort();
}

int fuzz_protocol(const uint8_t *data, size_t size) {
        _cleanup_close_pair_ int sv[2] = { -EBADF, -EBADF };
        _cleanup_free_ char *s = NULL;
        _cleanup_json_ json_object *o = NULL;
        SyncReader r = {};
        const char *line;

        if (size > 64 * 1024)
                return 0;
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;
        check_line(s);
        check_attach((const char *) data, size);

        /* The same bytes as a stream, as drayd reads them. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
                return 0;
        if (size > 0 && write(sv[1], data, MIN(size, (size_t) 16384)) < 0)
                return 0;
        sv[1] = safe_close(sv[1]);
        for (;;) {
                int k = sync_reader_read(&r, sv[0]);

                while ((line = sync_reader_next(&r)))
                        check_line(line);
                if (k == 0 || (k < 0 && k != -EMSGSIZE))
                        break;
        }

        o = json_tokener_parse(s);
        if (o && json_object_is_type(o, json_type_object))
                (void) schema_version_check(o, 1);
        return 0;
}
