/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray generate unit [--service] CONTAINER|FILE.container: a container as a dray.container(5) file,
 * or the service dray-generator makes of it (the generator itself is run, on a copy in a temporary
 * directory, so what is printed is exactly what systemd would get). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-util.h"
#include "config.h"
#include "container-file.h"
#include "json-util.h"
#include "log.h"
#include "rm-rf.h"
#include "strv.h"
#include "verbs.h"

static int container_json(const char *name, json_object **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_json_ json_object *array = json_object_new_array();
        _cleanup_strv_free_ char **paths = NULL;
        const char *path;
        int r;

        if (!array)
                return log_oom();
        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = bus_new_manager_call(bus, &m, "GetContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r);
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to GetContainer: %m");
        if (strv_extend(&paths, path) < 0)
                return log_oom();
        r = inspect_paths(bus, paths, DRAY_CONTAINER_INTERFACE, array);
        if (r != 0 || json_object_array_length(array) != 1)
                return -EIO;
        *ret = json_object_get(json_object_array_get_idx(array, 0));
        return 0;
}

static int write_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        size_t n = strlen(text);

        if (fd < 0 || write(fd, text, n) != (ssize_t) n)
                return log_error_errno(errno ?: EIO, "Failed to write %s: %m", path);
        return 0;
}

static int read_file(const char *path, char **ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        ssize_t n;

        if (!f)
                return -errno;
        n = getdelim(&buf, &size, '\0', f);
        if (n < 0)
                return ferror(f) ? -EIO : -ENODATA;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Prints text with every "from" replaced by "to". */
static void print_replaced(const char *text, const char *from, const char *to) {
        size_t n = strlen(from);

        for (const char *p; (p = strstr(text, from)); text = p + n)
                printf("%.*s%s", (int) (p - text), text, to);
        fputs(text, stdout);
}

/* Runs dray-generator on name.container (holding text) in a directory of its own, prints the unit as
 * if made from the file source (whose path the unit names in SourcePath=). */
static int print_service(const char *name, const char *text, const char *source) {
        char dir[] = "/tmp/dray-generate-XXXXXX";
        _cleanup_free_ char *src = NULL, *out = NULL, *unit = NULL, *path = NULL, *env_path = NULL, *service = NULL,
                            *dropin_path = NULL;
        int status, r;
        pid_t pid;

        if (!mkdtemp(dir))
                return log_error_errno(errno, "Failed to create a temporary directory: %m");
        if (asprintf(&src, "%s/%s.container", dir, name) < 0 || asprintf(&out, "%s/out", dir) < 0 ||
            asprintf(&unit, "%s/%s.service", out, name) < 0 || asprintf(&env_path, "DRAY_UNIT_PATH=%s", dir) < 0 ||
            /* The drop-ins the real file would get, from its directory. */
            asprintf(&dropin_path, "DRAY_DROPIN_PATH=%.*s", (int) (strrchr(source, '/') - source), source) < 0)
                r = log_oom();
        else if ((r = write_file(src, text)) >= 0 && mkdir(out, 0755) < 0)
                r = log_error_errno(errno, "Failed to create %s: %m", out);
        if (r >= 0) {
                pid = fork();
                if (pid < 0)
                        r = log_error_errno(errno, "Failed to fork: %m");
                else if (pid == 0) {
                        char *argv[] = { (char *) "dray-generator", out, out, out, NULL };
                        char *envp[] = { env_path, dropin_path, (char *) "SYSTEMD_LOG_TARGET=console", NULL };

                        execve(DRAY_GENERATOR_PATH, argv, envp);
                        fprintf(stderr, "dray: Failed to run " DRAY_GENERATOR_PATH ": %m\n");
                        _exit(EXIT_FAILURE);
                } else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        r = -EIO;
                else if (read_file(unit, &service) < 0)
                        r = -EINVAL; /* the generator said why on stderr */
                else
                        print_replaced(service, src, source);
        }
        (void) rm_rf_path(dir);
        return r;
}

static int file_name_of(const char *arg, char **ret) {
        const char *b = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
        size_t n = strlen(b);
        char *name;

        if (n <= 10 || !streq(b + n - 10, ".container"))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "'%s' is not a NAME.container file.", arg);
        name = strndup(b, n - 10);
        if (!name)
                return log_oom();
        *ret = name;
        return 0;
}

static int generate_unit(const char *arg, bool service) {
        _cleanup_json_ json_object *c = NULL;
        _cleanup_free_ char *text = NULL, *name = NULL;
        _cleanup_free_ char *source = NULL;
        int r;

        if (strchr(arg, '/')) {
                /* A file: only --service makes sense of it. */
                if (!service)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "'%s' is a file; use --service to see the "
                                               "service it becomes, or give a container.", arg);
                r = file_name_of(arg, &name);
                if (r >= 0 && (r = read_file(arg, &text)) < 0)
                        return log_error_errno(r, "Failed to read %s: %m", arg);
                source = realpath(arg, NULL);
                if (r >= 0 && !source)
                        return log_oom();
                return r < 0 ? r : print_service(name, text, source);
        }
        r = container_json(arg, &c);
        if (r < 0)
                return r;
        r = container_file_from_json(c, &text);
        if (r < 0)
                return r;
        if (!service) {
                fputs(text, stdout);
                return 0;
        }
        name = strdup(json_object_get_string(json_object_object_get(c, "Name")));
        if (!name || asprintf(&source, DRAY_CONFIG_DIR "/%s.container", name) < 0)
                return log_oom();
        return print_service(name, text, source);
}

static void generate_help(void) {
        printf("Usage: dray generate unit [--service] CONTAINER\n"
               "       dray generate unit --service FILE.container\n\n"
               "Print a container as a dray.container(5) file for /etc/dray, or (--service) the\n"
               "systemd service dray-generator makes of it.\n\n"
               "Verbs:\n"
               "  unit         A container's .container file, or its service\n\n"
               "Options:\n"
               "  --service    Print the service instead of the .container file\n"
               "  -h, --help   Show this help\n"
               "\nSee dray(1) and dray.container(5).\n");
}

int verb_generate(int argc, char *argv[]) {
        static const struct option options[] = {
                { "service", no_argument, NULL, 's' },
                { "help",    no_argument, NULL, 'h' },
                {}
        };
        bool service = false;
        int c;

        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h")) {
                generate_help();
                return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        if (!streq(argv[1], "unit"))
                return log_error("Unknown verb 'dray generate %s'; see 'dray generate --help'.", argv[1]), EXIT_USAGE;
        getopt_reset();
        while ((c = cli_getopt(argc - 1, argv + 1, ":h", options)) >= 0)
                switch (c) {
                case 's':
                        service = true;
                        break;
                case 'h':
                        generate_help();
                        return EXIT_SUCCESS;
                default:
                        return log_option_error("generate unit", argv + 1, c), EXIT_USAGE;
                }
        if (argc - 1 - optind != 1)
                return log_error("'dray generate unit' takes one container; see 'dray generate --help'."), EXIT_USAGE;
        return generate_unit(argv[1 + optind], service) < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}
