/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-generator: a systemd generator (systemd.generator(7)) that turns /etc/dray/NAME.container into
 * NAME.service and NAME.network into NAME-network.service (dray.container(5)), with the drop-ins of
 * NAME.container.d/ applied. One bad file is
 * logged with its file and line and skipped; the generator never fails for it, so a typo never costs
 * the boot. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "container-unit.h"
#include "generator-log.h"
#include "log.h"
#include "network-unit.h"
#include "unit-dropins.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* /etc first: a file there of the same name replaces the vendor's (or, as a symlink to /dev/null,
 * masks it). DRAY_UNIT_PATH (colon-separated) replaces the list, for tests and benchmarks. */
static const char *const default_search_path = DRAY_CONFIG_DIR ":/usr/share/dray";

static bool source_suffix(const char *name) {
        size_t n = strlen(name);

        return (n > 10 && streq(name + n - 10, ".container")) || (n > 8 && streq(name + n - 8, ".network"));
}

static int collect_dir(const char *dir, char ***names, char ***paths) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? 0 : log_warning_errno(errno, "Failed to open %s, ignoring: %m", dir);
        while ((de = readdir(d))) {
                char *p;

                if (de->d_name[0] == '.' || !source_suffix(de->d_name) || strv_contains(*names, de->d_name))
                        continue;
                if (asprintf(&p, "%s/%s", dir, de->d_name) < 0 || strv_extend(names, de->d_name) < 0 ||
                    strv_consume(paths, p) < 0)
                        return log_oom();
        }
        return 0;
}

static int write_file_at(int dir_fd, const char *name, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(text);

        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        if (write(fd, text, n) != (ssize_t) n)
                return -EIO;
        return 0;
}

/* TARGET.wants/UNIT → ../UNIT; for a template, TARGET.wants/NAME@INSTANCE.service → ../NAME@.service. */
static int link_into(int dir_fd, const GeneratedUnit *u, char **targets, const char *suffix) {
        _cleanup_free_ char *instance = NULL;
        const char *unit = u->unit_name;

        if (u->default_instance) {
                const char *at = strchr(unit, '@');

                if (!at || asprintf(&instance, "%.*s@%s%s", (int) (at - unit), unit, u->default_instance, at + 1) < 0)
                        return log_oom();
        }
        STRV_FOREACH(t, targets) {
                _cleanup_free_ char *dir = NULL, *link = NULL, *dest = NULL;

                if (asprintf(&dir, "%s%s", *t, suffix) < 0 || asprintf(&link, "%s/%s", dir, instance ?: unit) < 0 ||
                    asprintf(&dest, "../%s", unit) < 0)
                        return log_oom();
                if (mkdirat(dir_fd, dir, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Failed to create %s: %m", dir);
                if (symlinkat(dest, dir_fd, link) < 0 && errno != EEXIST)
                        return log_error_errno(errno, "Failed to link %s: %m", link);
        }
        return 0;
}

/* The *.conf of FILE.d/ (and a template's, for an instance) after the file, as systemd reads a unit's. */
static int load_dropins(UnitFile *f, char *const *dirs, const char *file_name) {
        _cleanup_strv_free_ char **dropins = NULL;
        const char *reason = NULL;
        unsigned line = 0;
        int r;

        r = unit_dropins_find(dirs, file_name, &dropins);
        if (r < 0)
                return log_error_errno(r, "Failed to look for the drop-ins of %s, no unit generated: %m", f->path);
        STRV_FOREACH(d, dropins) {
                r = unit_file_load_dropin(f, *d, &line, &reason);
                if (r == -EBADMSG)
                        return log_error_errno(r, "%s:%u: %s; no unit generated for %s.", *d, line, reason, f->path);
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s, no unit generated for %s: %m", *d, f->path);
        }
        return 0;
}

static int generate_one(int out_fd, char *const *dirs, const char *path, const char *file_name) {
        _cleanup_(unit_file_freep) UnitFile *f = NULL;
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        _cleanup_free_ char *name = strdup(file_name);
        const char *reason = NULL;
        unsigned line = 0;
        int r;

        if (!name)
                return log_oom();
        *strrchr(name, '.') = 0;
        r = unit_file_load(path, &f, &line, &reason);
        if (r == -EBADMSG)
                return log_error_errno(r, "%s:%u: %s; no unit generated.", path, line, reason);
        if (r < 0)
                return log_error_errno(r, "Failed to read %s, no unit generated: %m", path);
        r = load_dropins(f, dirs, file_name);
        if (r < 0)
                return r;
        if (strstr(file_name, ".container"))
                r = container_unit_generate(f, name, DRAY_CLI_PATH, &u);
        else
                r = network_unit_generate(f, name, DRAY_CLI_PATH, &u);
        if (r < 0)
                return r; /* logged as FILE:LINE: … */
        r = write_file_at(out_fd, u.unit_name, u.text);
        if (r == -EEXIST)
                return log_error_errno(r, "%s: %s exists already (another file makes it); no unit generated.",
                                       path, u.unit_name);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", u.unit_name);
        r = link_into(out_fd, &u, u.wanted_by, ".wants");
        if (r >= 0)
                r = link_into(out_fd, &u, u.required_by, ".requires");
        STRV_FOREACH(a, u.aliases)
                if (r >= 0 && symlinkat(u.unit_name, out_fd, *a) < 0 && errno != EEXIST)
                        r = log_error_errno(errno, "Failed to link alias %s: %m", *a);
        return r;
}

int main(int argc, char *argv[]) {
        _cleanup_strv_free_ char **names = NULL, **paths = NULL, **dirs = NULL;
        _cleanup_free_ char *search = NULL;
        _cleanup_close_ int out_fd = -EBADF;
        char *state = NULL;

        generator_log_open();
        if (argc != 2 && argc != 4) {
                log_error("Usage: dray-generator NORMAL-DIR [EARLY-DIR LATE-DIR] (systemd.generator(7)).");
                return EXIT_FAILURE;
        }
        out_fd = open(argv[1], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (out_fd < 0) {
                log_error_errno(errno, "Failed to open %s: %m", argv[1]);
                return EXIT_FAILURE;
        }
        search = strdup(getenv("DRAY_UNIT_PATH") ?: default_search_path);
        if (!search)
                return log_oom(), EXIT_FAILURE;
        for (char *dir = strtok_r(search, ":", &state); dir; dir = strtok_r(NULL, ":", &state)) {
                if (strv_extend(&dirs, dir) < 0)
                        return log_oom(), EXIT_FAILURE;
                if (collect_dir(dir, &names, &paths) < 0)
                        return EXIT_FAILURE;
        }
        /* DRAY_DROPIN_PATH: where drop-ins are looked for instead (dray generate unit --service FILE,
         * which runs us on a copy of FILE, points it at FILE's directory). */
        if (getenv("DRAY_DROPIN_PATH")) {
                dirs = strv_free(dirs);
                free(search);
                search = strdup(getenv("DRAY_DROPIN_PATH"));
                if (!search)
                        return log_oom(), EXIT_FAILURE;
                for (char *dir = strtok_r(search, ":", &state); dir; dir = strtok_r(NULL, ":", &state))
                        if (strv_extend(&dirs, dir) < 0)
                                return log_oom(), EXIT_FAILURE;
        }
        for (size_t i = 0; paths && paths[i]; i++)
                if (!unit_path_masked(paths[i]))
                        (void) generate_one(out_fd, dirs, paths[i], names[i]);
        /* A bad file was logged and skipped: that is not a failure of the generator. */
        return EXIT_SUCCESS;
}
