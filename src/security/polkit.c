/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "log.h"
#include "polkit.h"
#include "strv.h"

#define POLKIT_INTERACTIVE_TIMEOUT_USEC (5 * 60 * USEC_PER_SEC)

typedef enum PolkitAnswer {
        POLKIT_PENDING,
        POLKIT_AUTHORIZED,
        POLKIT_DENIED,
        POLKIT_CHALLENGE, /* would be allowed after authentication, which the caller did not allow */
        POLKIT_FAILED,    /* polkit answered with an error, or not at all */
} PolkitAnswer;

typedef struct PolkitQuery PolkitQuery;
struct PolkitQuery {
        PolkitRegistry *registry;
        PolkitQuery *prev, *next;

        sd_bus_message *request; /* the key: the same message comes back when re-dispatched */
        char *sender;
        char *action;
        char **details;

        sd_bus_slot *slot;            /* the pending CheckAuthorization */
        sd_event_source *idle_source; /* drops the entry once the re-dispatch is over */
        PolkitAnswer answer;
        char *failure; /* POLKIT_FAILED: why, for the error message */
};

struct PolkitRegistry {
        PolkitQuery *queries;
        size_t n_queries;
};

static PolkitQuery *polkit_query_free(PolkitQuery *q) {
        if (!q)
                return NULL;
        if (q->registry) {
                if (q->prev)
                        q->prev->next = q->next;
                else
                        q->registry->queries = q->next;
                if (q->next)
                        q->next->prev = q->prev;
                q->registry->n_queries--;
        }
        sd_bus_slot_unref(q->slot); /* cancels the call if still pending */
        sd_event_source_disable_unref(q->idle_source);
        sd_bus_message_unref(q->request);
        free(q->sender);
        free(q->action);
        strv_free(q->details);
        free(q->failure);
        free(q);
        return NULL;
}

PolkitRegistry *polkit_registry_new(void) {
        return calloc(1, sizeof(PolkitRegistry));
}

PolkitRegistry *polkit_registry_free(PolkitRegistry *registry) {
        if (!registry)
                return NULL;
        while (registry->queries)
                polkit_query_free(registry->queries);
        free(registry);
        return NULL;
}

size_t polkit_registry_size(const PolkitRegistry *registry) {
        return registry ? registry->n_queries : 0;
}

static PolkitQuery *registry_find(PolkitRegistry *registry, sd_bus_message *m) {
        for (PolkitQuery *q = registry->queries; q; q = q->next)
                if (q->request == m)
                        return q;
        return NULL;
}

/* Checks still waiting for polkit, from sender or from anyone (NULL). */
static size_t registry_count_pending(PolkitRegistry *registry, const char *sender) {
        size_t n = 0;

        for (PolkitQuery *q = registry->queries; q; q = q->next)
                if (q->answer == POLKIT_PENDING && (!sender || streq(q->sender, sender)))
                        n++;
        return n;
}

static bool details_equal(char *const *a, const char **b) {
        size_t i = 0;

        for (; a && a[i]; i++)
                if (!b || !b[i] || !streq(a[i], b[i]))
                        return false;
        return !b || !b[i];
}

/* The caller's effective UID is 0. Only what the bus itself vouches for counts: credentials sd-bus
 * "augmented" from /proc/PID are racy (the PID may be reused), so they never authorise. */
static int sender_is_root(sd_bus_message *m) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        if (sd_bus_creds_get_augmented_mask(creds) & SD_BUS_CREDS_EUID)
                return 0;
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r == -ENODATA || r == -ENXIO)
                return 0;
        if (r < 0)
                return r;
        return uid == 0;
}

static int polkit_query_result(PolkitQuery *q, sd_bus_error *error) {
        switch (q->answer) {
        case POLKIT_AUTHORIZED:
                return 1;
        case POLKIT_CHALLENGE:
                return sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                         "Not authorized to perform '%s' without authentication: run as root, "
                                         "from a session with a polkit agent, or grant it with a polkit rule.",
                                         q->action);
        case POLKIT_FAILED:
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Not authorized to perform '%s': %s.", q->action, q->failure);
        default:
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "Not authorized to perform '%s'.",
                                         q->action);
        }
}

/* polkitd is not there: not installed, not activatable (masked, failed), or gone. */
static bool polkit_error_is_unavailable(const sd_bus_error *e) {
        return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
                sd_bus_error_has_name(e, SD_BUS_ERROR_DISCONNECTED) ||
                (e->name && (strneq(e->name, "org.freedesktop.DBus.Error.Spawn.", 33) ||
                             strneq(e->name, "org.freedesktop.systemd1.", 25)));
}

/* CheckAuthorization's answer is (bba{ss}): is_authorized, is_challenge, details. */
static void polkit_query_record(PolkitQuery *q, sd_bus_message *reply) {
        int authorized, challenge, r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);

                log_debug("polkit: CheckAuthorization for '%s' failed: %s: %s", q->action, strna(e->name),
                          strna(e->message));
                q->answer = POLKIT_FAILED;
                if (polkit_error_is_unavailable(e))
                        q->failure = strdup("polkit is not available");
                else if (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) ||
                         sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT))
                        q->failure = strdup("polkit did not answer in time");
                else if (e->message) {
                        /* e.g. "Action org.dray1.x is not registered": what an administrator needs.
                         * polkitd owns its name on the system bus; its text is valid UTF-8 (sd-bus
                         * checked it), bounded here to keep the reply one short line. */
                        if (asprintf(&q->failure, "polkit failed: %.160s", e->message) < 0)
                                q->failure = NULL; /* OOM: reported by the caller */
                } else
                        q->failure = strdup("polkit failed");
                return;
        }

        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                log_debug_errno(r, "polkit: cannot parse the answer for '%s': %m", q->action);
                q->answer = POLKIT_FAILED;
                q->failure = strdup("polkit's answer is malformed");
                return;
        }
        q->answer = authorized ? POLKIT_AUTHORIZED : challenge ? POLKIT_CHALLENGE : POLKIT_DENIED;
}

