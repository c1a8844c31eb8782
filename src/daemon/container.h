/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "container-caller.h"
#include "message-list.h"
#include "monitor-spawn.h"
#include "spec.h"
#include "state.h"

/* The container model: the state machine, persistence and the calls that drive the monitor and
 * systemd. It holds the method calls it answers later (Start, Stop, Wait, Remove, Restart) but
 * builds no replies: container-dbus.c does.
 *
 *   created ──Start──▶ starting ──OK──▶ running ──Stop──▶ stopping
 *      │                  │                │                  │
 *      │                  └────────────────┴──────────────────┴──monitor gone──▶ exited
 *      │                                                                          │
 *      └───────────────────────Remove──────────▶ removing ◀────────Remove─────────┘
 *   exited ──Start──▶ starting
 *
 * Invariant: exited (and created) means no dray-monitor of this container is alive, so the next
 * Start can never race with the previous monitor writing exit.json. */

typedef struct Manager Manager;
typedef struct ScopeJob ScopeJob;

/* How a start failed, which decides the error name and the exit status recorded. */
typedef enum StartError {
        START_ERROR_NONE,
        START_ERROR_COMMAND_NOT_FOUND,  /* exec: ENOENT → 127, CommandNotFound */
        START_ERROR_NOT_EXECUTABLE,     /* exec: EACCES, ENOEXEC, EPERM… → 126, CommandNotExecutable */
        START_ERROR_SYSTEMD,            /* the scope could not be started → 125, SystemdFailed */
        START_ERROR_OTHER,              /* anything else → 125, StartFailed */
        _START_ERROR_MAX,
        _START_ERROR_INVALID = -EINVAL,
} StartError;

/* How long a monitor may take from spawn to "OK"/"ERR" before we give up on it. Setting up a root
 * takes milliseconds; this only catches a hung monitor. */
#define CONTAINER_START_TIMEOUT_USEC (120 * USEC_PER_SEC)
/* --boot: "started" means the inner systemd said READY=1, which a slow system may take minutes for. */
#define CONTAINER_BOOT_TIMEOUT_USEC (300 * USEC_PER_SEC)

typedef struct Container {
        Manager *manager;
        ContainerSpec *spec;  /* config.json; spec->id and spec->name are the hashmap keys */
        char *path;           /* D-Bus object path */
        char *unit;           /* dray-<name>.scope */
        bool unit_foreign;    /* the last start found a unit of that name that drayd did not make */
        ContainerRecord rec;  /* state.json */

        /* Live tracking of the monitor and the payload (not persisted). */
        int monitor_pidfd;
        sd_event_source *monitor_source;
        int payload_pidfd;
        int sync_fd;
        sd_event_source *sync_source;
        SyncReader sync_reader;
        bool sync_answered;
        sd_event_source *start_timer;
        sd_event_source *stop_timer;
        uint64_t stop_deadline; /* CLOCK_MONOTONIC; USEC_INFINITY = none */
        ScopeJob *scope_job;
        struct ContainerNet *net; /* container-net.h: bridge plumbing while it runs */
        ContainerCaller caller;   /* the client a foreground run is attached to (rec.caller) */

        StartError start_error;
        char *start_error_message;

        /* Requests that wait for a state to be reached. */
        bool stop_requested;    /* Stop during starting: act once running */
        uint64_t stop_requested_timeout;
        bool restart_requested; /* start again once exited */
        bool remove_requested;  /* remove once exited */
        sd_event_source *restart_timer; /* container-restart.c: the policy's next start */
        bool restart_unhealthy;         /* --health-on-failure=restart: start again once exited */
        struct ContainerHealth *health; /* container-health.c, while it has a health check */
        bool starting_by_policy;        /* the start in progress is the policy's, not a client's */

        MessageList start_waiters;   /* Start, and Restart once its start began */
        MessageList restart_waiters; /* Restart while the old run is being stopped */
        MessageList stop_waiters;
        MessageList wait_waiters;
        MessageList remove_waiters;
} Container;

/* What jobs above the container that follow its life (container-health.c) hear from the model,
 * which cannot include their headers (tests/check-include-cycles): manager-setup.c sets
 * Manager.container_observer. Each may be NULL. */
typedef struct ContainerObserver {
        void (*running)(Container *c); /* it runs, after a start */
        void (*stopped)(Container *c); /* it left running (stopping, exited…) */
        void (*adopted)(Container *c); /* drayd adopted it running */
        void (*freed)(Container *c);   /* container_free() */
} ContainerObserver;

int container_new(Manager *m, ContainerSpec *spec, Container **ret);
Container *container_free(Container *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Container *, container_free);

