/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's line splitter: lines, over-long lines in pieces, a last line without newline, the
 * tee copy, all through a real pipe. */
#include <fcntl.h>
#include <signal.h>

#include "log-stream.h"
#include "test.h"

#define PIECES_MAX 1024

typedef struct Pieces {
        char *text[PIECES_MAX];
        size_t len[PIECES_MAX];
        bool partial[PIECES_MAX];
        size_t n;
        bool overflow;
} Pieces;

static void pieces_free(Pieces *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->text[i]);
        *p = (Pieces) {};
}

/* Records each piece, and scribbles over the headroom as the journal sink does. */
static void record_sink(char *line, size_t len, bool partial, void *userdata) {
        Pieces *p = userdata;

        memset(line - LOG_STREAM_HEADROOM, '#', LOG_STREAM_HEADROOM);
        if (p->n >= PIECES_MAX) {
                p->overflow = true;
                return;
        }
        p->text[p->n] = strndup(line, len);
        p->len[p->n] = len;
        p->partial[p->n] = partial;
        p->n++;
}

/* Feeds data through a pipe in chunks of chunk bytes, then closes it (EOF). */
static int feed(LogStream *s, int pipe_fds[2], const char *data, size_t n, size_t chunk) {
        for (size_t off = 0; off < n; off += chunk) {
                size_t k = MIN(chunk, n - off);

                if (write(pipe_fds[1], data + off, k) != (ssize_t) k)
                        return -errno;
                while (log_stream_read(s) > 0)
                        ;
        }
        close(pipe_fds[1]);
        while (log_stream_read(s) > 0)
                ;
        return s->fd < 0 ? 0 : -EBUSY; /* must have seen EOF */
}

static int run(const char *data, size_t n, size_t chunk, Pieces *p, int tee_fd) {
        static LogStream s; /* 16 KiB: not on the stack */
        int fds[2];

        *p = (Pieces) {};
        if (pipe2(fds, O_CLOEXEC) < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        log_stream_init(&s, "stdout", fds[0], tee_fd, record_sink, p);
        return feed(&s, fds, data, n, chunk);
}

static char *repeat(char c, size_t n, bool newline) {
        char *s = malloc(n + 2);

        memset(s, c, n);
        s[n] = '\n';
        s[n + newline] = 0;
        return s;
}

TEST(lines) {
        static const char text[] = "a\nbb\n\nccc";
        Pieces p;

        for (size_t chunk = 1; chunk <= sizeof(text); chunk++) {
                ASSERT_OK(run(text, strlen(text), chunk, &p, -1));
                ASSERT_EQ(p.n, 4);
                ASSERT_STREQ(p.text[0], "a");
                ASSERT_STREQ(p.text[1], "bb");
                ASSERT_STREQ(p.text[2], "");
                ASSERT_STREQ(p.text[3], "ccc");
                ASSERT_TRUE(!p.partial[0] && !p.partial[1] && !p.partial[2]);
                ASSERT_TRUE(p.partial[3]); /* no newline at the end */
                pieces_free(&p);
        }
        return 0;
}

TEST(exactly_one_piece) {
        _cleanup_free_ char *line = repeat('x', LOG_LINE_MAX, true);
        Pieces p;

        ASSERT_OK(run(line, strlen(line), 4096, &p, -1));
        ASSERT_EQ(p.n, 1);
        ASSERT_EQ(p.len[0], LOG_LINE_MAX);
        ASSERT_FALSE(p.partial[0]);
        pieces_free(&p);
        return 0;
}

TEST(one_byte_over) {
        _cleanup_free_ char *line = repeat('x', LOG_LINE_MAX + 1, true);
        Pieces p;

        ASSERT_OK(run(line, strlen(line), 65536, &p, -1));
        ASSERT_EQ(p.n, 2);
        ASSERT_EQ(p.len[0], LOG_LINE_MAX);
        ASSERT_TRUE(p.partial[0]);
        ASSERT_STREQ(p.text[1], "x");
        ASSERT_FALSE(p.partial[1]);
        pieces_free(&p);
        return 0;
}

TEST(long_line_in_pieces) {
        _cleanup_free_ char *data = NULL;
        size_t n = 100000;
        Pieces p;

        /* A 100000-byte line then a short one, in chunks that do not line up with pieces. */
        data = malloc(n + 8);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) ('a' + i % 26);
        memcpy(data + n, "\nend\n", 6);
        ASSERT_OK(run(data, n + 5, 7000, &p, -1));
        ASSERT_EQ(p.n, 8);
        for (size_t i = 0; i < 6; i++) {
                ASSERT_EQ(p.len[i], LOG_LINE_MAX);
                ASSERT_TRUE(p.partial[i]);
                ASSERT_TRUE(memcmp(p.text[i], data + i * LOG_LINE_MAX, LOG_LINE_MAX) == 0);
        }
        ASSERT_EQ(p.len[6], n - 6 * LOG_LINE_MAX);
        ASSERT_FALSE(p.partial[6]);
        ASSERT_TRUE(memcmp(p.text[6], data + 6 * LOG_LINE_MAX, p.len[6]) == 0);
        ASSERT_STREQ(p.text[7], "end");
        ASSERT_FALSE(p.partial[7]);
        pieces_free(&p);
        return 0;
}

