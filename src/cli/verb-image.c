/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray image import|load|save|ls|inspect|history|tag|rm|prune, dray images, dray export, dray commit. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-remote.h"
#include "cli-time.h"
#include "cli-transfer.h"
#include "cli-util.h"
#include "container-state.h"
#include "json-fields.h"
#include "json-util.h"
#include "log.h"
#include "output-format.h"
#include "strv.h"
#include "table.h"
#include "time-util.h"
#include "verbs.h"

/* The flags of the image verbs. Each verb passes the options it takes; one switch reads them all. */
typedef struct ImageFlags {
        bool quiet, force, all;
        const char *format;             /* inspect -f TEMPLATE */
        OutputFormat list_format;       /* ls, history --format */
} ImageFlags;

static void image_flags_done(ImageFlags *f) {
        output_format_done(&f->list_format);
}

#define HELP_OPTION { "help", no_argument, NULL, 'h' }

/* Returns 1 after printing the usage for --help, 0 with optind at the operands, or -EINVAL (logged). */
static int image_flags_parse(const char *verb, const char *usage, const char *optstring,
                             const struct option *options, int argc, char *argv[], ImageFlags *ret) {
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, optstring, options)) >= 0)
                switch (c) {
                case 'h':
                        printf("%s\n\nSee dray-image(1).\n", usage);
                        return 1;
                case 'q':
                        ret->quiet = true;
                        break;
                case 'a':
                        ret->all = true;
                        break;
                case 'f':
                        /* -f is --force, except for image inspect where it takes a value: --format, as
                         * in docker (getopt_long leaves optarg NULL for an option without one). */
                        if (!optarg) {
                                ret->force = true;
                                break;
                        }
                        if (inspect_format_check(optarg) < 0)
                                return -EINVAL;
                        ret->format = optarg;
                        break;
                case 'F':
                        output_format_done(&ret->list_format);
                        if (output_format_parse_option(optarg, &ret->list_format) < 0)
                                return -EINVAL;
                        break;
                default:
                        return log_option_error(verb, argv, c);
                }
        return 0;
}

/* For the verbs whose only option is --help: 1 after --help, 0, or -EINVAL. */
static int image_no_flags(const char *verb, const char *usage, int argc, char *argv[]) {
        static const struct option options[] = { HELP_OPTION, {} };
        ImageFlags f = {};

        return image_flags_parse(verb, usage, ":h", options, argc, argv, &f);
}

