/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "container-caller.h"
#include "log.h"

#define JOURNAL_STDOUT_SOCKET "/run/systemd/journal/stdout"

void container_caller_done(ContainerCaller *caller) {
        free(caller->unit);
        sd_bus_slot_unref(caller->match);
        sd_bus_slot_unref(caller->check);
        *caller = (ContainerCaller) {};
}

static bool unit_is_bindable(const char *unit) {
        size_t n = strlen(unit);

        /* drayd itself would stop its own containers with every restart. */
        return n > 8 && streq(unit + n - 8, ".service") && !streq(unit, "drayd.service");
}

int caller_identify(sd_bus_message *m, char **ret_bus_name, char **ret_unit) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_free_ char *name = NULL, *unit = NULL;
        const char *sender = sd_bus_message_get_sender(m), *u = NULL, *user_unit = NULL;
        int r;

        if (!sender || sender[0] != ':')
                return -EBADMSG; /* a direct connection: nothing to watch */
        name = strdup(sender);
        if (!name)
                return -ENOMEM;
        /* The PID comes from the bus (the kernel's SO_PEERCRED of the client); the units are read from
         * its cgroup, which the client cannot choose. */
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_PID | SD_BUS_CREDS_UNIT | SD_BUS_CREDS_USER_UNIT |
                                      SD_BUS_CREDS_AUGMENT, &creds);
        if (r >= 0 && sd_bus_creds_get_user_unit(creds, &user_unit) < 0 &&
            sd_bus_creds_get_unit(creds, &u) >= 0 && unit_is_bindable(u)) {
                unit = strdup(u);
                if (!unit)
                        return -ENOMEM;
        } else if (r < 0)
                log_debug_errno(r, "Failed to read the credentials of %s, ignoring: %m", sender);
        *ret_bus_name = TAKE_PTR(name);
        *ret_unit = TAKE_PTR(unit);
        return 0;
}

bool caller_stream_is_journal(int fd) {
        struct sockaddr_un sa = {};
        socklen_t len = sizeof(sa);

        if (fd < 0 || getpeername(fd, (struct sockaddr *) &sa, &len) < 0 || sa.sun_family != AF_UNIX)
                return false;
        if (len <= offsetof(struct sockaddr_un, sun_path))
                return false;
        return strneq(sa.sun_path, JOURNAL_STDOUT_SOCKET, sizeof(sa.sun_path)) &&
               len - offsetof(struct sockaddr_un, sun_path) >= sizeof(JOURNAL_STDOUT_SOCKET) - 1;
}

void caller_unwatch(ContainerCaller *caller) {
        caller->match = sd_bus_slot_unref(caller->match);
        caller->check = sd_bus_slot_unref(caller->check);
}

static void caller_gone(ContainerCaller *caller) {
        caller_unwatch(caller);
        caller->gone(caller->userdata);
}

static int on_name_owner_changed(sd_bus_message *message, void *userdata, sd_bus_error *ret_error) {
        ContainerCaller *caller = userdata;
        const char *name, *old_owner, *new_owner;

        /* The match names the client (arg0): a message about it with no new owner says it is gone. */
        if (sd_bus_message_read(message, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (!isempty(new_owner))
                return 0;
        caller_gone(caller);
        return 0;
}

static int on_get_name_owner(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ContainerCaller *caller = userdata;

        caller->check = sd_bus_slot_unref(caller->check);
        if (sd_bus_error_has_name(sd_bus_message_get_error(reply), SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                caller_gone(caller);
        return 0;
}

int caller_watch(ContainerCaller *caller, sd_bus *bus, const char *name, caller_gone_t gone, void *userdata) {
        _cleanup_free_ char *match = NULL;
        int r;

        if (caller->match)
                return 0;
        caller->gone = gone;
        caller->userdata = userdata;
        /* Unique names are never reused while the bus runs, and contain no quote. */
        if (asprintf(&match, "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                     "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", name) < 0)
                return -ENOMEM;
        r = sd_bus_add_match_async(bus, &caller->match, match, on_name_owner_changed, NULL, caller);
        if (r < 0)
                return r;
        /* The bus handles our messages in order: the match is in place before this is answered. */
        r = sd_bus_call_method_async(bus, &caller->check, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetNameOwner", on_get_name_owner, caller, "s", name);
        if (r < 0) {
                caller_unwatch(caller);
                return r;
        }
        return 0;
}
