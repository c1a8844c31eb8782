/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small test registry: TEST(name) { … } defines a test; ASSERT_* print the expression, file and
 * line and fail the test. main() runs them all; exit 77 (meson's "skip") when every test skipped. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_SKIP 77

typedef int (*test_func_t)(void);
typedef struct TestEntry {
        const char *name;
        test_func_t func;
} TestEntry;

#define TEST(n)                                                                                 \
        static int test_##n(void);                                                              \
        static const TestEntry test_entry_##n __attribute__((used, section("dray_tests"),       \
                                                              aligned(sizeof(void *)))) = {     \
                .name = #n, .func = test_##n,                                                   \
        };                                                                                      \
        static int test_##n(void)

#define ASSERT_TRUE(expr)                                                                       \
        do {                                                                                    \
                if (!(expr)) {                                                                  \
                        fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__,    \
                                #expr);                                                         \
                        return 1;                                                               \
                }                                                                               \
        } while (0)
#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))
#define ASSERT_OK(expr)                                                                         \
        do {                                                                                    \
                long _r = (long) (expr);                                                        \
                if (_r < 0) {                                                                   \
                        fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr,    \
                                strerror((int) -_r));                                           \
                        return 1;                                                               \
                }                                                                               \
        } while (0)
#define ASSERT_ERROR(expr, err)                                                                 \
        do {                                                                                    \
                long _r = (long) (expr);                                                        \
                if (_r != -(err)) {                                                             \
                        fprintf(stderr, "%s:%d: %s returned %ld, expected -%s\n", __FILE__,     \
                                __LINE__, #expr, _r, #err);                                     \
                        return 1;                                                               \
                }                                                                               \
        } while (0)
#define ASSERT_EQ(a, b)                                                                         \
        do {                                                                                    \
                long long _a = (long long) (a), _b = (long long) (b);                           \
                if (_a != _b) {                                                                 \
                        fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,     \
                                __LINE__, #a, #b, _a, _b);                                      \
                        return 1;                                                               \
                }                                                                               \
        } while (0)
#define ASSERT_STREQ(a, b)                                                                      \
        do {                                                                                    \
                const char *_a = (a), *_b = (b);                                                \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                        \
                        fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, \
                                __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");      \
                        return 1;                                                               \
                }                                                                               \
        } while (0)

extern const TestEntry __start_dray_tests[];
extern const TestEntry __stop_dray_tests[];

int main(int argc, char *argv[]) {
        int failed = 0, skipped = 0, total = 0;

        for (const TestEntry *t = __start_dray_tests; t < __stop_dray_tests; t++) {
                int r;

                if (argc > 1 && strcmp(argv[1], t->name) != 0)
                        continue;
                total++;
                r = t->func();
                if (r == TEST_SKIP) {
                        printf("SKIP %s\n", t->name);
                        skipped++;
                } else if (r != 0) {
                        printf("FAIL %s\n", t->name);
                        failed++;
                } else
                        printf("ok   %s\n", t->name);
        }
        if (failed)
                return 1;
        if (total > 0 && skipped == total)
                return TEST_SKIP;
        return 0;
}