/* A file argument: "-" is stdin (or stdout). */
static int open_file(const char *path, bool write, int *ret) {
        int fd;

        if (streq(path, "-")) {
                fd = fcntl(write ? STDOUT_FILENO : STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return log_error_errno(errno, "Failed to duplicate %s: %m", write ? "stdout" : "stdin");
        } else {
                fd = open(path, write ? O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY : O_RDONLY | O_CLOEXEC | O_NOCTTY,
                          0644);
                if (fd < 0)
                        return log_error_errno(errno, "Failed to open '%s': %m", path);
        }
        *ret = fd;
        return 0;
}

/* Over -H without fd passing: the remote dray runs VERB_ARGV (naming '-' for the archive) with fd, our
 * file or our stdin/stdout, as its stdin (read) or stdout (write). Returns 1 when it ran (*ret_status: its
 * exit status), 0 when the bus passes fds (the caller calls drayd itself), or -1 (logged). */
static int remote_stream(sd_bus *bus, char *const *verb_argv, int fd, bool write, int *ret_status) {
        int r;

        r = cli_remote_passes_fds(bus);
        if (r != 0)
                return r > 0 ? 0 : -1;
        r = cli_remote_stream(verb_argv, write ? -EBADF : fd, write ? fd : -EBADF);
        if (r < 0)
                return -1;
        *ret_status = r;
        return 1;
}

static int run_transfer(sd_bus_message *call, sd_bus *bus, const char *what, const char *prefix) {
        _cleanup_strv_free_ char **images = NULL;
        int r;

        r = cli_transfer_run(bus, call, what, &images);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        STRV_FOREACH(i, images)
                printf("%s%s\n", prefix, *i);
        return EXIT_SUCCESS;
}

/* ---- import, load, save, export, commit ------------------------------------------------------------ */

static int verb_image_import(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r, status;

        r = image_no_flags("image import", "Usage: dray image import FILE|- NAME[:TAG]\n\n"
                           "Make a one-layer image of a root file system tarball (plain, gzip, xz, zstd\n"
                           "or bzip2; detected from its content).", argc, argv);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (argc - optind != 2)
                return log_error("'dray image import' takes FILE (or -) and NAME[:TAG]."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0 || open_file(argv[optind], false, &fd) < 0)
                return EXIT_DRAY_FAILED;
        r = remote_stream(bus, (char *[]) { (char *) "image", (char *) "import", (char *) "-", argv[optind + 1], NULL }, fd, false, &status);
        if (r != 0)
                return r > 0 ? status : EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "ImportImage");
        if (r >= 0)
                r = sd_bus_message_append(m, "hs", fd, argv[optind + 1]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        return run_transfer(m, bus, "Importing", "");
}

static int verb_image_load(int argc, char *argv[]) {
        static const struct option options[] = {
                { "input", required_argument, NULL, 'i' },
                { "help",  no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *input = "-";
        int c, r, status;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":hi:", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: dray image load [-i FILE|-]\n\nLoad the images of a docker-archive "
                               "(docker save, podman save) or an oci-archive.\n\nSee dray-image(1).\n");
                        return EXIT_SUCCESS;
                case 'i':
                        input = optarg;
                        break;
                default:
                        return log_option_error("image load", argv, c), EXIT_DRAY_FAILED;
                }
        if (optind != argc)
                return log_error("'dray image load' takes no arguments; use -i FILE."), EXIT_DRAY_FAILED;
        if (streq(input, "-") && isatty(STDIN_FILENO))
                return log_error("Refusing to read an archive from a terminal; use -i FILE."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0 || open_file(input, false, &fd) < 0)
                return EXIT_DRAY_FAILED;
        r = remote_stream(bus, (char *[]) { (char *) "image", (char *) "load", (char *) "-i", (char *) "-", NULL }, fd, false, &status);
        if (r != 0)
                return r > 0 ? status : EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "LoadImages");
        if (r >= 0)
                r = sd_bus_message_append(m, "h", fd);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        return run_transfer(m, bus, "Loading", "Loaded image: ");
}

/* image save over -H: "image save --format F -o - -- IMAGE...", its archive written to fd. */
static int save_remote(sd_bus *bus, const char *format, char **images, int fd, int *ret_status) {
        _cleanup_strv_free_ char **args = NULL;
        const char *fixed[] = { "image", "save", "--format", format, "-o", "-", "--" };

        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                if (strv_extend(&args, fixed[i]) < 0)
                        return log_oom(), -1;
        STRV_FOREACH(i, images)
                if (strv_extend(&args, *i) < 0)
                        return log_oom(), -1;
        return remote_stream(bus, args, fd, true, ret_status);
}

