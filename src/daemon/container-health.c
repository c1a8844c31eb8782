/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container-exec.h"
#include "container-health.h"
#include "container-restart.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "proc-util.h"
#include "message-list.h"
#include "strv.h"
#include "time-util.h"

#define HEALTH_FILE "health.json"
/* The check running now, for the next drayd should this one die first (kill -9): it kills what it
 * finds there, so that no check outlives its timeout by more than a drayd restart. */
#define HEALTH_CHECK_FILE "health-check.json"

struct ContainerHealth {
        Container *container;
        HealthState state;
        sd_event_source *timer;   /* the next check */
        /* The check in progress, if any. */
        ExecSession *session;
        sd_event_source *timeout;
        sd_event_source *output_source;
        int output_fd;
        char output[HEALTH_OUTPUT_MAX + 1];
        size_t n_output;
        int pidfd;
        pid_t pid;
        bool timed_out;
        uint64_t check_start_usec; /* CLOCK_REALTIME */
        MessageList waiters;       /* RunHealthcheck */
};

static ContainerHealth *health_get(Container *c) {
        if (c->health)
                return c->health;
        c->health = calloc(1, sizeof(ContainerHealth));
        if (!c->health)
                return NULL;
        *c->health = (ContainerHealth) { .container = c, .output_fd = -EBADF, .pidfd = -EBADF };
        return c->health;
}

HealthStatus container_health_status(const Container *c) {
        return c->health ? c->health->state.status : HEALTH_STATUS_NONE;
}

const HealthState *container_health_state(const Container *c) {
        static const HealthState none = {};

        return c->health ? &c->health->state : &none;
}

/* ---- persistence ------------------------------------------------------------------------------- */

static int health_dir_open(Container *c) {
        int fd;

        if (mkdirat(c->manager->runtime_containers_fd, c->spec->id, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(c->manager->runtime_containers_fd, c->spec->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

static void health_save(ContainerHealth *h) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = health_state_to_json(&h->state, &o);
        if (r < 0)
                goto fail;
        fd = r = health_dir_open(h->container);
        if (r < 0)
                goto fail;
        r = json_write_atomic(fd, HEALTH_FILE, o);
        if (r < 0)
                goto fail;
        return;
fail:
        log_warning_errno(r, "Container %s: failed to save its health state, ignoring: %m", h->container->spec->name);
}

static int health_load(ContainerHealth *h) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = openat(h->container->manager->runtime_containers_fd, h->container->spec->id,
                    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        r = json_read_file(fd, HEALTH_FILE, &o);
        if (r < 0)
                return r;
        return health_state_from_json(o, &h->state);
}

/* ---- the check in progress --------------------------------------------------------------------- */

/* The check's process leads a session of its own (runtime-exec.c calls setsid()): SIGKILL to its
 * group takes what it started along. The pidfd proves the leader still lives, so the group ID is
 * still its own. */
static void health_kill_check(ContainerHealth *h) {
        if (h->pidfd < 0)
                return;
        if (syscall(SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0) >= 0)
                (void) kill(-h->pid, SIGKILL);
        h->pidfd = safe_close(h->pidfd);
}

static void health_check_unrecord(Container *c) {
        _cleanup_close_ int fd = openat(c->manager->runtime_containers_fd, c->spec->id,
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd >= 0 && unlinkat(fd, HEALTH_CHECK_FILE, 0) < 0 && errno != ENOENT)
                log_debug_errno(errno, "Container %s: failed to remove %s, ignoring: %m", c->spec->name,
                                HEALTH_CHECK_FILE);
}

/* A pidfd for pid if it is still the process recorded (the same start time), else -ESRCH. */
static int health_check_open(int pid, uint64_t start_time) {
        _cleanup_close_ int fd = pidfd_open_pid(pid);
        uint64_t t;
        int r;

        if (fd < 0)
                return fd;
        /* Read after the pidfd was opened, so that the descriptor is known to refer to this process. */
        r = proc_get_starttime(pid, &t);
        if (r < 0)
                return r;
        return t == start_time ? TAKE_FD(fd) : -ESRCH;
}

/* A check the previous drayd left running (it died before the check ended): killed, as its timeout
 * would have. The same PID and start time, or it is not that process. */
static void health_check_kill_leftover(Container *c) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_close_ int dir_fd = -EBADF, pidfd = -EBADF;
        uint64_t start = 0;
        int pid = 0;

        dir_fd = openat(c->manager->runtime_containers_fd, c->spec->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd < 0 || json_read_file(dir_fd, HEALTH_CHECK_FILE, &o) < 0)
                return;
        /* A record that does not parse names no process: it goes, nothing is killed. */
        if (json_get_int(o, "pid", &pid) >= 0 && pid > 1 && json_get_uint64(o, "start_time", &start) >= 0)
                pidfd = health_check_open(pid, start);
        if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) >= 0) {
                (void) kill(-pid, SIGKILL);
                log_info("Container %s: killed the health check (PID %i) the previous drayd left running.",
                         c->spec->name, pid);
        }
        health_check_unrecord(c);
}

