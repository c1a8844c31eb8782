/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray stats [CONTAINER...]: CPU, memory, PIDs, block and network I/O of containers, from
 * ListContainerStats. The daemon hands out counters; the CPU percentage is computed here from two
 * samples, as docker's client does: between two frames when streaming, and between the container's
 * start (no CPU time used yet) and now for the first frame and for --no-stream, as podman does,
 * so that one call answers at once. */
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli-bus.h"
#include "cli-util.h"
#include "json-util.h"
#include "log.h"
#include "name.h"
#include "strv.h"
#include "table.h"
#include "output-format.h"
#include "verbs.h"

#define STATS_INTERVAL_USEC (1 * USEC_PER_SEC)


typedef struct StatsSample {
        char id[CONTAINER_ID_LEN + 1];
        uint64_t time_usec, cpu_nsec;
} StatsSample;

typedef struct StatsRow {
        const char *id, *name;
        bool running, have_cpu, have_mem, have_pids, have_blk, have_net;
        uint64_t time_usec, uptime_usec, cpu_nsec, mem, mem_limit, pids, blk_read, blk_write, net_rx, net_tx;
        double cpu_percent;
} StatsRow;

typedef struct StatsState {
        OutputFormat format;
        json_object *rows; /* a frame's rows, for a template */
        bool no_trunc;
        StatsSample *previous;
        size_t n_previous;
} StatsState;

/* docker's units: memory in binary units ("1.5MiB"), I/O in decimal ones ("1.2kB"). */
static const char *format_units(char buf[static 32], uint64_t v, bool binary) {
        static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        static const char *const dec[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        double base = binary ? 1024.0 : 1000.0, d = (double) v;
        size_t u = 0;

        while (d >= base && u < ELEMENTSOF(bin) - 1) {
                d /= base;
                u++;
        }
        (void) snprintf(buf, 32, binary ? "%.4g%s" : "%.3g%s", d, binary ? bin[u] : dec[u]);
        return buf;
}

static int read_row(sd_bus_message *reply, StatsRow *row) {
        const char *key;
        uint64_t v;
        int r;

        *row = (StatsRow) {};
        r = sd_bus_message_enter_container(reply, 'r', "ssa{st}");
        if (r <= 0)
                return r;
        r = sd_bus_message_read(reply, "ss", &row->id, &row->name);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{st}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "{st}", &key, &v)) > 0) {
                row->running = true;
                if (streq(key, "time_usec"))
                        row->time_usec = v;
                else if (streq(key, "uptime_usec"))
                        row->uptime_usec = v;
                else if (streq(key, "cpu_nsec"))
                        row->cpu_nsec = v, row->have_cpu = true;
                else if (streq(key, "memory_bytes"))
                        row->mem = v, row->have_mem = true;
                else if (streq(key, "memory_limit"))
                        row->mem_limit = v;
                else if (streq(key, "pids"))
                        row->pids = v, row->have_pids = true;
                else if (streq(key, "block_read"))
                        row->blk_read = v, row->have_blk = true;
                else if (streq(key, "block_write"))
                        row->blk_write = v, row->have_blk = true;
                else if (streq(key, "net_rx"))
                        row->net_rx = v, row->have_net = true;
                else if (streq(key, "net_tx"))
                        row->net_tx = v, row->have_net = true;
                /* keys this client does not know are newer counters: ignored */
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        return 1;
}

/* CPU time over wall time since the previous sample of the same container, else since its start. */
static void compute_cpu(StatsState *s, StatsRow *row) {
        uint64_t cpu0 = 0, dt = row->uptime_usec;

        for (size_t i = 0; i < s->n_previous; i++)
                if (streq(s->previous[i].id, row->id) && row->time_usec > s->previous[i].time_usec &&
                    row->cpu_nsec >= s->previous[i].cpu_nsec) {
                        cpu0 = s->previous[i].cpu_nsec;
                        dt = row->time_usec - s->previous[i].time_usec;
                }
        row->cpu_percent = dt > 0 ? (double) (row->cpu_nsec - cpu0) / 10.0 / (double) dt : 0.0;
}

/* A cell, or "--" when the host cannot tell. */
static const char *cell(char buf[static 80], bool have, const char *format, ...) _printf_(3, 4);
static const char *cell(char buf[static 80], bool have, const char *format, ...) {
        va_list ap;

        if (!have)
                return "--";
        va_start(ap, format);
        (void) vsnprintf(buf, 80, format, ap);
        va_end(ap);
        return buf;
}

