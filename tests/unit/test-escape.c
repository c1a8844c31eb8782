/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "escape.h"
#include "test.h"

static const char *esc(const char *s, EscapeFlags flags) {
        static char buf[256];

        escape_terminal_buf(s, buf, sizeof(buf), flags);
        return buf;
}

static const char *esc_write(const char *s, size_t n, EscapeFlags flags) {
        static char buf[256];
        FILE *f = fmemopen(buf, sizeof(buf), "w");

        escape_terminal_write(f, s, n, flags);
        fclose(f);
        return buf;
}

TEST(escape_plain_text_unchanged) {
        ASSERT_STREQ(esc("hello world\tcaf\xc3\xa9 \xe2\x80\xa6 \\x1b", 0), "hello world\tcaf\xc3\xa9 \xe2\x80\xa6 \\x1b");
        ASSERT_FALSE(escape_terminal_needed("plain\ttext \xc3\xa9", 13, 0));
        return 0;
}

TEST(escape_terminal_sequences) {
        /* OSC 52 (clipboard), a screen clear, a window title: shown, not obeyed. */
        ASSERT_STREQ(esc("\x1b]52;c;ZXZpbA==\x07", 0), "\\x1b]52;c;ZXZpbA==\\x07");
        ASSERT_STREQ(esc("\x1b[2J\x1b[H", 0), "\\x1b[2J\\x1b[H");
        ASSERT_STREQ(esc("\x1b]0;pwned\x1b\\", 0), "\\x1b]0;pwned\\x1b\\");
        /* 8-bit C1 controls, as a code point and as a raw byte; DEL; invalid UTF-8. */
        ASSERT_STREQ(esc("\xc2\x9b" "2J", 0), "\\x9b2J");
        ASSERT_STREQ(esc("\x9b" "2J", 0), "\\x9b2J");
        ASSERT_STREQ(esc("a\x7f" "b\xff", 0), "a\\x7fb\\xff");
        ASSERT_TRUE(escape_terminal_needed("\x1b", 1, 0));
        return 0;
}

TEST(escape_newlines) {
        ASSERT_STREQ(esc("name\nforged line\r", 0), "name\\nforged line\\r");
        ASSERT_STREQ(esc("two\nlines", ESCAPE_KEEP_NEWLINE), "two\nlines");
        ASSERT_FALSE(escape_terminal_needed("two\nlines", 9, ESCAPE_KEEP_NEWLINE));
        return 0;
}

TEST(escape_write_binary) {
        /* NUL bytes and a message cut in the middle of a UTF-8 sequence. */
        ASSERT_STREQ(esc_write("a\0b\xc3", 4, 0), "a\\x00b\\xc3");
        ASSERT_STREQ(esc_write("x\x1b[31mred", 9, 0), "x\\x1b[31mred");
        return 0;
}

TEST(escape_buf_truncates) {
        char small[8];

        escape_terminal_buf("\x1b\x1b\x1b", small, sizeof(small), 0);
        ASSERT_STREQ(small, "\\x1b"); /* never half an escape */
        return 0;
}
