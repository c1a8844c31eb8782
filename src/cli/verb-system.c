/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray system df|prune and dray container prune: what dray's objects take on disk, and removing
 * what nothing uses. Everything goes through the D-Bus API (ListContainers, ListImages, ListVolumes,
 * DiskUsage, RemoveContainer, RemoveNetwork, PruneImages, PruneVolumes), so the prunes remove only
 * what drayd itself agrees is unused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-time.h"
#include "cli-util.h"
#include "log.h"
#include "strv.h"
#include "table.h"
#include "time-util.h"
#include "verbs.h"

typedef struct DiskItem {
        char *kind, *name; /* "container" ID, "volume" name, "image" ID */
        char *label;       /* what df -v shows: a container's or image's name */
        uint64_t size;
        bool active;       /* used: a running container; an image or volume a container uses */
        bool stopped;      /* containers: created or exited */
        uint64_t created_usec;
        char *path;        /* object path */
} DiskItem;

typedef struct Disk {
        DiskItem *items;
        size_t n;
} Disk;

static void disk_done(Disk *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].kind);
                free(d->items[i].name);
                free(d->items[i].label);
                free(d->items[i].path);
        }
        free(d->items);
}

static DiskItem *disk_add(Disk *d, const char *kind, const char *name, const char *label, const char *path) {
        DiskItem *n = reallocarray(d->items, d->n + 1, sizeof(DiskItem)), *i;

        if (!n)
                return NULL;
        d->items = n;
        i = &d->items[d->n];
        *i = (DiskItem) { .kind = strdup(kind), .name = strdup(name), .label = strdup(label), .path = strdup(path) };
        if (!i->kind || !i->name || !i->label || !i->path) {
                free(i->kind), free(i->name), free(i->label), free(i->path);
                return NULL;
        }
        d->n++;
        return i;
}

static DiskItem *disk_find(Disk *d, const char *kind, const char *name) {
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->items[i].kind, kind) && streq(d->items[i].name, name))
                        return &d->items[i];
        return NULL;
}

/* docker's units for sizes: decimal, "16.43MB". */
static const char *format_bytes(char buf[static 32], uint64_t v) {
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        double d = (double) v;
        size_t u = 0;

        while (d >= 1000.0 && u < ELEMENTSOF(units) - 1) {
                d /= 1000.0;
                u++;
        }
        (void) snprintf(buf, 32, "%.4g%s", d, units[u]);
        return buf;
}

static int call(sd_bus *bus, const char *member, sd_bus_message **ret, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        r = bus_new_manager_call(bus, &m, member);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_call(bus, m, BUS_TIMEOUT_INFINITE, &error, ret);
        return r < 0 ? log_bus_error(&error, r) : 0;
}

static int read_containers(sd_bus *bus, Disk *d) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *id, *name, *state, *image, *command, *path;
        uint64_t created, finished;
        int32_t status;
        int r;

        r = call(bus, "ListContainers", &reply, "b", 1);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssttio)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssssttio)", &id, &name, &state, &image, &command, &created,
                                                  &finished, &status, &path)) > 0) {
                DiskItem *i = disk_add(d, "container", id, name, path);

                if (!i)
                        return log_oom();
                i->stopped = streq(state, "created") || streq(state, "exited");
                i->active = !i->stopped;
                i->created_usec = created;
        }
        return r < 0 ? log_error_errno(r, "Failed to parse the reply to ListContainers: %m") : 0;
}

static int read_images(sd_bus *bus, Disk *d) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *id, *digest, *path;
        uint64_t size, created;
        int r;

        r = call(bus, "ListImages", &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sasttso)");
        while (r > 0 && (r = sd_bus_message_enter_container(reply, 'r', "sasttso")) > 0) {
                _cleanup_strv_free_ char **names = NULL;
                DiskItem *i;

                r = sd_bus_message_read(reply, "s", &id);
                if (r < 0)
                        break;
                r = sd_bus_message_read_strv(reply, &names);
                if (r < 0)
                        break;
                r = sd_bus_message_read(reply, "ttso", &size, &created, &digest, &path);
                if (r < 0)
                        break;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        break;
                i = disk_add(d, "image", id, names && names[0] ? names[0] : "<none>", path);
                if (!i)
                        return log_oom();
                i->size = size;
                i->created_usec = created;
                r = 1;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to ListImages: %m");
        /* An image is active when a container (running or not) was made from it. */
        for (size_t k = 0; k < d->n; k++) {
                _cleanup_free_ char *image_id = NULL;
                DiskItem *img;

                if (!streq(d->items[k].kind, "container") ||
                    sd_bus_get_property_string(bus, DRAY_BUS_NAME, d->items[k].path, DRAY_CONTAINER_INTERFACE, "ImageId",
                                               NULL, &image_id) < 0)
                        continue;
                img = disk_find(d, "image", image_id);
                if (img)
                        img->active = true;
        }
        return 0;
}

