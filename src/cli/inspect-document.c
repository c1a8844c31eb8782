/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "device-spec.h"
#include "inspect-document.h"
#include "json-fields.h"
#include "json-util.h"
#include "parse-util.h"
#include "strv.h"
#include "template.h"

int inspect_format_time(uint64_t usec, char **ret) {
        time_t sec = (time_t) (usec / 1000000);
        struct tm tm;
        char buf[64];

        if (usec == 0 || usec == UINT64_MAX) {
                *ret = strdup("0001-01-01T00:00:00Z");
                return *ret ? 0 : -ENOMEM;
        }
        if (!gmtime_r(&sec, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return -ERANGE;
        if (asprintf(ret, "%s.%06" PRIu64 "Z", buf, usec % 1000000) < 0)
                return -ENOMEM;
        return 0;
}

/* The helpers below read what GetAll gave; a property that is not there reads as empty. */
static const char *str(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
                       json_object_get_string(v) : "";
}

static int64_t num(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int) ?
                       json_object_get_int64(v) : 0;
}

static bool boolean(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static json_object *array(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array) ? v : NULL;
}

/* A copy of o[key] (JSON null when missing). */
static json_object *copy(json_object *o, const char *key) {
        json_object *v = NULL;

        (void) json_object_object_get_ex(o, key, &v);
        return json_object_get(v);
}

static size_t length(json_object *a) {
        return a ? json_object_array_length(a) : 0;
}

/* Element k of a struct (JSON array) e. */
static const char *field_s(json_object *e, size_t k) {
        json_object *v = json_object_array_get_idx(e, k);

        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static int add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM; /* every caller passes a fresh object or a copy: NULL means OOM */
        return json_object_object_add(o, key, v) < 0 ? -ENOMEM : 0;
}

/* A time as Docker writes it, as a JSON string (NULL when out of memory). */
static json_object *time_value(uint64_t usec) {
        _cleanup_free_ char *t = NULL;

        if (inspect_format_time(usec, &t) < 0)
                return NULL;
        return json_object_new_string(t);
}

/* ["A=1", "B=2"] → {"A": "1", "B": "2"} */
static json_object *labels_object(json_object *list) {
        json_object *o = json_object_new_object();

        for (size_t i = 0; o && i < length(list); i++) {
                const char *l = json_object_get_string(json_object_array_get_idx(list, i)), *eq = strchr(l, '=');
                _cleanup_free_ char *key = eq ? strndup(l, (size_t) (eq - l)) : strdup(l);

                if (!key || json_add_string(o, key, eq ? eq + 1 : "") < 0)
                        return json_object_put(o), NULL;
        }
        return o;
}

static int build_state(json_object *c) {
        _cleanup_json_ json_object *s = json_object_new_object();
        const char *state = str(c, "State");
        _cleanup_free_ char *word = strdup(state);
        bool running = streq(state, "running") || streq(state, "paused") || streq(state, "stopping");
        int64_t exit_status = num(c, "ExitStatus");
        int r;

        if (!s || !word)
                return -ENOMEM;
        r = json_add_fieldsv(s,
                { "Status", json_string(streq(state, "broken") ? "dead" : state) },
                { "Running", json_object_new_boolean(running) },
                { "Paused", json_object_new_boolean(boolean(c, "Paused") || streq(state, "paused")) },
                { "Restarting", json_object_new_boolean(false) },
                { "OOMKilled", json_object_new_boolean(boolean(c, "OOMKilled")) },
                { "Dead", json_object_new_boolean(streq(state, "broken")) },
                { "Pid", json_object_new_int64(running ? num(c, "Pid") : 0) },
                { "ExitCode", json_object_new_int64(exit_status < 0 ? 0 : exit_status) },
                { "Error", json_string(str(c, "Error")) },
                { "StartedAt", time_value((uint64_t) num(c, "StartedAt")) },
                { "FinishedAt", time_value((uint64_t) num(c, "FinishedAt")) });
        if (r < 0)
                return r;
        /* {{.State}} printed the state word before State was an object; it still does. */
        r = template_object_set_text(s, word);
        if (r < 0)
                return r;
        return add(c, "State", TAKE_PTR(s));
}

static int build_config(json_object *c) {
        _cleanup_json_ json_object *o = json_object_new_object();
        const char *sig = signal_to_string((int) num(c, "StopSignal"));
        _cleanup_free_ char *signame = NULL;
        int r;

        if (!o || asprintf(&signame, "SIG%s", sig ?: "TERM") < 0)
                return -ENOMEM;
        r = json_add_fieldsv(o,
                { "Hostname", json_string(str(c, "Hostname")) },
                { "Domainname", json_string("") },
                { "User", json_string(str(c, "User")) },
                { "AttachStdin", json_object_new_boolean(false) },
                { "Tty", json_object_new_boolean(boolean(c, "Tty")) },
                { "OpenStdin", json_object_new_boolean(boolean(c, "OpenStdin")) },
                { "Env", copy(c, "Env") ?: json_object_new_array() },
                /* dray keeps one command: the image's entrypoint and cmd, or what run was given, joined. */
                { "Cmd", copy(c, "Command") ?: json_object_new_array() },
                JSON_FIELD_NULL("Entrypoint"),
                { "Image", json_string(str(c, "Image")) },
                { "WorkingDir", json_string(str(c, "WorkingDirectory")) },
                { "Labels", labels_object(array(c, "Labels")) },
                { "StopSignal", json_string(signame) },
                { "StopTimeout", json_object_new_int64(num(c, "StopTimeoutUSec") / 1000000) });
        if (r < 0)
                return r;
        return add(c, "Config", TAKE_PTR(o));
}

/* Ports a(sqqs) → {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]} */
static json_object *port_map(json_object *ports) {
        json_object *o = json_object_new_object();

        for (size_t i = 0; o && i < length(ports); i++) {
                json_object *p = json_object_array_get_idx(ports, i), *list;
                _cleanup_json_ json_object *binding = json_object_new_object();
                const char *ip = field_s(p, 0);
                char key[32], host_port[8];

                (void) snprintf(key, sizeof(key), "%" PRIi64 "/%s",
                                json_object_get_int64(json_object_array_get_idx(p, 2)), field_s(p, 3));
                (void) snprintf(host_port, sizeof(host_port), "%" PRIi64,
                                json_object_get_int64(json_object_array_get_idx(p, 1)));
                if (!binding || json_add_fieldsv(binding, { "HostIp", json_string(isempty(ip) ? "0.0.0.0" : ip) },
                                                 { "HostPort", json_string(host_port) }) < 0)
                        return json_object_put(o), NULL;
                if (!json_object_object_get_ex(o, key, &list)) {
                        list = json_object_new_array();
                        if (!list || json_object_object_add(o, key, list) < 0)
                                return json_object_put(list), json_object_put(o), NULL;
                }
                if (json_object_array_add(list, binding) < 0)
                        return json_object_put(o), NULL;
                binding = NULL;
        }
        return o;
}

/* Devices ["HOST:CONTAINER:PERMS"] → [{"PathOnHost", "PathInContainer", "CgroupPermissions"}] */
static json_object *devices_array(json_object *devices) {
        _cleanup_json_ json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < length(devices); i++) {
                _cleanup_free_ char *host = NULL, *container = NULL, *perms = NULL;
                _cleanup_json_ json_object *d = json_object_new_object();
                int r;

                if (!d || device_spec_parse(json_object_get_string(json_object_array_get_idx(devices, i)), &host,
                                            &container, &perms) < 0)
                        continue; /* drayd keeps them canonical */
                r = json_add_fieldsv(d, { "PathOnHost", json_string(host) },
                                     { "PathInContainer", json_string(container) },
                                     { "CgroupPermissions", json_string(perms) });
                if (r < 0 || json_object_array_add(a, d) < 0)
                        return NULL;
                d = NULL;
        }
        return TAKE_PTR(a);
}

