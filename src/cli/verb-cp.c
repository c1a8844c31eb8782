/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray cp: files between the host and a container, as a tar stream through a pipe
 * (CopyFromContainer, CopyToContainer). drayd's worker resolves every container path inside the
 * container's root; this side reads and writes the host's files as the calling user. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-write.h"
#include "bus-names.h"
#include "cli-bus.h"
#include "cli-remote.h"
#include "cli-util.h"
#include "log.h"
#include "name.h"
#include "strv.h"
#include "tar-path.h"
#include "utf8.h"
#include "verbs.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);

typedef struct CopyCall {
        bool done;
        sd_bus_message *reply;
} CopyCall;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        CopyCall *c = userdata;

        c->reply = sd_bus_message_ref(reply);
        c->done = true;
        return 0;
}

/* "CONTAINER:PATH" as docker splits it: a ':' before any '/'. Relative container paths are relative
 * to the container's "/". */
static int split_container_arg(const char *arg, char **ret_container, char **ret_path) {
        const char *colon = strchr(arg, ':'), *slash = strchr(arg, '/');
        _cleanup_free_ char *c = NULL, *p = NULL;

        if (!colon || (slash && slash < colon) || colon == arg)
                return 0;
        c = strndup(arg, (size_t) (colon - arg));
        if (!c)
                return -ENOMEM;
        if (asprintf(&p, "%s%s", colon[1] == '/' ? "" : "/", colon + 1) < 0)
                return -ENOMEM;
        *ret_container = TAKE_PTR(c);
        *ret_path = TAKE_PTR(p);
        return 1;
}

static int start_call(sd_bus *bus, const char *member, const char *container, const char *path, int fd,
                      bool keep_owner, CopyCall *call) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = bus_new_manager_call(bus, &m, member);
        r = r < 0 ? r : sd_bus_message_append(m, "ssh", container, path, fd);
        r = r < 0 ? r : sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && keep_owner)
                r = sd_bus_message_append(m, "{sv}", "KeepOwnership", "b", 1);
        r = r < 0 ? r : sd_bus_message_close_container(m);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_call_async(bus, NULL, m, on_reply, call, BUS_TIMEOUT_INFINITE);
        if (r >= 0)
                r = sd_bus_flush(bus);
        if (r < 0)
                return log_error_errno(r, "Failed to call drayd: %m");
        return 0;
}

/* The daemon's answer decides: its error names the cause better than a broken stream does. */
static int finish_call(sd_bus *bus, CopyCall *call, int local_r, const char *local_error) {
        int r;

        r = bus_run_until(bus, &call->done);
        if (r < 0)
                return log_error_errno(r, "Lost the connection to drayd: %m");
        if (sd_bus_message_is_method_error(call->reply, NULL))
                return log_bus_reply_error(call->reply);
        if (local_r < 0)
                return log_error_errno(local_r, "%s", local_error);
        return 0;
}

static int copy_fd(int in, int out) {
        char buf[64 * 1024];

        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : 0;
                r = loop_write(out, buf, (size_t) n);
                if (r < 0)
                        return r;
        }
}

/* ---- container → host -------------------------------------------------------------------------- */

static int extract_host(int fd, const char *dest, bool keep_owner, char *err, size_t err_size) {
        _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
        _cleanup_(archive_write_freep) struct archive *disk = archive_write_disk_new();
        _cleanup_free_ char *dir = NULL, *base = NULL, *rename_to = NULL;
        struct archive_entry *e;
        struct stat st;
        int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
        int r;

        if (!in || !disk)
                return -ENOMEM;
        if (stat(dest, &st) >= 0 && S_ISDIR(st.st_mode))
                dir = strdup(dest);
        else {
                r = tar_path_split(dest, &dir, &base);
                if (r < 0)
                        return r;
                if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                        return snprintf(err, err_size, "'%s' is not a directory", dir), -ENOENT;
                rename_to = TAKE_PTR(base);
        }
        if (!dir)
                return -ENOMEM;
        /* As docker: ownership of the source only with -a (and only root can give it). */
        if (keep_owner && geteuid() == 0)
                flags |= ARCHIVE_EXTRACT_OWNER;
        if (archive_read_support_format_tar(in) != ARCHIVE_OK || archive_write_disk_set_options(disk, flags) != ARCHIVE_OK)
                return -ENOMEM;
        if (archive_read_open_fd(in, fd, 64 * 1024) != ARCHIVE_OK)
                return snprintf(err, err_size, "%s", archive_error_string(in) ?: "no archive"), -EBADMSG;
        if (chdir(dir) < 0)
                return snprintf(err, err_size, "cannot enter '%s': %s", dir, strerror(errno)), -errno;
        while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e), *link = archive_entry_hardlink(e);
                _cleanup_free_ char *p = NULL, *l = NULL;
                const void *buf;
                size_t size;
                la_int64_t off;

                if (!rename_to && name && (streq(name, ".") || streq(name, "./")))
                        continue; /* the existing directory keeps its own owner and mode */
                if (rename_to) {
                        if (tar_path_rename_top(name, rename_to, &p) < 0 || (link && tar_path_rename_top(link, rename_to, &l) < 0))
                                return -ENOMEM;
                        archive_entry_set_pathname(e, p);
                        if (l)
                                archive_entry_set_hardlink(e, l);
                }
                if (archive_write_header(disk, e) < ARCHIVE_WARN)
                        return snprintf(err, err_size, "%s", archive_error_string(disk) ?: "write failed"), -EIO;
                while ((r = archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
                        if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_WARN)
                                return snprintf(err, err_size, "%s", archive_error_string(disk) ?: "write failed"), -EIO;
                if (r != ARCHIVE_EOF)
                        return snprintf(err, err_size, "%s", archive_error_string(in) ?: "read failed"), -EBADMSG;
        }
        if (r != ARCHIVE_EOF)
                return snprintf(err, err_size, "%s", archive_error_string(in) ?: "read failed"), -EBADMSG;
        if (archive_write_close(disk) != ARCHIVE_OK)
                return snprintf(err, err_size, "%s", archive_error_string(disk) ?: "write failed"), -EIO;
        return 0;
}

