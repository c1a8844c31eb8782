/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-write.h"
#include "oci-bpf-devices.h"
#include "oci-cgroup.h"
#include "oci-devices.h"
#include "oci-util.h"

/* The runtime's /dev (runtime-dev.c) and what runc allows beside it: mknod of any node (opening it is
 * what the rules decide), null, zero, full, random, urandom, tty, console, ptmx, the devpts terminals
 * and the tun/tap clone device. */
static const OciDeviceRule default_rules[] = {
        { true, 'c', OCI_DEV_WILDCARD, OCI_DEV_WILDCARD, OCI_DEV_ACC_MKNOD },
        { true, 'b', OCI_DEV_WILDCARD, OCI_DEV_WILDCARD, OCI_DEV_ACC_MKNOD },
        { true, 'c', 1, 3, OCI_DEV_ACC_ALL },     /* null */
        { true, 'c', 1, 5, OCI_DEV_ACC_ALL },     /* zero */
        { true, 'c', 1, 7, OCI_DEV_ACC_ALL },     /* full */
        { true, 'c', 1, 8, OCI_DEV_ACC_ALL },     /* random */
        { true, 'c', 1, 9, OCI_DEV_ACC_ALL },     /* urandom */
        { true, 'c', 5, 0, OCI_DEV_ACC_ALL },     /* tty */
        { true, 'c', 5, 1, OCI_DEV_ACC_ALL },     /* console */
        { true, 'c', 5, 2, OCI_DEV_ACC_ALL },     /* ptmx */
        { true, 'c', 136, OCI_DEV_WILDCARD, OCI_DEV_ACC_ALL }, /* /dev/pts/N */
        { true, 'c', 10, 200, OCI_DEV_ACC_ALL },  /* net/tun */
};

void oci_device_rules_done(OciDeviceRules *d) {
        free(d->user);
        free(d->nodes);
        *d = (OciDeviceRules) {};
}