/* Binds as docker writes them: "SOURCE:DEST[:ro]", bind mounts first, then named volumes. */
static json_object *binds_array(json_object *bind_mounts, json_object *volumes) {
        _cleanup_json_ json_object *binds = json_object_new_array();

        for (size_t i = 0; binds && i < length(bind_mounts) + length(volumes); i++) {
                bool bind = i < length(bind_mounts);
                json_object *m = json_object_array_get_idx(bind ? bind_mounts : volumes, bind ? i : i - length(bind_mounts));
                _cleanup_free_ char *b = NULL;

                if (asprintf(&b, "%s:%s%s", field_s(m, 0), field_s(m, 1),
                             json_object_get_boolean(json_object_array_get_idx(m, 2)) ? ":ro" : "") < 0 ||
                    json_object_array_add(binds, json_object_new_string(b)) < 0)
                        return NULL;
        }
        return TAKE_PTR(binds);
}

/* TmpfsMounts a(ss) → {"/scratch": "size=1m"} */
static json_object *tmpfs_object(json_object *tm) {
        _cleanup_json_ json_object *o = json_object_new_object();

        for (size_t i = 0; o && i < length(tm); i++)
                if (json_add_string(o, field_s(json_object_array_get_idx(tm, i), 0),
                                    field_s(json_object_array_get_idx(tm, i), 1)) < 0)
                        return NULL;
        return TAKE_PTR(o);
}

