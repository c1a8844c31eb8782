/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>

#include "bus-names.h"
#include "container-dbus.h"
#include "container-internal.h"
#include "container.h"
#include "contract.h"
#include "events.h"
#include "exit-record.h"
#include "journal-events.h"
#include "log.h"
#include "machine1.h"
#include "manager.h"
#include "monitor-spawn.h"
#include "name.h"
#include "parse-util.h"
#include "proc-util.h"
#include "rm-rf.h"
#include "scope-cgroup.h"
#include "scope-logging.h"
#include "scope.h"
#include "strv.h"
#include "time-util.h"
#include "volume.h"


static const bool transitions[_CONTAINER_STATE_MAX][_CONTAINER_STATE_MAX] = {
        [CONTAINER_CREATED] = { [CONTAINER_STARTING] = true, [CONTAINER_REMOVING] = true },
        [CONTAINER_STARTING] = { [CONTAINER_RUNNING] = true, [CONTAINER_EXITED] = true },
        [CONTAINER_RUNNING] = { [CONTAINER_STOPPING] = true, [CONTAINER_EXITED] = true },
        [CONTAINER_STOPPING] = { [CONTAINER_EXITED] = true },
        [CONTAINER_EXITED] = { [CONTAINER_STARTING] = true, [CONTAINER_REMOVING] = true },
        [CONTAINER_REMOVING] = {},
};

bool container_state_transition_is_valid(ContainerState from, ContainerState to) {
        if (from < 0 || from >= _CONTAINER_STATE_MAX || to < 0 || to >= _CONTAINER_STATE_MAX)
                return false;
        return transitions[from][to];
}

bool container_is_active(const Container *c) {
        return c->rec.state == CONTAINER_STARTING || c->rec.state == CONTAINER_RUNNING ||
                c->rec.state == CONTAINER_STOPPING;
}

StartError start_error_from_errno(int error) {
        switch (error) {
        case ENOENT:
                return START_ERROR_COMMAND_NOT_FOUND;
        case EACCES:
        case ENOEXEC:
        case EPERM:
        case EISDIR:
        case ENOTDIR:
        case ELIBBAD:
        case ETXTBSY:
                return START_ERROR_NOT_EXECUTABLE;
        default:
                return START_ERROR_OTHER;
        }
}

int container_exit_status_for_start_error(StartError e) {
        switch (e) {
        case START_ERROR_COMMAND_NOT_FOUND:
                return EXIT_NOT_FOUND;
        case START_ERROR_NOT_EXECUTABLE:
                return EXIT_CANNOT_INVOKE;
        default:
                return EXIT_DRAY_FAILED;
        }
}

/* ---- lifetime --------------------------------------------------------------------------------- */

int container_new(Manager *m, ContainerSpec *spec, Container **ret) {
        _cleanup_(container_freep) Container *c = NULL;
        int r;

        c = calloc(1, sizeof(Container));
        if (!c)
                return -ENOMEM;
        *c = (Container) {
                .manager = m,
                .rec = CONTAINER_RECORD_INIT,
                .monitor_pidfd = -EBADF,
                .payload_pidfd = -EBADF,
                .sync_fd = -EBADF,
                .stop_deadline = USEC_INFINITY,
        };
        r = container_bus_path(spec->id, &c->path);
        if (r < 0)
                return r;
        if (asprintf(&c->unit, DRAY_UNIT_PREFIX "%s" DRAY_UNIT_SUFFIX, spec->name) < 0) {
                c->unit = NULL;
                return -ENOMEM;
        }
        c->spec = spec; /* only now: on failure the caller still owns it */
        *ret = TAKE_PTR(c);
        return 0;
}

static void container_reply_all_gone(Container *c, MessageList *l) {
        MessageList t;

        message_list_take(l, &t);
        for (size_t i = 0; i < t.n; i++)
                container_bus_reply_gone(c, t.messages[i]);
        message_list_done(&t);
}

Container *container_free(Container *c) {
        if (!c)
                return NULL;
        monitor_unwatch(c);
        c->start_timer = sd_event_source_disable_unref(c->start_timer);
        c->stop_timer = sd_event_source_disable_unref(c->stop_timer);
        container_restart_done(c);
        if (c->manager->container_observer && c->manager->container_observer->freed)
                c->manager->container_observer->freed(c);
        c->scope_job = scope_job_free(c->scope_job);
        /* On shutdown the callers get NoReply from the bus once we disconnect; the replies we
         * could give would be lies. */
        message_list_done(&c->start_waiters);
        message_list_done(&c->restart_waiters);
        message_list_done(&c->stop_waiters);
        message_list_done(&c->wait_waiters);
        message_list_done(&c->remove_waiters);
        container_caller_done(&c->caller);
        container_record_done(&c->rec);
        free(c->start_error_message);
        container_net_free(c->net);
        spec_free(c->spec);
        free(c->path);
        free(c->unit);
        free(c);
        return NULL;
}

