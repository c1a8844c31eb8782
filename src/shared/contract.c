/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "contract.h"
#include "parse-util.h"
#include "string-table.h"

static const char *const sync_message_type_table[_SYNC_MESSAGE_TYPE_MAX] = {
        [SYNC_MESSAGE_OK] = "OK",
        [SYNC_MESSAGE_ERR] = "ERR",
        [SYNC_MESSAGE_FAIL] = "FAIL",
        [SYNC_MESSAGE_EXIT] = "EXIT",
};

DEFINE_STRING_TABLE_LOOKUP(sync_message_type, SyncMessageType, _SYNC_MESSAGE_TYPE_MAX);

static bool errno_is_valid(int e) {
        return e > 0 && e <= 4095;
}

ssize_t sync_message_format(const SyncMessage *m, char *buf, size_t size) {
        const char *word = sync_message_type_to_string(m->type);
        size_t n;
        int k;

        if (!word || size < 32)
                return -EINVAL;
        switch (m->type) {
        case SYNC_MESSAGE_OK:
                if (m->pid <= 0)
                        return -EINVAL;
                k = snprintf(buf, size, "OK %d\n", (int) m->pid);
                break;
        case SYNC_MESSAGE_EXIT:
                if (m->status < 0 || m->status > 255)
                        return -EINVAL;
                k = snprintf(buf, size, "EXIT %d\n", m->status);
                break;
        default:
                if (!errno_is_valid(m->error))
                        return -EINVAL;
                /* Cut to one line of at most SYNC_LINE_MAX bytes, whatever the buffer. */
                k = snprintf(buf, MIN(size, (size_t) SYNC_LINE_MAX), "%s %d %s", word, m->error,
                             strempty(m->message));
                if (k < 0)
                        return -EINVAL;
                n = MIN((size_t) k, MIN(size, (size_t) SYNC_LINE_MAX) - 2);
                for (size_t i = 0; i < n; i++)
                        if ((unsigned char) buf[i] < ' ' || buf[i] == 0x7f)
                                buf[i] = ' ';
                buf[n] = '\n';
                buf[n + 1] = 0;
                return (ssize_t) n + 1;
        }
        if (k < 0 || (size_t) k >= size)
                return -EINVAL;
        return k;
}

/* "<errno>" or "<errno> <message>" */
static int parse_error(const char *p, SyncMessage *m) {
        char num[8];
        size_t n = strcspn(p, " ");
        int v;

        if (n == 0 || n >= sizeof(num))
                return -EBADMSG;
        memcpy(num, p, n);
        num[n] = 0;
        if (safe_atoi(num, &v) < 0 || !errno_is_valid(v))
                return -EBADMSG;
        m->error = v;
        m->message = p[n] == ' ' ? p + n + 1 : p + n;
        return 0;
}

int sync_message_parse(const char *line, SyncMessage *ret) {
        SyncMessage m = {};
        const char *space = strchr(line, ' ');
        char word[8];
        int v, r;

        if (!space || (size_t) (space - line) >= sizeof(word) || strlen(line) >= SYNC_LINE_MAX)
                return -EBADMSG;
        memcpy(word, line, (size_t) (space - line));
        word[space - line] = 0;
        m.type = sync_message_type_from_string(word);
        switch (m.type) {
        case SYNC_MESSAGE_OK:
                r = safe_atoi(space + 1, &v);
                if (r < 0 || v <= 0)
                        return -EBADMSG;
                m.pid = v;
                break;
        case SYNC_MESSAGE_EXIT:
                r = safe_atoi(space + 1, &v);
                if (r < 0 || v < 0 || v > 255)
                        return -EBADMSG;
                m.status = v;
                break;
        case SYNC_MESSAGE_ERR:
        case SYNC_MESSAGE_FAIL:
                r = parse_error(space + 1, &m);
                if (r < 0)
                        return r;
                break;
        default:
                return -EBADMSG;
        }
        *ret = m;
        return 0;
}

static void sync_reader_compact(SyncReader *r) {
        if (r->consumed == 0)
                return;
        r->len -= r->consumed;
        memmove(r->buf, r->buf + r->consumed, r->len);
        r->buf[r->len] = 0;
        r->consumed = 0;
}

int sync_reader_read(SyncReader *r, int fd) {
        ssize_t n;

        sync_reader_compact(r);
        if (r->len >= SYNC_LINE_MAX) {
                r->len = 0;
                return -EMSGSIZE;
        }
        do
                n = recv(fd, r->buf + r->len, SYNC_LINE_MAX - r->len, MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        r->len += (size_t) n;
        r->buf[r->len] = 0;
        return n > 0;
}

const char *sync_reader_next(SyncReader *r) {
        char *nl;

        sync_reader_compact(r);
        nl = memchr(r->buf, '\n', r->len);
        if (!nl)
                return NULL;
        *nl = 0;
        r->consumed = (size_t) (nl - r->buf) + 1;
        return r->buf;
}

int schema_version_add(json_object *o, unsigned version) {
        json_object *v = json_object_new_int64(version);

        if (!v || json_object_object_add(o, SCHEMA_VERSION_KEY, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int schema_version_check(json_object *o, unsigned supported) {
        json_object *v;
        int64_t version;

        if (!json_object_object_get_ex(o, SCHEMA_VERSION_KEY, &v))
                return 0; /* written before versions existed: version 1 */
        if (!json_object_is_type(v, json_type_int))
                return -EBADMSG;
        version = json_object_get_int64(v);
        if (version < 1)
                return -EBADMSG;
        if ((uint64_t) version > supported)
                return -EPROTONOSUPPORT;
        return 0;
}

ssize_t attach_request_format(unsigned mask, char *buf, size_t size) {
        int n;

        if ((mask & ~(unsigned) _ATTACH_STREAM_ALL) || !(mask & ATTACH_STREAM_RESIZE))
                return -EINVAL;
        n = snprintf(buf, size, "ATTACH %u\n", mask);
        if (n < 0 || (size_t) n >= size)
                return -ENOBUFS;
        return n;
}

int attach_request_parse(const char *msg, size_t len, unsigned *ret_mask) {
        unsigned mask = 0;
        size_t i = strlen("ATTACH ");

        if (len > 0 && msg[len - 1] == '\n')
                len--;
        if (len <= i || len > i + 2 || memcmp(msg, "ATTACH ", i) != 0)
                return -EBADMSG;
        for (; i < len; i++) {
                if (msg[i] < '0' || msg[i] > '9')
                        return -EBADMSG;
                mask = mask * 10 + (unsigned) (msg[i] - '0');
        }
        /* The resize pipe is the client's lifeline: without it a detach could not be seen. */
        if ((mask & ~(unsigned) _ATTACH_STREAM_ALL) || !(mask & ATTACH_STREAM_RESIZE))
                return -EBADMSG;
        *ret_mask = mask;
        return 0;
}

unsigned attach_mask_count(unsigned mask) {
        return (unsigned) __builtin_popcount(mask & (unsigned) _ATTACH_STREAM_ALL);
}
