/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "capability-name.h"
#include "spec.h"

/* CreateContainer's a{sv} options (org.dray1(5) lists them). Every key is checked for its type and
 * its value; unknown or repeated keys are refused. Errors are InvalidArgs naming the key. */

/* Each limit's smallest sensible value: below it the container could not even start. */
#define OPTION_MEMORY_MAX_MIN UINT64_C(4096)
#define OPTION_CPU_QUOTA_MIN_USEC UINT64_C(1000) /* systemd's own granularity: 1 ms per second */
#define OPTION_CPU_WEIGHT_MIN UINT64_C(1)
#define OPTION_CPU_WEIGHT_MAX UINT64_C(10000)
#define OPTION_ENV_MAX 4096U
#define OPTION_STRING_MAX 4096U
#define OPTION_ARG_MAX (128U * 1024U) /* the kernel's MAX_ARG_STRLEN */
#define OPTION_STRV_TOTAL_MAX (1024U * 1024U) /* Command, Env: half of what execve() takes by default */
#define USER_UNRESOLVED ((uid_t) -1)  /* User was a name: resolved against the container's /etc/passwd */

/* InvalidArgs "Invalid option 'KEY': …" for every option parser. Returns the negative errno. */
int container_option_invalid(sd_bus_error *error, const char *key, const char *format, ...) _printf_(3, 4);

/* Reads the a{sv} at the current position of m into spec (which spec_new() filled with defaults). */
int container_options_parse(sd_bus_message *m, ContainerSpec *spec, sd_bus_error *error);

/* ExecContainer's options: Command (required), Env, User, WorkingDirectory, Tty and OpenStdin only. */
int container_options_parse_exec(sd_bus_message *m, ContainerSpec *spec, sd_bus_error *error);

/* UpdateContainer's options: MemoryMax, CPUQuotaPerSecUSec, CPUWeight, TasksMax, RestartPolicy and the
 * Health* options only, into the fields of spec (which the caller set to a value meaning "not given"). */
int container_options_parse_update(sd_bus_message *m, ContainerSpec *spec, sd_bus_error *error);

/* Fills in what derives from other fields (hostname = name, image = rootfs, PATH and HOSTNAME in
 * the environment, working directory "/") and validates the whole spec. spec->id and spec->name
 * must be set. */
int container_options_finish(ContainerSpec *spec, sd_bus_error *error);

/* "net_admin", "CAP_NET_ADMIN", "Cap_Net_Admin" → "CAP_NET_ADMIN"; "all" → "ALL". -EINVAL for names
 * libcap does not know. */

/* container-health-options.c: CreateContainer's health check options (the table above uses them): HealthCmd (as: Docker's
 * Test, ["NONE"] disables the image's), HealthIntervalUSec, HealthTimeoutUSec, HealthStartPeriodUSec,
 * HealthStartIntervalUSec (t), HealthRetries (u), HealthOnFailure (s: none, kill, restart, stop). */
int container_option_health_cmd(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_interval(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_timeout(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_start_period(sd_bus_message *m, const char *key, ContainerSpec *s,
                                         sd_bus_error *error);
int container_option_health_start_interval(sd_bus_message *m, const char *key, ContainerSpec *s,
                                           sd_bus_error *error);
int container_option_health_retries(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_on_failure(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
