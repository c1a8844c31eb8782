/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macros.h"

/* One logging path for every binary. drayd and dray-monitor log to stderr (the journal picks it up,
 * with the priority prefix "<N>" when log_set_prefix_priority(true)); the CLI logs to stderr
 * plainly. Library code (shared, image, network, runtime) only ever uses log_debug*. */

typedef enum LogTarget {
        LOG_TARGET_CONSOLE, /* plain text to stderr */
        LOG_TARGET_KMSG_PREFIX, /* "<N>text" on stderr, for journald's stream protocol */
} LogTarget;

void log_set_target(LogTarget t);
void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_program_name(const char *name);
/* Hands every message (after formatting and escaping) to sink instead of stderr: dray-generator sends
 * its messages to the kernel log or the journal, and reads a parser's reason back. NULL: stderr. */
typedef void (*LogSink)(int level, const char *message, void *userdata);
void log_set_sink(LogSink sink, void *userdata);
void log_get_sink(LogSink *ret_sink, void **ret_userdata);
int log_parse_level(const char *s);
const char *log_level_to_string(int level);

/* Returns -abs(error) (or 0 if error == 0), so "return log_error_errno(r, …);" works. %m expands to
 * strerror(error). */
int log_internal(int level, int error, const char *file, int line, const char *func, const char *fmt, ...)
        _printf_(6, 7);

#define log_full_errno(level, error, ...)                                                       \
        ({                                                                                      \
                int _l = (level), _e = (error);                                                 \
                _l <= log_get_max_level() ?                                                      \
                        log_internal(_l, _e, __FILE__, __LINE__, __func__, __VA_ARGS__) :       \
                        -(_e < 0 ? -_e : _e);                                                   \
        })
#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_notice_errno(e, ...) log_full_errno(LOG_NOTICE, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