/* major or minor: absent, null or -1 is any; else 0…max. */
static int parse_number(json_object *e, const char *key, int64_t max, int32_t *ret) {
        json_object *v;
        int64_t x;

        *ret = OCI_DEV_WILDCARD;
        if (!json_object_object_get_ex(e, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return -EINVAL;
        errno = 0;
        x = json_object_get_int64(v);
        if (errno != 0 || x < -1 || x > max)
                return -ERANGE;
        *ret = (int32_t) x;
        return 0;
}

static int parse_rule(json_object *e, size_t i, OciDeviceRule *rule, char **ret_error) {
        const char *type = "a", *access = "rwm";
        json_object *v;

#define BAD(key, ...) ({ if (ret_error) (void) asprintf(ret_error, "linux.resources.devices[%zu]" key, i, ##__VA_ARGS__); -EINVAL; })
        if (!json_object_is_type(e, json_type_object))
                return BAD(": not an object");
        if (!json_object_object_get_ex(e, "allow", &v) || !json_object_is_type(v, json_type_boolean))
                return BAD(".allow: required, true or false");
        rule->allow = json_object_get_boolean(v);
        if (json_object_object_get_ex(e, "type", &v) && v) {
                if (!json_object_is_type(v, json_type_string))
                        return BAD(".type: not a string");
                type = json_object_get_string(v);
                if (!STR_IN_SET(type, "a", "c", "b"))
                        return BAD(".type: '%.16s' is not a, c or b", type);
        }
        rule->type = type[0];
        if (parse_number(e, "major", 4095, &rule->major) < 0)
                return BAD(".major: not -1 or a device major number (0…4095)");
        if (parse_number(e, "minor", 1048575, &rule->minor) < 0)
                return BAD(".minor: not -1 or a device minor number (0…1048575)");
        if (json_object_object_get_ex(e, "access", &v) && v) {
                if (!json_object_is_type(v, json_type_string))
                        return BAD(".access: not a string");
                access = json_object_get_string(v);
                if (isempty(access) || strspn(access, "rwm") != (size_t) json_object_get_string_len(v))
                        return BAD(".access: '%.16s' is not a non-empty combination of r, w and m", access);
        }
        rule->access = (strchr(access, 'r') ? OCI_DEV_ACC_READ : 0) | (strchr(access, 'w') ? OCI_DEV_ACC_WRITE : 0) |
                       (strchr(access, 'm') ? OCI_DEV_ACC_MKNOD : 0);
#undef BAD
        return 0;
}

int oci_device_rules_parse(json_object *array, OciDeviceRules *d, char **ret_error) {
        size_t n = json_object_array_length(array);
        _cleanup_free_ OciDeviceRule *rules = NULL;
        int r;

        if (n > OCI_DEVICE_RULES_MAX) {
                if (ret_error)
                        (void) asprintf(ret_error, "linux.resources.devices: more than %u rules", OCI_DEVICE_RULES_MAX);
                return -E2BIG;
        }
        rules = new0(OciDeviceRule, n);
        if (!rules)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = parse_rule(json_object_array_get_idx(array, i), i, &rules[i], ret_error);
                if (r < 0)
                        return r;
        }
        free(d->user);
        d->user = TAKE_PTR(rules);
        d->n_user = n;
        return 0;
}

int oci_device_rules_add_node(OciDeviceRules *d, char type, uint32_t major, uint32_t minor) {
        OciDeviceRule *a;

        if (d->n_nodes >= OCI_DEVICE_RULES_MAX)
                return -E2BIG;
        a = realloc(d->nodes, (d->n_nodes + 1) * sizeof(*a));
        if (!a)
                return -ENOMEM;
        d->nodes = a;
        d->nodes[d->n_nodes++] = (OciDeviceRule) { true, type == 'b' ? 'b' : 'c', (int32_t) major, (int32_t) minor,
                                                   OCI_DEV_ACC_ALL };
        return 0;
}

int oci_device_rules_effective(const OciDeviceRules *d, OciDeviceRule **ret, size_t *ret_n) {
        size_t n = d->n_user + ELEMENTSOF(default_rules) + d->n_nodes;
        OciDeviceRule *l = new0(OciDeviceRule, n);

        if (!l)
                return -ENOMEM;
        if (d->n_user > 0)
                memcpy(l, d->user, d->n_user * sizeof(*l));
        memcpy(l + d->n_user, default_rules, sizeof(default_rules));
        if (d->n_nodes > 0)
                memcpy(l + d->n_user + ELEMENTSOF(default_rules), d->nodes, d->n_nodes * sizeof(*l));
        *ret = l;
        *ret_n = n;
        return 0;
}

static bool rule_matches(const OciDeviceRule *r, char type, uint32_t major, uint32_t minor) {
        return (r->type == 'a' || r->type == type) && (r->major == OCI_DEV_WILDCARD || (uint32_t) r->major == major) &&
               (r->minor == OCI_DEV_WILDCARD || (uint32_t) r->minor == minor);
}

bool oci_device_rules_allows(const OciDeviceRule *rules, size_t n, char type, uint32_t major, uint32_t minor,
                             unsigned access) {
        for (unsigned bit = 1; bit <= OCI_DEV_ACC_WRITE; bit <<= 1) {
                bool allowed = false;

                if (!(access & bit))
                        continue;
                for (size_t i = n; i > 0; i--)
                        if (rule_matches(&rules[i - 1], type, major, minor) && (rules[i - 1].access & bit)) {
                                allowed = rules[i - 1].allow;
                                break;
                        }
                if (!allowed)
                        return false;
        }
        return true;
}

int oci_device_rule_v1_lines(const OciDeviceRule *r, char line0[static 64], char line1[static 64]) {
        char maj[16] = "*", min[16] = "*", acc[4] = {};
        size_t k = 0;

        if (r->access & OCI_DEV_ACC_READ)
                acc[k++] = 'r';
        if (r->access & OCI_DEV_ACC_WRITE)
                acc[k++] = 'w';
        if (r->access & OCI_DEV_ACC_MKNOD)
                acc[k++] = 'm';
        if (r->major != OCI_DEV_WILDCARD)
                (void) snprintf(maj, sizeof(maj), "%" PRIi32, r->major);
        if (r->minor != OCI_DEV_WILDCARD)
                (void) snprintf(min, sizeof(min), "%" PRIi32, r->minor);
        if (r->type == 'a' && r->major == OCI_DEV_WILDCARD && r->minor == OCI_DEV_WILDCARD && r->access == OCI_DEV_ACC_ALL) {
                strcpy(line0, "a");
                return 1;
        }
        (void) snprintf(line0, 64, "%c %s:%s %s", r->type == 'a' ? 'c' : r->type, maj, min, acc);
        if (r->type != 'a')
                return 1;
        (void) snprintf(line1, 64, "b %s:%s %s", maj, min, acc);
        return 2;
}

static int write_at(int dir_fd, const char *name, const char *value) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        return loop_write(fd, value, strlen(value));
}

/* The v1 lists: a deny of everything, then every allow rule. The v1 controller cannot apply the rules'
 * order (a deny inside an earlier wildcard allow, or an allow inside an earlier wildcard deny, removes or
 * adds only an exception of exactly that number), so it gets the coarse fence, everything any rule
 * allows, and the BPF program in the unified hierarchy, which the kernel consults as well, decides in
 * order within it. */