static int verb_image_save(int argc, char *argv[]) {
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, 'f' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *output = NULL, *format = "oci-archive";
        int c, r, status;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":ho:f:", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: dray image save [-o FILE|-] [--format oci-archive|docker-archive] IMAGE...\n\n"
                               "Write images to an archive that podman, docker and skopeo read.\n\n"
                               "See dray-image(1).\n");
                        return EXIT_SUCCESS;
                case 'o':
                        output = optarg;
                        break;
                case 'f':
                        if (!streq(optarg, "oci-archive") && !streq(optarg, "docker-archive"))
                                return log_invalid_value("--format", optarg, -EINVAL, "oci-archive or docker-archive"),
                                       EXIT_DRAY_FAILED;
                        format = optarg;
                        break;
                default:
                        return log_option_error("image save", argv, c), EXIT_DRAY_FAILED;
                }
        if (optind >= argc)
                return log_error("'dray image save' needs at least one image."), EXIT_DRAY_FAILED;
        if (!output && isatty(STDOUT_FILENO))
                return log_error("Refusing to write an archive to a terminal; use -o FILE."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0 || open_file(output ?: "-", true, &fd) < 0)
                return EXIT_DRAY_FAILED;
        r = save_remote(bus, format, argv + optind, fd, &status);
        if (r > 0 && status != EXIT_SUCCESS && output && !streq(output, "-"))
                (void) unlink(output);
        if (r != 0)
                return r > 0 ? status : EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "SaveImages");
        if (r >= 0)
                r = sd_bus_message_append(m, "h", fd);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, argv + optind);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", format);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        r = run_transfer(m, bus, "Saving", "");
        if (r != EXIT_SUCCESS && output && !streq(output, "-"))
                (void) unlink(output);
        return r;
}

int verb_export(int argc, char *argv[]) {
        static const struct option options[] = {
                { "output", required_argument, NULL, 'o' },
                { "help",   no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *output = NULL;
        int c, r, status;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":ho:", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: dray export [-o FILE|-] CONTAINER\n\nWrite a container's file system as a tar "
                               "archive.\n\nSee dray(1).\n");
                        return EXIT_SUCCESS;
                case 'o':
                        output = optarg;
                        break;
                default:
                        return log_option_error("export", argv, c), EXIT_DRAY_FAILED;
                }
        if (optind + 1 != argc)
                return log_error("'dray export' takes one container."), EXIT_DRAY_FAILED;
        if (!output && isatty(STDOUT_FILENO))
                return log_error("Refusing to write a tar archive to a terminal; use -o FILE."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0 || open_file(output ?: "-", true, &fd) < 0)
                return EXIT_DRAY_FAILED;
        r = remote_stream(bus, (char *[]) { (char *) "export", (char *) "-o", (char *) "-", (char *) "--", argv[optind], NULL }, fd, true, &status);
        if (r > 0 && status != EXIT_SUCCESS && output && !streq(output, "-"))
                (void) unlink(output);
        if (r != 0)
                return r > 0 ? status : EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "ExportContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "sh", argv[optind], fd);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        return run_transfer(m, bus, "Exporting", "");
}

