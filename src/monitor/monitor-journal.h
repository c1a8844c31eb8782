/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec.h"

/* Container output into journald, one entry per line, with the fields Docker's journald log driver
 * sets (DESIGN.md "Logging"). */

typedef struct JournalFields {
        char *container_name;   /* "CONTAINER_NAME=…" and so on: whole fields, built once */
        char *container_id;
        char *container_id_full;
        char *image_name;
        char *syslog_identifier;
        char *container_tag;
} JournalFields;

/* What a LogStream's sink is handed: the fields and the stream's priority. */
typedef struct JournalSink {
        const JournalFields *fields;
        const char *priority;   /* "PRIORITY=6" (stdout) or "PRIORITY=3" (stderr) */
        bool warned;            /* a failure was reported once already */
} JournalSink;

int journal_fields_init(JournalFields *f, const ContainerSpec *spec);
void journal_fields_done(JournalFields *f);

/* Warns once if journald's socket is missing: output then only reaches the tee fds. */
void journal_check_available(void);

/* A LogSinkFunc (userdata: JournalSink). Blocks while journald is busy, retrying with backoff:
 * lines are never dropped for that. Other failures are reported once and the line is lost. */
void journal_send_line(char *line, size_t len, bool partial, void *userdata);
