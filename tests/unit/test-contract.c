/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The drayd ↔ dray-monitor contract (contract.h): the encoder and the decoder against each other,
 * hostile lines, the line reader, and the schema versions of the files dray keeps. */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "contract.h"
#include "exit-record.h"
#include "json-util.h"
#include "spec.h"
#include "test.h"

static int roundtrip(const SyncMessage *in, SyncMessage *out, char *line) {
        ssize_t n = sync_message_format(in, line, SYNC_LINE_MAX);

        if (n <= 0 || line[n - 1] != '\n' || (size_t) n > SYNC_LINE_MAX || strchr(line, '\n') != line + n - 1)
                return -EINVAL;
        line[n - 1] = 0;
        return sync_message_parse(line, out);
}

TEST(sync_roundtrip) {
        char line[SYNC_LINE_MAX], long_message[2 * SYNC_LINE_MAX];
        SyncMessage m;

        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_OK, .pid = 4242 }, &m, line));
        ASSERT_EQ(m.type, SYNC_MESSAGE_OK);
        ASSERT_EQ(m.pid, 4242);
        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_EXIT, .status = 0 }, &m, line));
        ASSERT_EQ(m.type, SYNC_MESSAGE_EXIT);
        ASSERT_EQ(m.status, 0);
        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_EXIT, .status = 255 }, &m, line));
        ASSERT_EQ(m.status, 255);
        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_ERR, .error = ENOENT,
                                             .message = "exec 'x': not found" }, &m, line));
        ASSERT_EQ(m.type, SYNC_MESSAGE_ERR);
        ASSERT_EQ(m.error, ENOENT);
        ASSERT_STREQ(m.message, "exec 'x': not found");
        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_FAIL, .error = EPROTONOSUPPORT }, &m, line));
        ASSERT_EQ(m.type, SYNC_MESSAGE_FAIL);
        ASSERT_EQ(m.error, EPROTONOSUPPORT);
        ASSERT_STREQ(m.message, "");

        /* Control characters cannot break the line; a long message is cut, not overflowed. */
        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_ERR, .error = EIO,
                                             .message = "two\nlines\r\tand\x7f" }, &m, line));
        ASSERT_STREQ(m.message, "two lines  and ");
        memset(long_message, 'a', sizeof(long_message) - 1);
        long_message[sizeof(long_message) - 1] = 0;
        ASSERT_OK(roundtrip(&(SyncMessage) { .type = SYNC_MESSAGE_ERR, .error = EIO, .message = long_message },
                            &m, line));
        ASSERT_TRUE(strlen(m.message) > 400 && strlen(m.message) < SYNC_LINE_MAX);

        /* What the decoder would refuse, the encoder does not write. */
        ASSERT_ERROR(sync_message_format(&(SyncMessage) { .type = SYNC_MESSAGE_OK }, line, sizeof(line)), EINVAL);
        ASSERT_ERROR(sync_message_format(&(SyncMessage) { .type = SYNC_MESSAGE_EXIT, .status = 256 }, line,
                                         sizeof(line)), EINVAL);
        ASSERT_ERROR(sync_message_format(&(SyncMessage) { .type = SYNC_MESSAGE_ERR }, line, sizeof(line)), EINVAL);
        ASSERT_ERROR(sync_message_format(&(SyncMessage) { .type = _SYNC_MESSAGE_TYPE_MAX, .pid = 1 }, line,
                                         sizeof(line)), EINVAL);
        return 0;
}

TEST(sync_parse_hostile) {
        static const char *const bad[] = {
                "", "OK", "OK ", "OK 0", "OK -5", "OK 12x", "OK 99999999999", "ERR x message",
                "ERR 0 message", "ERR 99999 message", "ERR ", "HELLO 1", "ok 1", "EXIT", "EXIT -1",
                "EXIT 256", "EXIT 1 2", "G", "FAIL", "FAIL  2", "OKAYOKAY 1", " OK 1",
        };
        SyncMessage m;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (sync_message_parse(bad[i], &m) != -EBADMSG) {
                        fprintf(stderr, "accepted '%s'\n", bad[i]);
                        return 1;
                }
        ASSERT_OK(sync_message_parse("ERR 13", &m));
        ASSERT_EQ(m.error, EACCES);
        ASSERT_STREQ(m.message, "");
        return 0;
}

TEST(sync_type_table) {
        for (int t = 0; t < _SYNC_MESSAGE_TYPE_MAX; t++) {
                ASSERT_TRUE(sync_message_type_to_string(t) != NULL);
                ASSERT_EQ(sync_message_type_from_string(sync_message_type_to_string(t)), t);
        }
        ASSERT_TRUE(sync_message_type_to_string(_SYNC_MESSAGE_TYPE_MAX) == NULL);
        ASSERT_TRUE(sync_message_type_to_string(-1) == NULL);
        ASSERT_EQ(sync_message_type_from_string("ok"), -EINVAL);
        ASSERT_EQ(sync_message_type_from_string(NULL), -EINVAL);
        return 0;
}

