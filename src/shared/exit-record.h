/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* exit.json: what dray-monitor records, durably, when the payload ended. drayd reads it when the
 * monitor is gone, including after its own restart. */
#define EXIT_RECORD_FILE "exit.json"

typedef struct ExitRecord {
        int exit_status;        /* 0..255, Docker style: 128+N when killed by signal N */
        uint64_t finished_usec; /* CLOCK_REALTIME */
        bool oom_killed;
        bool reboot;            /* --boot: the init called reboot(): start it again in place */
        char *error;            /* why the payload could not be started, or NULL */
} ExitRecord;

void exit_record_done(ExitRecord *r);
int exit_record_save(int dir_fd, const ExitRecord *r);
int exit_record_load(int dir_fd, ExitRecord *ret);