static int read_volumes(sd_bus *bus, Disk *d) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *mountpoint, *path;
        uint64_t created;
        int anonymous, r;

        r = call(bus, "ListVolumes", &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sstbaso)");
        while (r > 0 && (r = sd_bus_message_enter_container(reply, 'r', "sstbaso")) > 0) {
                _cleanup_strv_free_ char **labels = NULL, **users = NULL;
                DiskItem *i;

                r = sd_bus_message_read(reply, "sstb", &name, &mountpoint, &created, &anonymous);
                if (r < 0)
                        break;
                r = sd_bus_message_read_strv(reply, &labels);
                if (r < 0)
                        break;
                r = sd_bus_message_read(reply, "o", &path);
                if (r < 0)
                        break;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        break;
                i = disk_add(d, "volume", name, name, path);
                if (!i)
                        return log_oom();
                (void) sd_bus_get_property_strv(bus, DRAY_BUS_NAME, path, DRAY_VOLUME_INTERFACE, "Containers", NULL, &users);
                i->active = users && users[0];
                i->created_usec = created;
                r = 1;
        }
        return r < 0 ? log_error_errno(r, "Failed to parse the reply to ListVolumes: %m") : 0;
}

/* The sizes drayd measures in a worker: containers' upper directories, volumes' data. */
static int read_usage(sd_bus *bus, Disk *d) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *kind, *name;
        uint64_t size;
        int r;

        r = call(bus, "DiskUsage", &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sst)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sst)", &kind, &name, &size)) > 0) {
                DiskItem *i = disk_find(d, kind, name);

                if (i)
                        i->size = size;
        }
        return r < 0 ? log_error_errno(r, "Failed to parse the reply to DiskUsage: %m") : 0;
}

static int read_disk(sd_bus *bus, Disk *d) {
        int r;

        r = read_containers(bus, d);
        if (r < 0)
                return r;
        r = read_images(bus, d);
        if (r < 0)
                return r;
        r = read_volumes(bus, d);
        if (r < 0)
                return r;
        return read_usage(bus, d);
}

/* ---- df ---------------------------------------------------------------------------------------- */

static int df_summary(const Disk *d) {
        static const char *const headers[] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" };
        static const struct { const char *kind, *label; } kinds[] = {
                { "image", "Images" }, { "container", "Containers" }, { "volume", "Local Volumes" },
        };
        _cleanup_(table_freep) Table *t = table_new(ELEMENTSOF(headers), headers);

        if (!t)
                return log_oom();
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                uint64_t total = 0, active = 0, size = 0, reclaimable = 0;
                char n[16], a[16], s[32], rc[32], cell[48];

                for (size_t i = 0; i < d->n; i++) {
                        if (!streq(d->items[i].kind, kinds[k].kind))
                                continue;
                        total++;
                        size += d->items[i].size;
                        if (d->items[i].active)
                                active++;
                        else
                                reclaimable += d->items[i].size;
                }
                (void) snprintf(n, sizeof(n), "%" PRIu64, total);
                (void) snprintf(a, sizeof(a), "%" PRIu64, active);
                (void) snprintf(cell, sizeof(cell), "%s (%u%%)", format_bytes(rc, reclaimable),
                                size > 0 ? (unsigned) (reclaimable * 100 / size) : 0U);
                if (table_add_row(t, (const char *const[]) { kinds[k].label, n, a, format_bytes(s, size), cell }) < 0)
                        return log_oom();
        }
        /* dray has no builder: nothing is cached. */
        if (table_add_row(t, (const char *const[]) { "Build Cache", "0", "0", "0B", "0B" }) < 0)
                return log_oom();
        return table_print(t, stdout);
}

