/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "macros.h"

/* The contract between drayd and its helpers (docs/ARCHITECTURE.md, "The drayd ↔ dray-monitor
 * contract"). Monitors outlive drayd across restarts and package upgrades, and files written by one
 * build are read by the next: everything that crosses that boundary is defined here, once, and
 * versioned. A change that an older peer would misread bumps a version; a peer that meets a version
 * newer than its own refuses it with a clear message and changes nothing. */

/* The sync protocol drayd and dray-monitor speak. drayd names the version it speaks on the monitor's
 * command line (--protocol=N; absent means 1); a monitor that does not know it answers FAIL with
 * EPROTONOSUPPORT and starts nothing. */
#define DRAY_PROTOCOL_VERSION 1U

/* Fixed descriptor numbers in dray-monitor, named on its command line. */
#define MONITOR_SYNC_FD 3
#define MONITOR_STDOUT_FD 4
#define MONITOR_STDERR_FD 5
#define MONITOR_STDIN_FD 6
#define MONITOR_RESIZE_FD 7
#define MONITOR_EXEC_SPEC_FD 8
#define MONITOR_NOTIFY_FD 9
#define MONITOR_FD_LAST MONITOR_NOTIFY_FD
/* Descriptors passed on to the payload (socket activation, --preserve-fds): MONITOR_PASS_FD_FIRST
 * onwards in the monitor (--pass-fds=N), 3 onwards in the payload, at most PASS_FDS_MAX. */
#define MONITOR_PASS_FD_FIRST 10
/* drayd's signals to a container's init (dray kill, dray stop, a foreground run's Ctrl-C) carry this
 * si_value with si_code SI_QUEUE: the init passes them on as they are. A SIGINT without it comes from
 * outside (machinectl reboot signals the leader) and asks for a reboot in place, as systemd's
 * container interface has it. */
#define DRAY_SIGNAL_TAG 0x64726179
#define PASS_FDS_MAX 64

/* drayd → monitor: one byte, "the scope is in place, go". Closing the socket before it means "give up". */
#define SYNC_GO 'G'

/* monitor → drayd: lines of text ending in '\n', at most SYNC_LINE_MAX bytes with the newline.
 *   OK <pid>               the payload runs (a container's monitor then closes the socket)
 *   ERR <errno> <message>  setup or exec failed (an exec's monitor then sends EXIT)
 *   FAIL <errno> <message> dray-monitor could not be executed, or refused the protocol version
 *   EXIT <status>          an exec's process ended with this status (0…255); the last line */
#define SYNC_LINE_MAX 512U

typedef enum SyncMessageType {
        SYNC_MESSAGE_OK,
        SYNC_MESSAGE_ERR,
        SYNC_MESSAGE_FAIL,
        SYNC_MESSAGE_EXIT,
        _SYNC_MESSAGE_TYPE_MAX,
        _SYNC_MESSAGE_TYPE_INVALID = -EINVAL,
} SyncMessageType;

const char *sync_message_type_to_string(SyncMessageType t);
SyncMessageType sync_message_type_from_string(const char *s);

typedef struct SyncMessage {
        SyncMessageType type;
        pid_t pid;           /* OK */
        int error;           /* ERR, FAIL: a positive errno */
        int status;          /* EXIT */
        const char *message; /* ERR, FAIL: parsed, points into the line; formatted, any text */
} SyncMessage;

/* Formats m as one line with its '\n' into buf (SYNC_LINE_MAX bytes is always enough): control
 * characters in the message become spaces and a long message is cut, so that what is sent is one
 * line. Uses no allocation (callable between fork and exec). Returns the length, or -EINVAL for a
 * message sync_message_parse() would refuse. */
ssize_t sync_message_format(const SyncMessage *m, char *buf, size_t size);

/* Parses one line without its '\n'. -EBADMSG for anything that is not a message above. */
int sync_message_parse(const char *line, SyncMessage *ret);

/* Collects what the socket brings and hands out whole lines. */
typedef struct SyncReader {
        char buf[SYNC_LINE_MAX + 1];
        size_t len;
        size_t consumed; /* bytes of the line last returned, dropped on the next call */
} SyncReader;

/* Reads what fd has (non-blocking): 1 when something came, 0 at EOF, -EAGAIN when nothing is there;
 * -EMSGSIZE when SYNC_LINE_MAX bytes came without a newline (the peer broke the protocol; the
 * reader is emptied). */
int sync_reader_read(SyncReader *r, int fd);
/* The next whole line (without '\n', NUL-terminated, valid until the next call), or NULL. */
const char *sync_reader_next(SyncReader *r);

/* The attach endpoint of a running container's monitor (dray attach): a SOCK_SEQPACKET socket
 * <runtime_dir>/containers/<id>/attach, mode 0600 in root's 0700 /run/dray, that only root may use
 * (the monitor checks SO_PEERCRED). drayd connects and sends one message, "ATTACH <mask>\n", with the
 * client's descriptors as SCM_RIGHTS in the order of the mask's bits; the monitor answers with one
 * sync message, "OK <pid>" (the container's init) or "ERR <errno> <message>", and closes. From then on
 * the client gets the container's output as the starting client does, its input goes to the payload,
 * and the EOF of its resize pipe (always given) detaches it. A monitor older than this has no socket. */
#define MONITOR_ATTACH_SOCKET "attach"
#define ATTACH_CLIENTS_MAX 16

typedef enum AttachStream {
        ATTACH_STREAM_STDOUT = 1 << 0,
        ATTACH_STREAM_STDERR = 1 << 1,
        ATTACH_STREAM_STDIN  = 1 << 2,
        ATTACH_STREAM_RESIZE = 1 << 3,
        _ATTACH_STREAM_ALL   = (1 << 4) - 1,
} AttachStream;

/* "ATTACH <mask>\n" into buf (at least SYNC_LINE_MAX bytes); returns the length. */
ssize_t attach_request_format(unsigned mask, char *buf, size_t size);
/* Parses such a message (with or without its '\n'); -EBADMSG for anything else. */
int attach_request_parse(const char *msg, size_t len, unsigned *ret_mask);
/* How many descriptors a mask stands for. */
unsigned attach_mask_count(unsigned mask);

/* Every JSON file dray keeps carries "schema_version": N, per file kind. A file without one was
 * written before versions existed and reads as version 1. */
#define SCHEMA_VERSION_KEY "schema_version"
#define SPEC_SCHEMA_VERSION 1U          /* containers/<id>/config.json, and an exec's spec memfd */
#define STATE_SCHEMA_VERSION 1U         /* containers/<id>/state.json (drayd) */
#define EXIT_RECORD_SCHEMA_VERSION 1U   /* containers/<id>/exit.json (dray-monitor) */
#define CONTAINER_NET_SCHEMA_VERSION 1U /* containers/<id>/network.json (drayd) */
#define NETWORK_SCHEMA_VERSION 1U       /* networks/<name>.json (drayd) */

int schema_version_add(json_object *o, unsigned version);
/* 0 when o is of a version up to supported; -EPROTONOSUPPORT when it is newer (written by a newer
 * dray: do not read it, and do not overwrite it); -EBADMSG when the version is not a number ≥ 1. */
int schema_version_check(json_object *o, unsigned supported);