TEST(sync_reader) {
        SyncReader r = {};
        char big[SYNC_LINE_MAX + 8];
        int sv[2];

        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        ASSERT_EQ(sync_reader_read(&r, sv[0]), -EAGAIN);
        ASSERT_EQ(write(sv[1], "OK 1", 4), 4);
        ASSERT_EQ(sync_reader_read(&r, sv[0]), 1);
        ASSERT_TRUE(sync_reader_next(&r) == NULL);
        ASSERT_EQ(write(sv[1], "2\nERR 2 x\nEX", 12), 12);
        ASSERT_EQ(sync_reader_read(&r, sv[0]), 1);
        ASSERT_STREQ(sync_reader_next(&r), "OK 12");
        ASSERT_STREQ(sync_reader_next(&r), "ERR 2 x");
        ASSERT_TRUE(sync_reader_next(&r) == NULL);
        ASSERT_EQ(write(sv[1], "IT 0\n", 5), 5);
        ASSERT_EQ(sync_reader_read(&r, sv[0]), 1);
        ASSERT_STREQ(sync_reader_next(&r), "EXIT 0");

        /* A peer that never ends its line. */
        memset(big, 'x', sizeof(big));
        ASSERT_EQ(write(sv[1], big, sizeof(big)), (ssize_t) sizeof(big));
        ASSERT_EQ(sync_reader_read(&r, sv[0]), 1);
        ASSERT_TRUE(sync_reader_next(&r) == NULL);
        ASSERT_EQ(sync_reader_read(&r, sv[0]), -EMSGSIZE);
        close(sv[1]);
        ASSERT_EQ(sync_reader_read(&r, sv[0]), 1); /* the rest of the long line */
        ASSERT_EQ(sync_reader_read(&r, sv[0]), 0);
        close(sv[0]);
        return 0;
}

TEST(schema_versions) {
        _cleanup_json_ json_object *o = json_object_new_object();

        ASSERT_TRUE(o != NULL);
        ASSERT_OK(schema_version_check(o, 1)); /* before versions existed */
        ASSERT_OK(schema_version_add(o, 1));
        ASSERT_OK(schema_version_check(o, 1));
        ASSERT_OK(schema_version_add(o, 2));
        ASSERT_ERROR(schema_version_check(o, 1), EPROTONOSUPPORT);
        ASSERT_OK(schema_version_check(o, 2));
        json_object_object_add(o, SCHEMA_VERSION_KEY, json_object_new_string("1"));
        ASSERT_ERROR(schema_version_check(o, 1), EBADMSG);
        json_object_object_add(o, SCHEMA_VERSION_KEY, json_object_new_int(0));
        ASSERT_ERROR(schema_version_check(o, 1), EBADMSG);
        return 0;
}

/* The files themselves: a record written now reads back; one from a newer dray is refused. */
TEST(schema_files) {
        char dir[] = "/tmp/test-contract-XXXXXX";
        _cleanup_close_ int fd = -EBADF;
        _cleanup_json_ json_object *o = NULL;
        ExitRecord e = {};

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(exit_record_save(fd, &(ExitRecord) { .exit_status = 3, .finished_usec = 7 }));
        ASSERT_OK(json_read_file(fd, EXIT_RECORD_FILE, &o));
        ASSERT_OK(schema_version_check(o, EXIT_RECORD_SCHEMA_VERSION));
        ASSERT_TRUE(json_object_object_get_ex(o, SCHEMA_VERSION_KEY, NULL));
        ASSERT_OK(exit_record_load(fd, &e));
        ASSERT_EQ(e.exit_status, 3);
        exit_record_done(&e);

        ASSERT_OK(schema_version_add(o, EXIT_RECORD_SCHEMA_VERSION + 1));
        ASSERT_OK(json_write_atomic(fd, EXIT_RECORD_FILE, o));
        ASSERT_ERROR(exit_record_load(fd, &e), EPROTONOSUPPORT);

        json_object_put(o);
        o = json_tokener_parse("{\"" SCHEMA_VERSION_KEY "\": 99, \"id\": \"x\"}");
        ASSERT_TRUE(o != NULL);
        {
                ContainerSpec *s = NULL;
                ASSERT_ERROR(spec_from_json(o, &s), EPROTONOSUPPORT);
        }
        ASSERT_OK(unlinkat(fd, EXIT_RECORD_FILE, 0));
        ASSERT_OK(rmdir(dir));
        return 0;
}

TEST(attach_request) {
        char buf[SYNC_LINE_MAX];
        unsigned mask;
        ssize_t n;

        n = attach_request_format(ATTACH_STREAM_STDOUT | ATTACH_STREAM_RESIZE, buf, sizeof(buf));
        ASSERT_TRUE(n > 0);
        ASSERT_OK(attach_request_parse(buf, (size_t) n, &mask));
        ASSERT_EQ(mask, (unsigned) (ATTACH_STREAM_STDOUT | ATTACH_STREAM_RESIZE));
        ASSERT_EQ(attach_mask_count(mask), 2U);
        /* Without the lifeline, or with bits nobody knows: refused both ways. */
        ASSERT_TRUE(attach_request_format(ATTACH_STREAM_STDOUT, buf, sizeof(buf)) < 0);
        ASSERT_TRUE(attach_request_format(1U << 7, buf, sizeof(buf)) < 0);
        ASSERT_ERROR(attach_request_parse("ATTACH 1", 8, &mask), EBADMSG);
        ASSERT_ERROR(attach_request_parse("ATTACH 24", 9, &mask), EBADMSG);
        ASSERT_ERROR(attach_request_parse("ATTACH ", 7, &mask), EBADMSG);
        ASSERT_ERROR(attach_request_parse("ATTACH 8x", 9, &mask), EBADMSG);
        ASSERT_ERROR(attach_request_parse("ATTACH 008", 10, &mask), EBADMSG);
        ASSERT_ERROR(attach_request_parse("OK 8", 4, &mask), EBADMSG);
        ASSERT_OK(attach_request_parse("ATTACH 15\n", 10, &mask));
        ASSERT_EQ(mask, 15U);
        return 0;
}