int container_open_dir(Container *c) {
        int fd;

        fd = openat(c->manager->containers_fd, c->spec->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

/* Every write is atomic and its data fsynced before the rename (never torn). Transient states
 * (starting, running, stopping) skip the directory fsync: after a drayd restart the page cache
 * still has them, and after a power loss every container has stopped anyway and the monitor's
 * durable exit.json tells how. Resting states are written fully durably. */
int container_save(Container *c) {
        _cleanup_close_ int fd = -EBADF;
        bool durable = !container_is_active(c);
        int r;

        fd = container_open_dir(c);
        if (fd < 0)
                return log_warning_errno(fd, "Failed to open the directory of container %s, not saving its state: %m",
                                         c->spec->name);
        r = container_record_save(fd, &c->rec, durable);
        if (r < 0)
                return log_warning_errno(r, "Failed to save the state of container %s: %m", c->spec->name);
        return 0;
}

typedef enum ContainerEvent {
        CONTAINER_EVENT_RUNNING,
        CONTAINER_EVENT_STOPPED,
        CONTAINER_EVENT_ADOPTED,
} ContainerEvent;

static void container_notify(Container *c, ContainerEvent e) {
        const ContainerObserver *o = c->manager->container_observer;
        void (*f)(Container *c);

        if (!o)
                return;
        f = e == CONTAINER_EVENT_RUNNING ? o->running : e == CONTAINER_EVENT_STOPPED ? o->stopped : o->adopted;
        if (f)
                f(c);
}

static void container_set_state(Container *c, ContainerState state) {
        if (c->rec.state == state)
                return;
        if (!container_state_transition_is_valid(c->rec.state, state))
                log_error("BUG: container %s goes from %s to %s.", c->spec->name,
                          container_state_to_string(c->rec.state), container_state_to_string(state));
        log_debug("Container %s: %s → %s", c->spec->name, container_state_to_string(c->rec.state),
                  container_state_to_string(state));
        c->rec.state = state;
        if (state != CONTAINER_RUNNING)
                c->rec.paused = false; /* a frozen cgroup ends with its processes */
        if (state != CONTAINER_REMOVING)
                (void) container_save(c);
        container_notify(c, state == CONTAINER_RUNNING ? CONTAINER_EVENT_RUNNING : CONTAINER_EVENT_STOPPED);
        container_bus_send_changed(c);
}

static void container_set_start_error(Container *c, StartError e, const char *message) {
        char *m = message ? strdup(message) : NULL;

        /* The first failure is the one to report. */
        if (c->start_error != START_ERROR_NONE) {
                free(m);
                return;
        }
        c->start_error = e;
        free(c->start_error_message);
        c->start_error_message = m;
}

/* ---- create, load, adopt ---------------------------------------------------------------------- */

int container_create(Manager *m, ContainerSpec *spec, Container **ret) {
        _cleanup_(container_freep) Container *c = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = container_new(m, spec, &c);
        if (r < 0)
                return r;
        if (mkdirat(m->containers_fd, spec->id, 0700) < 0) {
                r = -errno;
                c->spec = NULL; /* the caller keeps the spec on failure */
                return r;
        }
        fd = container_open_dir(c);
        r = fd < 0 ? fd : spec_save(spec, fd);
        if (r >= 0)
                r = container_record_save(fd, &c->rec, true);
        if (r >= 0 && fsync(m->containers_fd) < 0)
                r = -errno;
        if (r < 0) {
                (void) rm_rf_at(m->containers_fd, spec->id);
                c->spec = NULL;
                return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int container_load(Manager *m, const char *id, Container **ret) {
        _cleanup_(spec_freep) ContainerSpec *spec = NULL;
        _cleanup_(container_record_done) ContainerRecord rec = CONTAINER_RECORD_INIT;
        _cleanup_close_ int fd = -EBADF;
        Container *c;
        int r;

        fd = openat(m->containers_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        r = spec_load(fd, &spec);
        if (r < 0)
                return r;
        if (!streq(spec->id, id))
                return -EBADMSG;
        r = container_record_load(fd, &rec);
        if (r == -ENOENT)
                rec = CONTAINER_RECORD_INIT; /* crashed between config.json and state.json */
        else if (r < 0)
                return r;

        r = container_new(m, spec, &c);
        if (r < 0)
                return r;
        TAKE_PTR(spec);
        c->rec = rec;
        rec = (ContainerRecord) {};
        /* Renamed while it ran: its scope keeps the name it started with until the next start. */
        if (c->rec.unit && container_is_active(c) && !streq(c->rec.unit, c->unit)) {
                free(c->unit);
                c->unit = strdup(c->rec.unit);
                if (!c->unit) {
                        container_free(c);
                        return -ENOMEM;
                }
        }
        *ret = c;
        return 0;
}

static int container_signal(Container *c, int sig);
static void container_arm_stop_timer(Container *c, uint64_t timeout_usec);
static void container_exited(Container *c);

static void container_reattach_payload(Container *c) {
        pid_t pid = c->rec.pid;
        int fd;

        /* The pid may be unknown when we died between the monitor's "G" and its "OK". */
        if (pid <= 0 && proc_get_first_child(c->rec.monitor_pid, &pid) < 0)
                return;
        fd = payload_open_pidfd(pid, c->rec.monitor_pid);
        if (fd < 0)
                return;
        c->payload_pidfd = fd;
        c->rec.pid = pid;
}

int container_adopt(Container *c) {
        int fd, r;

        switch (c->rec.state) {
        case CONTAINER_CREATED:
        case CONTAINER_EXITED:
                /* A drayd killed while it set up the network, before the monitor ran. */
                container_net_teardown(c);
                /* With an attached client, once it collected the status or went away
                 * (container_caller_watch(), when the bus is up). */
                if (c->rec.state == CONTAINER_EXITED && c->spec->auto_remove && !c->rec.caller)
                        (void) container_remove(c, false, NULL);
                return 0;
        case CONTAINER_REMOVING:
                /* We died half-way; finish it. */
                (void) container_remove(c, true, NULL);
                return 0;
        default:
                break;
        }

        fd = monitor_open_pidfd(c->rec.monitor_pid, c->rec.monitor_start_time, c->rec.boot_id);
        if (fd == -ESRCH) {
                log_info("Container %s: its monitor (PID %i) is gone.", c->spec->name, (int) c->rec.monitor_pid);
                container_exited(c); /* may free c */
                return 0;
        }
        if (fd < 0)
                /* Not known to be gone (out of fds, say): leave the record alone rather than declare a
                 * live container dead. The next drayd looks again. */
                return log_error_errno(fd, "Container %s: failed to check on its monitor (PID %i), leaving it %s: %m",
                                       c->spec->name, (int) c->rec.monitor_pid,
                                       container_state_to_string(c->rec.state));
        c->monitor_pidfd = fd;
        if (c->spec->net.mode == NETWORK_MODE_BRIDGE) {
                r = container_net_load(c);
                if (r < 0)
                        log_warning_errno(r, "Container %s: failed to read its network state, its published ports "
                                          "are not forwarded: %m", c->spec->name);
        }
        r = monitor_watch(c);
        if (r < 0) {
                c->monitor_pidfd = safe_close(c->monitor_pidfd);
                return log_error_errno(r, "Failed to watch the monitor of container %s: %m", c->spec->name);
        }
        container_reattach_payload(c);
        log_info("Container %s: adopted its monitor (PID %i) and payload (PID %i).", c->spec->name,
                 (int) c->rec.monitor_pid, (int) c->rec.pid);

        if (c->rec.state == CONTAINER_STARTING) {
                /* Our end of the sync socket died with us: the monitor either had its "G" and runs
                 * the payload, or it gives up on its own and we see it exit. */
                if (c->rec.started_usec == 0)
                        c->rec.started_usec = now_usec(CLOCK_REALTIME);
                container_set_state(c, CONTAINER_RUNNING);
        } else if (c->rec.state == CONTAINER_STOPPING)
                /* Whoever asked for the stop is gone, but the stop should still end. */
                container_arm_stop_timer(c, c->spec->stop_timeout_usec);
        else
                container_notify(c, CONTAINER_EVENT_ADOPTED);
        return 0;
}

/* ---- start ------------------------------------------------------------------------------------ */

static void container_reply_start_waiters(Container *c) {
        MessageList t;

        message_list_take(&c->start_waiters, &t);
        for (size_t i = 0; i < t.n; i++)
                container_bus_reply_start(c, t.messages[i]);
        message_list_done(&t);
}

static int on_start_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Container *c = userdata;

        log_error("Container %s: dray-monitor did not start it within %llu s, killing it.", c->spec->name,
                  (unsigned long long) ((c->spec->boot ? CONTAINER_BOOT_TIMEOUT_USEC : CONTAINER_START_TIMEOUT_USEC) /
                                        USEC_PER_SEC));
        c->start_timer = sd_event_source_disable_unref(c->start_timer);
        container_set_start_error(c, START_ERROR_OTHER, "dray-monitor did not start the container in time");
        /* Everything in the scope, and the monitor in case it never got there; not while the start of the
         * scope is pending: the unit of that name may not be ours (scope_job_check_owner()). */
        if (!c->scope_job && !c->unit_foreign)
                (void) scope_kill(c->manager, c->unit, SIGKILL);
        if (c->monitor_pidfd >= 0)
                (void) pidfd_send_signal(c->monitor_pidfd, SIGKILL, NULL, 0);
        return 0;
}

static void on_scope_started(ScopeJob *j, int error, const char *message, void *userdata) {
        Container *c = userdata;
        int r;

        c->scope_job = scope_job_free(j);
        /* -ENOTUNIQ: the unit is someone else's; the failed start must not stop it. */
        c->unit_foreign = error == -ENOTUNIQ;
        if (error < 0) {
                log_error("Container %s: %s", c->spec->name, message ?: "Failed to start the scope.");
                container_set_start_error(c, START_ERROR_SYSTEMD, message ?: "Failed to start the scope");
                /* Closing the sync socket before "G" makes the monitor exit without doing anything;
                 * container_exited() follows. */
                monitor_sync_close(c);
                return;
        }
        log_debug("Container %s: scope %s is up, letting the monitor go.", c->spec->name, c->unit);
        r = monitor_send_go(c);
        if (r < 0) {
                log_error_errno(r, "Container %s: failed to tell the monitor to go: %m", c->spec->name);
                container_set_start_error(c, START_ERROR_OTHER, "dray-monitor went away before it could start");
                monitor_sync_close(c);
        }
}

static int container_spawn_monitor(Container *c, const ContainerStreams *streams) {
        Manager *m = c->manager;
        MonitorSpawnArgs args = {
                .monitor_path = m->monitor_path,
                .id = c->spec->id,
                .state_dir = m->state_dir,
                .runtime_dir = m->runtime_dir,
                .streams = streams ? *streams : CONTAINER_STREAMS_NULL,
                .exec_spec_fd = -EBADF,
                .nofile = &m->nofile_original,
                .log_level = log_get_max_level(),
        };
        pid_t pid;
        int sync_fd, pidfd, r;

        /* A caller's output that goes to the journal anyway: the monitor's own entries name the
         * caller's unit instead of a copy being written into the stream (container-caller.h). */
        if (c->caller.unit && caller_stream_is_journal(args.streams.stdout_fd)) {
                args.streams.stdout_fd = -EBADF;
                args.log_unit = c->caller.unit;
        }
        if (c->caller.unit && caller_stream_is_journal(args.streams.stderr_fd)) {
                args.streams.stderr_fd = -EBADF;
                args.log_unit = c->caller.unit;
        }

        r = monitor_spawn(&args, &pid, &sync_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to spawn %s for container %s: %m", m->monitor_path,
                                       c->spec->name);
        pidfd = pidfd_open_pid(pid);
        if (pidfd < 0) {
                r = pidfd;
                safe_close(sync_fd);
                return log_error_errno(r, "Failed to open a pidfd for dray-monitor (PID %i): %m", (int) pid);
        }
        c->monitor_pidfd = pidfd;
        c->sync_fd = sync_fd;
        c->rec.monitor_pid = pid;
        r = proc_get_starttime(pid, &c->rec.monitor_start_time);
        if (r >= 0)
                r = sd_id128_get_boot(&c->rec.boot_id);
        if (r >= 0)
                r = monitor_watch(c);
        if (r >= 0)
                r = monitor_sync_watch(c);
        if (r < 0) {
                /* It waits for "G": closing the socket is enough to make it go away. */
                monitor_unwatch(c);
                c->rec.monitor_pid = 0;
                return log_error_errno(r, "Failed to track dray-monitor (PID %i): %m", (int) pid);
        }
        return 0;
}

/* Spawns the monitor and starts the scope; the rest happens in callbacks. */
static int container_spawn(Container *c, const ContainerStreams *streams) {
        _cleanup_(dray_error_done) DrayError net_error = {};
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        assert(!container_is_active(c));

        c->start_error = START_ERROR_NONE;
        free(c->start_error_message);
        c->start_error_message = NULL;
        c->stop_requested = false;
        c->stop_deadline = USEC_INFINITY;

        dir_fd = container_open_dir(c);
        if (dir_fd < 0)
                return log_error_errno(dir_fd, "Failed to open the directory of container %s: %m", c->spec->name);
        /* The last run's record; the monitor writes the next one. */
        if (unlinkat(dir_fd, EXIT_RECORD_FILE, 0) < 0 && errno != ENOENT)
                return log_error_errno(errno, "Failed to remove the old exit record of container %s: %m",
                                       c->spec->name);

        r = scope_logging_setup(c->manager->units_dir, c->unit);
        if (r < 0)
                log_warning_errno(r, "Failed to lift journald's rate limit for %s, ignoring: %m", c->unit);

        /* Before the monitor exists: it joins the namespace this makes. */
        r = container_net_setup(c, &net_error);
        if (r < 0) {
                free(c->start_error_message);
                c->start_error_message = dray_error_take_message(&net_error);
                log_error_errno(r, "Container %s: failed to set up its network: %s", c->spec->name,
                                strna(c->start_error_message));
                /* Names the caller can tell apart (container-dbus.c): IP or port taken, or else. */
                return r == -EADDRINUSE || r == -EADDRNOTAVAIL ? r : -ENETUNREACH;
        }
        r = container_spawn_monitor(c, streams);
        if (r < 0) {
                container_net_teardown(c);
                return r;
        }

        c->rec.pid = 0;
        c->rec.exit_status = -1;
        c->rec.oom_killed = false;
        c->rec.started_usec = 0;
        c->rec.finished_usec = 0;
        (void) container_record_set_error(&c->rec, NULL);
        container_set_state(c, CONTAINER_STARTING);

        r = sd_event_add_time_relative(c->manager->event, &c->start_timer, CLOCK_MONOTONIC,
                                       c->spec->boot ? CONTAINER_BOOT_TIMEOUT_USEC : CONTAINER_START_TIMEOUT_USEC,
                                       USEC_PER_SEC, on_start_timeout, c);
        if (r < 0)
                log_warning_errno(r, "Failed to arm the start timeout of container %s, ignoring: %m", c->spec->name);

        r = scope_start(c->manager, c->unit, c->spec, c->rec.monitor_pid, c->caller.unit, on_scope_started, c,
                        &c->scope_job);
        if (r < 0) {
                log_error_errno(r, "Failed to ask systemd for scope %s: %m", c->unit);
                container_set_start_error(c, START_ERROR_SYSTEMD, "Failed to ask systemd for the scope");
                monitor_sync_close(c);
        }
        return 0;
}

/* Each start takes the scope name from the container's name (which a rename may have changed), and
 * records it: a drayd restarted while it runs finds the scope under that name. */
static int container_unit_follow_name(Container *c) {
        char *unit, *rec_unit;

        if (asprintf(&unit, DRAY_UNIT_PREFIX "%s" DRAY_UNIT_SUFFIX, c->spec->name) < 0)
                return -ENOMEM;
        rec_unit = strdup(unit);
        if (!rec_unit) {
                free(unit);
                return -ENOMEM;
        }
        free(c->unit);
        c->unit = unit;
        free(c->rec.unit);
        c->rec.unit = rec_unit;
        return 0;
}

int container_start(Container *c, const ContainerStreams *streams, sd_bus_message *m) {
        int r;

        if (c->remove_requested || c->rec.state == CONTAINER_REMOVING)
                return -ENOENT;
        if (container_is_active(c))
                return -EBUSY;
        r = container_unit_follow_name(c);
        if (r < 0)
                return r;
        if (m) {
                r = message_list_push(&c->start_waiters, m);
                if (r < 0)
                        return r;
        }
        container_restart_started(c);
        /* The last run's client, if it is still around, has nothing more to collect. */
        container_caller_release(c);
        c->caller.collected = false;
        if (m && streams && (streams->stdout_fd >= 0 || streams->stderr_fd >= 0)) {
                r = caller_identify(m, &c->rec.caller, &c->caller.unit);
                if (r < 0 && r != -EBADMSG) {
                        message_list_done(&c->start_waiters);
                        return r;
                }
        }
        r = container_spawn(c, streams);
        if (r < 0) {
                container_caller_release(c);
                if (m)
                        message_list_done(&c->start_waiters); /* only ours: nothing was active */
                return r;
        }
        r = container_caller_watch(c);
        if (r < 0)
                log_warning_errno(r, "Container %s: failed to watch its client %s, ignoring: %m", c->spec->name,
                                  c->rec.caller);
        return 0;
}

static const char *container_action(const char *message_id) {
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_CREATED))
                return "create";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_STARTED))
                return "start";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_DIED) || streq(message_id, DRAY_MESSAGE_CONTAINER_START_FAILED))
                return "die";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_REMOVED))
                return "destroy";
        if (streq(message_id, DRAY_MESSAGE_CONTAINER_RENAMED))
                return "rename";
        return "other";
}

