/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-oci: dray's container runtime behind the OCI runtime command line that runc and crun share,
 * so that podman, containerd and CRI-O run dray containers. Global options, logging (--log,
 * --log-format) and the dispatch; the commands are in oci-lifecycle.c and oci-info.c. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "oci-state.h"
#include "oci-util.h"
#include "oci-verbs.h"

typedef struct LogFile {
        int fd;
        bool json;
} LogFile;

static LogFile log_file = { .fd = -EBADF };

/* runc's log lines: {"level":"error","msg":"…","time":"…"} (json) or time=… level=… msg="…" (text).
 * Errors go to stderr as well, where a user of dray-oci, or conmon, shows them. */
static void log_sink(int level, const char *message, void *userdata) {
        const char *lvl = level <= LOG_ERR ? "error" : level <= LOG_WARNING ? "warning" : level <= LOG_INFO ? "info" : "debug";
        char when[64];
        struct tm tm;
        time_t t = time(NULL);

        (void) gmtime_r(&t, &tm);
        (void) strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (log_file.fd >= 0) {
                _cleanup_free_ char *line = NULL;
                int n;

                if (log_file.json) {
                        _cleanup_json_ json_object *o = json_object_new_object();

                        if (o && json_add_string(o, "level", lvl) >= 0 && json_add_string(o, "msg", message) >= 0 &&
                            json_add_string(o, "time", when) >= 0)
                                n = asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
                        else
                                n = -1;
                } else
                        n = asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", when, lvl, message);
                if (n > 0)
                        (void) !write(log_file.fd, line, (size_t) n);
        }
        if (log_file.fd < 0 || level <= LOG_ERR)
                (void) fprintf(stderr, "dray-oci: %s\n", message);
}

void oci_warn(const char *message, void *userdata) {
        log_warning("%s", message);
}

static const struct {
        const char *name;
        int (*run)(const OciGlobal *g, int argc, char **argv);
} verbs[] = {
        { "create", verb_create }, { "start", verb_start },   { "state", verb_state },   { "kill", verb_kill },
        { "delete", verb_delete }, { "run", verb_run },       { "exec", verb_exec },     { "ps", verb_ps },
        { "pause", verb_pause },   { "resume", verb_resume }, { "features", verb_features }, { "spec", verb_spec },
        { "list", verb_list },
};

static void help(void) {
        printf("Usage: dray-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
               "dray's container runtime behind the OCI runtime command line.\n\n"
               "Commands: create start state kill delete run exec ps pause resume features spec list\n\n"
               "Global options:\n"
               "  --root DIR             state directory (default %s)\n"
               "  --log FILE             log to FILE\n"
               "  --log-format json|text format of the log file\n"
               "  --systemd-cgroup       place containers in systemd scopes (cgroupsPath SLICE:PREFIX:NAME)\n"
               "  --debug                debug messages\n"
               "  --version, --help\n"
               "See dray-oci(1).\n", OCI_ROOT_DEFAULT);
}

int main(int argc, char **argv) {
        OciGlobal g = { .root = OCI_ROOT_DEFAULT };
        const char *log_path = NULL, *log_format = "text";
        int i, r;

        log_set_program_name("dray-oci");
        for (i = 1; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i], *value = NULL;
                const char *eq = strchr(a, '=');
                size_t klen = eq ? (size_t) (eq - a) : strlen(a);

#define IS(opt) (klen == strlen(opt) && strneq(a, opt, klen))
#define VALUE()                                                                                            \
        do {                                                                                               \
                if (eq)                                                                                    \
                        value = eq + 1;                                                                    \
                else if (i + 1 < argc)                                                                     \
                        value = argv[++i];                                                                 \
                else {                                                                                     \
                        fprintf(stderr, "dray-oci: option '%s' needs a value\n", a);                      \
                        return EXIT_FAILURE;                                                               \
                }                                                                                          \
        } while (0)
                if (IS("--root")) {
                        VALUE();
                        g.root = value;
                } else if (IS("--log")) {
                        VALUE();
                        log_path = value;
                } else if (IS("--log-format")) {
                        VALUE();
                        log_format = value;
                } else if (IS("--systemd-cgroup"))
                        g.systemd_cgroup = true;
                else if (IS("--debug"))
                        log_set_max_level(LOG_DEBUG);
                else if (IS("--rootless")) {
                        VALUE();
                        if (!STR_IN_SET(value, "false", "auto") || geteuid() != 0) {
                                fprintf(stderr, "dray-oci: rootless containers are not supported\n");
                                return EXIT_FAILURE;
                        }
                } else if (IS("--version") || IS("-v")) {
                        printf("dray-oci version %s\nspec: %s\n", DRAY_VERSION, OCI_VERSION);
                        return EXIT_SUCCESS;
                } else if (IS("--help") || IS("-h")) {
                        help();
                        return EXIT_SUCCESS;
                } else {
                        fprintf(stderr, "dray-oci: unknown option '%s'\n", a);
                        return EXIT_FAILURE;
                }
        }
        if (!STR_IN_SET(log_format, "json", "text")) {
                fprintf(stderr, "dray-oci: --log-format: '%s' is neither json nor text\n", log_format);
                return EXIT_FAILURE;
        }
        if (isempty(g.root) || g.root[0] != '/') {
                fprintf(stderr, "dray-oci: --root must be an absolute path\n");
                return EXIT_FAILURE;
        }
        if (log_path) {
                int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);

                /* Not fatal: containerd's shim deletes a container once more after its bundle (where the
                 * log lives) is gone, and must still hear that the container is gone. */
                if (fd < 0)
                        fprintf(stderr, "dray-oci: cannot open --log %s, logging to stderr: %m\n", log_path);
                /* Far above the fds an engine passes with --preserve-fds (3…). */
                else if ((log_file.fd = fcntl(fd, F_DUPFD_CLOEXEC, 512)) < 0)
                        log_file.fd = fd;
                else
                        (void) close(fd);
                log_file.json = streq(log_format, "json");
        }
        log_set_sink(log_sink, NULL);
        if (i >= argc) {
                help();
                return EXIT_FAILURE;
        }
        for (size_t k = 0; k < ELEMENTSOF(verbs); k++)
                if (streq(argv[i], verbs[k].name)) {
                        r = verbs[k].run(&g, argc - i, argv + i);
                        return r < 0 ? EXIT_FAILURE : r;
                }
        log_error("unknown command '%s'", argv[i]);
        return EXIT_FAILURE;
}