static int row_to_json(const StatsRow *row, bool no_trunc, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        char a[32], b[32], c1[80], c2[80], c3[80], c4[80], c5[80], c6[80], id[CONTAINER_ID_LEN + 1];
        json_object *d;
        int r;

        if (!o)
                return -ENOMEM;
        (void) snprintf(id, sizeof(id), "%.*s", no_trunc ? CONTAINER_ID_LEN : CONTAINER_ID_SHORT_LEN, row->id);
        /* docker's fields, as strings */
        const struct { const char *key, *value; } strings[] = {
                { "ID", id },
                { "Container", row->name },
                { "Name", row->name },
                { "CPUPerc", cell(c1, row->have_cpu, "%.2f%%", row->cpu_percent) },
                { "MemUsage", cell(c2, row->have_mem, "%s / %s", format_units(a, row->mem, true),
                                   row->mem_limit > 0 ? format_units(b, row->mem_limit, true) : "--") },
                { "MemPerc", cell(c3, row->have_mem && row->mem_limit > 0, "%.2f%%",
                                  (double) row->mem * 100.0 / (double) (row->mem_limit ?: 1)) },
                { "NetIO", cell(c4, row->have_net, "%s / %s", format_units(a, row->net_rx, false),
                                format_units(b, row->net_tx, false)) },
                { "BlockIO", cell(c5, row->have_blk, "%s / %s", format_units(a, row->blk_read, false),
                                  format_units(b, row->blk_write, false)) },
                { "PIDs", cell(c6, row->have_pids, "%" PRIu64, row->pids) },
        };
        /* the raw numbers, for scripts (absent when not measured here) */
        const struct { const char *key; uint64_t value; bool have; } numbers[] = {
                { "CPUNanoseconds", row->cpu_nsec, row->have_cpu },
                { "MemoryBytes", row->mem, row->have_mem },
                { "MemoryLimit", row->mem_limit, row->have_mem },
                { "NetRxBytes", row->net_rx, row->have_net },
                { "NetTxBytes", row->net_tx, row->have_net },
                { "BlockReadBytes", row->blk_read, row->have_blk },
                { "BlockWriteBytes", row->blk_write, row->have_blk },
                { "PIDsCurrent", row->pids, row->have_pids },
        };

        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                r = json_add_string(o, strings[i].key, strings[i].value);
                if (r < 0)
                        return r;
        }
        if (row->have_cpu) {
                d = json_object_new_double(row->cpu_percent);
                if (!d || json_object_object_add(o, "CPUPercent", d) < 0)
                        return json_object_put(d), -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                if (!numbers[i].have)
                        continue;
                r = json_add_uint64(o, numbers[i].key, numbers[i].value);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static int print_row(StatsState *s, Table *t, const StatsRow *row) {
        _cleanup_json_ json_object *o = NULL;
        static const char *const keys[] = { "ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs" };
        const char *cells[ELEMENTSOF(keys)];
        int r;

        r = row_to_json(row, s->no_trunc, &o);
        if (r < 0)
                return r;
        switch (s->format.kind) {
        case OUTPUT_JSON:
                puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                return 0;
        case OUTPUT_TEMPLATE:
                if (json_object_array_add(s->rows, o) < 0)
                        return -ENOMEM;
                TAKE_PTR(o);
                return 0;
        default:
                for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                        json_object *v = NULL;

                        cells[i] = json_object_object_get_ex(o, keys[i], &v) ? json_object_get_string(v) : "";
                }
                return table_add_row(t, cells);
        }
}

/* `table TEMPLATE` headers, docker's. */
static const char *const stats_template_headers[] = {
        "ID", "CONTAINER ID", "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT", "MemPerc", "MEM %",
        "NetIO", "NET I/O", "BlockIO", "BLOCK I/O", "PIDs", "PIDS", NULL
};

