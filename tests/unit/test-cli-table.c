/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "table.h"
#include "test.h"

static char *print(Table *t) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);

        if (!f)
                return NULL;
        if (table_print(t, f) < 0) {
                fclose(f);
                free(buf);
                return NULL;
        }
        fclose(f);
        return buf;
}

TEST(table_layout) {
        static const char *const h[] = { "ID", "COMMAND", "NAMES" };
        _cleanup_(table_freep) Table *t = table_new(3, h);
        _cleanup_free_ char *out = NULL;

        ASSERT_TRUE(t);
        ASSERT_EQ(table_rows(t), 0);
        ASSERT_OK(table_add_row(t, (const char *const[]) { "abc", "\"sleep 1\"", "web" }));
        ASSERT_OK(table_add_row(t, (const char *const[]) { "d", "caf\xc3\xa9", NULL }));
        ASSERT_OK(table_add_row(t, (const char *const[]) { "e\nvil", "\x1b[2J", "x" }));
        ASSERT_OK(table_add_row(t, (const char *const[]) { "f", "\xc2\x9b" "2J", "y" }));
        ASSERT_EQ(table_rows(t), 4);
        out = print(t);
        ASSERT_TRUE(out);
        ASSERT_STREQ(out,
                     "ID      COMMAND     NAMES\n"
                     "abc     \"sleep 1\"   web\n"
                     "d       caf\xc3\xa9        \n"
                     "e?vil   ?[2J        x\n"
                     "f       ?2J         y\n");
        return 0;
}

TEST(ellipsize) {
        _cleanup_free_ char *a = ellipsize("short", 20), *b = ellipsize("0123456789abcdefghijXYZ", 20),
                            *c = ellipsize("\xc3\xa9\xc3\xa9\xc3\xa9", 2), *d = ellipsize(NULL, 3),
                            *e = ellipsize("abc", 0);

        ASSERT_STREQ(a, "short");
        ASSERT_STREQ(b, "0123456789abcdefghi\xe2\x80\xa6");
        ASSERT_STREQ(c, "\xc3\xa9\xe2\x80\xa6");
        ASSERT_STREQ(d, "");
        ASSERT_STREQ(e, "");
        return 0;
}
