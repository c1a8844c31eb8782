/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test.h"
#include "utf8.h"

TEST(utf8_valid) {
        ASSERT_TRUE(utf8_is_valid(""));
        ASSERT_TRUE(utf8_is_valid("plain ascii"));
        ASSERT_TRUE(utf8_is_valid("caf\xc3\xa9"));                 /* é */
        ASSERT_TRUE(utf8_is_valid("\xe2\x80\xa6"));                /* … */
        ASSERT_TRUE(utf8_is_valid("\xf0\x9f\x90\xb4"));            /* U+1F434 */
        ASSERT_TRUE(utf8_is_valid("\xf4\x8f\xbf\xbf"));            /* U+10FFFF */
        ASSERT_FALSE(utf8_is_valid(NULL));
        return 0;
}

TEST(utf8_invalid) {
        ASSERT_FALSE(utf8_is_valid("\xff"));
        ASSERT_FALSE(utf8_is_valid("\x80"));                       /* lone continuation */
        ASSERT_FALSE(utf8_is_valid("\xc3"));                       /* truncated */
        ASSERT_FALSE(utf8_is_valid("\xe2\x80"));                   /* truncated */
        ASSERT_FALSE(utf8_is_valid("\xc0\xaf"));                   /* overlong '/' */
        ASSERT_FALSE(utf8_is_valid("\xe0\x80\xaf"));               /* overlong '/' */
        ASSERT_FALSE(utf8_is_valid("\xf0\x80\x80\xaf"));           /* overlong '/' */
        ASSERT_FALSE(utf8_is_valid("\xed\xa0\x80"));               /* surrogate U+D800 */
        ASSERT_FALSE(utf8_is_valid("\xf4\x90\x80\x80"));           /* U+110000 */
        ASSERT_FALSE(utf8_is_valid("\xc3\x28"));                   /* bad continuation */
        ASSERT_FALSE(utf8_is_valid_n("a\0b", 3));                  /* NUL is not allowed on the bus */
        ASSERT_TRUE(utf8_is_valid_n("ab", 2));
        return 0;
}

TEST(utf8_width) {
        ASSERT_EQ(utf8_console_width(""), 0);
        ASSERT_EQ(utf8_console_width("abc"), 3);
        ASSERT_EQ(utf8_console_width("caf\xc3\xa9"), 4);
        ASSERT_EQ(utf8_console_width("\xe2\x80\xa6x"), 2);
        return 0;
}
