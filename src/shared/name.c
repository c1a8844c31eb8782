/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "name.h"
#include "utf8.h"

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool container_name_is_valid(const char *name) {
        size_t n;

        if (isempty(name))
                return false;
        n = strlen(name);
        if (n > CONTAINER_NAME_MAX)
                return false;
        if (!is_alnum(name[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(name[i]) && name[i] != '.' && name[i] != '-' && name[i] != '_')
                        return false;
        return true;
}

static bool hex_run(const char *s, size_t min, size_t max) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n < min || n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_hex(s[i]))
                        return false;
        return true;
}

bool container_id_is_valid(const char *id) {
        return hex_run(id, CONTAINER_ID_LEN, CONTAINER_ID_LEN);
}

bool container_id_prefix_is_valid(const char *p) {
        return hex_run(p, CONTAINER_ID_PREFIX_MIN, CONTAINER_ID_LEN);
}

bool hostname_is_valid_simple(const char *s) {
        /* machined checks machine names with hostname_is_valid(): no '_', no empty label. */
        if (!container_name_is_valid(s) || strchr(s, '_') || strstr(s, ".."))
                return false;
        return s[strlen(s) - 1] != '.' && s[strlen(s) - 1] != '-';
}

const char *container_host_name(const char *name, const char *id, char buf[static CONTAINER_ID_SHORT_LEN + 1]) {
        if (hostname_is_valid_simple(name) || !id)
                return name;
        snprintf(buf, CONTAINER_ID_SHORT_LEN + 1, "%s", id);
        return buf;
}

int container_id_generate(char ret[static CONTAINER_ID_LEN + 1]) {
        uint8_t b[CONTAINER_ID_LEN / 2];
        ssize_t n;

        n = getrandom(b, sizeof(b), 0);
        if (n < 0)
                return -errno;
        if ((size_t) n != sizeof(b))
                return -EIO;
        for (size_t i = 0; i < sizeof(b); i++)
                sprintf(ret + 2 * i, "%02x", b[i]);
        ret[CONTAINER_ID_LEN] = 0;
        return 0;
}

int container_name_generate(char **ret) {
        static const char *const adjectives[] = {
                "amber", "brave", "calm", "dusty", "eager", "fancy", "gentle", "happy", "icy", "jolly",
                "keen", "lucky", "mellow", "noble", "olive", "proud", "quiet", "rapid", "sunny", "tidy",
        };
        static const char *const nouns[] = {
                "badger", "cart", "dray", "falcon", "heron", "lynx", "mule", "otter", "pony", "raven",
                "shire", "stoat", "wagon", "wren", "yak", "bison", "crane", "finch", "hare", "ibex",
        };
        uint32_t r[3];
        char *n;

        if (getrandom(r, sizeof(r), 0) != sizeof(r))
                return -EIO;
        if (asprintf(&n, "%s-%s-%04u", adjectives[r[0] % ELEMENTSOF(adjectives)],
                     nouns[r[1] % ELEMENTSOF(nouns)], r[2] % 10000) < 0)
                return -ENOMEM;
        *ret = n;
        return 0;
}

bool slice_name_is_valid(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n <= strlen(".slice") || n > 255 || !streq(s + n - strlen(".slice"), ".slice"))
                return false;
        n -= strlen(".slice");
        if (s[0] == '-' || s[n - 1] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
                      c == '_' || c == '.' || c == '-' || c == '\\'))
                        return false;
                if (c == '-' && s[i + 1] == '-')
                        return false;
        }
        return true;
}

bool unit_name_is_valid_simple(const char *s) {
        const char *dot;
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        dot = strrchr(s, '.');
        if (n > 255 || !dot || dot == s || !dot[1])
                return false;
        for (const char *p = dot + 1; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                        return false;
        for (const char *p = s; p < dot; p++) {
                char c = *p;

                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
                      c == '_' || c == '.' || c == '@' || c == '-' || c == '\\'))
                        return false;
        }
        return true;
}

bool label_is_valid(const char *label) {
        const char *eq;

        if (isempty(label) || strlen(label) > LABEL_MAX || !utf8_is_valid(label))
                return false;
        eq = strchr(label, '=');
        if (!eq || eq == label)
                return false;
        for (const char *p = label; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}