static int copy_from(sd_bus *bus, const char *container, const char *path, const char *dest, bool keep_owner) {
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        CopyCall call = {};
        char err[512] = "";
        int r;

        if (pipe2(p, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to make a pipe: %m");
        r = start_call(bus, "CopyFromContainer", container, path, p[1], false, &call);
        if (r < 0)
                return r;
        p[1] = safe_close(p[1]);
        if (streq(dest, "-")) {
                r = copy_fd(p[0], STDOUT_FILENO);
                if (r < 0)
                        (void) snprintf(err, sizeof(err), "Failed to write the archive: %s", strerror(-r));
        } else {
                r = extract_host(p[0], dest, keep_owner, err, sizeof(err));
                if (r < 0 && !err[0])
                        (void) snprintf(err, sizeof(err), "%s", strerror(-r));
        }
        p[0] = safe_close(p[0]);
        r = finish_call(bus, &call, r, err);
        sd_bus_message_unref(call.reply);
        return r;
}

/* ---- host → container -------------------------------------------------------------------------- */

static int archive_host(const char *src, int fd, char *err, size_t err_size) {
        _cleanup_(archive_read_freep) struct archive *disk = archive_read_disk_new();
        _cleanup_(archive_write_freep) struct archive *out = archive_write_new();
        _cleanup_free_ char *dir = NULL, *base = NULL;
        struct archive_entry *e;
        int r;

        if (!disk || !out)
                return -ENOMEM;
        r = tar_path_split(src, &dir, &base);
        if (r < 0)
                return r;
        if (chdir(dir) < 0)
                return snprintf(err, err_size, "cannot enter '%s': %s", dir, strerror(errno)), -errno;
        if (access(base, F_OK) < 0 && faccessat(AT_FDCWD, base, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return snprintf(err, err_size, "'%s': %s", src, strerror(errno)), -errno;
        if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK || archive_write_open_fd(out, fd) != ARCHIVE_OK ||
            archive_read_disk_set_standard_lookup(disk) != ARCHIVE_OK || archive_read_disk_open(disk, base) != ARCHIVE_OK)
                return snprintf(err, err_size, "cannot read '%s': %s", src, archive_error_string(disk) ?: "?"), -EIO;
        while ((r = archive_read_next_header(disk, &e)) != ARCHIVE_EOF) {
                char buf[64 * 1024];
                la_ssize_t n;

                if (r < ARCHIVE_WARN)
                        return snprintf(err, err_size, "cannot read '%s': %s", src, archive_error_string(disk) ?: "?"), -EIO;
                (void) archive_read_disk_descend(disk);
                if (archive_entry_filetype(e) == AE_IFSOCK)
                        continue;
                if (archive_write_header(out, e) < ARCHIVE_WARN)
                        return snprintf(err, err_size, "%s", archive_error_string(out) ?: "write failed"), -EIO;
                while (archive_entry_filetype(e) == AE_IFREG && (n = archive_read_data(disk, buf, sizeof(buf))) > 0)
                        if (archive_write_data(out, buf, (size_t) n) != n)
                                return snprintf(err, err_size, "%s", archive_error_string(out) ?: "write failed"), -EIO;
        }
        if (archive_write_close(out) != ARCHIVE_OK)
                return snprintf(err, err_size, "%s", archive_error_string(out) ?: "write failed"), -EIO;
        return 0;
}

static int copy_to(sd_bus *bus, const char *src, const char *container, const char *path, bool keep_owner) {
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        CopyCall call = {};
        char err[512] = "";
        int r;

        if (pipe2(p, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to make a pipe: %m");
        r = start_call(bus, "CopyToContainer", container, path, p[0], keep_owner, &call);
        if (r < 0)
                return r;
        p[0] = safe_close(p[0]);
        r = streq(src, "-") ? copy_fd(STDIN_FILENO, p[1]) : archive_host(src, p[1], err, sizeof(err));
        if (r < 0 && !err[0])
                (void) snprintf(err, sizeof(err), "%s", strerror(-r));
        p[1] = safe_close(p[1]);
        r = finish_call(bus, &call, r, err);
        sd_bus_message_unref(call.reply);
        return r;
}

/* ---- over ssh (dray -H) ----------------------------------------------------------------------- */

/* The bus to another host carries no fds: the remote dray copies to or from '-', and the tar stream
 * goes through ssh, so that host paths stay ours as they do with docker -H. */
static int copy_remote(const char *src, const char *dest, bool from_container, bool keep_owner) {
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        char *argv[] = { (char *) "cp", (char *) "-a", NULL, NULL, NULL };
        char err[512] = "";
        size_t n = keep_owner ? 2 : 1;
        pid_t pid;
        int r, status;

        argv[n++] = (char *) (from_container ? src : "-");
        argv[n] = (char *) (from_container ? "-" : dest);
        if (pipe2(p, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to make a pipe: %m");
        r = cli_remote_spawn(argv, from_container ? -EBADF : p[0], from_container ? p[1] : -EBADF, &pid);
        if (r < 0)
                return r;
        if (from_container) {
                p[1] = safe_close(p[1]);
                r = streq(dest, "-") ? copy_fd(p[0], STDOUT_FILENO) : extract_host(p[0], dest, keep_owner, err, sizeof(err));
                p[0] = safe_close(p[0]);
        } else {
                p[0] = safe_close(p[0]);
                r = streq(src, "-") ? copy_fd(STDIN_FILENO, p[1]) : archive_host(src, p[1], err, sizeof(err));
                p[1] = safe_close(p[1]);
        }
        status = cli_remote_wait(pid);
        /* The remote dray said what went wrong on its side (its stderr is ours). */
        if (status != 0)
                return -EIO;
        if (r < 0)
                return log_error_errno(r, "%s", err[0] ? err : strerror(-r));
        return 0;
}

static void cp_help(void) {
        printf("Usage: dray cp [-a] CONTAINER:SRC_PATH DEST_PATH|-\n"
               "       dray cp [-a] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
               "Copy files between a container (running or not) and the host, as a tar stream.\n"
               "'-' reads or writes the tar on stdin or stdout. A destination directory that\n"
               "exists receives the source; one that does not is created with the source's content.\n"
               "SRC_PATH/. copies a directory's content.\n\n"
               "Options:\n"
               "  -a, --archive   Keep the source's owner (default: root in the container, the\n"
               "                  calling user on the host)\n"
               "  -h, --help      Show this help\n"
               "\nSee dray(1).\n");
}

int verb_cp(int argc, char *argv[]) {
        static const struct option options[] = {
                { "archive", no_argument, NULL, 'a' },
                { "help",    no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *c1 = NULL, *p1 = NULL, *c2 = NULL, *p2 = NULL;
        bool keep_owner = false;
        int c, k1, k2, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":ah", options)) >= 0)
                switch (c) {
                case 'a':
                        keep_owner = true;
                        break;
                case 'h':
                        cp_help();
                        return EXIT_SUCCESS;
                default:
                        return log_option_error("cp", argv, c), EXIT_USAGE;
                }
        if (argc - optind != 2)
                return log_error("'dray cp' takes a source and a destination; see 'dray cp --help'."), EXIT_USAGE;
        for (int i = optind; i < argc; i++)
                if (isempty(argv[i]) || !utf8_is_valid(argv[i]) || strlen(argv[i]) >= PATH_MAX)
                        return log_error("Invalid path '%s'.", argv[i]), EXIT_USAGE;
        k1 = split_container_arg(argv[optind], &c1, &p1);
        k2 = split_container_arg(argv[optind + 1], &c2, &p2);
        if (k1 < 0 || k2 < 0)
                return log_oom(), EXIT_FAILED;
        if (k1 == k2)
                return log_error("One of source and destination must be CONTAINER:PATH, and only one."), EXIT_USAGE;

        (void) signal(SIGPIPE, SIG_IGN);
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        if (cli_remote_host() && sd_bus_can_send(bus, SD_BUS_TYPE_UNIX_FD) <= 0)
                r = copy_remote(argv[optind], argv[optind + 1], k1, keep_owner);
        else
                r = k1 ? copy_from(bus, c1, p1, argv[optind + 1], keep_owner) : copy_to(bus, argv[optind], c2, p2, keep_owner);
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}