/* name, image, then extra ("key", "value", ...; at most 4 pairs) into attrs. */
static void container_event_attributes(Container *c, const char *const *extra, const char *attrs[static 13]) {
        size_t n = 0;

        attrs[n++] = "name";
        attrs[n++] = c->spec->name;
        attrs[n++] = "image";
        attrs[n++] = c->spec->image ?: strempty(c->spec->rootfs);
        for (size_t i = 0; extra && extra[i] && extra[i + 1] && n < 12; i += 2) {
                attrs[n++] = extra[i];
                attrs[n++] = extra[i + 1];
        }
        attrs[n] = NULL;
}

void container_log_event_attrs(Container *c, const char *message_id, const char *const *attributes, int priority,
                               const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        const char *attrs[13], *extra[5] = {};
        const char *action = container_action(message_id);
        char status[16];
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0) {
                log_oom();
                return;
        }
        if (streq(action, "die")) {
                (void) snprintf(status, sizeof(status), "%i", c->rec.exit_status);
                extra[0] = "exitCode";
                extra[1] = status;
        } else if (attributes && attributes[0] && attributes[1]) {
                extra[0] = attributes[0];
                extra[1] = attributes[1];
        }
        container_event_attributes(c, extra, attrs);
        event_sink_send(&c->manager->events, c->manager->bus,
                        &(DrayEvent) { .type = EVENT_CONTAINER, .action = action, .id = c->spec->id,
                                       .name = c->spec->name, .attributes = attrs, .message_id = message_id,
                                       .message = message, .unit = c->unit, .priority = priority });
}

