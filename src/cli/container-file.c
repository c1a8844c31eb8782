/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container-file.h"
#include "json-util.h"
#include "log.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *str(json_object *c, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(c, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static json_object *arr(json_object *c, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(c, key, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        return v;
}

static bool flag(json_object *c, const char *key) {
        json_object *v;

        return json_object_object_get_ex(c, key, &v) && json_object_get_boolean(v);
}

/* 0 when absent or null (unset). */
static uint64_t num(json_object *c, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(c, key, &v) || !v)
                return 0;
        return (uint64_t) json_object_get_int64(v);
}

/* One word as unit_split_words() (dray-generator) reads it back: bare, or double-quoted. */
static void put_word(FILE *out, const char *w) {
        if (*w && w[strcspn(w, " \t\n\r\"'\\")] == 0) {
                fputs(w, out);
                return;
        }
        fputc('"', out);
        for (const char *p = w; *p; p++)
                switch (*p) {
                case '\n': fputs("\\n", out); break;
                case '\t': fputs("\\t", out); break;
                case '\r': fputs("\\r", out); break;
                case '"':  fputs("\\\"", out); break;
                case '\\': fputs("\\\\", out); break;
                default:   fputc(*p, out);
                }
        fputc('"', out);
}

static int put_line(FILE *out, const char *key, const char *value) {
        if (strpbrk(value, "\n\r"))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "%s '%s' has a line break; a unit file cannot "
                                       "carry it.", key, value);
        fprintf(out, "%s=%s\n", key, value);
        return 0;
}

/* Whether w is one of the '\n'-separated lines of list. */
static bool line_listed(const char *list, const char *w) {
        size_t n = strlen(w);

        for (const char *p = strstr(list, w); n > 0 && p; p = strstr(p + 1, w))
                if (p > list && p[-1] == '\n' && p[n] == '\n')
                        return true;
        return false;
}

static void put_words(FILE *out, const char *key, json_object *a, const char *skip) {
        bool any = false;

        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                const char *w = json_object_get_string(json_object_array_get_idx(a, i));

                if (!w || (skip && line_listed(skip, w)))
                        continue;
                fprintf(out, "%s", any ? " " : key);
                if (!any)
                        fputc('=', out);
                put_word(out, w);
                any = true;
        }
        if (any)
                fputc('\n', out);
}

static int put_volumes(FILE *out, json_object *a) {
        char buf[8192];
        int r;

        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *m = json_object_array_get_idx(a, i);

                (void) snprintf(buf, sizeof(buf), "%s:%s%s", json_object_get_string(json_object_array_get_idx(m, 0)),
                                json_object_get_string(json_object_array_get_idx(m, 1)),
                                json_object_get_boolean(json_object_array_get_idx(m, 2)) ? ":ro" : "");
                if ((r = put_line(out, "Volume", buf)) < 0)
                        return r;
        }
        return 0;
}

static int put_mounts(FILE *out, json_object *c) {
        json_object *a;
        char buf[8192];
        int r;

        /* Binds (source, destination, read-only) and named volumes (name, destination, read-only). */
        if ((r = put_volumes(out, arr(c, "BindMounts"))) < 0 || (r = put_volumes(out, arr(c, "Volumes"))) < 0)
                return r;
        a = arr(c, "TmpfsMounts");
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *m = json_object_array_get_idx(a, i);
                const char *opts = json_object_get_string(json_object_array_get_idx(m, 1));

                (void) snprintf(buf, sizeof(buf), "%s%s%s", json_object_get_string(json_object_array_get_idx(m, 0)),
                                isempty(opts) ? "" : ":", strempty(opts));
                if ((r = put_line(out, "Tmpfs", buf)) < 0)
                        return r;
        }
        a = arr(c, "Ports");
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *p = json_object_array_get_idx(a, i);
                const char *host = json_object_get_string(json_object_array_get_idx(p, 0));

                (void) snprintf(buf, sizeof(buf), "%s%s%d:%d/%s", strempty(host), isempty(host) ? "" : ":",
                                json_object_get_int(json_object_array_get_idx(p, 1)),
                                json_object_get_int(json_object_array_get_idx(p, 2)),
                                json_object_get_string(json_object_array_get_idx(p, 3)));
                if ((r = put_line(out, "PublishPort", buf)) < 0)
                        return r;
        }
        return 0;
}

