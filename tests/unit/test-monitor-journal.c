/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal batch: several entries per datagram in journald's native protocol, each with the
 * stream's fields, the message in binary-safe form, the partial marker, the empty-line separator,
 * flushed when full. A datagram socket of our own stands in for journald's. */
#include <endian.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

#include "log-stream.h"
#include "monitor-journal.h"
#include "test.h"

typedef struct Receiver {
        char dir[64];
        char path[100];
        int fd;
} Receiver;

static int receiver_open(Receiver *r) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        snprintf(r->dir, sizeof(r->dir), "/tmp/test-monitor-journal.XXXXXX");
        if (!mkdtemp(r->dir))
                return -errno;
        snprintf(r->path, sizeof(r->path), "%.64s/socket", r->dir);
        memcpy(sa.sun_path, r->path, strlen(r->path) + 1);
        r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (r->fd < 0 || bind(r->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return 0;
}

static void receiver_close(Receiver *r) {
        close(r->fd);
        unlink(r->path);
        rmdir(r->dir);
}

/* Counts the entries of one datagram and checks each has MESSAGE, PRIORITY and CONTAINER_NAME. */
static int count_entries(const char *p, size_t n, unsigned *ret_partial, char *first_message, size_t size) {
        unsigned entries = 0, partial = 0;
        bool message = false, priority = false, name = false;
        const char *end = p + n;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));

                if (!nl)
                        return -EBADMSG;
                if (nl == p) { /* separator */
                        if (!message || !priority || !name)
                                return -EBADMSG;
                        entries++;
                        message = priority = name = false;
                        p++;
                        continue;
                }
                if (!memchr(p, '=', (size_t) (nl - p))) { /* binary field */
                        uint64_t len;

                        memcpy(&len, nl + 1, 8);
                        len = le64toh(len);
                        if (nl + 9 + len >= end || nl[9 + len] != '\n')
                                return -EBADMSG;
                        if (strncmp(p, "MESSAGE\n", 8) == 0) {
                                if (entries == 0 && first_message)
                                        snprintf(first_message, size, "%.*s", (int) len, nl + 9);
                                message = true;
                        }
                        p = nl + 10 + len;
                        continue;
                }
                priority |= strncmp(p, "PRIORITY=", 9) == 0;
                name |= strncmp(p, "CONTAINER_NAME=box\n", 19) == 0;
                partial += strncmp(p, "CONTAINER_PARTIAL_MESSAGE=true\n", 31) == 0;
                p = nl + 1;
        }
        *ret_partial = partial;
        return (int) entries;
}

static ContainerSpec *test_spec(void) {
        ContainerSpec *s = spec_new();

        if (!s)
                return NULL;
        s->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        s->name = strdup("box");
        s->image = strdup("an image\nwith a newline");
        return s;
}

TEST(entries_share_a_datagram) {
        _cleanup_free_ char *buf = malloc(JOURNAL_BATCH_MAX + 1);
        char line[LOG_STREAM_HEADROOM + 64], first[64];
        JournalFields f;
        JournalBatch b;
        JournalSink out, err;
        ContainerSpec *s = test_spec();
        unsigned partial, total = 0, datagrams = 0;
        Receiver r;
        ssize_t n;
        int k;

        ASSERT_TRUE(s && buf);
        ASSERT_OK(receiver_open(&r));
        ASSERT_OK(journal_fields_init(&f, s, NULL));
        ASSERT_OK(journal_batch_init(&b, r.path));
        ASSERT_OK(journal_sink_init(&out, &b, &f, 6));
        ASSERT_OK(journal_sink_init(&err, &b, &f, 3));

        for (int i = 1; i <= 3; i++) {
                int len = snprintf(line + LOG_STREAM_HEADROOM, 64, "line %d", i);
                journal_send_line(line + LOG_STREAM_HEADROOM, (size_t) len, i == 3, i == 2 ? &err : &out);
        }
        journal_batch_flush(&b);
        n = recv(r.fd, buf, JOURNAL_BATCH_MAX, 0);
        ASSERT_TRUE(n > 0);
        k = count_entries(buf, (size_t) n, &partial, first, sizeof(first));
        ASSERT_EQ(k, 3);
        ASSERT_EQ(partial, 1U);
        ASSERT_STREQ(first, "line 1");
        /* Every entry names its unit for journalctl -u, whatever journald finds out about the sender. */
        ASSERT_TRUE(memmem(buf, (size_t) n, "OBJECT_SYSTEMD_UNIT=dray-box.scope\n", 35) != NULL);
        /* The image name holds a newline: it must travel in binary form, not break the entry. */
        ASSERT_TRUE(memmem(buf, (size_t) n, "IMAGE_NAME\n", 11) != NULL);
        ASSERT_TRUE(recv(r.fd, buf, JOURNAL_BATCH_MAX, 0) < 0 && errno == EAGAIN);

        /* Many lines: several full datagrams, none over the limit, nothing lost. A child sends (a full
         * socket queue blocks the sender, as journald's does), we receive. */
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                for (int i = 0; i < 5000; i++) {
                        int len = snprintf(line + LOG_STREAM_HEADROOM, 64, "%d", i);
                        journal_send_line(line + LOG_STREAM_HEADROOM, (size_t) len, false, &out);
                }
                journal_batch_flush(&b);
                _exit(0);
        }
        while (total < 5000) {
                struct pollfd p = { .fd = r.fd, .events = POLLIN };

                ASSERT_EQ(poll(&p, 1, 10000), 1);
                n = recv(r.fd, buf, JOURNAL_BATCH_MAX + 1, 0);
                ASSERT_TRUE(n > 0 && (size_t) n <= JOURNAL_BATCH_MAX);
                k = count_entries(buf, (size_t) n, &partial, first, sizeof(first));
                ASSERT_TRUE(k > 0);
                if (datagrams == 0)
                        ASSERT_STREQ(first, "0");
                total += (unsigned) k;
                datagrams++;
        }
        ASSERT_OK(waitpid(pid, NULL, 0) == pid ? 0 : -errno);
        ASSERT_EQ(total, 5000U);
        ASSERT_TRUE(datagrams > 1);

        journal_sink_done(&out);
        journal_sink_done(&err);
        journal_batch_done(&b);
        journal_fields_done(&f);
        spec_free(s);
        receiver_close(&r);
        return 0;
}
