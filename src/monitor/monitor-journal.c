/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <endian.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "bus-names.h"
#include "log-stream.h"
#include "log.h"
#include "monitor-journal.h"
#include "name.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define JOURNAL_SNDBUF (8 * 1024 * 1024)
#define RETRY_MIN_MS 1
#define RETRY_MAX_MS 1000
#define RETRY_WARN_MS (10 * 1000)
#define PARTIAL_FIELD "CONTAINER_PARTIAL_MESSAGE=true\n"
/* "MESSAGE\n" + 64-bit length + data + "\n", then the fields, the partial marker and the separator. */
#define ENTRY_OVERHEAD (8U + 8U + 1U + sizeof(PARTIAL_FIELD) + 1U)

static int field(char **ret, const char *name, const char *value, int len) {
        char *s;

        if (asprintf(&s, "%s=%.*s", name, len, value) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int fields_fill(JournalFields *f, const ContainerSpec *spec, const char *caller_unit) {
        const char *image = spec->image ?: spec->rootfs;
        int r;

        r = field(&f->container_name, "CONTAINER_NAME", spec->name, INT32_MAX);
        if (r < 0)
                return r;
        r = field(&f->container_id, "CONTAINER_ID", spec->id, CONTAINER_ID_SHORT_LEN);
        if (r < 0)
                return r;
        r = field(&f->container_id_full, "CONTAINER_ID_FULL", spec->id, INT32_MAX);
        if (r < 0)
                return r;
        r = field(&f->image_name, "IMAGE_NAME", image, INT32_MAX);
        if (r < 0)
                return r;
        r = field(&f->syslog_identifier, "SYSLOG_IDENTIFIER", spec->name, INT32_MAX);
        if (r < 0)
                return r;
        r = field(&f->container_tag, "CONTAINER_TAG", spec->name, INT32_MAX);
        if (r < 0)
                return r;
        /* asprintf() leaves its pointer undefined on failure, and journal_fields_done() frees it. */
        if (asprintf(&f->object_unit, "OBJECT_SYSTEMD_UNIT=" DRAY_UNIT_PREFIX "%s" DRAY_UNIT_SUFFIX, spec->name) < 0) {
                f->object_unit = NULL;
                return -ENOMEM;
        }
        if (caller_unit)
                return field(&f->caller_unit, "OBJECT_SYSTEMD_UNIT", caller_unit, INT32_MAX);
        return 0;
}

int journal_fields_init(JournalFields *f, const ContainerSpec *spec, const char *caller_unit) {
        int r;

        *f = (JournalFields) {};
        r = fields_fill(f, spec, caller_unit);
        if (r < 0)
                journal_fields_done(f);
        return r;
}

void journal_fields_done(JournalFields *f) {
        free(f->container_name);
        free(f->container_id);
        free(f->container_id_full);
        free(f->image_name);
        free(f->syslog_identifier);
        free(f->container_tag);
        free(f->object_unit);
        free(f->caller_unit);
        *f = (JournalFields) {};
}

void journal_check_available(void) {
        if (access(JOURNAL_SOCKET, F_OK) < 0)
                log_warning("journald is not running (no " JOURNAL_SOCKET "): "
                            "container output is not logged.");
}

int journal_batch_init(JournalBatch *b, const char *socket_path) {
        int size = JOURNAL_SNDBUF;

        *b = (JournalBatch) { .socket_path = socket_path ?: JOURNAL_SOCKET };
        b->buf = malloc(JOURNAL_BATCH_MAX);
        b->ends = malloc(sizeof(size_t) * (JOURNAL_BATCH_MAX / 16));
        if (!b->buf || !b->ends) {
                journal_batch_done(b);
                return -ENOMEM;
        }
        b->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (b->fd < 0) {
                journal_batch_done(b);
                return -errno;
        }
        /* Root may exceed wmem_max; others get what the kernel allows. */
        if (setsockopt(b->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(b->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
        return 0;
}

void journal_batch_done(JournalBatch *b) {
        safe_close(b->fd);
        free(b->buf);
        free(b->ends);
        *b = (JournalBatch) { .fd = -EBADF };
}

/* 0 when sent (or when journald is not there: then nothing can be logged), else -errno. */
static int send_datagram(JournalBatch *b, const char *data, size_t len) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int delay = RETRY_MIN_MS, waited = 0;

        (void) strncpy(sa.sun_path, b->socket_path, sizeof(sa.sun_path) - 1);
        for (;;) {
                if (sendto(b->fd, data, len, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa)) >= 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                /* No journald (yet, or while it restarts: its socket is gone or refuses). */
                if (errno == ENOENT || errno == ECONNREFUSED)
                        return 0;
                if (errno != EAGAIN && errno != ENOBUFS)
                        return -errno;
                /* A busy journald must not cost a line: wait and retry. */
                (void) poll(NULL, 0, delay);
                waited += delay;
                delay = MIN(delay * 2, RETRY_MAX_MS);
                if (waited >= RETRY_WARN_MS && !b->warned) {
                        log_warning("journald has been busy for %d s, container output waits.", waited / 1000);
                        b->warned = true;
                }
        }
}

void journal_batch_flush(JournalBatch *b) {
        int r;

        if (b->n_entries == 0)
                return;
        r = send_datagram(b, b->buf, b->len);
        if (r == -EMSGSIZE) {
                /* A kernel that takes smaller datagrams than we asked for: one entry each. */
                r = 0;
                for (size_t i = 0, start = 0; i < b->n_entries; start = b->ends[i++]) {
                        int k = send_datagram(b, b->buf + start, b->ends[i] - start);

                        if (k < 0 && r == 0)
                                r = k;
                }
        }
        if (r < 0 && !b->warned) {
                log_warning_errno(r, "Failed to send container output to the journal, ignoring: %m");
                b->warned = true;
        }
        b->len = 0;
        b->n_entries = 0;
}

static void append(JournalBatch *b, const void *p, size_t n) {
        memcpy(b->buf + b->len, p, n);
        b->len += n;
}

/* "NAME\n" + little-endian 64-bit length + value + "\n": safe for any bytes in value. */
static void append_binary(JournalBatch *b, const char *name, const char *value, size_t n) {
        uint64_t le = htole64((uint64_t) n);

        append(b, name, strlen(name));
        append(b, "\n", 1);
        append(b, &le, sizeof(le));
        append(b, value, n);
        append(b, "\n", 1);
}

/* One field in the native protocol, text form unless the value holds a newline. */
static int serialize_field(char **buf, size_t *len, const char *f) {
        const char *eq = strchr(f, '=');
        size_t name_len = (size_t) (eq - f), value_len = strlen(eq + 1);
        bool binary = strchr(eq + 1, '\n');
        size_t n = binary ? name_len + 1 + 8 + value_len + 1 : strlen(f) + 1;
        char *p = realloc(*buf, *len + n);

        if (!p)
                return -ENOMEM;
        *buf = p;
        p += *len;
        if (binary) {
                uint64_t le = htole64((uint64_t) value_len);

                memcpy(p, f, name_len);
                p[name_len] = '\n';
                memcpy(p + name_len + 1, &le, 8);
                memcpy(p + name_len + 9, eq + 1, value_len);
                p[n - 1] = '\n';
        } else {
                memcpy(p, f, n - 1);
                p[n - 1] = '\n';
        }
        *len += n;
        return 0;
}

int journal_sink_init(JournalSink *s, JournalBatch *b, const JournalFields *f, int priority) {
        const char *fields[] = { f->container_name, f->container_id, f->container_id_full, f->image_name,
                                 f->syslog_identifier, f->container_tag, f->object_unit, f->caller_unit };
        char prio[] = "PRIORITY=X";
        int r;

        *s = (JournalSink) { .batch = b };
        prio[9] = (char) ('0' + (priority & 7));
        r = serialize_field(&s->fields, &s->fields_len, prio);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fields); i++)
                if (fields[i])
                        r = serialize_field(&s->fields, &s->fields_len, fields[i]);
        if (r >= 0 && s->fields_len + ENTRY_OVERHEAD + LOG_LINE_MAX > JOURNAL_BATCH_MAX)
                r = -E2BIG;
        if (r < 0)
                journal_sink_done(s);
        return r;
}

void journal_sink_done(JournalSink *s) {
        free(s->fields);
        *s = (JournalSink) {};
}

void journal_send_line(char *line, size_t len, bool partial, void *userdata) {
        JournalSink *sink = userdata;
        JournalBatch *b = sink->batch;

        if (sink->strip_cr && !partial && len > 0 && line[len - 1] == '\r')
                len--;
        if (b->len + ENTRY_OVERHEAD + len + sink->fields_len > JOURNAL_BATCH_MAX ||
            b->n_entries >= JOURNAL_BATCH_MAX / 16)
                journal_batch_flush(b);
        append_binary(b, "MESSAGE", line, len);
        append(b, sink->fields, sink->fields_len);
        if (partial)
                append(b, PARTIAL_FIELD, strlen(PARTIAL_FIELD));
        append(b, "\n", 1); /* the entry separator */
        b->ends[b->n_entries++] = b->len;
}