void container_event(Container *c, const char *action, const char *const *attributes) {
        const char *attrs[13];

        container_event_attributes(c, attributes, attrs);
        event_sink_send(&c->manager->events, c->manager->bus,
                        &(DrayEvent) { .type = EVENT_CONTAINER, .action = action, .id = c->spec->id,
                                       .name = c->spec->name, .attributes = attrs, .unit = c->unit });
}

#define container_machine_info(c)                                                                   \
        ((MachineInfo) { .name = (c)->spec->name, .id = (c)->spec->id, .unit = (c)->unit,                 \
                         .root = (c)->spec->rootfs, .leader = (c)->rec.pid })

static void on_machine_registered(Manager *m, const char *id) {
        Container *c;

        if (manager_find_container(m, id, &c) >= 0)
                container_machine_registered(c);
}

void container_monitor_ok(Container *c, pid_t payload_pid) {
        int fd, r;

        if (c->rec.state != CONTAINER_STARTING) {
                log_warning("Container %s: the monitor reported a start while %s, ignoring.", c->spec->name,
                            container_state_to_string(c->rec.state));
                return;
        }
        c->start_timer = sd_event_source_disable_unref(c->start_timer);

        fd = payload_open_pidfd(payload_pid, c->rec.monitor_pid);
        if (fd < 0)
                /* It may have ended already; the monitor tells us how when it exits. */
                log_debug_errno(fd, "Container %s: no pidfd for the payload (PID %i): %m", c->spec->name,
                                (int) payload_pid);
        c->payload_pidfd = fd;
        c->rec.pid = payload_pid;
        c->rec.started_usec = now_usec(CLOCK_REALTIME);
        container_set_state(c, CONTAINER_RUNNING);
        container_log_event(c, DRAY_MESSAGE_CONTAINER_STARTED, LOG_INFO, "Started container %s (PID %i).",
                            c->spec->name, (int) payload_pid);
        /* A booted container is answered once machined knows it (container_machine_registered()). */
        if (!c->spec->boot)
                container_reply_start_waiters(c);

        r = machine_register(c->manager, &container_machine_info(c),
                             c->spec->boot ? on_machine_registered : NULL);
        if (r < 0) {
                log_debug_errno(r, "Container %s: failed to register with machined, ignoring: %m", c->spec->name);
                container_reply_start_waiters(c);
        }

        if (c->stop_requested) {
                c->stop_requested = false;
                (void) container_stop(c, c->stop_requested_timeout, NULL);
        }
}

