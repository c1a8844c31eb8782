/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <string.h>

#include "escape.h"
#include "log.h"

static LogTarget log_target = LOG_TARGET_CONSOLE;
static int log_max_level = LOG_INFO;
static const char *log_program_name = NULL;
static LogSink log_sink = NULL;
static void *log_sink_userdata = NULL;

static const char *const level_names[] = {
        [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit", [LOG_ERR] = "err",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_set_target(LogTarget t) {
        log_target = t;
}

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

void log_set_sink(LogSink sink, void *userdata) {
        log_sink = sink;
        log_sink_userdata = userdata;
}

void log_get_sink(LogSink *ret_sink, void **ret_userdata) {
        *ret_sink = log_sink;
        *ret_userdata = log_sink_userdata;
}

void log_set_program_name(const char *name) {
        log_program_name = name;
}

const char *log_level_to_string(int level) {
        if (level < 0 || level >= (int) ELEMENTSOF(level_names))
                return NULL;
        return level_names[level];
}

int log_parse_level(const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (streq(s, level_names[i]))
                        return (int) i;
        return -EINVAL;
}

int log_internal(int level, int error, const char *file, int line, const char *func, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;

        /* Let %m expand to the error we were handed, not whatever errno happens to be. */
        errno = error;
        va_start(ap, fmt);
        (void) vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        /* Messages quote input (names, paths, what drayd answered): none of it may reach the terminal
         * or the journal as a control sequence or a line of its own. */
        if (escape_terminal_needed(buf, strlen(buf), 0)) {
                char escaped[sizeof(buf)];

                escape_terminal_buf(buf, escaped, sizeof(escaped), 0);
                memcpy(buf, escaped, sizeof(buf));
        }

        if (log_sink)
                log_sink(level, buf, log_sink_userdata);
        else if (log_target == LOG_TARGET_KMSG_PREFIX)
                fprintf(stderr, "<%i>%s\n", level, buf);
        else if (log_program_name)
                fprintf(stderr, "%s: %s\n", log_program_name, buf);
        else
                fprintf(stderr, "%s\n", buf);

        if (log_max_level >= LOG_DEBUG && level == LOG_DEBUG && log_target == LOG_TARGET_CONSOLE)
                (void) file, (void) line, (void) func;

        errno = saved;
        return -error;
}