static json_object *restart_policy_object(const char *policy) {
        const char *colon = strchr(policy, ':');
        _cleanup_free_ char *name = colon ? strndup(policy, (size_t) (colon - policy)) : strdup(policy);
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!o || !name || json_add_fieldsv(o, { "Name", json_string(isempty(name) ? "no" : name) },
                                            { "MaximumRetryCount",
                                              json_object_new_int64(colon ? strtol(colon + 1, NULL, 10) : 0) }) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static int build_host_config(json_object *c) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_fieldsv(o,
                { "Binds", binds_array(array(c, "BindMounts"), array(c, "Volumes")) },
                /* Unset limits are null among dray's properties, 0 in docker's. */
                { "Memory", json_object_new_int64(num(c, "MemoryMax")) },
                /* CPUQuotaPerSecUSec: µs of CPU time per second; 1 CPU = 1e6 µs/s = 1e9 NanoCpus. */
                { "NanoCpus", json_object_new_int64(num(c, "CPUQuotaPerSecUSec") * 1000) },
                { "CpuShares", json_object_new_int64(num(c, "CPUWeight")) },
                { "PidsLimit", json_object_new_int64(num(c, "TasksMax")) },
                { "RestartPolicy", restart_policy_object(str(c, "RestartPolicy")) },
                { "AutoRemove", json_object_new_boolean(boolean(c, "AutoRemove")) },
                { "NetworkMode", json_string(str(c, "NetworkMode")) },
                { "PortBindings", port_map(array(c, "Ports")) },
                { "Privileged", json_object_new_boolean(boolean(c, "Privileged")) },
                { "CapAdd", copy(c, "CapAdd") ?: json_object_new_array() },
                { "CapDrop", copy(c, "CapDrop") ?: json_object_new_array() },
                { "GroupAdd", copy(c, "GroupAdd") ?: json_object_new_array() },
                { "ReadonlyRootfs", json_object_new_boolean(boolean(c, "ReadOnly")) },
                { "Tmpfs", tmpfs_object(array(c, "TmpfsMounts")) },
                { "VolumesFrom", copy(c, "VolumesFrom") ?: json_object_new_array() },
                { "Devices", devices_array(array(c, "Devices")) },
                /* dray's init is always PID 1 (--init is accepted and changes nothing, see dray(1)). */
                { "Init", json_object_new_boolean(true) });
        if (r < 0)
                return r;
        return add(c, "HostConfig", TAKE_PTR(o));
}

static json_object *mount_new(const char *type, const char *name, const char *source, const char *destination,
                              bool ro) {
        _cleanup_json_ json_object *m = json_object_new_object();

        if (!m || (name && json_add_string(m, "Name", name) < 0) ||
            json_add_fieldsv(m, { "Type", json_string(type) }, { "Source", json_string(source) },
                             { "Destination", json_string(destination) }, { "Mode", json_string(ro ? "ro" : "") },
                             { "RW", json_object_new_boolean(!ro) },
                             { "Propagation", json_string(streq(type, "bind") ? "rprivate" : "") }) < 0)
                return NULL;
        return TAKE_PTR(m);
}

