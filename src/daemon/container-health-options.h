/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "spec.h"

/* CreateContainer's health check options (container-options.c's table): HealthCmd (as: Docker's
 * Test, ["NONE"] disables the image's), HealthIntervalUSec, HealthTimeoutUSec, HealthStartPeriodUSec
 * (t), HealthRetries (u), HealthOnFailure (s: none, kill, restart, stop). */
int container_option_health_cmd(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_interval(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_timeout(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_start_period(sd_bus_message *m, const char *key, ContainerSpec *s,
                                         sd_bus_error *error);
int container_option_health_retries(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
int container_option_health_on_failure(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);