/* One call, one frame. Returns the number of rows. */
static int stats_frame(sd_bus *bus, StatsState *s, char **names, bool all, bool clear) {
        static const char *const headers[] = { "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %",
                                               "NET I/O", "BLOCK I/O", "PIDS" };
        _cleanup_json_ json_object *rows = json_object_new_array();
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(table_freep) Table *t = table_new(ELEMENTSOF(headers), headers);
        _cleanup_free_ StatsSample *samples = NULL;
        size_t n = 0;
        StatsRow row;
        int r;

        if (!t || !rows)
                return log_oom();
        s->rows = rows;
        r = bus_new_manager_call(bus, &m, "ListContainerStats");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, names);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", (int) all);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r);
        r = sd_bus_message_enter_container(reply, 'a', "(ssa{st})");
        while (r >= 0 && (r = read_row(reply, &row)) > 0) {
                StatsSample *ns = reallocarray(samples, n + 1, sizeof(StatsSample));

                if (!ns)
                        return log_oom();
                samples = ns;
                compute_cpu(s, &row);
                if (strlen(row.id) != CONTAINER_ID_LEN)
                        return log_error_errno(SYNTHETIC_ERRNO(EBADMSG), "Bad container ID in the reply.");
                memcpy(samples[n].id, row.id, CONTAINER_ID_LEN + 1);
                samples[n].time_usec = row.time_usec;
                samples[n++].cpu_nsec = row.cpu_nsec;
                r = print_row(s, t, &row);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read the reply to ListContainerStats: %m");
        free(s->previous);
        s->previous = TAKE_PTR(samples);
        s->n_previous = n;
        if (clear)
                fputs("\033[2J\033[H", stdout); /* redraw in place, as top does */
        if (s->format.kind == OUTPUT_DEFAULT)
                (void) table_print(t, stdout);
        else if (s->format.kind == OUTPUT_TEMPLATE) {
                r = output_format_print_stdout(&s->format, rows, stats_template_headers);
                if (r < 0)
                        return r;
        }
        return fflush(stdout) != 0 ? -EIO : (int) n;
}

static void stats_help(void) {
        printf("Usage: dray stats [OPTIONS] [CONTAINER...]\n\n"
               "Show CPU, memory, PIDs, network and block I/O of running containers (all running ones\n"
               "when none is named), redrawn every second until interrupted.\n\n"
               "Options:\n"
               "  -a, --all             Show all containers, not only running ones\n"
               "      --no-stream       Print one frame and exit\n"
               "      --no-trunc        Do not truncate IDs\n"
               "      --format FORMAT   table (default), json (one object per line), a template such as\n"
               "                        '{{.Name}} {{.CPUPerc}}', or 'table {{.Name}}\\t{{.CPUPerc}}'\n"
               "  -h, --help            Show this help\n"
               "\nSee dray-stats(1).\n");
}

int verb_stats(int argc, char *argv[]) {
        enum { ARG_NO_STREAM = 0x100, ARG_NO_TRUNC, ARG_FORMAT };
        static const struct option options[] = {
                { "all",       no_argument,       NULL, 'a'           },
                { "no-stream", no_argument,       NULL, ARG_NO_STREAM },
                { "no-trunc",  no_argument,       NULL, ARG_NO_TRUNC  },
                { "format",    required_argument, NULL, ARG_FORMAT    },
                { "help",      no_argument,       NULL, 'h'           },
                {}
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(output_format_done) OutputFormat format = {};
        StatsState s = {};
        bool all = false, stream = true, tty;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":ah", options)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case ARG_NO_STREAM:
                        stream = false;
                        break;
                case ARG_NO_TRUNC:
                        s.no_trunc = true;
                        break;
                case ARG_FORMAT:
                        output_format_done(&format);
                        if (output_format_parse_option(optarg, &format) < 0)
                                return EXIT_USAGE;
                        break;
                case 'h':
                        stats_help();
                        return EXIT_SUCCESS;
                default:
                        return log_option_error("stats", argv, c), EXIT_USAGE;
                }
        if (optind < argc && container_args_check("stats", argv + optind, 0, SIZE_MAX) < 0)
                return EXIT_USAGE;
        r = bus_connect(&bus);
        if (r < 0)
                return EXIT_FAILED;
        s.format = format;
        /* Tables are redrawn on a terminal; lines (json, a plain template) follow each other. */
        tty = isatty(STDOUT_FILENO) && (format.kind == OUTPUT_DEFAULT || format.table);
        for (;;) {
                r = stats_frame(bus, &s, argv + optind, all, stream && tty);
                if (r < 0 || !stream)
                        break;
                /* A fixed pace between samples: the CPU figure is measured over it. */
                (void) clock_nanosleep(CLOCK_MONOTONIC, 0,
                                       &(struct timespec) { .tv_sec = STATS_INTERVAL_USEC / USEC_PER_SEC }, NULL);
        }
        free(s.previous);
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}
