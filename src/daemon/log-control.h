/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bus-object.h"
#include "log.h"

/* org.freedesktop.LogControl1 at /org/freedesktop/LogControl1, so that
 * `systemctl service-log-level drayd debug` and `systemctl service-log-target drayd console` work.
 * "journal" (also accepted: "kmsg", "journal-or-kmsg", "auto") is our stderr with "<N>" priority
 * prefixes, which journald's stream protocol turns into priorities; "console" is plain stderr. */
#define LOG_CONTROL_PATH "/org/freedesktop/LogControl1"
#define LOG_CONTROL_INTERFACE "org.freedesktop.LogControl1"

extern const BusObjectImplementation log_control_object;

/* Sets the target and remembers it for the LogTarget property. */
void log_control_set_target(LogTarget t);
int log_control_target_from_string(const char *s, LogTarget *ret);
const char *log_control_target_to_string(LogTarget t);