static int put_container(FILE *out, json_object *c) {
        const char *name = str(c, "Name"), *rootfs = str(c, "Rootfs"), *image = str(c, "Image"), *s;
        _cleanup_free_ char *skip_env = NULL;
        uint64_t u;
        int r;

        if (!name || (!rootfs && !image))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "The container has no name or no root.");
        fprintf(out, "[Container]\n");
        if (!isempty(rootfs) && isempty(str(c, "ImageId")))
                r = put_line(out, "Rootfs", rootfs);
        else
                r = put_line(out, "Image", image);
        if (r < 0)
                return r;
        put_words(out, "Exec", arr(c, "Command"), NULL);
        fprintf(out, "ContainerName=%s\n", name);
        if ((s = str(c, "Hostname")) && !streq(s, name) && (r = put_line(out, "HostName", s)) < 0)
                return r;
        /* What drayd adds by itself is left out: the default PATH and HOSTNAME. */
        if (asprintf(&skip_env, "\n" DEFAULT_PATH "\nHOSTNAME=%s\n", str(c, "Hostname") ?: name) < 0)
                return log_oom();
        put_words(out, "Environment", arr(c, "Env"), skip_env);
        if ((r = put_mounts(out, c)) < 0)
                return r;
        /* "none" or "host" as they are; on a bridge, each network's name, the first (the default
         * route's) first. */
        if ((s = str(c, "NetworkMode")) && streq(s, "bridge") && arr(c, "Networks") &&
            json_object_array_length(arr(c, "Networks")) > 0)
                for (size_t i = 0; i < json_object_array_length(arr(c, "Networks")); i++) {
                        s = json_object_get_string(json_object_array_get_idx(json_object_array_get_idx(arr(c, "Networks"), i), 0));
                        if (!isempty(s) && (r = put_line(out, "Network", s)) < 0)
                                return r;
                }
        else if (!isempty(s) && !streq(s, "bridge") && (r = put_line(out, "Network", s)) < 0)
                return r;
        if ((u = num(c, "MemoryMax")) > 0 && u != UINT64_MAX)
                fprintf(out, "Memory=%" PRIu64 "\n", u);
        if ((u = num(c, "CPUQuotaPerSecUSec")) > 0 && u != UINT64_MAX)
                fprintf(out, "CPUs=%" PRIu64 ".%06" PRIu64 "\n", u / 1000000, u % 1000000);
        if ((u = num(c, "TasksMax")) > 0 && u != UINT64_MAX)
                fprintf(out, "PidsLimit=%" PRIu64 "\n", u);
        if ((s = str(c, "User")) && !isempty(s) && (r = put_line(out, "User", s)) < 0)
                return r;
        if ((s = str(c, "WorkingDirectory")) && !isempty(s) && !streq(s, "/") && (r = put_line(out, "WorkingDir", s)) < 0)
                return r;
        if (flag(c, "ReadOnly"))
                fprintf(out, "ReadOnly=yes\n");
        if (flag(c, "Ephemeral"))
                fprintf(out, "Ephemeral=yes\n");
        put_words(out, "AddCapability", arr(c, "CapAdd"), NULL);
        put_words(out, "DropCapability", arr(c, "CapDrop"), NULL);
        for (size_t i = 0; arr(c, "Devices") && i < json_object_array_length(arr(c, "Devices")); i++) {
                r = put_line(out, "AddDevice", json_object_get_string(json_object_array_get_idx(arr(c, "Devices"), i)));
                if (r < 0)
                        return r;
        }
        put_words(out, "Label", arr(c, "Labels"), NULL);
        if ((s = str(c, "SeccompProfile")) && streq(s, "unconfined"))
                fprintf(out, "SeccompProfile=unconfined\n");
        if (num(c, "UIDShift") > 0)
                fprintf(out, "UserNS=auto\n");
        if ((u = num(c, "StopSignal")) > 0 && u != SIGTERM)
                fprintf(out, "StopSignal=%" PRIu64 "\n", u);
        if ((u = num(c, "StopTimeoutUSec")) > 0 && u != UINT64_MAX)
                fprintf(out, "StopTimeout=%" PRIu64 "\n", (u + 999999) / 1000000);
        return 0;
}

