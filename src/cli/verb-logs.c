/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray logs: a container's output, read back from the journal. */
#include <getopt.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

#include "bus-errors.h"
#include "bus-names.h"
#include "cli-bus.h"
#include "cli-remote.h"
#include "cli-time.h"
#include "cli-util.h"
#include "container-state.h"
#include "escape.h"
#include "log.h"
#include "name.h"
#include "parse-util.h"
#include "time-util.h"
#include "verbs.h"

/* After the container stopped, journald may still be writing its last lines (it reads its socket on
 * its own schedule): keep reading until the journal has been quiet this long, but no longer than the
 * cap. There is no way to wait for journald itself without being root. */
#define LOGS_SETTLE_USEC (200 * USEC_PER_MSEC)
#define LOGS_SETTLE_MAX_USEC (2 * USEC_PER_SEC)

enum { STREAM_STDOUT, STREAM_STDERR, _STREAM_MAX };

typedef struct LogEntry {
        const char *message;
        size_t length;
        int stream;
        bool partial;
        uint64_t realtime_usec;
} LogEntry;

typedef struct Logs {
        sd_journal *journal;
        sd_bus *bus;
        sd_event *event;
        sd_event_source *settle;
        char *path;             /* the container's object, NULL when resolved without drayd */
        char *id;
        uint64_t since_usec;    /* 0: from the start */
        uint64_t until_usec;    /* UINT64_MAX: to the end */
        uint64_t tail;          /* UINT64_MAX: all */
        bool timestamps;
        bool follow;
        bool escape[_STREAM_MAX]; /* that stream is a terminal, and --raw was not given */
        bool line_start[_STREAM_MAX];
        int last_stream;
        uint64_t ending_usec;   /* when we learnt the container stopped; 0 while it runs */
} Logs;

static void logs_done(Logs *l) {
        sd_event_source_unref(l->settle);
        sd_bus_flush_close_unref(l->bus);
        sd_event_unref(l->event);
        sd_journal_close(l->journal);
        free(l->path);
        free(l->id);
}

static int journal_get_field(sd_journal *j, const char *field, const char **ret, size_t *ret_len) {
        size_t k = strlen(field);
        const void *d;
        size_t n;
        int r;

        r = sd_journal_get_data(j, field, &d, &n);
        if (r < 0)
                return r;
        if (n <= k || ((const char *) d)[k] != '=')
                return -EBADMSG;
        *ret = (const char *) d + k + 1;
        *ret_len = n - k - 1;
        return 0;
}

/* Returns 0 for an entry to show, -ENOENT for one without a message. */
static int logs_read_entry(sd_journal *j, LogEntry *ret) {
        const char *p;
        size_t n;
        int r;

        *ret = (LogEntry) {};
        r = journal_get_field(j, "MESSAGE", &ret->message, &ret->length);
        if (r < 0)
                return r == -ENOENT ? r : -EBADMSG;
        /* PRIORITY 3 (err) is what the monitor gives stderr, 6 (info) stdout. */
        if (journal_get_field(j, "PRIORITY", &p, &n) >= 0 && n == 1 && p[0] >= '0' && p[0] <= '3')
                ret->stream = STREAM_STDERR;
        else
                ret->stream = STREAM_STDOUT;
        ret->partial = journal_get_field(j, "CONTAINER_PARTIAL_MESSAGE", &p, &n) >= 0 && n == 4 &&
                       strneq(p, "true", 4);
        r = sd_journal_get_realtime_usec(j, &ret->realtime_usec);
        if (r < 0)
                return r;
        return 0;
}

/* Pieces of an over-long line (CONTAINER_PARTIAL_MESSAGE=true on all but the last) come out as the
 * one line they were; a final piece without a newline stays without one. */