static int apply_v1(int dir_fd, const OciDeviceRule *rules, size_t n, char **ret_error) {
        int r;

        r = write_at(dir_fd, "devices.deny", "a");
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "write 'a' to the devices cgroup's devices.deny: %s", strerror(-r));
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                char lines[2][64];
                int k;

                if (!rules[i].allow)
                        continue;
                k = oci_device_rule_v1_lines(&rules[i], lines[0], lines[1]);
                for (int j = 0; j < k; j++) {
                        r = write_at(dir_fd, "devices.allow", lines[j]);
                        if (r < 0) {
                                if (ret_error)
                                        (void) asprintf(ret_error, "write '%s' to the devices cgroup's devices.allow: %s",
                                                        lines[j], strerror(-r));
                                return r;
                        }
                }
        }
        return 0;
}

/* From /proc/self/cgroup: the v2 path ("0::") and the v1 devices controller's (NULL if none). */
static int self_cgroups(char **ret_v2, char **ret_devices) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_free_ char *v2 = NULL, *devices = NULL, *line = NULL;
        size_t size = 0;

        if (!f)
                return -errno;
        while (getline(&line, &size, f) > 0) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

                line[strcspn(line, "\n")] = 0;
                if (!c2 || c2[1] != '/')
                        continue;
                if (c2 == c1 + 1 && !v2)
                        v2 = strdup(c2 + 1);
                else if (c2 - c1 - 1 == (ptrdiff_t) strlen("devices") && strneq(c1 + 1, "devices", c2 - c1 - 1) && !devices)
                        devices = strdup(c2 + 1);
        }
        if (!v2)
                return -ENODATA;
        *ret_v2 = TAKE_PTR(v2);
        *ret_devices = TAKE_PTR(devices);
        return 0;
}

static int open_cgroup(const char *root, const char *path, int *ret) {
        _cleanup_free_ char *full = NULL;
        int fd;

        /* The root cgroup is never a container's: refused rather than restricting the whole host. */
        if (streq(path, "/") || strstr(path, "/../"))
                return -EINVAL;
        full = strjoin(root, path, "");
        if (!full)
                return -ENOMEM;
        fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

/* The devices cgroup at path (below the caller's one, current), made and entered. */
static int enter_devices_cgroup(const char *current, const char *path) {
        _cleanup_free_ char *full = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t skip = strlen("/sys/fs/cgroup/devices") + strlen(current);

        if (!streq(current, "/") && (!strneq(path, current, strlen(current)) || path[strlen(current)] != '/'))
                return -EINVAL;
        full = strjoin("/sys/fs/cgroup/devices", path, "");
        if (!full)
                return -ENOMEM;
        for (char *p = full + skip + 1;; p++) {
                char saved = *p;

                if (saved != '/' && saved != 0)
                        continue;
                *p = 0;
                if (mkdir(full, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = saved;
                if (saved == 0)
                        break;
        }
        fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write_at(fd, "cgroup.procs", "0");
}

int oci_devices_apply_self(const OciDeviceRules *d, char **ret_error) {
        _cleanup_free_ OciDeviceRule *rules = NULL;
        _cleanup_free_ struct bpf_insn *prog = NULL;
        _cleanup_free_ char *v2 = NULL, *devices = NULL;
        _cleanup_close_ int v2_fd = -EBADF, v1_fd = -EBADF;
        size_t n, n_prog;
        bool pure;
        int r;

        r = oci_device_rules_effective(d, &rules, &n);
        if (r < 0)
                return r;
        r = oci_bpf_devices_build(rules, n, &prog, &n_prog);
        if (r < 0)
                return r;
        r = self_cgroups(&v2, &devices);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "read /proc/self/cgroup: %s", strerror(-r));
                return r;
        }
        pure = streq(oci_cgroup_root(), "/sys/fs/cgroup");
        r = open_cgroup(oci_cgroup_root(), v2, &v2_fd);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "open the container's cgroup %s: %s", v2, strerror(-r));
                return r;
        }
        if (!pure && devices) {
                /* The same path as the v2 one: dray-oci made it (cgroupfs), or systemd realized the
                 * delegated scope there (it does in system.slice, but on systemd 252 not in machine.slice,
                 * where podman's scopes are): then dray-oci makes it and enters it, as for cgroupfs, and
                 * systemd removes it with the scope's other cgroups. */
                if (!streq(devices, v2)) {
                        r = enter_devices_cgroup(devices, v2);
                        if (r < 0) {
                                if (ret_error)
                                        (void) asprintf(ret_error, "enter the devices cgroup %s: %s", v2, strerror(-r));
                                return r;
                        }
                }
                r = open_cgroup("/sys/fs/cgroup/devices", v2, &v1_fd);
                if (r >= 0)
                        r = apply_v1(v1_fd, rules, n, ret_error);
                else if (ret_error)
                        (void) asprintf(ret_error, "open the devices cgroup %s: %s", devices, strerror(-r));
                if (r < 0)
                        return r;
        }
        return oci_bpf_devices_attach(v2_fd, prog, n_prog, ret_error);
}