static int polkit_query_on_idle(sd_event_source *s, void *userdata) {
        polkit_query_free(userdata);
        return 0;
}

static int polkit_query_on_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *q = userdata;
        sd_bus *bus = sd_bus_message_get_bus(q->request);
        sd_event *event;
        int r;

        q->slot = sd_bus_slot_unref(q->slot);
        polkit_query_record(q, reply);
        if (q->answer == POLKIT_FAILED && !q->failure) {
                r = -ENOMEM;
                goto fail;
        }

        /* Drop the entry once the loop is idle, i.e. after the re-queued message has been dispatched
         * (the bus dispatches at normal priority, before idle sources). */
        event = sd_bus_get_event(bus);
        if (!event) {
                r = -ENOTCONN;
                goto fail;
        }
        r = sd_event_add_defer(event, &q->idle_source, polkit_query_on_idle, q);
        if (r < 0)
                goto fail;
        r = sd_event_source_set_priority(q->idle_source, SD_EVENT_PRIORITY_IDLE);
        if (r < 0)
                goto fail;
        r = sd_event_source_set_enabled(q->idle_source, SD_EVENT_ONESHOT);
        if (r < 0)
                goto fail;

        /* Run the original call again, from the top: the handler parses it anew. */
        r = sd_bus_message_rewind(q->request, true);
        if (r < 0)
                goto fail;
        r = sd_bus_enqueue_for_read(bus, q->request);
        if (r < 0)
                goto fail;
        return 1;

fail:
        log_debug_errno(r, "polkit: cannot re-dispatch the call after polkit's answer: %m");
        (void) sd_bus_reply_method_errno(q->request, r, NULL);
        polkit_query_free(q);
        return 0;
}

static int append_details(sd_bus_message *m, const char **details) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        for (const char **d = details; d && *d; d += 2) {
                r = sd_bus_message_append(m, "{ss}", d[0], d[1]);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static int polkit_query_start(PolkitQuery *q, sd_bus_message *call, bool interactive) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        int r;

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        /* The subject is the caller's unique bus name: polkit resolves it to the process and user with
         * the bus daemon's help, free of PID races. */
        r = sd_bus_message_append(m, "(sa{sv})s", "system-bus-name", 1, "name", "s", q->sender, q->action);
        if (r < 0)
                return r;
        r = append_details(m, (const char **) q->details);
        if (r < 0)
                return r;
        /* flags: 1 = AllowUserInteraction; no cancellation ID. */
        r = sd_bus_message_append(m, "us", (uint32_t) (interactive ? 1 : 0), "");
        if (r < 0)
                return r;

        return sd_bus_call_async(bus, &q->slot, m, polkit_query_on_answer, q,
                                 interactive ? POLKIT_INTERACTIVE_TIMEOUT_USEC : 0);
}

static int details_validate(const char **details) {
        size_t n = 0;

        for (const char **d = details; d && *d; d++)
                n++;
        return n % 2 == 0 ? 0 : -EINVAL;
}

int dray_verify_polkit_async(
                sd_bus_message *call,
                const char *action,
                const char **details,
                bool interactive,
                PolkitRegistry *registry,
                sd_bus_error *error) {

        PolkitQuery *q;
        const char *sender;
        int r;

        assert(call);
        assert(action);
        assert(registry);

        if (details_validate(details) < 0)
                return -EINVAL;

        q = registry_find(registry, call);
        if (q) {
                /* The second run of this call: polkit has answered. */
                if (q->answer == POLKIT_PENDING)
                        return -EBUSY; /* checked twice in one dispatch: a bug in the handler */
                if (!streq(q->action, action) || !details_equal(q->details, details))
                        r = -ESTALE;
                else
                        r = polkit_query_result(q, error);
                /* Used up: drop it now rather than when the loop goes idle, which a busy daemon may
                 * not do for a long time. */
                polkit_query_free(q);
                return r;
        }

        r = sender_is_root(call);
        if (r < 0)
                return r;
        if (r > 0)
                return 1;

        sender = sd_bus_message_get_sender(call);
        if (!sender)
                return -EBADMSG;

        if (sd_bus_message_get_allow_interactive_authorization(call) > 0)
                interactive = true;

        if (registry_count_pending(registry, NULL) >= POLKIT_PENDING_MAX ||
            registry_count_pending(registry, sender) >= POLKIT_PENDING_PER_SENDER_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                        "Too many authorization checks pending, try again later.");

        q = calloc(1, sizeof(PolkitQuery));
        if (!q)
                return -ENOMEM;
        q->request = sd_bus_message_ref(call);
        q->sender = strdup(sender);
        q->action = strdup(action);
        q->details = strv_copy((char *const *) details);
        if (!q->sender || !q->action || !q->details) {
                polkit_query_free(q);
                return -ENOMEM;
        }

        r = polkit_query_start(q, call, interactive);
        if (r < 0) {
                polkit_query_free(q);
                return log_debug_errno(r, "polkit: cannot ask polkit about '%s': %m", action);
        }

        q->registry = registry;
        q->next = registry->queries;
        if (q->next)
                q->next->prev = q;
        registry->queries = q;
        registry->n_queries++;
        return 0;
}
