/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* Authorising D-Bus callers with polkit, asynchronously, over sd-bus (no GLib): the pattern of
 * systemd's bus_verify_polkit_async().
 *
 * A method handler calls dray_verify_polkit_async() after it has parsed and validated its arguments
 * and before it changes anything:
 *
 *         r = dray_verify_polkit_async(m, "org.dray1.manage-containers", details, false,
 *                                      manager->polkit_registry, error);
 *         if (r < 0)
 *                 return r;       (error is set: AccessDenied, InteractiveAuthorizationRequired, …)
 *         if (r == 0)
 *                 return 1;       (polkit is being asked; the handler runs again on its answer)
 *         … authorised: do the work and reply …
 *
 * How it works: a caller whose effective UID is 0 is authorised at once (1). Otherwise the call asks
 * polkit's org.freedesktop.PolicyKit1.Authority.CheckAuthorization, asynchronously, with the subject
 * ("system-bus-name", {"name": <the caller's unique bus name>}), remembers the message in the registry
 * and returns 0; the handler returns 1 without replying. When polkit answers, the answer is stored and
 * the very same message is put back into the bus's read queue (sd_bus_enqueue_for_read()), so the
 * whole dispatch runs again: the object is looked up anew and the handler re-validates everything.
 * This time dray_verify_polkit_async() finds the stored answer, drops it, and returns 1 (authorised)
 * or a negative errno with error set. (Should the second run not get that far, say because the object
 * went away meanwhile, the entry is dropped when the event loop next goes idle.)
 *
 * Rules for handlers:
 *   - Call it at most once per dispatch, with the same action and details both times; a different
 *     action or details on the second run gives -ESTALE (the object may have changed meanwhile and
 *     the answer would not cover it).
 *   - Do nothing observable before it returns 1: the first run must be free of side effects.
 *   - The bus must be attached to an sd-event loop (sd_bus_attach_event()).
 *
 * details: NULL, or a NULL-terminated list of key, value, key, value, … passed to polkit (polkit
 * rules can match on them, and the authentication dialog may show them), e.g.
 * { "container", "web", NULL }.
 * interactive: let polkit ask the user (through an authentication agent). A caller that set the
 * ALLOW_INTERACTIVE_AUTHORIZATION message flag gets it in any case.
 *
 * Errors returned to the caller (and set in *error):
 *   org.freedesktop.DBus.Error.AccessDenied "Not authorized to perform '<action>'." (-EACCES), also
 *     when polkit is not running or fails: never authorise on an error;
 *   org.freedesktop.DBus.Error.InteractiveAuthorizationRequired (-EACCES) when polkit would ask for a
 *     password but interaction was not allowed;
 *   org.freedesktop.DBus.Error.LimitsExceeded (-ENOBUFS) when too many checks are pending (below). */

/* The system bus limits pending replies per connection (128 on Debian 12); drayd's own calls to
 * systemd share that budget, so checks in flight are capped, overall and per caller. */
#define POLKIT_PENDING_MAX 64U
#define POLKIT_PENDING_PER_SENDER_MAX 16U

typedef struct PolkitRegistry PolkitRegistry;

/* One per daemon (the Manager owns it). Freeing it drops every pending check without replying. */
PolkitRegistry *polkit_registry_new(void);
PolkitRegistry *polkit_registry_free(PolkitRegistry *registry);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolkitRegistry *, polkit_registry_free);

/* Checks pending, or answered and not yet dropped. */
size_t polkit_registry_size(const PolkitRegistry *registry);

int dray_verify_polkit_async(
                sd_bus_message *call,
                const char *action,
                const char **details,
                bool interactive,
                PolkitRegistry *registry,
                sd_bus_error *error);
