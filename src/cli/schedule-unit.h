/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "macros.h"

/* `dray schedule`: a job is a timer and a service, dray-job-NAME.timer and dray-job-NAME.service,
 * whose ExecStart is `dray run --rm --name NAME …`. The pure parts (names, quoting, unit file text)
 * live here so that the unit tests can check them; verb-schedule.c talks to systemd. */

#define SCHEDULE_UNIT_PREFIX "dray-job-"
#define SCHEDULE_UNIT_DIR "/etc/systemd/system"

/* NAME (a container name) → "dray-job-NAME.service" / ".timer". -EINVAL for an invalid name. */
int schedule_unit_name(const char *name, const char *suffix, char **ret);
/* "dray-job-NAME.timer" → NAME, or NULL when unit is not a job's timer. */
char *schedule_name_from_unit(const char *unit);

/* One argument as a unit file's ExecStart= takes it: in double quotes, with backslash, quote and
 * control characters C-escaped, '%' as "%%" (specifiers) and '$' as "$$" (variables). */
int unit_file_quote_arg(const char *arg, char **ret);
/* The same, with keep_specifiers: "%%" and "%X" for each specifier X of systemd 252 stay as they are
 * (for systemd to expand: templates); any other '%' is doubled. */
int unit_file_quote_arg_full(const char *arg, bool keep_specifiers, char **ret);
/* Whether c names a specifier systemd 252 knows ("%c"). */
bool unit_specifier_is_valid(char c);
/* '$' → "$$": systemd expands $VAR in ExecStart= argv, also in transient units' (systemd 252). */
int exec_arg_escape_dollar(const char *arg, char **ret);

/* A calendar spec or a directory as a unit file value: no control characters, '%' doubled. */
int unit_file_escape_value(const char *value, char **ret);

/* The unit files `dray schedule create --persistent` writes. argv[0] is dray's absolute path. */
int schedule_service_file(const char *name, const char *working_dir, char *const *argv, char **ret);
int schedule_timer_file(const char *name, const char *calendar, char **ret);