/* CreateContainer: writes config.json and state.json; on failure leaves nothing behind. */
int container_create(Manager *m, ContainerSpec *spec, Container **ret);
/* Reads containers/<id> back; the caller registers it and then calls container_adopt(). */
int container_load(Manager *m, const char *id, Container **ret);
/* Reconciles a loaded container with what is alive: re-attaches to its monitor (same PID and start
 * time, same boot) or records how it ended (exit.json, else 137 "monitor vanished"). */
int container_adopt(Container *c);

bool container_is_active(const Container *c); /* starting, running or stopping */

/* These take the method call to answer (may be NULL) and answer it through container-dbus.c, now or
 * when the operation completes. A negative return means nothing was done and the caller replies
 * with the error. */
int container_start(Container *c, const ContainerStreams *streams, sd_bus_message *m);
int container_stop(Container *c, uint64_t timeout_usec, sd_bus_message *m);
int container_restart(Container *c, uint64_t timeout_usec, sd_bus_message *m);
int container_remove(Container *c, bool force, sd_bus_message *m); /* may free c */
int container_wait(Container *c, sd_bus_message *m);
/* Synchronous: -ESRCH when there is no payload to signal. */
int container_kill(Container *c, int sig);
/* Its directory in <state_dir>/containers. */
int container_open_dir(Container *c);
/* Writes state.json (logs on failure). */
int container_save(Container *c);

/* Events from monitor-watch.c and scope.c. */
void container_monitor_ok(Container *c, pid_t payload_pid);
/* machined answered the registration of a booted container: its starters are answered now. */
void container_machine_registered(Container *c);
void container_monitor_err(Container *c, StartError e, int error, const char *message);
void container_monitor_exited(Container *c);

/* For container-dbus.c. */
int container_exit_status_for_start_error(StartError e);
StartError start_error_from_errno(int error);

/* The state machine's table, for tests and assertions. */
bool container_state_transition_is_valid(ContainerState from, ContainerState to);

/* Sends one structured entry about c (journal-events.h: the MESSAGE_IDs), and logs the same text at
 * debug level. It is also an event of `dray events` (events.h): its action follows from message_id
 * (create, start, die with exitCode, destroy, rename), with name, image and attributes ("key",
 * "value", ..., NULL; may be NULL). */
void container_log_event_attrs(Container *c, const char *message_id, const char *const *attributes, int priority,
                               const char *format, ...) _printf_(5, 6);
#define container_log_event(c, message_id, priority, ...) \
        container_log_event_attrs(c, message_id, NULL, priority, __VA_ARGS__)
/* An event of `dray events` with no lifecycle message of its own (kill, stop, pause, unpause). */
void container_event(Container *c, const char *action, const char *const *attributes);

/* -ESRCH not running, -EALREADY not paused. Answers m at once (container-pause.h pauses). */
int container_unpause(Container *c, sd_bus_message *m);
/* What clients see: "paused" for a paused running container. */
ContainerState container_display_state(const Container *c);

/* ---- the attached client (container-caller.h watches it) ---- */

/* Starts watching c->rec.caller (no-op without one or without a bus). When the client goes away
 * the container is stopped, or an exited AutoRemove container removed. */
int container_caller_watch(Container *c);
void container_caller_unwatch(Container *c);

/* Whether m comes from the attached client. */
bool container_caller_is(const Container *c, sd_bus_message *m);
/* An AutoRemove container waits for its attached client to collect the exit status (or to go away)
 * before it is removed: a client whose Wait was lost to a drayd restart asks again. */
bool container_caller_pending(const Container *c);
/* The client is no longer attached (the run ended and it has what it needs): forget it. */
void container_caller_release(Container *c);

/* ---- announcements: the signals of the file pair's face (container-dbus.c implements them) ----
 * Every part of drayd that changes a container announces it through these, without depending on the
 * face and its handlers (tests/check-include-cycles). No-ops without a bus. */

/* PropertiesChanged for every property that can change. */
void container_bus_send_changed(Container *c);
/* ContainerNew/ContainerRemoved and InterfacesAdded/InterfacesRemoved (the registry below). */
void container_bus_send_added(Container *c);
void container_bus_send_removed(Container *c);

/* ---- the manager's container registry (container.c) ---- */

/* Writes a new container to disk and registers it. Takes spec on success. */
int manager_create_container(Manager *m, ContainerSpec *spec, Container **ret);
int manager_add_container(Manager *m, Container *c);
void manager_remove_container(Manager *m, Container *c); /* unregisters and frees c */

/* name, full ID or a unique ID prefix of at least 4 digits. -ENOENT: none, -ENOTUNIQ: several. */
int manager_find_container(Manager *m, const char *s, Container **ret);
/* For CreateContainer("", …). */
int manager_generate_name(Manager *m, char **ret);