static int df_verbose(const Disk *d) {
        static const char *const h_img[] = { "IMAGE ID", "NAME", "CREATED", "SIZE", "CONTAINERS" };
        static const char *const h_ctr[] = { "CONTAINER ID", "NAME", "SIZE", "STATUS" };
        static const char *const h_vol[] = { "VOLUME NAME", "LINKS", "SIZE" };
        _cleanup_(table_freep) Table *ti = table_new(ELEMENTSOF(h_img), h_img);
        _cleanup_(table_freep) Table *tc = table_new(ELEMENTSOF(h_ctr), h_ctr);
        _cleanup_(table_freep) Table *tv = table_new(ELEMENTSOF(h_vol), h_vol);
        uint64_t now = now_usec(CLOCK_REALTIME);

        if (!ti || !tc || !tv)
                return log_oom();
        for (size_t i = 0; i < d->n; i++) {
                const DiskItem *it = &d->items[i];
                char size[32], age[HUMAN_DURATION_MAX + 8], id[16];
                const char *bare = strncmp(it->name, "sha256:", 7) == 0 ? it->name + 7 : it->name;
                int r;

                (void) snprintf(id, sizeof(id), "%.12s", bare);
                format_bytes(size, it->size);
                if (streq(it->kind, "image")) {
                        (void) snprintf(age, sizeof(age), "%s ago",
                                        format_human_duration((char[HUMAN_DURATION_MAX]) {}, now - MIN(now, it->created_usec)));
                        r = table_add_row(ti, (const char *const[]) { id, it->label, age, size, it->active ? "1+" : "0" });
                } else if (streq(it->kind, "container"))
                        r = table_add_row(tc, (const char *const[]) { id, it->label, size, it->stopped ? "stopped" : "running" });
                else
                        r = table_add_row(tv, (const char *const[]) { it->name, it->active ? "1+" : "0", size });
                if (r < 0)
                        return log_oom();
        }
        printf("Images space usage:\n\n");
        (void) table_print(ti, stdout);
        printf("\nContainers space usage:\n\n");
        (void) table_print(tc, stdout);
        printf("\nLocal Volumes space usage:\n\n");
        (void) table_print(tv, stdout);
        printf("\nBuild cache usage: 0B (dray has no builder)\n");
        return 0;
}

static int system_df(int argc, char *argv[]) {
        static const struct option options[] = {
                { "verbose", no_argument, NULL, 'v' },
                { "help",    no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(disk_done) Disk d = {};
        bool verbose = false;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":vh", options)) >= 0)
                switch (c) {
                case 'v':
                        verbose = true;
                        break;
                case 'h':
                        printf("Usage: dray system df [-v]\n\nShow the disk space images, containers and volumes take, and "
                               "how much of it\nnothing uses.\n\n  -v, --verbose   One line per object\n\nSee dray-system(1).\n");
                        return EXIT_SUCCESS;
                default:
                        return log_option_error("system df", argv, c), EXIT_USAGE;
                }
        if (optind < argc)
                return log_error("'dray system df' takes no arguments."), EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = read_disk(bus, &d);
        if (r < 0)
                return EXIT_FAILED;
        r = verbose ? df_verbose(&d) : df_summary(&d);
        return r < 0 || fflush(stdout) != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

/* ---- prune ------------------------------------------------------------------------------------- */

typedef struct PruneFilters {
        uint64_t until;  /* created before; UINT64_MAX: any */
        char **labels;   /* KEY or KEY=VALUE: all must match (label!=: none) */
        char **nolabels;
} PruneFilters;

static void prune_filters_done(PruneFilters *f) {
        strv_free(f->labels);
        strv_free(f->nolabels);
}

static int parse_prune_filter(PruneFilters *f, const char *arg) {
        uint64_t t;
        int r;

        if (strneq(arg, "until=", 6)) {
                r = parse_since(arg + 6, now_usec(CLOCK_REALTIME), &t);
                if (r < 0)
                        return log_invalid_value("--filter until", arg + 6, r,
                                                 "a time such as 2024-01-02T15:04:05Z, unix seconds or a duration ago such as 24h");
                f->until = t;
                return 0;
        }
        if (strneq(arg, "label=", 6) && arg[6])
                return strv_extend(&f->labels, arg + 6) < 0 ? log_oom() : 0;
        if (strneq(arg, "label!=", 7) && arg[7])
                return strv_extend(&f->nolabels, arg + 7) < 0 ? log_oom() : 0;
        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Unknown --filter '%s': use until=TIME, label=KEY[=VALUE] or "
                               "label!=KEY[=VALUE].", arg);
}