static int build_mounts(json_object *c, json_object *volume_paths) {
        _cleanup_json_ json_object *mounts = json_object_new_array();
        json_object *binds = array(c, "BindMounts"), *volumes = array(c, "Volumes"), *tm = array(c, "TmpfsMounts");

        if (!mounts)
                return -ENOMEM;
        for (size_t i = 0; i < length(binds); i++) {
                json_object *b = json_object_array_get_idx(binds, i);

                if (json_object_array_add(mounts, mount_new("bind", NULL, field_s(b, 0), field_s(b, 1),
                                                            json_object_get_boolean(json_object_array_get_idx(b, 2)))) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < length(volumes); i++) {
                json_object *v = json_object_array_get_idx(volumes, i), *path = NULL;

                (void) json_object_object_get_ex(volume_paths, field_s(v, 0), &path);
                if (json_object_array_add(mounts, mount_new("volume", field_s(v, 0), path ? json_object_get_string(path) : "",
                                                            field_s(v, 1),
                                                            json_object_get_boolean(json_object_array_get_idx(v, 2)))) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < length(tm); i++)
                if (json_object_array_add(mounts, mount_new("tmpfs", NULL, "", field_s(json_object_array_get_idx(tm, i), 0),
                                                            false)) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(mounts); i++)
                if (!json_object_array_get_idx(mounts, i))
                        return -ENOMEM;
        return add(c, "Mounts", TAKE_PTR(mounts));
}

/* One network's endpoint: the address, the network's gateway and prefix, and the MAC drayd gives the
 * container's interface, derived from the IPv4 address as docker does (02:42:a:b:c:d, net-announce.h). */
static json_object *endpoint_new(json_object *c, json_object *n, json_object *net) {
        _cleanup_json_ json_object *e = json_object_new_object(), *aliases = json_object_new_array(),
                                   *dns_names = json_object_new_array();
        const char *ip = field_s(n, 1), *subnet = str(net, "Subnet"), *slash = strchr(subnet, '/');
        json_object *given = NULL;
        char mac[18] = "";
        struct in_addr a;

        if (!e || !aliases || !dns_names)
                return NULL;
        if (inet_pton(AF_INET, ip, &a) == 1) {
                const uint8_t *b = (const uint8_t *) &a.s_addr;

                (void) snprintf(mac, sizeof(mac), "02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
        }
        /* DNSNames: every name the container's peers resolve on this network (their hosts files hold
         * its name and its aliases); Aliases: the aliases given, as docker lists them. */
        if (json_object_array_add(dns_names, json_string(str(c, "Name"))) < 0)
                return NULL;
        (void) json_object_object_get_ex(json_object_object_get(c, "NetworkAliases"), field_s(n, 0), &given);
        for (size_t i = 0; i < length(given); i++)
                if (json_object_array_add(aliases, json_object_get(json_object_array_get_idx(given, i))) < 0 ||
                    json_object_array_add(dns_names, json_object_get(json_object_array_get_idx(given, i))) < 0)
                        return NULL;
        if (json_add_fieldsv(e,
                        { "NetworkID", json_string(str(net, "Id")) },
                        { "IPAddress", json_string(ip) },
                        { "IPPrefixLen", json_object_new_int64(!isempty(ip) && slash ? strtol(slash + 1, NULL, 10) : 0) },
                        { "Gateway", json_string(isempty(ip) ? "" : str(net, "Gateway")) },
                        { "GlobalIPv6Address", json_string(field_s(n, 2)) },
                        { "MacAddress", json_string(mac) },
                        { "Aliases", TAKE_PTR(aliases) },
                        { "DNSNames", TAKE_PTR(dns_names) }) < 0)
                return NULL;
        return TAKE_PTR(e);
}

static int build_network_settings(json_object *c, json_object *network_info) {
        _cleanup_json_ json_object *o = json_object_new_object(), *networks = json_object_new_object();
        json_object *list = array(c, "Networks"), *first = NULL;
        int r;

        if (!o || !networks)
                return -ENOMEM;
        for (size_t i = 0; i < length(list); i++) {
                json_object *n = json_object_array_get_idx(list, i), *net = NULL, *e;

                (void) json_object_object_get_ex(network_info, field_s(n, 0), &net);
                e = endpoint_new(c, n, net);
                if (!e || json_object_object_add(networks, field_s(n, 0), e) < 0)
                        return json_object_put(e), -ENOMEM;
                if (!first)
                        first = e;
        }
        /* docker fills these for its default network only; the first network's is what scripts want. */
        r = json_add_fieldsv(o,
                { "IPAddress", json_string(first ? str(first, "IPAddress") : "") },
                { "IPPrefixLen", json_object_new_int64(first ? num(first, "IPPrefixLen") : 0) },
                { "Gateway", json_string(first ? str(first, "Gateway") : "") },
                { "MacAddress", json_string(first ? str(first, "MacAddress") : "") },
                { "GlobalIPv6Address", json_string(first ? str(first, "GlobalIPv6Address") : "") },
                { "Ports", port_map(array(c, "Ports")) },
                { "Networks", TAKE_PTR(networks) });
        if (r < 0)
                return r;
        return add(c, "NetworkSettings", TAKE_PTR(o));
}

/* State.Health and Config.Healthcheck, as Docker's: HealthLog's entries (named by verb-inspect.c)
 * with times as strings; durations in nanoseconds. Only for a container with a health check. */
static int build_health(json_object *c) {
        _cleanup_json_ json_object *health = NULL, *log = NULL, *check = NULL;
        json_object *state, *config, *hc, *entries = array(c, "HealthLog");
        int r;

        if (isempty(str(c, "Health")) || streq(str(c, "Health"), "none") ||
            !json_object_object_get_ex(c, "State", &state) || !json_object_object_get_ex(c, "Config", &config))
                return 0;
        log = json_object_new_array();
        if (!log)
                return -ENOMEM;
        for (size_t i = 0; i < length(entries); i++) {
                json_object *e = json_object_array_get_idx(entries, i);
                _cleanup_json_ json_object *d = json_object_new_object();

                if (!d)
                        return -ENOMEM;
                r = json_add_fieldsv(d,
                        { "Start", time_value((uint64_t) num(e, "Start")) },
                        { "End", time_value((uint64_t) num(e, "End")) },
                        { "ExitCode", json_object_new_int64(num(e, "ExitCode")) },
                        { "Output", json_string(str(e, "Output")) });
                if (r < 0)
                        return r;
                if (json_object_array_add(log, d) < 0)
                        return -ENOMEM;
                d = NULL;
        }
        health = json_object_new_object();
        if (!health)
                return -ENOMEM;
        r = json_add_fieldsv(health,
                { "Status", json_string(str(c, "Health")) },
                { "FailingStreak", json_object_new_int64(num(c, "HealthFailingStreak")) },
                { "Log", TAKE_PTR(log) });
        if (r < 0)
                return r;
        r = add(state, "Health", TAKE_PTR(health));
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(c, "Healthcheck", &hc) || !json_object_is_type(hc, json_type_object))
                return 0;
        check = json_object_new_object();
        if (!check)
                return -ENOMEM;
        r = json_add_fieldsv(check,
                { "Test", copy(hc, "Test") ?: json_object_new_array() },
                { "Interval", json_object_new_int64(num(hc, "IntervalUSec") * 1000) },
                { "Timeout", json_object_new_int64(num(hc, "TimeoutUSec") * 1000) },
                { "StartPeriod", json_object_new_int64(num(hc, "StartPeriodUSec") * 1000) },
                { "StartInterval", json_object_new_int64(num(hc, "StartIntervalUSec") * 1000) },
                { "Retries", json_object_new_int64(num(hc, "Retries")) });
        if (r < 0)
                return r;
        return add(config, "Healthcheck", TAKE_PTR(check));
}

int inspect_document_build(json_object *c, json_object *networks, json_object *volumes) {
        json_object *command = array(c, "Command");
        _cleanup_json_ json_object *args = json_object_new_array();
        int r;

        if (!args)
                return -ENOMEM;
        for (size_t i = 1; i < length(command); i++)
                if (json_object_array_add(args, json_object_get(json_object_array_get_idx(command, i))) < 0)
                        return -ENOMEM;
        r = json_add_fieldsv(c,
                { "Created", time_value((uint64_t) num(c, "CreatedAt")) },
                { "Path", json_string(length(command) > 0 ? field_s(command, 0) : "") },
                { "Args", TAKE_PTR(args) });
        if (r < 0)
                return r;
        r = build_state(c);
        if (r < 0)
                return r;
        r = build_config(c);
        if (r < 0)
                return r;
        r = build_host_config(c);
        if (r < 0)
                return r;
        r = build_mounts(c, volumes);
        if (r < 0)
                return r;
        r = build_health(c);
        if (r < 0)
                return r;
        return build_network_settings(c, networks);
}