void container_machine_registered(Container *c) {
        container_reply_start_waiters(c);
}

void container_monitor_err(Container *c, StartError e, int error, const char *message) {
        log_debug("Container %s: the monitor failed to start it: %s (%s)", c->spec->name, strna(message),
                  strerror(error));
        container_set_start_error(c, e, message);
        /* The monitor writes exit.json and exits; container_exited() reports it. */
}

/* ---- stop, kill, exit -------------------------------------------------------------------------- */

static int container_payload_pidfd(Container *c) {
        if (c->payload_pidfd < 0 && c->rec.monitor_pid > 0)
                container_reattach_payload(c);
        return c->payload_pidfd;
}

static int container_signal(Container *c, int sig) {
        int fd = container_payload_pidfd(c);

        siginfo_t si = {
                .si_signo = sig,
                .si_code = SI_QUEUE,
                .si_pid = getpid(),
                .si_uid = getuid(),
                .si_value.sival_int = DRAY_SIGNAL_TAG,
        };

        if (fd < 0)
                return -ESRCH;
        /* Tagged: ours to pass on, not a reboot request (contract.h). SIGKILL needs no tag. */
        if (pidfd_send_signal(fd, sig, sig == SIGKILL ? NULL : &si, 0) < 0)
                return -errno;
        return 0;
}

/* The "kill" event, with the signal's number as docker gives it. */
static void container_event_signal(Container *c, int sig) {
        char s[16];

        (void) snprintf(s, sizeof(s), "%i", sig);
        container_event(c, "kill", (const char *const[]) { "signal", s, NULL });
}

int container_kill(Container *c, int sig) {
        int r;

        if (c->rec.state != CONTAINER_RUNNING && c->rec.state != CONTAINER_STOPPING)
                return -ESRCH;
        if (c->rec.paused && (sig == SIGKILL || sig == SIGTERM))
                (void) container_unpause(c, NULL);
        r = container_signal(c, sig);
        if (r == -ESRCH)
                return 0; /* the payload ended already; the monitor is about to report it */
        if (r >= 0)
                container_event_signal(c, sig);
        return r;
}

static void container_kill_hard(Container *c) {
        int r;

        r = container_signal(c, SIGKILL);
        if (r >= 0)
                container_event_signal(c, SIGKILL);
        if (r >= 0 || r == -ESRCH)
                return;
        log_warning_errno(r, "Failed to kill the payload of container %s, killing its scope: %m", c->spec->name);
        (void) scope_kill(c->manager, c->unit, SIGKILL);
}

static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Container *c = userdata;

        c->stop_timer = sd_event_source_disable_unref(c->stop_timer);
        c->stop_deadline = USEC_INFINITY;
        log_info("Container %s did not stop in time, sending SIGKILL.", c->spec->name);
        container_kill_hard(c);
        return 0;
}