/* Healthcheck (as inspect names its fields): HealthCmd= and its siblings, Quadlet's names (and
 * HealthStartInterval=, which Quadlet lacks). */
static int put_health(FILE *out, json_object *c) {
        json_object *h, *test;
        const char *kind, *on_failure;
        uint64_t u;
        int r;

        if (!json_object_object_get_ex(c, "Healthcheck", &h) || !(test = arr(h, "Test")) ||
            json_object_array_length(test) == 0)
                return 0;
        kind = json_object_get_string(json_object_array_get_idx(test, 0));
        if (streq(kind, "NONE"))
                return put_line(out, "HealthCmd", "none");
        if (streq(kind, "CMD-SHELL"))
                r = put_line(out, "HealthCmd", json_object_get_string(json_object_array_get_idx(test, 1)));
        else {
                /* The exec form, as the JSON array --health-cmd takes. */
                _cleanup_json_ json_object *argv = json_object_new_array();

                if (!argv)
                        return log_oom();
                for (size_t i = 1; i < json_object_array_length(test); i++)
                        if (json_object_array_add(argv, json_object_get(json_object_array_get_idx(test, i))) < 0)
                                return log_oom();
                r = put_line(out, "HealthCmd", json_object_to_json_string_ext(argv, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        }
        if (r < 0)
                return r;
        if ((u = num(h, "IntervalUSec")) > 0)
                fprintf(out, "HealthInterval=%" PRIu64 "ms\n", (u + 999) / 1000);
        if ((u = num(h, "TimeoutUSec")) > 0)
                fprintf(out, "HealthTimeout=%" PRIu64 "ms\n", (u + 999) / 1000);
        if ((u = num(h, "StartPeriodUSec")) > 0)
                fprintf(out, "HealthStartPeriod=%" PRIu64 "ms\n", (u + 999) / 1000);
        if ((u = num(h, "StartIntervalUSec")) > 0)
                fprintf(out, "HealthStartInterval=%" PRIu64 "ms\n", (u + 999) / 1000);
        if ((u = num(h, "Retries")) > 0)
                fprintf(out, "HealthRetries=%" PRIu64 "\n", u);
        if ((on_failure = str(h, "OnFailure")) && !streq(on_failure, "none"))
                fprintf(out, "HealthOnFailure=%s\n", on_failure);
        return 0;
}

int container_file_from_json(json_object *c, char **ret) {
        _cleanup_free_ char *buf = NULL;
        const char *policy;
        FILE *out;
        size_t size;
        int r;

        if (flag(c, "Boot") || flag(c, "Privileged"))
                return log_error_errno(SYNTHETIC_ERRNO(EOPNOTSUPP), "--boot and --privileged containers have no "
                                       "dray.container(5) keys yet.");
        out = open_memstream(&buf, &size);
        if (!out)
                return log_oom();
        fprintf(out, "# dray.container(5) of container %s, written by 'dray generate unit'.\n"
                     "# Its service removes and recreates a container of this name when it starts.\n"
                     "[Unit]\nDescription=dray container %s\n\n", strna(str(c, "Name")), strna(str(c, "Name")));
        r = put_container(out, c);
        if (r >= 0)
                r = put_health(out, c);
        /* The container's restart policy becomes the service's: systemd restarts it then, not drayd. */
        policy = str(c, "RestartPolicy");
        fprintf(out, "\n[Service]\nRestart=%s\n\n[Install]\nWantedBy=multi-user.target\n",
                policy && (streq(policy, "always") || streq(policy, "unless-stopped")) ? "always" : "on-failure");
        if (fclose(out) != 0 || !buf)
                return log_oom();
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}