static void health_check_done(ContainerHealth *h) {
        if (h->pid > 0)
                health_check_unrecord(h->container);
        health_kill_check(h);
        if (h->session) {
                exec_session_cancel(h->session);
                h->session = NULL;
        }
        h->timeout = sd_event_source_disable_unref(h->timeout);
        h->output_source = sd_event_source_disable_unref(h->output_source);
        h->output_fd = safe_close(h->output_fd);
        h->n_output = 0;
        h->pid = 0;
        h->timed_out = false;
}

/* Keeps the first HEALTH_OUTPUT_MAX bytes and reads on past them, so that a chatty check never
 * blocks on a full pipe. */
static void health_read_output(ContainerHealth *h) {
        char discard[4096];

        for (;;) {
                char *buf = h->n_output < HEALTH_OUTPUT_MAX ? h->output + h->n_output : discard;
                size_t size = h->n_output < HEALTH_OUTPUT_MAX ? HEALTH_OUTPUT_MAX - h->n_output : sizeof(discard);
                ssize_t n = read(h->output_fd, buf, size);

                if (n <= 0) {
                        if (n == 0 || errno != EAGAIN)
                                h->output_source = sd_event_source_disable_unref(h->output_source);
                        return;
                }
                if (buf != discard)
                        h->n_output += (size_t) n;
        }
}

static int on_output(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        health_read_output(userdata);
        return 0;
}

static int health_check_record_write(ContainerHealth *h) {
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_close_ int fd = -EBADF;
        uint64_t start;
        int r;

        if (!o)
                return -ENOMEM;
        r = proc_get_starttime(h->pid, &start);
        if (r < 0)
                return r;
        /* No boot ID: /run, and the record with it, does not outlive a boot. */
        if (json_add_int(o, "pid", (int) h->pid) < 0 || json_add_uint64(o, "start_time", start) < 0)
                return -ENOMEM;
        fd = health_dir_open(h->container);
        if (fd < 0)
                return fd;
        return json_write_atomic(fd, HEALTH_CHECK_FILE, o);
}

static void health_check_record(ContainerHealth *h) {
        int r = health_check_record_write(h);

        if (r < 0)
                log_debug_errno(r, "Container %s: failed to record its health check, ignoring: %m",
                                h->container->spec->name);
}

static void health_started(void *userdata, pid_t pid) {
        ContainerHealth *h = userdata;

        h->pid = pid;
        h->pidfd = pidfd_open_pid(pid);
        if (h->pidfd < 0)
                log_debug_errno(h->pidfd, "Container %s: no pidfd for its health check (PID %i): %m",
                                h->container->spec->name, (int) pid);
        else
                health_check_record(h);
        if (h->timed_out)
                health_kill_check(h);
}

static int on_check_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        ContainerHealth *h = userdata;

        h->timeout = sd_event_source_disable_unref(h->timeout);
        h->timed_out = true;
        log_debug("Container %s: its health check timed out, killing it.", h->container->spec->name);
        /* Not started yet: killed when it starts (health_started()); it ends with "EXIT" either way. */
        health_kill_check(h);
        return 0;
}

static void health_arm(ContainerHealth *h);
static void health_act(ContainerHealth *h);

static void health_answer_waiters(ContainerHealth *h) {
        MessageList t;

        message_list_take(&h->waiters, &t);
        for (size_t i = 0; i < t.n; i++)
                container_health_bus_reply(t.messages[i], &h->state);
        message_list_done(&t);
}