TEST(long_output_without_newline) {
        _cleanup_free_ char *data = repeat('y', 40000, false);
        Pieces p;

        ASSERT_OK(run(data, 40000, 65536, &p, -1));
        ASSERT_EQ(p.n, 3);
        ASSERT_EQ(p.len[0], LOG_LINE_MAX);
        ASSERT_EQ(p.len[1], LOG_LINE_MAX);
        ASSERT_EQ(p.len[2], 40000 - 2 * LOG_LINE_MAX);
        ASSERT_TRUE(p.partial[0] && p.partial[1] && p.partial[2]);
        pieces_free(&p);
        return 0;
}

TEST(many_lines_in_order) {
        _cleanup_free_ char *data = malloc(60 * 8);
        size_t n = 0;
        Pieces p;

        for (int i = 0; i < 60; i++)
                n += (size_t) sprintf(data + n, "%d\n", i);
        ASSERT_OK(run(data, n, 13, &p, -1));
        ASSERT_EQ(p.n, 60);
        for (size_t i = 0; i < 60; i++)
                ASSERT_EQ(atoi(p.text[i]), i);
        pieces_free(&p);
        return 0;
}

TEST(tee_gets_every_byte) {
        _cleanup_free_ char *data = malloc(50000);
        char copy[50001];
        size_t got = 0;
        int tee[2];
        ssize_t k;
        Pieces p;

        for (size_t i = 0; i < 50000; i++)
                data[i] = i % 100 == 99 ? '\n' : (char) ('0' + i % 10);
        ASSERT_OK(pipe2(tee, O_CLOEXEC));
        ASSERT_OK(fcntl(tee[1], F_SETPIPE_SZ, 1024 * 1024));
        ASSERT_OK(run(data, 50000, 3000, &p, tee[1]));
        ASSERT_EQ(p.n, 500);
        pieces_free(&p);
        ASSERT_OK(fcntl(tee[0], F_SETFL, O_NONBLOCK));
        while (got < sizeof(copy) && (k = read(tee[0], copy + got, sizeof(copy) - got)) > 0)
                got += (size_t) k;
        ASSERT_EQ(got, 50000);
        ASSERT_TRUE(memcmp(copy, data, 50000) == 0);
        close(tee[0]);
        return 0;
}

TEST(tee_reader_gone) {
        static const char text[] = "still\nlogged\n";
        int tee[2];
        Pieces p;

        (void) signal(SIGPIPE, SIG_IGN);
        ASSERT_OK(pipe2(tee, O_CLOEXEC));
        close(tee[0]); /* EPIPE: the copy stops, the lines do not */
        ASSERT_OK(run(text, strlen(text), 1, &p, tee[1]));
        ASSERT_EQ(p.n, 2);
        ASSERT_STREQ(p.text[1], "logged");
        pieces_free(&p);
        return 0;
}
