/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-errors.h"
#include "bus-names.h"
#include "cli-bus.h"
#include "cli-remote.h"
#include "log.h"

int bus_connect(sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        (void) dray_bus_errors_register();

        /* sd_bus_open_system() only connects the socket: the SASL exchange and Hello are queued and
         * go out together with our first call, so connecting costs no round trip of its own. */
        if (cli_remote_host())
                return cli_remote_open_bus(ret);
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        *ret = bus;
        return 0;
}

int bus_new_manager_call(sd_bus *bus, sd_bus_message **ret, const char *member) {
        sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE,
                                           member);
        if (r < 0)
                return r;
        /* Let polkit ask the user (through an agent, if one runs) rather than fail outright. */
        (void) sd_bus_message_set_allow_interactive_authorization(m, isatty(STDIN_FILENO) > 0);
        *ret = m;
        return 0;
}

/* What a user of the CLI does next. drayd's messages stay free of dray commands: its callers are any
 * D-Bus client. */
static const char *cli_hint(const sd_bus_error *e) {
        static const struct {
                const char *name, *hint;
        } hints[] = {
                { DRAY_ERROR_NO_SUCH_CONTAINER, " List them with 'dray ps -a'." },
                { DRAY_ERROR_NO_SUCH_NETWORK,   " List them with 'dray network ls'." },
                { DRAY_ERROR_NO_SUCH_VOLUME,    " List them with 'dray volume ls'." },
                { DRAY_ERROR_NO_SUCH_IMAGE,     " List them with 'dray image ls'; add one with 'dray pull', "
                                                "'dray image load' or 'dray image import'." },
        };

        for (size_t i = 0; i < ELEMENTSOF(hints); i++)
                if (sd_bus_error_has_name(e, hints[i].name))
                        return hints[i].hint;
        return "";
}

int log_bus_error(const sd_bus_error *e, int r) {
        if (sd_bus_error_is_set(e)) {
                int k = sd_bus_error_get_errno(e);

                if (k <= 0)
                        k = EIO;
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                        return log_error_errno(k, "drayd is not running (%s is not on the system bus); "
                                               "start it with 'systemctl start drayd'.", DRAY_BUS_NAME);
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_ACCESS_DENIED,
                                           SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
                        return log_error_errno(k, "Permission denied: %s",
                                               e->message ?: "not authorized; run as root.");
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT))
                        return log_error_errno(k, "drayd did not reply in time.");
                /* dbus-daemon's bus activation failed (the unit failed or did not start in time). */
                if (sd_bus_error_has_names(e, "org.freedesktop.DBus.Error.TimedOut",
                                           "org.freedesktop.DBus.Error.Spawn.Failed",
                                           "org.freedesktop.DBus.Error.Spawn.ChildExited",
                                           "org.freedesktop.systemd1.UnitFailed"))
                        return log_error_errno(k, "drayd could not be started: %s (see 'systemctl status "
                                               "drayd').", strna(e->message));
                if (sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_METHOD))
                        return log_error_errno(k, "drayd does not support this call (%s); is it older than "
                                               "this dray?", strna(e->message));
                if (e->message)
                        return log_error_errno(k, "%s%s", e->message, cli_hint(e));
                return log_error_errno(k, "%s", e->name);
        }
        if ((r == -ECONNRESET || r == -ENOTCONN) && cli_remote_host())
                return log_error_errno(r, "Lost the connection to the system bus of '%s' (over ssh).",
                                       cli_remote_host());
        if (r == -ECONNRESET || r == -ENOTCONN)
                return log_error_errno(r, "Lost the connection to the system bus.");
        return log_error_errno(r, "Bus call failed: %m");
}

int log_bus_reply_error(sd_bus_message *reply) {
        return log_bus_error(sd_bus_message_get_error(reply), -EIO);
}

int bus_run_until(sd_bus *bus, const bool *done) {
        int r;

        while (!*done) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return log_bus_error(NULL, r);
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return log_bus_error(NULL, r);
        }
        return 0;
}

/* The system bus allows 128 pending replies per connection; stay well below it. */
#define BUS_EACH_MAX_PENDING 64

typedef struct BusEach {
        sd_bus *bus;
        char *const *args;
        size_t n;
        uint64_t timeout_usec;
        bus_each_build_t build;
        bus_each_done_t done;
        void *userdata;
        sd_bus_message **replies;
        sd_bus_slot **slots;
        size_t next_call, next_done, pending;
        int failed;
        int error;
        bool finished;
} BusEach;

static int bus_each_issue(BusEach *e);

static int bus_each_deliver(BusEach *e) {
        while (e->next_done < e->n && e->replies[e->next_done]) {
                size_t i = e->next_done++;

                if (e->done(e->args[i], e->replies[i], e->userdata) < 0)
                        e->failed++;
                e->replies[i] = sd_bus_message_unref(e->replies[i]);
                e->slots[i] = sd_bus_slot_unref(e->slots[i]);
        }
        if (e->next_done >= e->n)
                e->finished = true;
        return 0;
}

static int bus_each_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusEach *e = userdata;
        size_t i;

        /* Find our index by slot: replies may come in any order. */
        for (i = e->next_done; i < e->next_call; i++)
                if (e->slots[i] == sd_bus_get_current_slot(e->bus))
                        break;
        if (i >= e->next_call)
                return 0;

        e->replies[i] = sd_bus_message_ref(reply);
        e->pending--;
        (void) bus_each_issue(e);
        return bus_each_deliver(e);
}

static int bus_each_issue(BusEach *e) {
        int r;

        while (e->next_call < e->n && e->pending < BUS_EACH_MAX_PENDING) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                size_t i = e->next_call++;

                r = e->build(e->bus, e->args[i], e->userdata, &m);
                if (r >= 0)
                        r = sd_bus_call_async(e->bus, &e->slots[i], m, bus_each_reply, e, e->timeout_usec);
                if (r < 0) {
                        e->error = log_bus_error(NULL, r);
                        e->finished = true;
                        return r;
                }
                e->pending++;
        }
        return 0;
}

int bus_call_each(sd_bus *bus, char *const *args, uint64_t timeout_usec, bus_each_build_t build,
                  bus_each_done_t done, void *userdata) {
        BusEach e = {
                .bus = bus,
                .args = args,
                .timeout_usec = timeout_usec,
                .build = build,
                .done = done,
                .userdata = userdata,
        };
        int r;

        for (char *const *a = args; a && *a; a++)
                e.n++;
        if (e.n == 0)
                return 0;
        e.replies = calloc(e.n, sizeof(sd_bus_message *));
        e.slots = calloc(e.n, sizeof(sd_bus_slot *));
        if (!e.replies || !e.slots) {
                free(e.replies);
                free(e.slots);
                return log_oom();
        }

        r = bus_each_issue(&e);
        if (r >= 0)
                r = bus_run_until(bus, &e.finished);
        if (r >= 0 && e.error < 0)
                r = e.error;

        for (size_t i = 0; i < e.n; i++) {
                sd_bus_message_unref(e.replies[i]);
                sd_bus_slot_unref(e.slots[i]);
        }
        free(e.replies);
        free(e.slots);
        return r < 0 ? r : e.failed;
}