static void health_finished(void *userdata, int status, const char *error) {
        ContainerHealth *h = userdata;
        Container *c = h->container;
        const SpecHealth *spec = &c->spec->health;
        HealthResult result = {
                .start_usec = h->check_start_usec,
                .end_usec = now_usec(CLOCK_REALTIME),
                .exit_code = status >= 0 ? status : HEALTH_EXIT_TIMEOUT,
        };
        bool in_start_period, changed;
        HealthStatus old = h->state.status;

        h->session = NULL; /* gone with the call */
        if (h->output_fd >= 0)
                health_read_output(h);
        h->output[h->n_output] = 0;
        if (h->timed_out) {
                result.exit_code = HEALTH_EXIT_TIMEOUT;
                (void) asprintf(&result.output, "Health check exceeded timeout (%" PRIu64 " ms)",
                                spec_health_timeout(spec) / USEC_PER_MSEC);
        } else if (error)
                result.output = strdup(error);
        else
                result.output = strdup(h->output);
        health_check_done(h);

        in_start_period = c->rec.started_usec > 0 &&
                          result.start_usec < c->rec.started_usec + c->spec->health.start_period_usec;
        changed = health_state_record(&h->state, spec, in_start_period, &result);
        health_result_done(&result);
        health_save(h);
        container_health_bus_send_changed(c);
        if (changed)
                log_info("Container %s is %s (was %s).", c->spec->name, health_status_to_string(h->state.status),
                         health_status_to_string(old));
        health_answer_waiters(h);
        if (c->rec.state != CONTAINER_RUNNING)
                return;
        health_arm(h);
        if (changed && h->state.status == HEALTH_STATUS_UNHEALTHY)
                health_act(h);
}

static int health_check_start(ContainerHealth *h) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *o = spec_new();
        _cleanup_close_pair_ int pipe_fds[2] = { -EBADF, -EBADF };
        Container *c = h->container;
        ContainerStreams streams = CONTAINER_STREAMS_NULL;
        ExecCallbacks cb = { .started = health_started, .finished = health_finished, .userdata = h };
        int r;

        if (!o)
                return -ENOMEM;
        o->uid = o->gid = 0; /* no User given: the container's own */
        r = health_test_argv(c->spec->health.test, &o->command);
        if (r < 0)
                return r;
        if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        streams.stdout_fd = streams.stderr_fd = pipe_fds[1];
        h->check_start_usec = now_usec(CLOCK_REALTIME);
        r = container_exec_internal(c, o, &streams, &cb, &h->session, &error);
        if (r < 0) {
                if (sd_bus_error_is_set(&error))
                        log_warning("Container %s: cannot run its health check: %s", c->spec->name, error.message);
                return r;
        }
        pipe_fds[1] = safe_close(pipe_fds[1]);
        h->output_fd = TAKE_FD(pipe_fds[0]);
        r = sd_event_add_io(c->manager->event, &h->output_source, h->output_fd, EPOLLIN, on_output, h);
        if (r < 0)
                /* The result then has no output; the timeout still ends the check. */
                log_debug_errno(r, "Container %s: cannot read its health check's output: %m", c->spec->name);
        r = sd_event_add_time_relative(c->manager->event, &h->timeout, CLOCK_MONOTONIC,
                                       spec_health_timeout(&c->spec->health), 0, on_check_timeout, h);
        if (r < 0) {
                /* Without a deadline the check must not run at all. */
                health_check_done(h);
                return r;
        }
        (void) sd_event_source_set_description(h->timeout, "health-timeout");
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        ContainerHealth *h = userdata;
        int r;

        h->timer = sd_event_source_disable_unref(h->timer);
        if (h->session || h->container->rec.state != CONTAINER_RUNNING)
                return 0;
        r = health_check_start(h);
        if (r == -EALREADY || r == -ESRCH) {
                /* Paused (Docker does not check a paused container either), or ending. */
                health_arm(h);
                return 0;
        }
        if (r < 0) {
                log_warning_errno(r, "Container %s: failed to start its health check: %m", h->container->spec->name);
                /* Counted as a failure, as Docker counts a check that cannot run. */
                health_finished(h, -1, "cannot run the health check");
        }
        return 0;
}

/* The next check: after the start interval while the container is starting within its start period
 * (--health-start-interval), else after the interval. */
static void health_arm(ContainerHealth *h) {
        Container *c = h->container;
        uint64_t delay = spec_health_next_delay(&c->spec->health, h->state.status == HEALTH_STATUS_STARTING,
                                                c->rec.started_usec, now_usec(CLOCK_REALTIME));
        int r;

        h->timer = sd_event_source_disable_unref(h->timer);
        r = sd_event_add_time_relative(c->manager->event, &h->timer, CLOCK_MONOTONIC, delay, 0, on_timer, h);
        if (r < 0) {
                log_error_errno(r, "Container %s: failed to arm its health check timer: %m", h->container->spec->name);
                return;
        }
        (void) sd_event_source_set_description(h->timer, "health-interval");
}