int verb_commit(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = image_no_flags("commit", "Usage: dray commit CONTAINER NAME[:TAG]\n\n"
                           "Make an image of a container: its image with the container's changes as a\n"
                           "new layer on top.", argc, argv);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (argc - optind != 2)
                return log_error("'dray commit' takes CONTAINER and NAME[:TAG]."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "CommitContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", argv[optind], argv[optind + 1]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        return run_transfer(m, bus, "Committing", "");
}

/* ---- ls ---------------------------------------------------------------------------------------- */

/* "docker.io/library/busybox:latest" → "docker.io/library/busybox", "latest". */
static void split_name(const char *name, char **ret_repo, const char **ret_tag) {
        const char *at = strchr(name, '@'), *slash = strrchr(name, '/'), *colon;

        if (at) {
                *ret_repo = strndup(name, at - name);
                *ret_tag = "<none>";
                return;
        }
        colon = strrchr(slash ? slash : name, ':');
        *ret_repo = colon ? strndup(name, colon - name) : strdup(name);
        *ret_tag = colon ? colon + 1 : "<none>";
}

/* One object per name (or one "<none>" for an unnamed image), docker's keys: ID, Repository, Tag, Digest,
 * CreatedSince, CreatedAt, Size; and Id (in full), Names, SizeBytes, Created (µs) for scripts. */
static int image_rows(json_object *array, const char *id, char *const *names, uint64_t size, uint64_t created,
                      const char *digest) {
        char sz[FORMAT_SIZE_MAX], d[HUMAN_DURATION_MAX], short_id[13], ts[TIMESTAMP_ISO_MAX];
        char created_s[HUMAN_DURATION_MAX + 8] = "";
        uint64_t now = now_usec(CLOCK_REALTIME);
        size_t k = strv_length((char **) names);

        (void) snprintf(short_id, sizeof(short_id), "%.12s", id + strlen("sha256:"));
        format_size(sz, size);
        if (created > 0 && created <= now)
                (void) snprintf(created_s, sizeof(created_s), "%s ago", format_human_duration(d, now - created));
        for (size_t i = 0; i < MAX(k, 1u); i++) {
                _cleanup_json_ json_object *o = json_object_new_object();
                _cleanup_free_ char *repo = NULL;
                const char *tag = "<none>";
                int r;

                if (i < k)
                        split_name(names[i], &repo, &tag);
                else
                        repo = strdup("<none>");
                if (!o || !repo)
                        return -ENOMEM;
                r = json_add_strv(o, "Names", names);
                if (r < 0)
                        return r;
                r = json_add_fieldsv(o, { "ID", json_string(short_id) }, { "Id", json_string(id) },
                                     { "Repository", json_string(repo) }, { "Tag", json_string(tag) },
                                     { "Digest", json_string(isempty(digest) ? "<none>" : digest) },
                                     { "CreatedSince", json_string(created_s) },
                                     { "CreatedAt", json_string(created > 0 ? format_timestamp_iso(ts, created) : "") },
                                     { "Created", json_object_new_uint64(created) }, { "Size", json_string(sz) },
                                     { "SizeBytes", json_object_new_uint64(size) });
                if (r < 0 || json_object_array_add(array, o) < 0)
                        return -ENOMEM;
                o = NULL;
        }
        return 0;
}

static int images_print(json_object *array, const OutputFormat *format, bool quiet) {
        static const char *const headers[] = { "ID", "IMAGE ID", "CreatedSince", "CREATED", "CreatedAt", "CREATED AT",
                                               NULL };
        static const char *const columns[] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" };
        _cleanup_(table_freep) Table *t = NULL;
        const char *last = NULL;

        if (format->kind == OUTPUT_JSON) {
                puts(json_object_to_json_string_ext(array, JSON_OUTPUT_FLAGS));
                return 0;
        }
        if (format->kind == OUTPUT_TEMPLATE && !quiet)
                return output_format_print_stdout(format, array, headers);
        t = table_new(ELEMENTSOF(columns), columns);
        if (!t)
                return log_oom();
        for (size_t i = 0; i < json_object_array_length(array); i++) {
                json_object *o = json_object_array_get_idx(array, i);
                const char *c[5] = {};

                (void) json_get_string(o, "Repository", &c[0]);
                (void) json_get_string(o, "Tag", &c[1]);
                (void) json_get_string(o, "ID", &c[2]);
                (void) json_get_string(o, "CreatedSince", &c[3]);
                (void) json_get_string(o, "Size", &c[4]);
                if (quiet) { /* one line per image, not per name */
                        if (!last || !streq(last, c[2]))
                                printf("%s\n", c[2]);
                        last = c[2];
                } else if (table_add_row(t, c) < 0)
                        return log_oom();
        }
        if (!quiet)
                (void) table_print(t, stdout);
        return 0;
}

int verb_images(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        static const struct option options[] = { { "quiet", no_argument, NULL, 'q' },
                                                 { "format", required_argument, NULL, 'F' }, HELP_OPTION, {} };
        _cleanup_json_ json_object *array = json_object_new_array();
        const char *verb = argv[0];
        _cleanup_(image_flags_done) ImageFlags f = {};
        int r;

        r = image_flags_parse(verb, "Usage: dray image ls [-q] [--format FORMAT]\n\nList images.\n\n"
                              "  -q, --quiet         Only show IDs\n"
                              "      --format FORMAT table (default), json, or a Go template such as\n"
                              "                      'table {{.Repository}}:{{.Tag}}\\t{{.ID}}' (see dray-image(1))",
                              ":qh", options, argc, argv, &f);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (optind < argc)
                return log_error("'dray %s' takes no arguments.", verb), EXIT_DRAY_FAILED;
        if (!array || bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "ListImages", &error,
                               &reply, NULL);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_DRAY_FAILED;
        r = sd_bus_message_enter_container(reply, 'a', "(sasttso)");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sasttso")) > 0) {
                _cleanup_strv_free_ char **names = NULL;
                const char *id, *digest, *path;
                uint64_t size, created;

                r = sd_bus_message_read(reply, "s", &id);
                if (r >= 0)
                        r = sd_bus_message_read_strv(reply, &names);
                if (r >= 0)
                        r = sd_bus_message_read(reply, "ttso", &size, &created, &digest, &path);
                if (r >= 0 && strlen(id) > strlen("sha256:"))
                        r = image_rows(array, id, names, size, created, digest);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the image list: %m"), EXIT_DRAY_FAILED;
        r = images_print(array, &f.list_format, f.quiet);
        return r < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
}

/* ---- inspect, history, tag, rm, prune ---------------------------------------------------------- */

static int inspect_one(sd_bus *bus, const char *image, json_object **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *text;
        int r;

        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "InspectImage", &error,
                               &reply, "s", image);
        if (r < 0)
                return log_bus_error(&error, r);
        r = sd_bus_message_read(reply, "s", &text);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m");
        *ret = json_tokener_parse(text);
        return *ret ? 0 : log_error_errno(SYNTHETIC_ERRNO(EBADMSG), "drayd sent malformed JSON.");
}