static bool label_matches(char **labels, const char *want) {
        STRV_FOREACH(l, labels)
                if (streq(*l, want) || (!strchr(want, '=') && strneq(*l, want, strlen(want)) && (*l)[strlen(want)] == '='))
                        return true;
        return false;
}

static bool container_selected(sd_bus *bus, const PruneFilters *f, const DiskItem *i) {
        _cleanup_strv_free_ char **labels = NULL;

        if (!i->stopped || i->created_usec >= f->until)
                return false;
        if (!f->labels && !f->nolabels)
                return true;
        (void) sd_bus_get_property_strv(bus, DRAY_BUS_NAME, i->path, DRAY_CONTAINER_INTERFACE, "Labels", NULL, &labels);
        STRV_FOREACH(l, f->labels)
                if (!label_matches(labels, *l))
                        return false;
        STRV_FOREACH(l, f->nolabels)
                if (label_matches(labels, *l))
                        return false;
        return true;
}

/* Asks on the terminal. Without one, refuses: a prune removes data, and only -f says yes for a script. */
static int confirm(const char *what) {
        char answer[16] = {};

        if (!isatty(STDIN_FILENO))
                return log_error_errno(SYNTHETIC_ERRNO(EPERM), "Not removing anything: there is no terminal to confirm "
                                       "on; pass -f (--force) to prune without asking.");
        printf("WARNING! This will remove:\n%s\nAre you sure you want to continue? [y/N] ", what);
        fflush(stdout);
        if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
                return 0;
        return 1;
}

static int prune_containers(sd_bus *bus, Disk *d, const PruneFilters *f, uint64_t *freed) {
        bool header = false;
        int failed = 0;

        for (size_t k = 0; k < d->n; k++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                DiskItem *i = &d->items[k];

                if (!streq(i->kind, "container") || !container_selected(bus, f, i))
                        continue;
                /* Not forced: a container that was started meanwhile stays. */
                if (call(bus, "RemoveContainer", &reply, "sb", i->name, 0) < 0) {
                        failed++;
                        continue;
                }
                if (!header)
                        printf("Deleted Containers:\n");
                header = true;
                printf("%s\n", i->name);
                *freed += i->size;
        }
        if (header)
                printf("\n");
        return failed;
}

static int prune_networks(sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **names = NULL;
        const char *name, *id, *s4, *s6, *bridge, *path;
        bool header = false;
        int internal, r;

        r = call(bus, "ListNetworks", &reply, NULL);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssssbo)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssssbo)", &name, &id, &s4, &s6, &bridge, &internal, &path)) > 0)
                if (!streq(name, "dray") && strv_extend(&names, name) < 0)
                        return log_oom();
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to ListNetworks: %m");
        STRV_FOREACH(n, names) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *rr = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                r = bus_new_manager_call(bus, &m, "RemoveNetwork");
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                r = sd_bus_message_append(m, "s", *n);
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &rr);
                if (r < 0) {
                        if (!sd_bus_error_has_name(&error, DRAY_ERROR_NETWORK_IN_USE))
                                (void) log_bus_error(&error, r);
                        continue; /* in use: it stays */
                }
                if (!header)
                        printf("Deleted Networks:\n");
                header = true;
                printf("%s\n", *n);
        }
        if (header)
                printf("\n");
        return 0;
}

static int prune_volumes(sd_bus *bus, Disk *d, uint64_t *freed) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        int r;

        r = call(bus, "PruneVolumes", &reply, "b", 0);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(reply, &removed);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to PruneVolumes: %m");
        if (removed)
                printf("Deleted Volumes:\n");
        STRV_FOREACH(v, removed) {
                DiskItem *i = disk_find(d, "volume", *v);

                printf("%s\n", *v);
                *freed += i ? i->size : 0;
        }
        if (removed)
                printf("\n");
        return 0;
}

static int prune_images(sd_bus *bus, bool all, uint64_t *freed) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        uint64_t bytes = 0;
        int r;

        r = call(bus, "PruneImages", &reply, "b", (int) all);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(reply, &removed);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to PruneImages: %m");
        r = sd_bus_message_read(reply, "t", &bytes);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to PruneImages: %m");
        if (removed)
                printf("Deleted Images:\n");
        STRV_FOREACH(i, removed)
                printf("deleted: %s\n", *i);
        if (removed)
                printf("\n");
        *freed += bytes;
        return 0;
}