/* --health-on-failure: what an unhealthy container gets. */
static void health_act(ContainerHealth *h) {
        Container *c = h->container;
        HealthOnFailure a = c->spec->health.on_failure;
        int r = 0;

        if (a == HEALTH_ON_FAILURE_NONE)
                return;
        log_info("Container %s is unhealthy: %s it (--health-on-failure).", c->spec->name,
                 health_on_failure_to_string(a));
        switch (a) {
        case HEALTH_ON_FAILURE_KILL:
                r = container_kill(c, SIGKILL);
                break;
        case HEALTH_ON_FAILURE_STOP:
                r = container_stop(c, UINT64_MAX, NULL);
                break;
        case HEALTH_ON_FAILURE_RESTART:
                container_restart_unhealthy(c);
                break;
        default:
                break;
        }
        if (r < 0)
                log_warning_errno(r, "Container %s: failed to %s it, ignoring: %m", c->spec->name,
                                  health_on_failure_to_string(a));
}

/* ---- the container's events -------------------------------------------------------------------- */

static void container_health_started(Container *c) {
        ContainerHealth *h;

        if (!spec_health_enabled(&c->spec->health)) {
                if (c->health)
                        health_state_reset(&c->health->state, false);
                return;
        }
        h = health_get(c);
        if (!h) {
                log_oom();
                return;
        }
        health_check_done(h);
        health_state_reset(&h->state, true);
        health_save(h);
        health_arm(h);
}

static void container_health_adopted(Container *c) {
        ContainerHealth *h;
        int r;

        if (c->rec.state != CONTAINER_RUNNING || !spec_health_enabled(&c->spec->health))
                return;
        h = health_get(c);
        if (!h) {
                log_oom();
                return;
        }
        health_check_kill_leftover(c);
        r = health_load(h);
        if (r < 0) {
                log_debug_errno(r, "Container %s: no saved health state, starting over: %m", c->spec->name);
                health_state_reset(&h->state, true);
        }
        health_arm(h);
}

static void container_health_stopped(Container *c) {
        ContainerHealth *h = c->health;
        MessageList t;

        if (!h)
                return;
        h->timer = sd_event_source_disable_unref(h->timer);
        health_check_done(h);
        message_list_take(&h->waiters, &t);
        for (size_t i = 0; i < t.n; i++)
                container_health_bus_reply_stopped(t.messages[i], c->spec->name);
        message_list_done(&t);
}

static void container_health_free(Container *c) {
        ContainerHealth *h = c->health;

        if (!h)
                return;
        h->timer = sd_event_source_disable_unref(h->timer);
        health_check_done(h);
        message_list_done(&h->waiters);
        health_state_done(&h->state);
        free(h);
        c->health = NULL;
}

void container_health_reconfigure(Container *c) {
        ContainerHealth *h;

        if (c->rec.state != CONTAINER_RUNNING) {
                /* The next start reads the spec. */
                container_health_bus_send_config_changed(c);
                return;
        }
        if (!spec_health_enabled(&c->spec->health)) {
                if (c->health) {
                        container_health_stopped(c);
                        health_state_reset(&c->health->state, false);
                        health_save(c->health);
                }
                container_health_bus_send_config_changed(c);
                return;
        }
        h = health_get(c);
        if (!h) {
                log_oom();
                return;
        }
        if (h->state.status == HEALTH_STATUS_NONE) {
                health_state_reset(&h->state, true);
                health_save(h);
        }
        if (!h->session)
                health_arm(h);
        container_health_bus_send_config_changed(c);
}

const ContainerObserver container_health_observer = {
        .running = container_health_started,
        .stopped = container_health_stopped,
        .adopted = container_health_adopted,
        .freed = container_health_free,
};

int container_health_run_now(Container *c, sd_bus_message *m) {
        ContainerHealth *h;
        int r;

        if (!spec_health_enabled(&c->spec->health))
                return -EOPNOTSUPP;
        if (c->rec.state != CONTAINER_RUNNING)
                return -ESRCH;
        if (c->rec.paused)
                return -EALREADY;
        h = health_get(c);
        if (!h)
                return -ENOMEM;
        if (!h->session) {
                r = health_check_start(h);
                if (r < 0)
                        return r;
        }
        return message_list_push(&h->waiters, m);
}
