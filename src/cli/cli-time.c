/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cli-time.h"

/* ".123456789" → µs (extra digits are ignored, as they are below our resolution). Returns the end. */
static const char *parse_fraction(const char *p, uint64_t *ret_usec) {
        uint64_t v = 0;
        int digits = 0;

        *ret_usec = 0;
        if (*p != '.')
                return p;
        p++;
        if (!isdigit((unsigned char) *p))
                return NULL;
        for (; isdigit((unsigned char) *p); p++)
                if (digits < 6) {
                        v = v * 10 + (uint64_t) (*p - '0');
                        digits++;
                }
        for (; digits < 6; digits++)
                v *= 10;
        *ret_usec = v;
        return p;
}

static int parse_epoch(const char *s, uint64_t *ret_usec) {
        uint64_t sec = 0, frac;
        const char *p = s;

        for (; isdigit((unsigned char) *p); p++) {
                if (sec > (UINT64_MAX / USEC_PER_SEC - 10) / 10)
                        return -ERANGE;
                sec = sec * 10 + (uint64_t) (*p - '0');
        }
        if (p == s)
                return -EINVAL;
        p = parse_fraction(p, &frac);
        if (!p || *p)
                return -EINVAL;
        *ret_usec = sec * USEC_PER_SEC + frac;
        return 0;
}

/* "1h30m", "10m", "45s", "500ms", "3d": a duration, each number followed by its unit. */
static int parse_relative(const char *s, uint64_t *ret_usec) {
        static const struct {
                const char *unit;
                uint64_t usec;
        } units[] = {
                /* Longest first, so "ms" and "min" are not read as "m" + garbage. */
                { "min", 60 * USEC_PER_SEC }, { "ms", USEC_PER_MSEC }, { "us", 1 },
                { "d", 24 * 3600 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC },
                { "m", 60 * USEC_PER_SEC }, { "s", USEC_PER_SEC },
        };
        uint64_t total = 0;
        const char *p = s;

        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        while (*p) {
                uint64_t v = 0;
                size_t i;

                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                for (; isdigit((unsigned char) *p); p++) {
                        if (v > UINT64_MAX / 100)
                                return -ERANGE;
                        v = v * 10 + (uint64_t) (*p - '0');
                }
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (strneq(p, units[i].unit, strlen(units[i].unit)))
                                break;
                if (i >= ELEMENTSOF(units))
                        return -EINVAL; /* a bare number here is an epoch, not a duration */
                p += strlen(units[i].unit);
                if (v > (UINT64_MAX - total) / units[i].usec)
                        return -ERANGE;
                total += v * units[i].usec;
        }
        *ret_usec = total;
        return 0;
}

static int parse_date(const char *s, uint64_t *ret_usec) {
        struct tm tm = { .tm_isdst = -1 };
        uint64_t frac = 0;
        const char *p;
        bool utc = false;
        long offset = 0;
        time_t t;

        p = strptime(s, "%Y-%m-%d", &tm);
        if (!p)
                return -EINVAL;
        if (*p == ' ' || *p == 'T') {
                p = strptime(p + 1, "%H:%M:%S", &tm);
                if (!p)
                        return -EINVAL;
                p = parse_fraction(p, &frac);
                if (!p)
                        return -EINVAL;
        }
        if (*p == 'Z') {
                utc = true;
                p++;
        } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
                /* RFC 3339's numeric offset, "+01:00": the time is UTC once it is taken off. */
                unsigned hh, mm;
                char sign = *p;

                if (sscanf(p + 1, "%2u:%2u", &hh, &mm) != 2 || hh > 23 || mm > 59)
                        return -EINVAL;
                offset = (long) (hh * 3600 + mm * 60) * (sign == '+' ? 1 : -1);
                utc = true;
                p += 6;
        }
        if (*p)
                return -EINVAL;

        t = utc ? timegm(&tm) : mktime(&tm);
        if (t != (time_t) -1)
                t -= offset;
        if (t == (time_t) -1 || t < 0)
                return -ERANGE;
        *ret_usec = (uint64_t) t * USEC_PER_SEC + frac;
        return 0;
}

int parse_since(const char *s, uint64_t now_usec, uint64_t *ret_usec) {
        uint64_t v;
        int r;

        if (isempty(s))
                return -EINVAL;

        r = parse_epoch(s, &v);
        if (r != -EINVAL) {
                if (r >= 0)
                        *ret_usec = v;
                return r;
        }
        r = parse_relative(s, &v);
        if (r != -EINVAL) {
                if (r < 0)
                        return r;
                if (v > now_usec)
                        return -ERANGE;
                *ret_usec = now_usec - v;
                return 0;
        }
        r = parse_date(s, &v);
        if (r >= 0)
                *ret_usec = v;
        return r;
}

char *format_human_duration(char buf[static HUMAN_DURATION_MAX], uint64_t usec) {
        uint64_t seconds = usec / USEC_PER_SEC, minutes = seconds / 60;
        uint64_t hours = (usec + 1800 * USEC_PER_SEC) / (3600 * USEC_PER_SEC); /* rounded, as Docker */

        if (seconds < 1)
                snprintf(buf, HUMAN_DURATION_MAX, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, HUMAN_DURATION_MAX, "1 second");
        else if (seconds < 60)
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " seconds", seconds);
        else if (minutes == 1)
                snprintf(buf, HUMAN_DURATION_MAX, "About a minute");
        else if (minutes < 60)
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " minutes", minutes);
        else if (hours == 1)
                snprintf(buf, HUMAN_DURATION_MAX, "About an hour");
        else if (hours < 48)
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " hours", hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " days", hours / 24);
        else if (hours < 24 * 30 * 2)
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " weeks", hours / 24 / 7);
        else if (hours < 24 * 365 * 2)
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " months", hours / 24 / 30);
        else
                snprintf(buf, HUMAN_DURATION_MAX, "%" PRIu64 " years",
                         usec / USEC_PER_SEC / (365 * 24 * 3600));
        return buf;
}

char *format_timestamp_iso(char buf[static TIMESTAMP_ISO_MAX], uint64_t usec) {
        time_t sec = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;
        size_t n;

        if (!gmtime_r(&sec, &tm)) {
                snprintf(buf, TIMESTAMP_ISO_MAX, "n/a");
                return buf;
        }
        n = strftime(buf, TIMESTAMP_ISO_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, TIMESTAMP_ISO_MAX - n, ".%06" PRIu64 "Z", usec % USEC_PER_SEC);
        return buf;
}
