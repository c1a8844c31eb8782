/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CreateContainer's option dictionary, as drayd receives it from any local user: the fuzzer's bytes
 * drive a builder that appends a{sv} entries (known and unknown keys, right and wrong types, hostile
 * strings), and the sealed message goes through container_options_parse() and, if that accepts it,
 * container_options_finish(), as in CreateContainer. */
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-pair.h"
#include "container-options.h"
#include "fuzz.h"

typedef struct Reader {
        const uint8_t *p;
        size_t n;
} Reader;

static uint8_t byte(Reader *r) {
        if (r->n == 0)
                return 0;
        r->n--;
        return *r->p++;
}

static uint64_t u64(Reader *r) {
        uint64_t v = 0;

        for (int i = 0; i < 8; i++)
                v = v << 8 | byte(r);
        return v;
}

/* A string of up to 255 bytes; sd-bus itself refuses invalid UTF-8, which is fine. */
static char *string(Reader *r, char buf[static 256]) {
        size_t len = byte(r); /* MIN() evaluates its arguments twice: not byte() inside it */

        len = MIN(len, r->n);

        memcpy(buf, r->p, len);
        buf[len] = 0;
        r->p += len;
        r->n -= len;
        return buf;
}

static const char *const keys[] = {
        "Rootfs", "Command", "Env", "WorkingDirectory", "User", "Hostname", "ReadOnly", "Ephemeral",
        "AutoRemove", "MemoryMax", "CPUQuotaPerSecUSec", "CPUWeight", "TasksMax", "StopTimeoutUSec",
        "StopSignal", "CapAdd", "CapDrop", "Image", "BindMounts", "TmpfsMounts", "Privileged",
        "SeccompUnconfined", "SeccompProfile", "UserNamespace", "Bogus",
};
static const char *const signatures[] = { "s", "as", "b", "t", "i", "a(ssb)", "a(ss)", "u", "a{ss}" };

static int append_value(sd_bus_message *m, const char *sig, Reader *r) {
        char a[256], b[256];
        int k;

        if (streq(sig, "s"))
                return sd_bus_message_append(m, "s", string(r, a));
        if (streq(sig, "b"))
                return sd_bus_message_append(m, "b", (int) (byte(r) & 1));
        if (streq(sig, "t"))
                return sd_bus_message_append(m, "t", u64(r));
        if (streq(sig, "i") || streq(sig, "u"))
                return sd_bus_message_append(m, sig, (uint32_t) u64(r));
        k = sd_bus_message_open_container(m, 'a', sig + 1);
        for (unsigned i = 0, n = byte(r) % 8; k >= 0 && i < n; i++) {
                if (streq(sig, "as"))
                        k = sd_bus_message_append(m, "s", string(r, a));
                else if (streq(sig, "a(ssb)"))
                        k = sd_bus_message_append(m, "(ssb)", string(r, a), string(r, b), (int) (byte(r) & 1));
                else if (streq(sig, "a(ss)"))
                        k = sd_bus_message_append(m, "(ss)", string(r, a), string(r, b));
                else
                        k = sd_bus_message_append(m, "{ss}", string(r, a), string(r, b));
        }
        return k < 0 ? k : sd_bus_message_close_container(m);
}

static int build(sd_bus_message *m, Reader *r) {
        int k = sd_bus_message_open_container(m, 'a', "{sv}");

        for (unsigned i = 0, n = byte(r) % 12; k >= 0 && i < n; i++) {
                const char *key = keys[byte(r) % ELEMENTSOF(keys)];
                const char *sig = signatures[byte(r) % ELEMENTSOF(signatures)];

                k = sd_bus_message_open_container(m, 'e', "sv");
                k = k < 0 ? k : sd_bus_message_append(m, "s", key);
                k = k < 0 ? k : sd_bus_message_open_container(m, 'v', sig);
                k = k < 0 ? k : append_value(m, sig, r);
                k = k < 0 ? k : sd_bus_message_close_container(m);
                k = k < 0 ? k : sd_bus_message_close_container(m);
        }
        return k < 0 ? k : sd_bus_message_close_container(m);
}

int fuzz_options(const uint8_t *data, size_t size) {
        static sd_bus *server, *client;
        static sd_event *event;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        Reader r = { data, size };

        if (size > 16384)
                return 0;
        if (!client && (sd_event_new(&event) < 0 || bus_pair_new(event, &server, &client) < 0))
                abort();
        if (sd_bus_message_new_method_call(client, &m, NULL, "/org/dray1", "org.dray1.Manager",
                                           "CreateContainer") < 0)
                return 0;
        if (build(m, &r) < 0 || sd_bus_message_seal(m, 1, 0) < 0 || sd_bus_message_rewind(m, true) < 0)
                return 0;
        s = spec_new();
        if (!s)
                return 0;
        if (container_options_parse(m, s, &error) < 0)
                return 0;
        s->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        s->name = strdup("fuzz");
        if (!s->id || !s->name)
                return 0;
        if (s->userns_size > 0)
                s->userns_base = 0x80000; /* what CreateContainer's allocator would give */
        (void) container_options_finish(s, &error);
        return 0;
}