static int verb_image_inspect(int argc, char *argv[]) {
        static const struct option options[] = { { "format", required_argument, NULL, 'f' }, HELP_OPTION, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_json_ json_object *all = json_object_new_array();
        int status = EXIT_SUCCESS, r;
        ImageFlags f = {};

        /* -f is --format here, as in docker image inspect. */
        r = image_flags_parse("image inspect", "Usage: dray image inspect [-f TEMPLATE] IMAGE...\n\n"
                              "Show images (config, layers, digests, sizes) as a JSON array.\n\n"
                              "  -f, --format TEMPLATE   Print TEMPLATE once per image instead, such as\n"
                              "                          {{.Id}} or {{json .Config}}",
                              ":f:h", options, argc, argv, &f);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (optind >= argc)
                return log_error("'dray image inspect' needs at least one image."), EXIT_DRAY_FAILED;
        if (!all || bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        for (int i = optind; i < argc; i++) {
                json_object *o;

                if (inspect_one(bus, argv[i], &o) < 0) {
                        status = EXIT_DRAY_FAILED;
                        continue;
                }
                (void) json_object_array_add(all, o);
        }
        if (f.format) {
                r = inspect_print_template(all, f.format);
                if (r != 0)
                        status = EXIT_DRAY_FAILED;
        } else
                printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        return status;
}

/* The image's history, newest step first, docker's keys: CreatedAt, CreatedBy, Comment, EmptyLayer. */
static int history_json(json_object *image, json_object **ret) {
        _cleanup_json_ json_object *array = json_object_new_array();
        json_object *config, *history;
        size_t n;

        if (!array)
                return -ENOMEM;
        if (json_object_object_get_ex(image, "Config", &config) &&
            json_object_object_get_ex(config, "history", &history) && json_object_is_type(history, json_type_array))
                n = json_object_array_length(history);
        else
                n = 0;
        for (size_t i = n; i > 0; i--) {
                json_object *h = json_object_array_get_idx(history, i - 1);
                _cleanup_json_ json_object *o = json_object_new_object();
                const char *created = NULL, *by = NULL, *comment = NULL;
                bool empty = false;
                int r;

                (void) json_get_string(h, "created", &created);
                (void) json_get_string(h, "created_by", &by);
                (void) json_get_string(h, "comment", &comment);
                (void) json_get_bool(h, "empty_layer", &empty);
                if (!o)
                        return -ENOMEM;
                r = json_add_fieldsv(o, { "CreatedAt", json_string(created) }, { "CreatedBy", json_string(by) },
                                     { "Comment", json_string(comment) },
                                     { "EmptyLayer", json_object_new_boolean(empty) });
                if (r < 0 || json_object_array_add(array, o) < 0)
                        return -ENOMEM;
                o = NULL;
        }
        *ret = TAKE_PTR(array);
        return 0;
}

static int verb_image_history(int argc, char *argv[]) {
        static const char *const headers[] = { "CREATED", "CREATED BY", "COMMENT" };
        static const struct option options[] = { { "format", required_argument, NULL, 'F' },
                                                 { "no-trunc", no_argument, NULL, 'a' }, HELP_OPTION, {} };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(table_freep) Table *t = table_new(3, headers);
        _cleanup_json_ json_object *o = NULL, *array = NULL;
        _cleanup_(image_flags_done) ImageFlags f = {};
        int r;

        /* --no-trunc comes in as 'a' (all of the command). */
        r = image_flags_parse("image history", "Usage: dray image history [--no-trunc] [--format FORMAT] IMAGE\n\n"
                              "Show how an image was made, newest step first.\n\n"
                              "      --no-trunc       Do not shorten CREATED BY\n"
                              "      --format FORMAT  table (default), json, or a Go template such as\n"
                              "                       '{{.CreatedAt}} {{.CreatedBy}}' (see dray-image(1))",
                              ":h", options, argc, argv, &f);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (argc - optind != 1)
                return log_error("'dray image history' takes one image."), EXIT_DRAY_FAILED;
        if (!t || bus_connect(&bus) < 0 || inspect_one(bus, argv[optind], &o) < 0)
                return EXIT_DRAY_FAILED;
        if (history_json(o, &array) < 0)
                return log_oom(), EXIT_DRAY_FAILED;
        if (f.list_format.kind == OUTPUT_JSON) {
                puts(json_object_to_json_string_ext(array, JSON_OUTPUT_FLAGS));
                return EXIT_SUCCESS;
        }
        if (f.list_format.kind == OUTPUT_TEMPLATE)
                return output_format_print_stdout(&f.list_format, array, NULL) < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        for (size_t i = 0; i < json_object_array_length(array); i++) {
                json_object *h = json_object_array_get_idx(array, i);
                const char *created = NULL, *by = NULL, *comment = NULL;
                _cleanup_free_ char *by_short = NULL;

                (void) json_get_string(h, "CreatedAt", &created);
                (void) json_get_string(h, "CreatedBy", &by);
                (void) json_get_string(h, "Comment", &comment);
                by_short = f.all ? strdup(by) : ellipsize(by, 60);
                if (!by_short || table_add_row(t, (const char *const[]) { created, by_short, comment }) < 0)
                        return log_oom(), EXIT_DRAY_FAILED;
        }
        (void) table_print(t, stdout);
        return EXIT_SUCCESS;
}

static int verb_image_tag(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = image_no_flags("image tag", "Usage: dray image tag IMAGE NAME[:TAG]\n\nGive an image another name.",
                           argc, argv);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (argc - optind != 2)
                return log_error("'dray image tag' takes IMAGE and NAME[:TAG]."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "TagImage", &error,
                               NULL, "ss", argv[optind], argv[optind + 1]);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_DRAY_FAILED;
        return EXIT_SUCCESS;
}

static int verb_image_rm(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        static const struct option options[] = { { "force", no_argument, NULL, 'f' }, HELP_OPTION, {} };
        int status = EXIT_SUCCESS, r;
        ImageFlags f = {};

        r = image_flags_parse("image rm", "Usage: dray image rm [-f] IMAGE...\n\nRemove images (or, for an image "
                              "with several names, the name given).\n\n  -f, --force   Also when containers use it",
                              ":fh", options, argc, argv, &f);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (optind >= argc)
                return log_error("'dray image rm' needs at least one image."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE,
                                       "RemoveImage", &error, NULL, "sb", argv[i], f.force);

                if (r < 0) {
                        log_bus_error(&error, r);
                        status = EXIT_DRAY_FAILED;
                } else
                        printf("%s\n", argv[i]);
        }
        return status;
}

static int verb_image_prune(int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        char sz[FORMAT_SIZE_MAX];
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' }, { "force", no_argument, NULL, 'f' }, HELP_OPTION, {}
        };
        uint64_t freed;
        ImageFlags f = {};
        int r;

        /* -f (docker's "do not prompt") is accepted and changes nothing: dray never prompts. */
        r = image_flags_parse("image prune", "Usage: dray image prune [-a] [-f]\n\nRemove unnamed images no "
                              "container uses, and every blob and layer no image needs.\n\n  -a, --all   Remove every "
                              "image no container uses", ":afh", options, argc, argv, &f);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (optind < argc)
                return log_error("'dray image prune' takes no arguments."), EXIT_DRAY_FAILED;
        if (bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        r = sd_bus_call_method(bus, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "PruneImages", &error,
                               &reply, "b", f.all);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_DRAY_FAILED;
        r = sd_bus_message_read_strv(reply, &removed);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &freed);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m"), EXIT_DRAY_FAILED;
        STRV_FOREACH(i, removed)
                printf("Deleted: %s\n", *i);
        printf("Total reclaimed space: %s\n", format_size(sz, freed));
        return EXIT_SUCCESS;
}