static int logs_print_entry(Logs *l, const LogEntry *e) {
        FILE *f = e->stream == STREAM_STDERR ? stderr : stdout;

        /* Keep the order between the two streams when both go to one terminal. */
        if (l->last_stream != e->stream)
                (void) fflush(l->last_stream == STREAM_STDERR ? stderr : stdout);
        l->last_stream = e->stream;

        if (l->timestamps && l->line_start[e->stream]) {
                char ts[TIMESTAMP_ISO_MAX];

                fputs(format_timestamp_iso(ts, e->realtime_usec), f);
                fputc(' ', f);
        }
        /* On a terminal, the container's escape sequences (title, clear, OSC 52 clipboard) are shown,
         * not obeyed, as journalctl does; piped or with --raw they pass as they are. */
        if (l->escape[e->stream])
                escape_terminal_write(f, e->message, e->length, 0);
        else
                fwrite(e->message, 1, e->length, f);
        if (!e->partial)
                fputc('\n', f);
        l->line_start[e->stream] = !e->partial;
        return ferror(f) ? -EIO : 0;
}

/* Prints every entry after the current position. Returns how many, or a negative errno. */
static int logs_print_new(Logs *l) {
        int n = 0, r;

        while ((r = sd_journal_next(l->journal)) > 0) {
                LogEntry e;

                r = logs_read_entry(l->journal, &e);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return log_error_errno(r, "Failed to read a journal entry: %m");
                if (e.realtime_usec < l->since_usec || e.realtime_usec > l->until_usec)
                        continue;
                r = logs_print_entry(l, &e);
                if (r < 0)
                        return log_error_errno(r, "Failed to write the output: %m");
                n++;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to iterate the journal: %m");
        (void) fflush(stdout);
        (void) fflush(stderr);
        return n;
}

/* Positions the journal so that the next sd_journal_next() returns the first entry of the last
 * l->tail lines (lines, not entries: the pieces of one long line count once; a trailing piece
 * with no newline yet is a line of its own). */
static int logs_seek_tail(Logs *l) {
        bool seen[_STREAM_MAX] = {};
        uint64_t lines = 0;
        int r;

        r = sd_journal_seek_tail(l->journal);
        if (r < 0)
                return r;
        for (;;) {
                LogEntry e;
                bool ends_line;

                r = sd_journal_previous(l->journal);
                if (r < 0)
                        return r;
                if (r == 0)
                        return sd_journal_seek_head(l->journal); /* fewer lines than asked for */
                r = logs_read_entry(l->journal, &e);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                if (e.realtime_usec < l->since_usec)
                        return 0; /* stop before it: the next entry is the first to show */
                if (e.realtime_usec > l->until_usec)
                        continue; /* after --until: not shown, so not counted */
                ends_line = !e.partial || !seen[e.stream];
                seen[e.stream] = true;
                if (ends_line) {
                        if (lines >= l->tail)
                                return 0;
                        lines++;
                }
        }
}

static int logs_open_journal(Logs *l) {
        _cleanup_free_ char *match = NULL;
        int r;

        r = sd_journal_open(&l->journal, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0)
                return log_error_errno(r, "Failed to open the journal: %m");
        if (sd_journal_has_runtime_files(l->journal) <= 0 &&
            sd_journal_has_persistent_files(l->journal) <= 0)
                log_warning("No journal files could be read; container output is in the system journal, "
                            "which needs root or membership of the 'systemd-journal' group.");
        /* Pieces are 16 KiB at most, but never truncate what we print. */
        (void) sd_journal_set_data_threshold(l->journal, 0);
        if (asprintf(&match, "CONTAINER_ID_FULL=%s", l->id) < 0)
                return log_oom();
        r = sd_journal_add_match(l->journal, match, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to add a journal match: %m");

        if (l->tail != UINT64_MAX)
                r = logs_seek_tail(l);
        else if (l->since_usec > 0)
                r = sd_journal_seek_realtime_usec(l->journal, l->since_usec);
        else
                r = sd_journal_seek_head(l->journal);
        if (r < 0)
                return log_error_errno(r, "Failed to seek in the journal: %m");
        return 0;
}

static int get_string_property(sd_bus *bus, const char *path, const char *name, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_get_property_string(bus, DRAY_BUS_NAME, path, DRAY_CONTAINER_INTERFACE, name, &error,
                                       ret);
        if (r < 0)
                return log_bus_error(&error, r);
        return 0;
}

/* Whether the container may still write output: starting and stopping count. */
static bool state_is_running(const char *state) {
        ContainerState s = container_state_from_string(state);

        return s == CONTAINER_STARTING || s == CONTAINER_RUNNING || s == CONTAINER_PAUSED || s == CONTAINER_STOPPING;
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata) {
        Logs *l = userdata;
        int r;

        (void) sd_journal_process(l->journal);
        r = logs_print_new(l);
        (void) sd_event_exit(l->event, r < 0 ? EXIT_FAILED : EXIT_SUCCESS);
        return 0;
}

/* (Re)arms the settle timer: LOGS_SETTLE_USEC from now, capped at LOGS_SETTLE_MAX_USEC after the end. */
static int logs_arm_settle(Logs *l) {
        uint64_t now, when;
        int r;

        r = sd_event_now(l->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        if (l->ending_usec == 0)
                l->ending_usec = now;
        when = MIN(now + LOGS_SETTLE_USEC, l->ending_usec + LOGS_SETTLE_MAX_USEC);
        if (l->settle) {
                r = sd_event_source_set_time(l->settle, when);
                if (r < 0)
                        return r;
                return sd_event_source_set_enabled(l->settle, SD_EVENT_ONESHOT);
        }
        return sd_event_add_time(l->event, &l->settle, CLOCK_MONOTONIC, when, 0, on_settle, l);
}

static void logs_container_ended(Logs *l) {
        int r;

        if (l->ending_usec > 0)
                return;
        r = logs_arm_settle(l);
        if (r < 0) {
                log_error_errno(r, "Failed to arm a timer: %m");
                (void) sd_event_exit(l->event, EXIT_FAILED);
        }
}

static int on_journal_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Logs *l = userdata;
        int r;

        r = sd_journal_process(l->journal);
        if (r < 0) {
                log_error_errno(r, "Failed to process journal changes: %m");
                return sd_event_exit(l->event, EXIT_FAILED);
        }
        r = logs_print_new(l);
        if (r < 0)
                return sd_event_exit(l->event, EXIT_FAILED);
        if (r > 0 && l->ending_usec > 0)
                (void) logs_arm_settle(l);
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logs *l = userdata;
        const char *iface, *name, *state;
        int r;

        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0 || !streq(iface, DRAY_CONTAINER_INTERFACE))
                return 0;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return 0;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return 0;
                if (streq(name, "State")) {
                        if (sd_bus_message_read(m, "v", "s", &state) >= 0 && !state_is_running(state))
                                logs_container_ended(l);
                        return 0;
                }
                r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return 0;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return 0;
        }
        return 0;
}

