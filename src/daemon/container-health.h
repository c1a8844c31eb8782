/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "health-state.h"

typedef struct Container Container;
typedef struct ContainerHealth ContainerHealth;
typedef struct ContainerObserver ContainerObserver;

/* Health checks (--health-*, the image's Healthcheck): while a container runs, drayd runs its check
 * every interval inside it through the exec path (container-exec.c), never waiting on it: a timer
 * in drayd's event loop starts it, the monitor's "EXIT" ends it, and a second timer kills it
 * (SIGKILL to its process group) at its timeout. Results go through health-state.c's rules; the
 * state is kept in <runtime>/containers/<id>/health.json so that the next drayd, adopting the
 * container, goes on where this one stopped. When the container turns unhealthy,
 * --health-on-failure acts: kill, stop, or restart (container-restart.c, counted as the restart
 * policy's restarts are). */

/* The container's life, for Manager.container_observer (container.h): running after a start (the
 * state starts over, "starting", and the first check is due after the interval); adopted running by
 * drayd (the saved state is read back, the timer armed again); stopped (a check in progress is
 * killed, callers of RunHealthcheck are told); freed. */
extern const ContainerObserver container_health_observer;

/* RunHealthcheck: runs the check now (or joins the one running) and answers m with the status it
 * leads to, its exit code and output. -ESRCH when not running, -EOPNOTSUPP without a health check,
 * -EALREADY when paused. */
int container_health_run_now(Container *c, sd_bus_message *m);

/* The spec's health check changed (dray update): a running container's next check is due after the
 * new interval from now (a check in progress ends as it began); a check turned on starts over as
 * "starting", one turned off ends (a check in progress is killed) and the health is "none". */
void container_health_reconfigure(Container *c);

HealthStatus container_health_status(const Container *c);
const HealthState *container_health_state(const Container *c);

/* container-health-dbus.c: the properties, for container_vtable. */
int bus_container_property_get_health(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error);
int bus_container_property_get_health_streak(sd_bus *bus, const char *path, const char *interface,
                                             const char *property, sd_bus_message *reply, void *userdata,
                                             sd_bus_error *error);
int bus_container_property_get_health_log(sd_bus *bus, const char *path, const char *interface,
                                          const char *property, sd_bus_message *reply, void *userdata,
                                          sd_bus_error *error);
int bus_container_property_get_healthcheck(sd_bus *bus, const char *path, const char *interface,
                                           const char *property, sd_bus_message *reply, void *userdata,
                                           sd_bus_error *error);
void container_health_bus_send_changed(Container *c);
/* PropertiesChanged for Healthcheck (the configuration) and Health. */
void container_health_bus_send_config_changed(Container *c);
void container_health_bus_reply(sd_bus_message *m, const HealthState *s);
/* RunHealthcheck's answer when the container stopped before the check ended. */
void container_health_bus_reply_stopped(sd_bus_message *m, const char *container);
