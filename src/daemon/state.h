/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-id128.h>

#include "container-state.h"
#include "json-util.h"

/* state.json: drayd's mutable record of one container, next to its config.json. */
#define STATE_FILE "state.json"

typedef struct ContainerRecord {
        ContainerState state;
        int exit_status;             /* 0..255, -1 while there is none */
        char *error;                 /* why it failed to start or ended abnormally, or NULL */
        bool oom_killed;
        bool paused;                 /* running, its cgroup frozen (dray pause) */
        char *unit;                  /* the scope of the last start: a rename takes effect at the next */
        pid_t pid;                   /* the container's init, in our PID namespace; 0 when not running */
        pid_t monitor_pid;           /* dray-monitor; 0 when there is none */
        uint64_t monitor_start_time; /* of monitor_pid, /proc/<pid>/stat field 22 */
        sd_id128_t boot_id;          /* the boot the PIDs belong to */
        uint64_t started_usec;       /* CLOCK_REALTIME, 0 = never */
        uint64_t finished_usec;
        char *caller;                /* the unique bus name of the client the run is attached to, or NULL
                                      * (container-caller.h) */
        /* Restart policy bookkeeping (container-restart.h). */
        uint64_t restart_count;      /* starts by the policy since the last Start by a client */
        uint64_t restart_streak;     /* restarts in a row without a run of 10 s: the backoff's exponent */
        bool stopped;                /* ended by Stop: the policy leaves it alone until it is started */
} ContainerRecord;

#define CONTAINER_RECORD_INIT                                           \
        ((ContainerRecord) { .state = CONTAINER_CREATED, .exit_status = -1 })

void container_record_done(ContainerRecord *r);
int container_record_set_error(ContainerRecord *r, const char *error);

int container_record_to_json(const ContainerRecord *r, json_object **ret);
/* -EBADMSG if a field has the wrong type or an impossible value. */
int container_record_from_json(json_object *o, ContainerRecord *ret);

/* durable: fsync (see ATOMIC_WRITE_SYNC). */
int container_record_save(int dir_fd, const ContainerRecord *r, bool durable);
/* -ENOENT when there is no state.json. */
int container_record_load(int dir_fd, ContainerRecord *ret);
