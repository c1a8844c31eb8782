/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "spec-health.h"

/* The health check options that run, create and update share (--health-*, --no-healthcheck): one
 * parser, so that each option is checked and named the same way by every verb, and one builder of
 * CreateContainer's and UpdateContainer's Health* keys. */

typedef enum HealthOption {
        HEALTH_OPTION_CMD,
        HEALTH_OPTION_INTERVAL,
        HEALTH_OPTION_TIMEOUT,
        HEALTH_OPTION_RETRIES,
        HEALTH_OPTION_START_PERIOD,
        HEALTH_OPTION_START_INTERVAL,
        HEALTH_OPTION_ON_FAILURE,
        HEALTH_OPTION_NO_HEALTHCHECK,
        _HEALTH_OPTION_MAX,
} HealthOption;

/* getopt's names, in the order above ("health-cmd" … "no-healthcheck"). */
extern const char *const health_option_names[_HEALTH_OPTION_MAX];

/* Parses arg (NULL for --no-healthcheck) into h; logs what is wrong, naming the option. */
int health_option_parse(HealthOption o, const char *arg, SpecHealth *h);

/* Bit 1 << HealthOption for each field of h that is set (non-zero), as run and create send them. */
unsigned health_options_set(const SpecHealth *h);

/* Appends the Health* {sv} entries of the options in mask (1 << HealthOption) to an open a{sv}. */
int health_options_append(sd_bus_message *m, const SpecHealth *h, unsigned mask);
