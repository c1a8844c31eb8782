/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/vfs.h>

#include "bus-names.h"
#include "container-exec.h"
#include "container-image.h"
#include "container-state.h"
#include "json-util.h"
#include "log.h"
#include "manager.h"
#include "monitor-spawn.h"
#include "parse-util.h"
#include "scope.h"
#include "strv.h"

struct ExecSession {
        Manager *manager;
        ExecSession *next;
        char *container;        /* name, for messages: the container may be gone when we answer */
        sd_bus_message *message; /* answered, unless callbacks are set */
        ExecCallbacks callbacks;
        SystemdCall *attach_call;
        int sync_fd;
        sd_event_source *sync_source;
        SyncReader reader;
        bool started;           /* "OK" came */
        bool detach;            /* answer at "OK", then only follow the process to its end */
        int error;              /* from "ERR": positive errno, or 0 */
        char *error_message;
};

static unsigned n_sessions(Manager *m) {
        unsigned n = 0;

        for (ExecSession *s = m->exec_sessions; s; s = s->next)
                n++;
        return n;
}

static void session_free(ExecSession *s) {
        if (!s)
                return;
        for (ExecSession **p = &s->manager->exec_sessions; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        systemd_call_cancel(s->attach_call);
        sd_event_source_disable_unref(s->sync_source);
        safe_close(s->sync_fd);
        sd_bus_message_unref(s->message);
        free(s->container);
        free(s->error_message);
        free(s);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(ExecSession *, session_free);

void exec_sessions_free(Manager *m) {
        while (m->exec_sessions)
                session_free(m->exec_sessions);
}

/* Answers the call and ends the session. status: the process's, or < 0 when it never ran. */
static void session_finish(ExecSession *s, int status) {
        int r;

        if (s->callbacks.finished) {
                ExecCallbacks cb = s->callbacks;
                _cleanup_free_ char *message = TAKE_PTR(s->error_message);
                bool failed = s->error != 0 || status < 0;

                session_free(s);
                cb.finished(cb.userdata, failed ? -1 : status,
                            failed ? message ?: "dray-monitor went away before it answered" : NULL);
                return;
        }
        if (s->detach && s->started) {
                /* Answered already; its exit status goes to the log only. */
                log_debug("Detached exec in container %s ended with status %i.", s->container, status);
                session_free(s);
                return;
        }
        if (s->error != 0 || status < 0) {
                const char *name = status == EXIT_NOT_FOUND ? DRAY_ERROR_COMMAND_NOT_FOUND :
                                   status == EXIT_CANNOT_INVOKE ? DRAY_ERROR_COMMAND_NOT_EXECUTABLE :
                                                                  DRAY_ERROR_START_FAILED;

                r = sd_bus_reply_method_errorf(s->message, name, "Failed to exec in container '%s': %s",
                                               s->container,
                                               s->error_message ?: "dray-monitor went away before it answered");
        } else
                r = sd_bus_reply_method_return(s->message, "i", (int32_t) status);
        if (r < 0)
                log_debug_errno(r, "Failed to answer an exec in container %s, ignoring: %m", s->container);
        session_free(s);
}

/* Returns 1 when the line ended the session (s is freed), else 0. */
static int session_handle_line(ExecSession *s, const char *line) {
        SyncMessage msg;

        if (sync_message_parse(line, &msg) < 0) {
                log_warning("Exec in container %s: unexpected line from dray-monitor, ignoring: '%.64s'",
                            s->container, line);
                return 0;
        }
        switch (msg.type) {
        case SYNC_MESSAGE_OK:
                s->started = true;
                if (s->callbacks.started)
                        s->callbacks.started(s->callbacks.userdata, msg.pid);
                if (s->detach) {
                        int r = sd_bus_reply_method_return(s->message, "i", (int32_t) 0);
                        if (r < 0)
                                log_debug_errno(r, "Failed to answer an exec in container %s, ignoring: %m",
                                                s->container);
                }
                return 0;
        case SYNC_MESSAGE_EXIT:
                session_finish(s, msg.status);
                return 1;
        default:
                s->error = msg.error;
                free(s->error_message);
                s->error_message = strdup(msg.message);
                if (msg.type == SYNC_MESSAGE_ERR)
                        return 0; /* EXIT follows */
                session_finish(s, -1);
                return 1;
        }
}

/* Lines until EOF: "OK <pid>" or "ERR …", then "EXIT <status>"; or "FAIL …" (contract.h). */
static int on_sync_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ExecSession *s = userdata;

        for (;;) {
                const char *line;
                int r;

                r = sync_reader_read(&s->reader, s->sync_fd);
                if (r == -EAGAIN)
                        return 0;
                if (r == -EMSGSIZE) {
                        log_warning("Exec in container %s: over-long line from dray-monitor, ignoring it.",
                                    s->container);
                        continue;
                }
                while ((line = sync_reader_next(&s->reader)))
                        if (session_handle_line(s, line) > 0)
                                return 0; /* s is gone */
                if (r <= 0) {
                        session_finish(s, -1); /* EOF (or an error) without EXIT: the monitor died */
                        return 0;
                }
        }
}

static void on_attached(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        ExecSession *s = userdata;

        s->attach_call = NULL;
        if (error) {
                s->error = EIO;
                (void) asprintf(&s->error_message, "cannot move it into the container's scope: %s",
                                strna(error->message));
                session_finish(s, -1);
                return;
        }
        if (send(s->sync_fd, &(char) { SYNC_GO }, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
                s->error = EPIPE;
                s->error_message = strdup("dray-monitor went away before it could start");
                session_finish(s, -1);
        }
}

/* The exec's spec: the container's, with what the caller gave. */
static int exec_spec_build(const Container *c, ContainerSpec *o, ContainerSpec **ret, sd_bus_error *error) {
        _cleanup_json_ json_object *j = NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        const char *reason = NULL;
        int r;

        r = spec_to_json(c->spec, &j);
        if (r >= 0)
                r = spec_from_json(j, &s);
        if (r < 0)
                return r;
        strv_free(s->command);
        s->command = TAKE_PTR(o->command);
        STRV_FOREACH(e, o->env) {
                r = strv_env_set(&s->env, *e);
                if (r < 0)
                        return r;
        }
        if (o->user) {
                free(s->user);
                s->user = TAKE_PTR(o->user);
                s->uid = o->uid;
                s->gid = o->gid;
                r = container_image_resolve_user(s, error);
                if (r < 0)
                        return r;
        }
        if (o->working_dir) {
                free(s->working_dir);
                s->working_dir = TAKE_PTR(o->working_dir);
        }
        s->tty = o->tty;
        s->open_stdin = o->open_stdin;
        if (s->tty && !strv_env_get(s->env, "TERM")) {
                r = strv_env_set(&s->env, "TERM=xterm");
                if (r < 0)
                        return r;
        }
        r = spec_validate(s, &reason);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid exec: %s.", reason);
        *ret = TAKE_PTR(s);
        return 0;
}

static int exec_spec_memfd(const ContainerSpec *s, int *ret) {
        _cleanup_json_ json_object *j = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *text;
        size_t n;
        int r;

        r = spec_to_json(s, &j);
        if (r < 0)
                return r;
        text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
        if (!text)
                return -ENOMEM;
        n = strlen(text);
        fd = memfd_create("dray-exec-spec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        if (write(fd, text, n) != (ssize_t) n)
                return errno > 0 ? -errno : -EIO;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

/* Pure cgroup v2: the scope holds no process of its own; the payload's sub-cgroup takes the exec. */
static const char *exec_subcgroup(void) {
        struct statfs sfs;

        return statfs("/sys/fs/cgroup", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC ? "/payload" : "";
}

static int exec_start(Container *c, ContainerSpec *o, const ContainerStreams *streams, sd_bus_message *m,
                      const ExecCallbacks *callbacks, ExecSession **ret, sd_bus_error *error) {
        _cleanup_(spec_freep) ContainerSpec *spec = NULL;
        _cleanup_close_ int spec_fd = -EBADF;
        _cleanup_(session_freep) ExecSession *s = NULL;
        Manager *mgr = c->manager;
        MonitorSpawnArgs args;
        pid_t pid;
        int r;

        if (c->rec.state != CONTAINER_RUNNING || c->rec.pid <= 0)
                return -ESRCH;
        if (c->rec.paused)
                return -EALREADY; /* its processes are frozen: the command would hang */
        if (n_sessions(mgr) >= EXEC_SESSIONS_MAX)
                return -ENOBUFS;
        r = exec_spec_build(c, o, &spec, error);
        if (r < 0)
                return r;
        r = exec_spec_memfd(spec, &spec_fd);
        if (r < 0)
                return r;

        s = calloc(1, sizeof(ExecSession));
        if (!s)
                return -ENOMEM;
        *s = (ExecSession) { .manager = mgr, .sync_fd = -EBADF, .message = sd_bus_message_ref(m),
                             .detach = o->exec_detach };
        if (callbacks)
                s->callbacks = *callbacks;
        s->container = strdup(c->spec->name);
        if (!s->container)
                return -ENOMEM;

        args = (MonitorSpawnArgs) {
                .monitor_path = mgr->monitor_path,
                .id = c->spec->id,
                .state_dir = mgr->state_dir,
                .runtime_dir = mgr->runtime_dir,
                .streams = *streams,
                .exec_spec_fd = spec_fd,
                .exec_target_pid = c->rec.pid,
                .nofile = &mgr->nofile_original,
                .log_level = log_get_max_level(),
        };
        r = monitor_spawn(&args, &pid, &s->sync_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to spawn dray-monitor for an exec in %s: %m", c->spec->name);
        r = sd_event_add_io(mgr->event, &s->sync_source, s->sync_fd, EPOLLIN, on_sync_io, s);
        if (r >= 0)
                r = scope_attach(mgr, c->unit, exec_subcgroup(), pid, on_attached, s, &s->attach_call);
        if (r < 0)
                /* It waits for the go: closing the socket (session_free()) makes it go away. */
                return log_error_errno(r, "Failed to start an exec in %s: %m", c->spec->name);
        s->next = mgr->exec_sessions;
        mgr->exec_sessions = s;
        if (ret)
                *ret = s;
        TAKE_PTR(s);
        return 0;
}

int container_exec(Container *c, ContainerSpec *o, const ContainerStreams *streams, sd_bus_message *m,
                   sd_bus_error *error) {
        return exec_start(c, o, streams, m, NULL, NULL, error);
}

int container_exec_internal(Container *c, ContainerSpec *o, const ContainerStreams *streams,
                            const ExecCallbacks *callbacks, ExecSession **ret, sd_bus_error *error) {
        assert(callbacks && callbacks->finished);
        return exec_start(c, o, streams, NULL, callbacks, ret, error);
}

void exec_session_cancel(ExecSession *s) {
        session_free(s);
}