static int on_container_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logs *l = userdata;
        const char *id, *path;

        if (sd_bus_message_read(m, "so", &id, &path) >= 0 && (streq(id, l->id) || streq(path, l->path)))
                logs_container_ended(l);
        return 0;
}

static int on_state_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logs *l = userdata;
        const char *state;

        /* An error here means the object is gone: the container was removed while drayd was away. */
        if (sd_bus_message_is_method_error(m, NULL) ||
            (sd_bus_message_read(m, "v", "s", &state) >= 0 && !state_is_running(state)))
                logs_container_ended(l);
        return 0;
}

/* drayd came back (after a restart): what we may have missed, ask again. */
static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logs *l = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || isempty(new_owner))
                return 0;
        (void) sd_bus_call_method_async(l->bus, NULL, DRAY_BUS_NAME, l->path,
                                        "org.freedesktop.DBus.Properties", "Get", on_state_reply, l, "ss",
                                        DRAY_CONTAINER_INTERFACE, "State");
        return 0;
}

/* Installed before the state is read, so no transition can slip between the two. */
static int logs_add_matches(Logs *l) {
        int r;

        r = sd_bus_match_signal(l->bus, NULL, DRAY_BUS_NAME, l->path, "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_properties_changed, l);
        if (r >= 0)
                r = sd_bus_match_signal(l->bus, NULL, DRAY_BUS_NAME, DRAY_MANAGER_PATH,
                                        DRAY_MANAGER_INTERFACE, "ContainerRemoved", on_container_removed, l);
        if (r >= 0)
                r = sd_bus_add_match(l->bus, NULL,
                                     "type='signal',sender='org.freedesktop.DBus',"
                                     "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                                     "member='NameOwnerChanged',"
                                     "arg0='" DRAY_BUS_NAME "'",
                                     on_owner_changed, l);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to container changes: %m");
        return 0;
}

/* Finds the container's full ID (and, with --follow, whether it runs). A full ID of a container drayd
 * no longer knows (removed, or drayd down) still finds its output in the journal. */
static int logs_resolve(Logs *l, const char *arg, bool *ret_running) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *state = NULL;
        const char *path;
        int r;

        *ret_running = false;
        r = bus_connect(&l->bus);
        if (r >= 0)
                r = bus_new_manager_call(l->bus, &m, "GetContainer");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", arg);
        if (r >= 0)
                r = sd_bus_call(l->bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0) {
                if (container_id_is_valid(arg)) {
                        log_debug("Could not look up %s (%s), reading the journal for it anyway.", arg,
                                  strna(error.message));
                        l->id = strdup(arg);
                        return l->id ? 0 : log_oom();
                }
                return log_bus_error(&error, r);
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply to GetContainer: %m");
        l->path = strdup(path);
        if (!l->path)
                return log_oom();

        if (l->follow) {
                r = logs_add_matches(l);
                if (r < 0)
                        return r;
        }
        r = get_string_property(l->bus, l->path, "Id", &l->id);
        if (r < 0)
                return r;
        if (!container_id_is_valid(l->id))
                return log_error_errno(SYNTHETIC_ERRNO(EBADMSG), "drayd returned an invalid container ID.");
        if (l->follow) {
                r = get_string_property(l->bus, l->path, "State", &state);
                if (r < 0)
                        return r;
                *ret_running = state_is_running(state);
        }
        return 0;
}

/* --until with -f: what came in up to then, and no more following. */
static int on_until(sd_event_source *s, uint64_t usec, void *userdata) {
        Logs *l = userdata;
        int r;

        r = sd_journal_process(l->journal);
        if (r >= 0)
                r = logs_print_new(l);
        return sd_event_exit(l->event, r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int logs_follow(Logs *l) {
        int fd, r;

        r = sd_event_new(&l->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate an event loop: %m");
        r = sd_bus_attach_event(l->bus, l->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        fd = sd_journal_get_fd(l->journal);
        if (fd < 0)
                return log_error_errno(fd, "Failed to watch the journal: %m");
        r = sd_event_add_io(l->event, NULL, fd, (uint32_t) sd_journal_get_events(l->journal), on_journal_io,
                            l);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the journal: %m");
        if (l->until_usec != UINT64_MAX) {
                r = sd_event_add_time(l->event, NULL, CLOCK_REALTIME, l->until_usec, 0, on_until, l);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up --until: %m");
        }

        r = sd_event_loop(l->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        return r == EXIT_SUCCESS ? 0 : -EIO;
}

static void logs_help(void) {
        printf("Usage: dray logs [OPTIONS] CONTAINER\n\n"
               "Show a container's output (stdout and stderr, as it went to the journal).\n\n"
               "Options:\n"
               "  -f, --follow        Keep printing new output until the container stops\n"
               "  -n, --tail N        Show only the last N lines (default: all)\n"
               "      --since TIME    Show output since TIME: \"YYYY-MM-DD HH:MM:SS\", epoch\n"
               "                      seconds, or a time ago such as 10m or 2h\n"
               "      --until TIME    Show output up to TIME (the same forms); with -f, stop\n"
               "                      following once TIME has passed\n"
               "  -t, --timestamps    Prefix each line with its time (UTC, RFC 3339)\n"
               "      --raw           Write control characters as they are, even to a terminal\n"
               "                      (by default a terminal sees them escaped, as \\x1b)\n"
               "  -h, --help          Show this help\n"
               "\nSee dray(1).\n");
}

int verb_logs(int argc, char *argv[]) {
        enum { ARG_SINCE = 0x100, ARG_UNTIL, ARG_RAW };
        static const struct option options[] = {
                { "follow",     no_argument,       NULL, 'f'       },
                { "tail",       required_argument, NULL, 'n'       },
                { "since",      required_argument, NULL, ARG_SINCE },
                { "until",      required_argument, NULL, ARG_UNTIL },
                { "timestamps", no_argument,       NULL, 't'       },
                { "raw",        no_argument,       NULL, ARG_RAW   },
                { "help",       no_argument,       NULL, 'h'       },
                {}
        };
        _cleanup_(logs_done) Logs l = {
                .tail = UINT64_MAX,
                .until_usec = UINT64_MAX,
                .line_start = { true, true },
        };
        bool running, raw = false;
        int c, r;

        /* Many lines go to stderr too: buffer it like stdout (logs_print_entry() flushes at each switch
         * between the two, logs_print_new() after each batch). Before anything is written to it. */
        (void) setvbuf(stderr, NULL, _IOFBF, BUFSIZ);

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":fn:th", options)) >= 0)
                switch (c) {
                case 'f':
                        l.follow = true;
                        break;
                case 'n':
                        if (streq(optarg, "all"))
                                l.tail = UINT64_MAX;
                        else {
                                r = safe_atou64(optarg, &l.tail);
                                if (r >= 0 && l.tail == UINT64_MAX)
                                        r = -ERANGE;
                                if (r < 0)
                                        return log_invalid_value("--tail", optarg, r,
                                                                 "a number of lines, or all"), EXIT_USAGE;
                        }
                        break;
                case ARG_SINCE:
                        r = parse_since(optarg, now_usec(CLOCK_REALTIME), &l.since_usec);
                        if (r < 0)
                                return log_invalid_value("--since", optarg, r,
                                                         "\"YYYY-MM-DD HH:MM:SS\", epoch seconds, or a time "
                                                         "ago such as 10m or 2h"), EXIT_USAGE;
                        break;
                case ARG_UNTIL:
                        r = parse_since(optarg, now_usec(CLOCK_REALTIME), &l.until_usec);
                        if (r < 0)
                                return log_invalid_value("--until", optarg, r,
                                                         "\"YYYY-MM-DD HH:MM:SS\", epoch seconds, or a time "
                                                         "ago such as 10m or 2h"), EXIT_USAGE;
                        break;
                case 't':
                        l.timestamps = true;
                        break;
                case ARG_RAW:
                        raw = true;
                        break;
                case 'h':
                        logs_help();
                        return EXIT_SUCCESS;
                default:
                        log_option_error("logs", argv, c);
                        return EXIT_USAGE;
                }
        if (container_args_check("logs", argv + optind, 1, 1) < 0)
                return EXIT_USAGE;
        /* The container's output is in the journal of the machine it runs on. */
        if (cli_remote_run_there() < 0)
                return EXIT_FAILED;

        l.escape[STREAM_STDOUT] = !raw && isatty(STDOUT_FILENO);
        l.escape[STREAM_STDERR] = !raw && isatty(STDERR_FILENO);

        r = logs_resolve(&l, argv[optind], &running);
        if (r < 0)
                return EXIT_FAILED;
        r = logs_open_journal(&l);
        if (r < 0)
                return EXIT_FAILED;

        r = logs_print_new(&l);
        if (r < 0)
                return EXIT_FAILED;
        if (!l.follow || !running || (l.until_usec != UINT64_MAX && l.until_usec <= now_usec(CLOCK_REALTIME)))
                return EXIT_SUCCESS;
        r = logs_follow(&l);
        return r < 0 ? EXIT_FAILED : EXIT_SUCCESS;
}
