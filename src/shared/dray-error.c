/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dray-error.h"

static int negative(int error) {
        return error > 0 ? -error : error == 0 ? -EIO : error;
}

int dray_error_set(DrayError *e, int error, const char *fmt, ...) {
        va_list ap;

        if (!e || e->error != 0)
                return negative(error);
        e->error = -negative(error);
        va_start(ap, fmt);
        if (vasprintf(&e->message, fmt, ap) < 0)
                e->message = NULL;
        va_end(ap);
        return negative(error);
}

int dray_error_prefix(DrayError *e, int error, const char *fmt, ...) {
        _cleanup_free_ char *context = NULL;
        char *joined = NULL;
        va_list ap;

        if (!e)
                return negative(error);
        if (e->error == 0)
                e->error = -negative(error);
        va_start(ap, fmt);
        if (vasprintf(&context, fmt, ap) < 0)
                context = NULL;
        va_end(ap);
        if (!context)
                return negative(error);
        if (asprintf(&joined, "%s: %s", context, e->message ?: strerror(e->error)) < 0)
                return negative(error);
        free(e->message);
        e->message = joined;
        return negative(error);
}

const char *dray_error_message(const DrayError *e, int error) {
        if (e && e->message)
                return e->message;
        if (e && e->error != 0)
                return strerror(e->error);
        return strerror(-negative(error));
}

char *dray_error_take_message(DrayError *e) {
        char *m = e->message;

        *e = (DrayError) {};
        return m;
}

void dray_error_done(DrayError *e) {
        free(e->message);
        *e = (DrayError) {};
}