static int prune_usage(const char *verb, bool system) {
        printf("Usage: dray %s [OPTIONS]\n\n%s\n\nOptions:\n"
               "  -f, --force            Do not ask for confirmation\n", verb,
               system ? "Remove stopped containers, networks no container uses and unnamed images no container\n"
                        "uses (-a: every image no container uses; --volumes: anonymous volumes no container uses)."
                      : "Remove every stopped container (created or exited).");
        if (system)
                printf("  -a, --all              Remove every unused image, not only unnamed ones\n"
                       "      --volumes          Remove anonymous volumes no container uses too\n");
        printf("      --filter FILTER    until=TIME (created before), label=KEY[=VALUE], label!=KEY[=VALUE]\n"
               "  -h, --help             Show this help\n\nSee dray-system(1).\n");
        return EXIT_SUCCESS;
}

static int prune(int argc, char *argv[], bool system) {
        enum { ARG_VOLUMES = 0x100, ARG_FILTER };
        static const struct option system_options[] = {
                { "force",   no_argument,       NULL, 'f'         },
                { "all",     no_argument,       NULL, 'a'         },
                { "volumes", no_argument,       NULL, ARG_VOLUMES },
                { "filter",  required_argument, NULL, ARG_FILTER  },
                { "help",    no_argument,       NULL, 'h'         },
                {}
        }, container_options[] = {
                { "force",   no_argument,       NULL, 'f'         },
                { "filter",  required_argument, NULL, ARG_FILTER  },
                { "help",    no_argument,       NULL, 'h'         },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(prune_filters_done) PruneFilters f = { .until = UINT64_MAX };
        _cleanup_(disk_done) Disk d = {};
        const char *verb = system ? "system prune" : "container prune";
        bool force = false, all = false, volumes = false;
        char what[512], size[32];
        uint64_t freed = 0;
        int c, r, failed = 0;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, system ? ":fah" : ":fh", system ? system_options : container_options)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case ARG_VOLUMES:
                        volumes = true;
                        break;
                case ARG_FILTER:
                        if (parse_prune_filter(&f, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case 'h':
                        return prune_usage(verb, system);
                default:
                        return log_option_error(verb, argv, c), EXIT_USAGE;
                }
        if (optind < argc)
                return log_error("'dray %s' takes no arguments.", verb), EXIT_USAGE;
        if (system)
                (void) snprintf(what, sizeof(what), "  - all stopped containers\n  - all networks not used by at least one "
                                "running container\n  - %s%s", all ? "all images without at least one container "
                                "associated to them" : "all dangling (unnamed) images", volumes ?
                                "\n  - all anonymous volumes not used by at least one container" : "");
        else
                (void) snprintf(what, sizeof(what), "  - all stopped containers");
        if (!force) {
                r = confirm(what);
                if (r <= 0)
                        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
        }
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        r = read_disk(bus, &d);
        if (r < 0)
                return EXIT_FAILED;
        failed = prune_containers(bus, &d, &f, &freed);
        if (system) {
                r = prune_networks(bus);
                if (r >= 0 && volumes)
                        r = prune_volumes(bus, &d, &freed);
                if (r >= 0)
                        r = prune_images(bus, all, &freed);
                if (r < 0)
                        failed++;
        }
        printf("Total reclaimed space: %s\n", format_bytes(size, freed));
        return failed > 0 || fflush(stdout) != 0 ? EXIT_FAILED : EXIT_SUCCESS;
}

int verb_container_prune(int argc, char *argv[]) {
        return prune(argc, argv, false);
}

int verb_system(int argc, char *argv[]) {
        if (argc < 2 || streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                printf("Usage: dray system VERB [OPTIONS]\n\nVerbs:\n"
                       "  df        Show the disk space dray's objects take\n"
                       "  prune     Remove what nothing uses\n\nSee dray-system(1).\n");
                return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
        }
        if (streq(argv[1], "df"))
                return system_df(argc - 1, argv + 1);
        if (streq(argv[1], "prune"))
                return prune(argc - 1, argv + 1, true);
        return log_error("Unknown verb 'system %s'; see 'dray system --help'.", argv[1]), EXIT_USAGE;
}