static void container_arm_stop_timer(Container *c, uint64_t timeout_usec) {
        uint64_t deadline;
        int r;

        if (timeout_usec == USEC_INFINITY)
                return;
        deadline = now_usec(CLOCK_MONOTONIC) + MIN(timeout_usec, UINT64_MAX / 4);
        if (deadline >= c->stop_deadline)
                return; /* an earlier stop will kill it sooner */
        c->stop_deadline = deadline;
        if (c->stop_timer) {
                r = sd_event_source_set_time(c->stop_timer, deadline);
                if (r >= 0)
                        r = sd_event_source_set_enabled(c->stop_timer, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time(c->manager->event, &c->stop_timer, CLOCK_MONOTONIC, deadline, 0,
                                      on_stop_timeout, c);
        if (r < 0) {
                log_warning_errno(r, "Failed to arm the stop timer of container %s, killing it now: %m",
                                  c->spec->name);
                container_kill_hard(c);
        }
}

static void container_begin_stop(Container *c, uint64_t timeout_usec) {
        int r;

        container_set_state(c, CONTAINER_STOPPING);
        if (timeout_usec == 0) {
                container_kill_hard(c);
                return;
        }
        r = container_signal(c, c->spec->stop_signal);
        if (r >= 0)
                container_event_signal(c, c->spec->stop_signal);
        if (r < 0 && r != -ESRCH)
                log_warning_errno(r, "Failed to send %s to container %s: %m", strna(signal_to_string(c->spec->stop_signal)),
                                  c->spec->name);
        container_arm_stop_timer(c, timeout_usec);
}

int container_stop(Container *c, uint64_t timeout_usec, sd_bus_message *m) {
        int r;

        if (timeout_usec == UINT64_MAX)
                timeout_usec = c->spec->stop_timeout_usec;
        container_restart_stopped(c);
        /* Docker stops a paused container: the stop signal must reach a process that can act on it. */
        if (c->rec.paused)
                (void) container_unpause(c, NULL);
        if (!container_is_active(c)) {
                container_bus_reply_done(m); /* Docker: stopping a stopped container succeeds */
                return 0;
        }
        if (m) {
                r = message_list_push(&c->stop_waiters, m);
                if (r < 0)
                        return r;
        }
        switch (c->rec.state) {
        case CONTAINER_STARTING:
                /* Nothing to signal yet: act once it runs, or not at all if it fails to start. */
                c->stop_requested_timeout = c->stop_requested ? MIN(c->stop_requested_timeout, timeout_usec)
                                                              : timeout_usec;
                c->stop_requested = true;
                break;
        case CONTAINER_RUNNING:
                container_begin_stop(c, timeout_usec);
                break;
        case CONTAINER_STOPPING:
                if (timeout_usec == 0)
                        container_kill_hard(c);
                else
                        container_arm_stop_timer(c, timeout_usec);
                break;
        default:
                assert(false);
        }
        return 0;
}

int container_restart(Container *c, uint64_t timeout_usec, sd_bus_message *m) {
        int r;

        if (c->remove_requested)
                return -ENOENT;
        if (!container_is_active(c))
                return container_start(c, NULL, m);
        if (c->rec.state == CONTAINER_STARTING)
                return -EBUSY;
        if (m) {
                r = message_list_push(&c->restart_waiters, m);
                if (r < 0)
                        return r;
        }
        c->restart_requested = true;
        return container_stop(c, timeout_usec, NULL);
}

/* true when the container's init asked for a reboot (a booted init's reboot(), or machinectl reboot of
 * dray's own init): it starts again in place. */
static bool container_read_exit(Container *c, ContainerState previous) {
        _cleanup_close_ int fd = -EBADF;
        ExitRecord e = {};
        bool reboot = false;
        int r;

        fd = container_open_dir(c);
        r = fd < 0 ? fd : exit_record_load(fd, &e);
        if (r >= 0) {
                c->rec.exit_status = e.exit_status;
                c->rec.finished_usec = e.finished_usec;
                c->rec.oom_killed = e.oom_killed;
                reboot = e.reboot && previous == CONTAINER_RUNNING;
                (void) container_record_set_error(&c->rec, e.error ?: c->start_error_message);
                exit_record_done(&e);
        } else {
                if (r == -EPROTONOSUPPORT)
                        log_warning("Container %s: its " EXIT_RECORD_FILE " was written by a newer dray-monitor "
                                    "(schema version above %u), ignoring it.", c->spec->name,
                                    EXIT_RECORD_SCHEMA_VERSION);
                else if (r != -ENOENT)
                        log_warning_errno(r, "Failed to read the exit record of container %s, ignoring: %m",
                                          c->spec->name);
                if (c->start_error != START_ERROR_NONE) {
                        c->rec.exit_status = container_exit_status_for_start_error(c->start_error);
                        (void) container_record_set_error(&c->rec, c->start_error_message);
                } else if (previous == CONTAINER_STARTING) {
                        c->rec.exit_status = EXIT_DRAY_FAILED;
                        (void) container_record_set_error(&c->rec, "dray-monitor ended before the container started");
                } else {
                        c->rec.exit_status = 128 + SIGKILL;
                        (void) container_record_set_error(&c->rec, "monitor vanished");
                }
        }
        if (c->rec.finished_usec == 0)
                c->rec.finished_usec = now_usec(CLOCK_REALTIME);

        /* A start that never got its "OK" failed. What kind of failure is the exit status's to say
         * (ARCHITECTURE.md): the errno of an ERR line alone cannot tell a missing command (ENOENT at
         * execve, 127) from a missing working directory (ENOENT at chdir, 125). */
        if (previous == CONTAINER_STARTING && c->start_error != START_ERROR_SYSTEMD) {
                c->start_error = c->rec.exit_status == EXIT_NOT_FOUND ? START_ERROR_COMMAND_NOT_FOUND :
                                 c->rec.exit_status == EXIT_CANNOT_INVOKE ? START_ERROR_NOT_EXECUTABLE :
                                 START_ERROR_OTHER;
                if (!c->start_error_message)
                        c->start_error_message = strdup(c->rec.error ?: "dray-monitor ended before the container started");
        }
        return reboot;
}

static void container_reply_exited(Container *c) {
        MessageList stop, wait;

        message_list_take(&c->stop_waiters, &stop);
        message_list_take(&c->wait_waiters, &wait);
        for (size_t i = 0; i < stop.n; i++)
                container_bus_reply_done(stop.messages[i]);
        for (size_t i = 0; i < wait.n; i++) {
                if (container_caller_is(c, wait.messages[i]))
                        c->caller.collected = true;
                container_bus_reply_wait(c, wait.messages[i]);
        }
        message_list_done(&stop);
        message_list_done(&wait);
}

static void container_restart_now(Container *c, bool reboot) {
        int r;

        c->restart_requested = false;
        /* A restarted run belongs to nobody's foreground; a rebooted one still to its caller's. */
        if (!reboot)
                container_caller_release(c);
        r = message_list_move_all(&c->restart_waiters, &c->start_waiters);
        if (r >= 0)
                r = container_spawn(c, NULL);
        if (r < 0) {
                container_set_start_error(c, START_ERROR_OTHER, "Failed to start the container again");
                container_reply_start_waiters(c);
                container_reply_all_gone(c, &c->restart_waiters);
        }
}

/* The monitor is gone: record how the container ended, answer everyone, and go on with whatever
 * was asked for next (restart, removal). May free c. */
static void container_exited(Container *c) {
        ContainerState previous = c->rec.state;
        bool reboot;
        int r;

        monitor_unwatch(c);
        c->start_timer = sd_event_source_disable_unref(c->start_timer);
        c->stop_timer = sd_event_source_disable_unref(c->stop_timer);
        c->stop_deadline = USEC_INFINITY;
        c->scope_job = scope_job_free(c->scope_job);
        c->stop_requested = false;

        reboot = container_read_exit(c, previous);
        if (reboot) {
                container_log_event(c, DRAY_MESSAGE_CONTAINER_DIED, LOG_INFO, "Container %s is rebooting.",
                                    c->spec->name);
                c->restart_requested = true;
        }
        if (previous != CONTAINER_STARTING) {
                /* It was registered (by us, or by the drayd before us). */
                r = machine_unregister(c->manager, &container_machine_info(c));
                if (r < 0)
                        log_debug_errno(r, "Container %s: failed to unregister its machine, ignoring: %m",
                                        c->spec->name);
        } else if (!c->unit_foreign) {
                r = scope_stop(c->manager, c->unit);
                if (r < 0)
                        log_debug_errno(r, "Container %s: failed to stop %s, ignoring: %m", c->spec->name, c->unit);
        }
        r = scope_logging_remove(c->manager->units_dir, c->unit);
        if (r < 0)
                log_debug_errno(r, "Failed to remove the journald rate limit of %s, ignoring: %m", c->unit);
        c->rec.pid = 0;
        c->rec.monitor_pid = 0;
        c->rec.monitor_start_time = 0;
        container_set_state(c, CONTAINER_EXITED);

        if (previous == CONTAINER_STARTING)
                container_log_event(c, DRAY_MESSAGE_CONTAINER_START_FAILED, LOG_WARNING,
                                    "Container %s failed to start: %s (exit status %i).", c->spec->name,
                                    strna(c->rec.error), c->rec.exit_status);
        else
                container_log_event(c, DRAY_MESSAGE_CONTAINER_DIED, LOG_INFO,
                                    "Container %s exited with status %i%s.", c->spec->name, c->rec.exit_status,
                                    c->rec.oom_killed ? " (out of memory)" : "");
        if (previous == CONTAINER_STOPPING)
                container_event(c, "stop", NULL); /* as docker: kill, die, stop */

        container_reply_start_waiters(c);
        /* A reboot is no end: whoever waits for the end, a foreground `dray run` above all, waits on. */
        if (!reboot || c->remove_requested)
                container_reply_exited(c);
        /* After the replies: a `dray run` need not wait for it. Nothing else runs in between. */
        container_net_teardown(c);

        if (c->restart_requested && !c->remove_requested) {
                container_restart_now(c, reboot);
                return;
        }
        c->restart_requested = false;
        container_reply_all_gone(c, &c->restart_waiters);
        if (!c->spec->auto_remove || !container_caller_pending(c))
                container_caller_release(c);
        if (!c->remove_requested)
                container_restart_exited(c);
        if (c->remove_requested || (c->spec->auto_remove && !container_caller_pending(c)))
                (void) container_remove(c, false, NULL);
        else if (container_caller_pending(c))
                log_debug("Container %s: removing it once its client %s has the exit status.", c->spec->name,
                          c->rec.caller);
}

void container_monitor_exited(Container *c) {
        log_debug("Container %s: dray-monitor (PID %i) is gone.", c->spec->name, (int) c->rec.monitor_pid);
        container_exited(c);
}

/* ---- wait, remove ------------------------------------------------------------------------------ */

int container_wait(Container *c, sd_bus_message *m) {
        if (c->rec.state == CONTAINER_EXITED) {
                container_bus_reply_wait(c, m);
                /* The attached client asking again (its first Wait was lost to a drayd restart): an
                 * AutoRemove container waited for this. */
                if (container_caller_is(c, m) && c->spec->auto_remove && !c->remove_requested) {
                        container_caller_release(c);
                        (void) container_remove(c, false, NULL); /* frees c */
                }
                return 0;
        }
        /* created included: `dray run` waits before it starts. */
        return m ? message_list_push(&c->wait_waiters, m) : 0;
}

static int container_remove_files(Container *c) {
        Manager *m = c->manager;
        char removed[sizeof(REMOVED_PREFIX) + CONTAINER_ID_LEN];
        int r;

        /* The rename is the moment of removal: a crash after it leaves only a tree that the next
         * start clears away. The tree is deleted in a worker when it may be big (an overlay upper). */
        snprintf(removed, sizeof(removed), REMOVED_PREFIX "%s", c->spec->id);
        if (renameat(m->containers_fd, c->spec->id, m->containers_fd, removed) < 0) {
                if (errno != ENOENT)
                        return -errno;
        } else if (spec_uses_overlay(c->spec)) {
                if (manager_remove_tree_async(m, m->containers_fd, removed) < 0)
                        (void) rm_rf_at(m->containers_fd, removed);
        } else {
                r = rm_rf_at(m->containers_fd, removed);
                if (r < 0)
                        log_warning_errno(r, "Failed to remove %s/containers/%s, ignoring: %m", m->state_dir, removed);
        }
        container_net_teardown(c);
        r = rm_rf_at(m->runtime_containers_fd, c->spec->id);
        if (r < 0)
                log_warning_errno(r, "Failed to remove %s/containers/%s, ignoring: %m", m->runtime_dir, c->spec->id);
        r = scope_logging_remove(m->units_dir, c->unit);
        if (r < 0)
                log_warning_errno(r, "Failed to remove the journald rate limit of %s, ignoring: %m", c->unit);
        return 0;
}

/* docker's --rm also takes the container's anonymous volumes ("-v /path"): their names, read before
 * the container goes. */
static int container_anonymous_volumes(const Container *c, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; i < c->spec->n_mounts; i++) {
                const MountSpec *ms = c->spec->mounts + i;
                Volume *v;

                if (ms->type != MOUNT_VOLUME || !ms->volume || manager_find_volume(c->manager, ms->volume, &v) < 0 ||
                    !v->anonymous)
                        continue;
                if (strv_extend(&l, v->name) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Removes those no container mounts any more; one that another still mounts (--volumes-from) stays. */
static void remove_unmounted_volumes(Manager *m, char **names) {
        STRV_FOREACH(name, names) {
                bool mounted = false;
                Container *other;
                Volume *v;

                if (manager_find_volume(m, *name, &v) < 0)
                        continue;
                HASHMAP_FOREACH(other, m->containers_by_id)
                        for (size_t i = 0; i < other->spec->n_mounts; i++)
                                if (other->spec->mounts[i].type == MOUNT_VOLUME && other->spec->mounts[i].volume &&
                                    streq(other->spec->mounts[i].volume, *name))
                                        mounted = true;
                if (!mounted && volume_remove(v) < 0)
                        log_warning("Failed to remove anonymous volume %s, ignoring.", *name);
        }
}

static int container_remove_now(Container *c) {
        _cleanup_strv_free_ char **anonymous = NULL;
        Manager *m = c->manager;
        MessageList removers;
        int r;

        if (c->spec->auto_remove && container_anonymous_volumes(c, &anonymous) < 0)
                log_warning("Out of memory: the anonymous volumes of %s stay (dray volume prune).", c->spec->name);
        r = container_remove_files(c);
        if (r < 0)
                return log_error_errno(r, "Failed to remove container %s: %m", c->spec->name);

        container_set_state(c, CONTAINER_REMOVING);
        container_log_event(c, DRAY_MESSAGE_CONTAINER_REMOVED, LOG_INFO, "Removed container %s.", c->spec->name);

        container_reply_all_gone(c, &c->wait_waiters);
        container_reply_all_gone(c, &c->start_waiters);
        container_reply_all_gone(c, &c->stop_waiters);
        container_reply_all_gone(c, &c->restart_waiters);
        message_list_take(&c->remove_waiters, &removers);
        for (size_t i = 0; i < removers.n; i++)
                container_bus_reply_done(removers.messages[i]);
        message_list_done(&removers);

        manager_remove_container(m, c);
        remove_unmounted_volumes(m, anonymous);
        return 0;
}

int container_remove(Container *c, bool force, sd_bus_message *m) {
        int r;

        if (container_is_active(c) && !force)
                return -EBUSY;
        if (m) {
                r = message_list_push(&c->remove_waiters, m);
                if (r < 0)
                        return r;
        }
        if (!container_is_active(c)) {
                r = container_remove_now(c);
                if (r < 0) {
                        MessageList t;

                        message_list_take(&c->remove_waiters, &t);
                        for (size_t i = 0; i < t.n; i++)
                                container_bus_reply_errno(t.messages[i], r, "Failed to remove container '%s': %s",
                                                          c->spec->name, strerror(-r));
                        message_list_done(&t);
                }
                return 0;
        }

        /* Kill it, and remove it once it is gone (container_exited()). */
        c->remove_requested = true;
        c->restart_requested = false;
        return container_stop(c, 0, NULL);
}

/* ---- the manager's registry ------------------------------------------------------------------------------- */

int manager_add_container(Manager *m, Container *c) {
        int r;

        r = hashmap_put(m->containers_by_id, c->spec->id, c);
        if (r < 0)
                return r;
        r = hashmap_put(m->containers_by_name, c->spec->name, c);
        if (r < 0) {
                (void) hashmap_remove(m->containers_by_id, c->spec->id);
                return r;
        }
        container_bus_send_added(c);
        return 0;
}

int manager_create_container(Manager *m, ContainerSpec *spec, Container **ret) {
        Container *c;
        int r;

        if (spec->created_usec == 0)
                spec->created_usec = now_usec(CLOCK_REALTIME);
        r = container_create(m, spec, &c);
        if (r < 0)
                return r;
        r = manager_add_container(m, c);
        if (r < 0) {
                (void) rm_rf_at(m->containers_fd, spec->id);
                c->spec = NULL; /* still the caller's */
                container_free(c);
                return r;
        }
        container_log_event(c, DRAY_MESSAGE_CONTAINER_CREATED, LOG_INFO, "Created container %s (%s).",
                            spec->name, spec->id);
        *ret = c;
        return 0;
}

void manager_remove_container(Manager *m, Container *c) {
        /* While the object can still be found, for InterfacesRemoved. */
        container_bus_send_removed(c);
        (void) hashmap_remove(m->containers_by_id, c->spec->id);
        (void) hashmap_remove(m->containers_by_name, c->spec->name);
        container_free(c);
}

int manager_find_container(Manager *m, const char *s, Container **ret) {
        Container *c, *found = NULL;
        size_t n;

        if (isempty(s))
                return -ENOENT;
        /* Docker's order: full ID, name, then a unique ID prefix. */
        c = hashmap_get(m->containers_by_id, s);
        if (!c)
                c = hashmap_get(m->containers_by_name, s);
        if (c) {
                *ret = c;
                return 0;
        }
        if (!container_id_prefix_is_valid(s))
                return -ENOENT;
        n = strlen(s);
        HASHMAP_FOREACH(c, m->containers_by_id) {
                if (!strneq(c->spec->id, s, n))
                        continue;
                if (found)
                        return -ENOTUNIQ;
                found = c;
        }
        if (!found)
                return -ENOENT;
        *ret = found;
        return 0;
}

int manager_generate_name(Manager *m, char **ret) {
        for (unsigned i = 0; i < 64; i++) {
                _cleanup_free_ char *n = NULL;
                int r;

                r = container_name_generate(&n);
                if (r < 0)
                        return r;
                if (!hashmap_get(m->containers_by_name, n)) {
                        *ret = TAKE_PTR(n);
                        return 0;
                }
        }
        return -EEXIST;
}

/* ---- paused (container-pause.c freezes; stop and kill thaw, the model's own business) ---------- */

ContainerState container_display_state(const Container *c) {
        return c->rec.state == CONTAINER_RUNNING && c->rec.paused ? CONTAINER_PAUSED : c->rec.state;
}

int container_unpause(Container *c, sd_bus_message *m) {
        _cleanup_free_ char *dir = NULL;
        int r;

        if (c->rec.state != CONTAINER_RUNNING)
                return -ESRCH;
        if (!c->rec.paused)
                return -EALREADY;
        r = scope_cgroup_dir(c->rec.monitor_pid, c->unit, &dir);
        if (r < 0)
                return r;
        r = scope_cgroup_write_freeze(dir, false);
        if (r < 0)
                return r;
        c->rec.paused = false;
        (void) container_save(c);
        container_bus_send_changed(c);
        log_info("Container %s unpaused.", c->spec->name);
        container_event(c, "unpause", NULL);
        return m ? sd_bus_reply_method_return(m, NULL) : 0;
}

/* ---- the attached client ---------------------------------------------------------------------- */

bool container_caller_is(const Container *c, sd_bus_message *m) {
        const char *sender = m ? sd_bus_message_get_sender(m) : NULL;

        return c->rec.caller && sender && streq(sender, c->rec.caller);
}

bool container_caller_pending(const Container *c) {
        return c->rec.caller && !c->caller.collected;
}

void container_caller_unwatch(Container *c) {
        caller_unwatch(&c->caller);
}

void container_caller_release(Container *c) {
        container_caller_unwatch(c);
        free(c->rec.caller);
        c->rec.caller = NULL;
        free(c->caller.unit);
        c->caller.unit = NULL;
}

/* The client is gone. A running container goes the way of a payload whose parent died: stopped with
 * its stop signal and timeout, then (AutoRemove) removed. May free c. */
static void container_caller_gone(void *userdata) {
        Container *c = userdata;

        /* A booted system whose terminal client went away (its terminal closed) is detached from, as
         * from nspawn's console: it keeps running. One run from a service stays that service's payload
         * (BindsTo= on the scope). */
        if (c->spec->boot && !c->caller.unit && container_is_active(c)) {
                log_info("Container %s: the client attached to it (%s) is gone; the booted system keeps running.",
                         c->spec->name, c->rec.caller);
                container_caller_release(c);
                return;
        }
        log_info("Container %s: the client that ran it in the foreground (%s) is gone, %s it.", c->spec->name,
                 c->rec.caller, container_is_active(c) ? "stopping" : "removing");
        container_caller_release(c);
        if (container_is_active(c))
                (void) container_stop(c, UINT64_MAX, NULL);
        else if (c->rec.state == CONTAINER_EXITED && c->spec->auto_remove)
                (void) container_remove(c, false, NULL);
}

int container_caller_watch(Container *c) {
        if (!c->rec.caller || !c->manager->bus)
                return 0;
        return caller_watch(&c->caller, c->manager->bus, c->rec.caller, container_caller_gone, c);
}
