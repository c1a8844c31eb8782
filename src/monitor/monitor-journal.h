/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "spec.h"

/* Container output into journald, one entry per line, with the fields Docker's journald log driver
 * sets (DESIGN.md "Logging"), many entries per datagram.
 *
 * Why batches: journald's native protocol takes several entries in one datagram, separated by an
 * empty line, and most of its cost per datagram (receiving it, looking up the sender's credentials
 * and cgroup) is paid once per datagram, not per entry. Measured in the sandbox (systemd 252):
 * 100,000 one-entry datagrams cost journald 1.35 s of CPU, a service's stdout stream of the same
 * lines 0.64 s. Batched, the monitor's entries cost about what the stream's do, and they keep every
 * field. A batch is sent when it is full and whenever the monitor has handled what one read() of the
 * payload's pipe gave it, so a line never waits for more output. */

/* Largest datagram: journald raises its receive buffer to 8 MiB; the monitor raises its send buffer to
 * match. A single entry larger than this (at most LOG_LINE_MAX + the fields) still fits. */
#define JOURNAL_BATCH_MAX (128U * 1024U)

typedef struct JournalFields {
        char *container_name;   /* "CONTAINER_NAME=…" and so on: whole fields, built once */
        char *container_id;
        char *container_id_full;
        char *image_name;
        char *syslog_identifier;
        char *container_tag;
        /* "OBJECT_SYSTEMD_UNIT=dray-<name>.scope": journalctl -u matches it on entries from root. journald
         * finds _SYSTEMD_UNIT from the sender's cgroup, which it reads from /proc when the datagram comes
         * in: the last batch of a container that ends at once may arrive after the monitor is gone, and
         * would then carry no unit at all. */
        char *object_unit;
        /* "OBJECT_SYSTEMD_UNIT=<the caller's service>" for a foreground run from a unit, or NULL. A
         * field may appear twice in an entry, and a match on either value finds it: one entry serves
         * `journalctl -u job.service` and `journalctl -u dray-<name>.scope` alike. */
        char *caller_unit;
} JournalFields;

/* Entries waiting to be sent, in order, for both streams (one batch keeps their relative order). */
typedef struct JournalBatch {
        int fd;                 /* AF_UNIX SOCK_DGRAM, unconnected (journald may restart) */
        const char *socket_path;
        char *buf;
        size_t len;
        size_t *ends;           /* offset after each entry, for resending one by one */
        size_t n_entries;
        bool warned;            /* a failure was reported once already */
} JournalBatch;

/* What a LogStream's sink is handed: the batch and the stream's own constant fields, serialized in
 * the native protocol, PRIORITY included. */
typedef struct JournalSink {
        JournalBatch *batch;
        char *fields;
        size_t fields_len;
        bool strip_cr;  /* -t: a terminal ends lines with "\r\n"; the journal gets them without "\r" */
} JournalSink;

/* caller_unit: the service a foreground run belongs to, or NULL. */
int journal_fields_init(JournalFields *f, const ContainerSpec *spec, const char *caller_unit);
void journal_fields_done(JournalFields *f);

/* socket_path: NULL for journald's. Never fails for a missing journald: output then only reaches
 * the tee fds (journal_check_available() warns). */
int journal_batch_init(JournalBatch *b, const char *socket_path);
void journal_batch_done(JournalBatch *b);
/* Sends what is queued. Blocks while journald's queue is full, retrying with backoff: lines are
 * never dropped for that. Other failures are reported once and the batch is lost. */
void journal_batch_flush(JournalBatch *b);

/* priority: 6 (stdout) or 3 (stderr). */
int journal_sink_init(JournalSink *s, JournalBatch *b, const JournalFields *f, int priority);
void journal_sink_done(JournalSink *s);

/* Warns once if journald's socket is missing: output then only reaches the tee fds. */
void journal_check_available(void);

/* A LogSinkFunc (userdata: JournalSink): queues one entry, flushing first if it would not fit. */
void journal_send_line(char *line, size_t len, bool partial, void *userdata);