/* ---- dispatch ---------------------------------------------------------------------------------- */

static const struct {
        const char *name;
        int (*func)(int argc, char *argv[]);
        const char *summary;
} image_verbs[] = {
        { "import",  verb_image_import,  "Make an image of a root file system tarball" },
        { "load",    verb_image_load,    "Load images from a docker-archive or oci-archive" },
        { "save",    verb_image_save,    "Write images to an archive" },
        { "ls",      verb_images,        "List images" },
        { "list",    verb_images,        "List images" },
        { "inspect", verb_image_inspect, "Show images as JSON" },
        { "history", verb_image_history, "Show an image's history" },
        { "tag",     verb_image_tag,     "Give an image another name" },
        { "rm",      verb_image_rm,      "Remove images" },
        { "prune",   verb_image_prune,   "Remove unused images and data" },
        { "pull",    verb_pull,          "Fetch an image from a registry" },
        { "push",    verb_push,          "Upload an image to a registry" },
};

int verb_image(int argc, char *argv[]) {
        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                printf("Usage: dray image VERB [OPTIONS] [ARGS...]\n\nManage images.\n\nVerbs:\n");
                for (size_t i = 0; i < ELEMENTSOF(image_verbs); i++)
                        printf("  %-8s %s\n", image_verbs[i].name, image_verbs[i].summary);
                printf("\nSee dray-image(1).\n");
                return argc < 2 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        }
        for (size_t i = 0; i < ELEMENTSOF(image_verbs); i++)
                if (streq(image_verbs[i].name, argv[1])) {
                        static char name[32];

                        /* The sub-verb's argv[0] is what its messages call it: "image pull", not "pull". */
                        (void) snprintf(name, sizeof(name), "image %s", image_verbs[i].name);
                        argv[1] = name;
                        return image_verbs[i].func(argc - 1, argv + 1);
                }
        return log_error("Unknown verb 'image %s'; see 'dray image --help'.", argv[1]), EXIT_DRAY_FAILED;
}
