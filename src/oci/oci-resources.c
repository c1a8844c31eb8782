/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "oci-cgroup.h"
#include "oci-resources.h"
#include "oci-util.h"
#include "strv.h"

#define WHERE "linux.resources."
#define CPU_LIST_MAX 8192U   /* CPUs and memory nodes: a bitmap this wide */
#define UNIFIED_MAX 64U
#define DEVICES_MAX 256U

static const char *const io_keys[_OCI_IO_LIMIT_MAX] = {
        [OCI_IO_READ_BPS] = "throttleReadBpsDevice",
        [OCI_IO_WRITE_BPS] = "throttleWriteBpsDevice",
        [OCI_IO_READ_IOPS] = "throttleReadIOPSDevice",
        [OCI_IO_WRITE_IOPS] = "throttleWriteIOPSDevice",
};
static const char *const io_v1_files[_OCI_IO_LIMIT_MAX] = {
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
};
static const char *const io_v2_keys[_OCI_IO_LIMIT_MAX] = { "rbps", "wbps", "riops", "wiops" };
static const char *const io_properties[_OCI_IO_LIMIT_MAX] = {
        "IOReadBandwidthMax", "IOWriteBandwidthMax", "IOReadIOPSMax", "IOWriteIOPSMax",
};

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        if (ret_error && !*ret_error) {
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

OciResources *oci_resources_free(OciResources *r) {
        if (!r)
                return NULL;
        free(r->weight_devices);
        for (size_t i = 0; i < _OCI_IO_LIMIT_MAX; i++)
                free(r->io_limits[i]);
        free(r->hugepages);
        free(r->cpus);
        free(r->mems);
        strv_free(r->unified);
        free(r);
        return NULL;
}

/* An integer member in [min, max]: 0 when absent (or null), 1 when read. */
static int get_u64(json_object *o, const char *key, const char *where, uint64_t min, uint64_t max, uint64_t *ret,
                   char **ret_error) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return fail(ret_error, -EINVAL, "%s.%s: not an int", where, key);
        if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) < min || json_object_get_uint64(v) > max)
                return fail(ret_error, -ERANGE, "%s.%s: out of range (%" PRIu64 "…%" PRIu64 ")", where, key, min, max);
        *ret = json_object_get_uint64(v);
        return 1;
}

static int member(json_object *o, const char *key, const char *where, json_type type, json_object **ret,
                  char **ret_error) {
        json_object *v;

        *ret = NULL;
        if (!o || !json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, type))
                return fail(ret_error, -EINVAL, "%s%s: not a%s %s", where, key,
                            type == json_type_object || type == json_type_array ? "n" : "", json_type_to_name(type));
        *ret = v;
        return 1;
}

/* One {major, minor, KEY} entry of a device list; the device must be a block device of the host. */
static int parse_device(json_object *e, const char *where, const char *key, uint64_t min, uint64_t max,
                        bool need_value, OciDeviceValue *ret, char **ret_error) {
        char path[64];
        uint64_t major = 0, minor = 0, value = 0;
        int r;

        if (!json_object_is_type(e, json_type_object))
                return fail(ret_error, -EINVAL, "%s: not an object", where);
        r = get_u64(e, "major", where, 0, 4095, &major, ret_error);
        if (r == 0)
                return fail(ret_error, -EINVAL, "%s.major: missing", where);
        if (r > 0)
                r = get_u64(e, "minor", where, 0, (1U << 20) - 1, &minor, ret_error);
        if (r == 0)
                return fail(ret_error, -EINVAL, "%s.minor: missing", where);
        if (r > 0)
                r = get_u64(e, key, where, min, max, &value, ret_error);
        if (r < 0)
                return r;
        if (r == 0 && need_value)
                return fail(ret_error, -EINVAL, "%s.%s: missing", where, key);
        (void) snprintf(path, sizeof(path), "/sys/dev/block/%" PRIu64 ":%" PRIu64, major, minor);
        if (access(path, F_OK) < 0)
                return fail(ret_error, -ENODEV, "%s: the host has no block device %" PRIu64 ":%" PRIu64, where,
                            major, minor);
        *ret = (OciDeviceValue) { .major = (unsigned) major, .minor = (unsigned) minor, .value = value };
        return 0;
}

static int parse_device_list(json_object *blkio, const char *key, uint64_t min, uint64_t max, bool need_value,
                             OciDeviceValue **ret, size_t *ret_n, char **ret_error) {
        json_object *a;
        size_t n;
        int r;

        r = member(blkio, key, WHERE "blockIO.", json_type_array, &a, ret_error);
        if (r <= 0)
                return r;
        n = json_object_array_length(a);
        if (n > DEVICES_MAX)
                return fail(ret_error, -E2BIG, WHERE "blockIO.%s: more than %u entries", key, DEVICES_MAX);
        if (n == 0)
                return 0;
        *ret = calloc(n, sizeof(OciDeviceValue));
        if (!*ret)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char where[128];

                (void) snprintf(where, sizeof(where), WHERE "blockIO.%s[%zu]", key, i);
                r = parse_device(json_object_array_get_idx(a, i), where, streq(key, "weightDevice") ? "weight" : "rate",
                                 min, max, need_value, &(*ret)[i], ret_error);
                if (r < 0)
                        return r;
        }
        *ret_n = n;
        return 0;
}

static int parse_blkio(json_object *res, OciResources *r, void (*warn)(const char *, void *), void *userdata,
                       char **ret_error) {
        json_object *blkio, *a;
        uint64_t leaf = 0;
        int k;

        k = member(res, "blockIO", WHERE, json_type_object, &blkio, ret_error);
        if (k <= 0)
                return k;
        if (get_u64(blkio, "weight", WHERE "blockIO", 10, 1000, &r->blkio_weight, ret_error) < 0 ||
            get_u64(blkio, "leafWeight", WHERE "blockIO", 10, 1000, &leaf, ret_error) < 0)
                return -EINVAL;
        /* Leaf weights were CFQ's: gone from the kernel since 5.0 and absent from cgroup v2 (runc warns). */
        if (leaf > 0 && warn)
                warn(WHERE "blockIO.leafWeight has no effect: the kernel has no leaf weights", userdata);
        k = parse_device_list(blkio, "weightDevice", 10, 1000, false, &r->weight_devices, &r->n_weight_devices,
                              ret_error);
        if (k < 0)
                return k;
        if (member(blkio, "weightDevice", WHERE "blockIO.", json_type_array, &a, ret_error) > 0)
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        uint64_t lw = 0;

                        char where[96];

                        (void) snprintf(where, sizeof(where), WHERE "blockIO.weightDevice[%zu]", i);
                        (void) get_u64(json_object_array_get_idx(a, i), "leafWeight", where, 10, 1000, &lw, ret_error);
                        if (lw > 0 && warn)
                                warn(WHERE "blockIO.weightDevice[].leafWeight has no effect: the kernel has no leaf weights",
                                     userdata);
                        if (ret_error && *ret_error)
                                return -ERANGE;
                }
        for (OciIoLimit l = 0; l < _OCI_IO_LIMIT_MAX; l++) {
                k = parse_device_list(blkio, io_keys[l], 0, UINT64_MAX >> 1, true, &r->io_limits[l], &r->n_io_limits[l],
                                      ret_error);
                if (k < 0)
                        return k;
        }
        return 1;
}

/* "2MB" → the size in kB; the host must have hugepages of that size. */
static int parse_page_size(const char *s, const char *where, OciHugepageLimit *ret, char **ret_error) {
        char *end, path[96];
        unsigned long long n;
        uint64_t kb;

        errno = 0;
        n = strtoull(s, &end, 10);
        if (errno != 0 || end == s || !isdigit((unsigned char) s[0]) || n == 0 || n > (1ULL << 30))
                return fail(ret_error, -EINVAL, "%s.pageSize: '%s' is not a size like 2MB", where, s);
        if (streq(end, "KB") || streq(end, "kB"))
                kb = n;
        else if (streq(end, "MB"))
                kb = n << 10;
        else if (streq(end, "GB"))
                kb = n << 20;
        else
                return fail(ret_error, -EINVAL, "%s.pageSize: '%s' is not a size like 2MB", where, s);
        (void) snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", kb);
        if (access(path, F_OK) < 0)
                return fail(ret_error, -EINVAL, "%s.pageSize: the host has no %s huge pages", where, s);
        /* The kernel's own spelling of the size, as its hugetlb.* files are named. */
        if (kb % (1U << 20) == 0)
                (void) snprintf(ret->size, sizeof(ret->size), "%" PRIu64 "GB", kb >> 20);
        else if (kb % (1U << 10) == 0)
                (void) snprintf(ret->size, sizeof(ret->size), "%" PRIu64 "MB", kb >> 10);
        else
                (void) snprintf(ret->size, sizeof(ret->size), "%" PRIu64 "KB", kb);
        return 0;
}

static int parse_hugepages(json_object *res, OciResources *r, char **ret_error) {
        json_object *a;
        size_t n;
        int k;

        k = member(res, "hugepageLimits", WHERE, json_type_array, &a, ret_error);
        if (k <= 0)
                return k;
        n = json_object_array_length(a);
        if (n > 16)
                return fail(ret_error, -E2BIG, WHERE "hugepageLimits: more than 16 entries");
        if (n == 0)
                return 0;
        r->hugepages = calloc(n, sizeof(OciHugepageLimit));
        if (!r->hugepages)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i), *ps;
                char where[64];

                (void) snprintf(where, sizeof(where), WHERE "hugepageLimits[%zu]", i);
                if (!json_object_is_type(e, json_type_object))
                        return fail(ret_error, -EINVAL, "%s: not an object", where);
                k = member(e, "pageSize", where, json_type_string, &ps, ret_error);
                if (k == 0)
                        return fail(ret_error, -EINVAL, "%s.pageSize: missing", where);
                if (k < 0)
                        return k;
                k = parse_page_size(json_object_get_string(ps), where, &r->hugepages[i], ret_error);
                if (k < 0)
                        return k;
                k = get_u64(e, "limit", where, 0, UINT64_MAX >> 1, &r->hugepages[i].limit, ret_error);
                if (k == 0)
                        return fail(ret_error, -EINVAL, "%s.limit: missing", where);
                if (k < 0)
                        return k;
                for (size_t j = 0; j < i; j++)
                        if (streq(r->hugepages[j].size, r->hugepages[i].size))
                                return fail(ret_error, -EINVAL, "%s.pageSize: %s given twice", where, r->hugepages[i].size);
        }
        r->n_hugepages = n;
        return 1;
}

/* "0-2,5" → bits; -EINVAL on any other syntax. */
static int cpu_list_parse(const char *s, uint8_t bits[static CPU_LIST_MAX / 8]) {
        const char *p = s;

        memset(bits, 0, CPU_LIST_MAX / 8);
        if (isempty(s))
                return -EINVAL;
        for (;;) {
                unsigned long a, b;
                char *end;

                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                a = b = strtoul(p, &end, 10);
                if (*end == '-') {
                        if (!isdigit((unsigned char) end[1]))
                                return -EINVAL;
                        b = strtoul(end + 1, &end, 10);
                }
                if (a > b || b >= CPU_LIST_MAX)
                        return -ERANGE;
                for (unsigned long i = a; i <= b; i++)
                        bits[i / 8] |= (uint8_t) (1U << (i % 8));
                if (*end == 0)
                        return 0;
                if (*end != ',')
                        return -EINVAL;
                p = end + 1;
        }
}

/* A kernel list file (/sys/devices/system/cpu/online) as bits; fallback when it is missing. */
static void online_bits(const char *path, const char *fallback, uint8_t bits[static CPU_LIST_MAX / 8]) {
        char buf[4096] = {};
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

        if (n > 0)
                buf[strcspn(buf, "\n")] = 0;
        if (n <= 0 || cpu_list_parse(buf, bits) < 0)
                (void) cpu_list_parse(fallback, bits);
}

static int parse_cpuset(json_object *res, OciResources *r, char **ret_error) {
        json_object *cpu;
        int k;

        k = member(res, "cpu", WHERE, json_type_object, &cpu, ret_error);
        if (k <= 0)
                return k;
        FOREACH_STRING(key, "cpus", "mems") {
                const bool is_cpus = streq(key, "cpus");
                uint8_t want[CPU_LIST_MAX / 8], have[CPU_LIST_MAX / 8];
                json_object *v;
                const char *s;

                k = member(cpu, key, WHERE "cpu.", json_type_string, &v, ret_error);
                if (k < 0)
                        return k;
                if (k == 0 || json_object_get_string_len(v) == 0)
                        continue;
                s = json_object_get_string(v);
                if (strlen(s) != (size_t) json_object_get_string_len(v) || cpu_list_parse(s, want) < 0)
                        return fail(ret_error, -EINVAL, WHERE "cpu.%s: '%s' is not a list like 0-2,5", key, s);
                online_bits(is_cpus ? "/sys/devices/system/cpu/online" : "/sys/devices/system/node/online", "0", have);
                for (unsigned i = 0; i < CPU_LIST_MAX; i++)
                        if ((want[i / 8] & ~have[i / 8]) & (1U << (i % 8)))
                                return fail(ret_error, -EINVAL, WHERE "cpu.%s: the host has no %s %u online", key,
                                            is_cpus ? "CPU" : "memory node", i);
                if (!(*(is_cpus ? &r->cpus : &r->mems) = strdup(s)))
                        return -ENOMEM;
        }
        return r->cpus || r->mems;
}

/* A cgroup v2 file name CONTROLLER.FILE: no path, and not one of the files dray-oci itself drives. */
static bool unified_key_is_valid(const char *k) {
        const char *dot = strchr(k, '.');

        if (!dot || dot == k || dot[1] == 0 || strlen(k) > 64 || strstr(k, "..") ||
            strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != strlen(k))
                return false;
        return !strneq(k, "cgroup.", 7) || STR_IN_SET(k, "cgroup.max.descendants", "cgroup.max.depth");
}

static int parse_unified(json_object *res, OciResources *r, char **ret_error) {
        json_object *o;
        int k;

        k = member(res, "unified", WHERE, json_type_object, &o, ret_error);
        if (k <= 0)
                return k;
        if ((size_t) json_object_object_length(o) > UNIFIED_MAX)
                return fail(ret_error, -E2BIG, WHERE "unified: more than %u keys", UNIFIED_MAX);
        json_object_object_foreach(o, key, val) {
                const char *s;

                if (!unified_key_is_valid(key))
                        return fail(ret_error, -EINVAL, WHERE "unified: '%s' is not a cgroup file CONTROLLER.NAME dray-oci may set",
                                    key);
                if (!json_object_is_type(val, json_type_string))
                        return fail(ret_error, -EINVAL, WHERE "unified.%s: not a string", key);
                s = json_object_get_string(val);
                if (strlen(s) != (size_t) json_object_get_string_len(val) || strlen(s) > 4096)
                        return fail(ret_error, -EINVAL, WHERE "unified.%s: contains a NUL byte or is too long", key);
                if (strv_extend(&r->unified, key) < 0 || strv_extend(&r->unified, s) < 0)
                        return -ENOMEM;
        }
        return r->unified != NULL;
}

/* An integer member in [-1, INT64_MAX]: 0 when absent (or null). */
static int get_i64(json_object *o, const char *key, int64_t *ret, char **ret_error) {
        json_object *v;

        *ret = 0;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return fail(ret_error, -EINVAL, WHERE "memory.%s: not an int", key);
        if (json_object_get_int64(v) < -1 || (json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > INT64_MAX))
                return fail(ret_error, -ERANGE, WHERE "memory.%s: out of range (-1…%" PRIi64 ")", key, INT64_MAX);
        *ret = json_object_get_int64(v);
        return 1;
}

static bool is_pure(void) {
        return streq(oci_cgroup_root(), "/sys/fs/cgroup");
}

/* reservation, swap, swappiness, disableOOMKiller (limit itself is the ContainerSpec's). */
static int parse_memory(json_object *res, OciResources *r, void (*warn)(const char *, void *), void *userdata,
                        char **ret_error) {
        json_object *mem, *v;
        uint64_t swappiness = 0;
        int k;

        r->swappiness = -1;
        k = member(res, "memory", WHERE, json_type_object, &mem, ret_error);
        if (k <= 0)
                return k;
        if (get_i64(mem, "limit", &r->mem_limit, ret_error) < 0 ||
            get_i64(mem, "reservation", &r->mem_reservation, ret_error) < 0 ||
            get_i64(mem, "swap", &r->mem_swap, ret_error) < 0)
                return -EINVAL;
        /* The kernel's v1 range; runc refuses more too. */
        k = get_u64(mem, "swappiness", WHERE "memory", 0, 100, &swappiness, ret_error);
        if (k < 0)
                return k;
        if (k > 0)
                r->swappiness = (int64_t) swappiness;
        if (json_object_object_get_ex(mem, "disableOOMKiller", &v) && v) {
                if (!json_object_is_type(v, json_type_boolean))
                        return fail(ret_error, -EINVAL, WHERE "memory.disableOOMKiller: not a boolean");
                r->disable_oom_killer = json_object_get_boolean(v);
        }
        /* swap counts memory+swap (v1's memsw): it needs a limit below it. */
        if (r->mem_swap > 0 && r->mem_limit <= 0)
                return fail(ret_error, -EINVAL, WHERE "memory.swap: needs memory.limit (swap is memory+swap)");
        if (r->mem_swap > 0 && r->mem_swap < r->mem_limit)
                return fail(ret_error, -EINVAL,
                            WHERE "memory.swap: %" PRIi64 " is below memory.limit %" PRIi64 " (swap is memory+swap)",
                            r->mem_swap, r->mem_limit);
        /* cgroup v2 has neither: runc's v2 code warns and goes on. */
        if (is_pure() && r->swappiness >= 0 && warn) {
                warn(WHERE "memory.swappiness has no effect: cgroup v2 has no per-cgroup swappiness", userdata);
                r->swappiness = -1;
        }
        if (is_pure() && r->disable_oom_killer && warn) {
                warn(WHERE "memory.disableOOMKiller has no effect: cgroup v2 cannot disable the OOM killer", userdata);
                r->disable_oom_killer = false;
        }
        return r->mem_reservation != 0 || r->mem_swap != 0 || r->swappiness >= 0 || r->disable_oom_killer;
}

int oci_resources_parse(json_object *res, void (*warn)(const char *, void *), void *userdata, OciResources **ret,
                        char **ret_error) {
        _cleanup_(oci_resources_freep) OciResources *r = new0(OciResources, 1);
        json_object *o;
        bool any = false;
        int k;

        if (!r)
                return -ENOMEM;
        *ret = NULL;
        if (!res)
                return 0;
        k = parse_blkio(res, r, warn, userdata, ret_error);
        any |= k > 0;
        if (k >= 0) {
                k = parse_hugepages(res, r, ret_error);
                any |= k > 0;
        }
        if (k >= 0) {
                k = parse_cpuset(res, r, ret_error);
                any |= k > 0;
        }
        if (k >= 0) {
                k = parse_unified(res, r, ret_error);
                any |= k > 0;
        }
        if (k >= 0) {
                k = parse_memory(res, r, warn, userdata, ret_error);
                any |= k > 0;
        }
        if (k < 0)
                return k;
        /* network (net_cls, net_prio) has no cgroup v2 counterpart and no v1 hierarchy on the hosts dray
         * runs on; rdma is rare enough that a limit nothing enforces must not pass silently. */
        FOREACH_STRING(key, "network", "rdma") {
                k = member(res, key, WHERE, json_type_object, &o, ret_error);
                if (k < 0)
                        return k;
                if (o && json_object_object_length(o) > 0)
                        return fail(ret_error, -EOPNOTSUPP, WHERE "%s: not supported by dray-oci", key);
        }
        if (any)
                *ret = TAKE_PTR(r);
        return 0;
}

/* --- the host's controllers ------------------------------------------------------------------- */

/* Whether buf, a space-separated list (cgroup.controllers, subtree_control), holds word. */
static bool has_word(const char *buf, const char *word) {
        size_t l = strlen(word);

        for (const char *p = buf; (p = strstr(p, word)); p += l)
                if ((p == buf || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\n' || p[l] == 0))
                        return true;
        return false;
}

static bool file_has_word(const char *path, const char *word) {
        char buf[1024] = {};
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
                return false;
        return has_word(buf, word);
}

/* The hierarchy that holds controller: "/sys/fs/cgroup/NAME" (v1) or the v2 root, NULL if none. */
static const char *controller_root(const char *v1, const char *v2) {
        static char buf[64];
        const char *root = oci_cgroup_root();

        if (!streq(root, "/sys/fs/cgroup")) {
                struct stat st;

                (void) snprintf(buf, sizeof(buf), "/sys/fs/cgroup/%s", v1);
                if (stat(buf, &st) >= 0 && S_ISDIR(st.st_mode))
                        return buf;
        }
        (void) snprintf(buf, sizeof(buf), "%s/cgroup.controllers", root);
        return file_has_word(buf, v2) ? root : NULL;
}

static bool needs_io(const OciResources *r) {
        for (OciIoLimit l = 0; l < _OCI_IO_LIMIT_MAX; l++)
                if (r->n_io_limits[l] > 0)
                        return true;
        return r->blkio_weight > 0 || r->n_weight_devices > 0;
}

static bool has_iops(const OciResources *r) {
        return r->n_io_limits[OCI_IO_READ_IOPS] > 0 || r->n_io_limits[OCI_IO_WRITE_IOPS] > 0;
}

int oci_resources_check(const OciResources *r, bool systemd, char **ret_error) {
        const bool pure = streq(oci_cgroup_root(), "/sys/fs/cgroup");
        const char *root;

        if (!r)
                return 0;
        if (r->unified) {
                if (!pure)
                        return fail(ret_error, -EOPNOTSUPP, WHERE "unified: needs cgroup v2, this host's controllers are on cgroup v1");
                for (char **k = r->unified; *k; k += 2) {
                        _cleanup_free_ char *c = strndup(*k, strcspn(*k, "."));

                        if (!c)
                                return -ENOMEM;
                        if (!streq(c, "cgroup") && !controller_root(c, c))
                                return fail(ret_error, -ENODEV, WHERE "unified.%s: the host has no %s controller", *k, c);
                }
        }
        if (r->n_hugepages > 0 && !controller_root("hugetlb", "hugetlb"))
                return fail(ret_error, -ENODEV, WHERE "hugepageLimits: the host has no hugetlb controller");
        /* With systemd, the scope's properties carry blockIO and cpus/mems; on a hybrid host the IOPS
         * limits and the cpuset are files all the same (systemd has no BlockIO IOPS, no v1 cpuset). */
        if ((!systemd && needs_io(r)) || (systemd && !pure && has_iops(r))) {
                root = controller_root("blkio", "io");
                if (!root)
                        return fail(ret_error, -ENODEV, WHERE "blockIO: the host has no %s controller", pure ? "io" : "blkio");
                if (!systemd && !pure && (r->blkio_weight > 0 || r->n_weight_devices > 0) &&
                    access("/sys/fs/cgroup/blkio/blkio.weight", F_OK) < 0)
                        return fail(ret_error, -ENODEV,
                                    WHERE "blockIO.weight: the blkio controller has no weights here (no BFQ I/O scheduler)");
        }
        if ((r->cpus || r->mems) && (!systemd || !pure) && !controller_root("cpuset", "cpuset"))
                return fail(ret_error, -ENODEV, WHERE "cpu.cpus: the host has no cpuset controller");
        if (!pure && (r->mem_reservation != 0 || r->mem_swap != 0 || r->swappiness >= 0 || r->disable_oom_killer) &&
            access("/sys/fs/cgroup/memory", F_OK) < 0)
                return fail(ret_error, -ENODEV, WHERE "memory: the host has no v1 memory controller");
        /* Without swap accounting (swapaccount=0, or no swap) a swap limit cannot hold: refused as runc
         * does, except "unlimited", which needs nothing. */
        if (!pure && r->mem_swap > 0 && access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) < 0)
                return fail(ret_error, -ENODEV, WHERE "memory.swap: the host has no swap accounting (no memory.memsw.limit_in_bytes)");
        return 0;
}

/* OCI's swap is memory+swap (v1's memsw); cgroup v2 limits swap alone. */
static uint64_t swap_v2(const OciResources *r) {
        if (r->mem_swap < 0 || r->mem_limit <= 0)
                return UINT64_MAX;
        return (uint64_t) (r->mem_swap - r->mem_limit);
}

/* --- systemd properties -------------------------------------------------------------------------- */

/* runc's conversion of a blkio weight (10..1000) to an io weight (1..10000). */
static uint64_t io_weight(uint64_t blkio) {
        return 1 + (blkio - 10) * 9999 / 990;
}

static int append_devices(sd_bus_message *m, const char *property, const OciDeviceValue *d, size_t n, bool convert) {
        int r;

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", property);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(st)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(st)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char path[64];

                /* The rate 0 is no limit: no entry. */
                if (d[i].value == 0)
                        continue;
                (void) snprintf(path, sizeof(path), "/dev/block/%u:%u", d[i].major, d[i].minor);
                r = sd_bus_message_append(m, "(st)", path, convert ? io_weight(d[i].value) : d[i].value);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_bitmap(sd_bus_message *m, const char *property, const char *list) {
        uint8_t bits[CPU_LIST_MAX / 8];
        size_t n = 0;
        int r;

        r = cpu_list_parse(list, bits);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sizeof(bits); i++)
                if (bits[i])
                        n = i + 1;
        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", property);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "ay");
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', bits, n);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

int oci_resources_append_properties(sd_bus_message *m, const void *resources) {
        const OciResources *res = resources;
        const bool pure = streq(oci_cgroup_root(), "/sys/fs/cgroup");
        int r = 0;

        if (!res)
                return 0;
        /* systemd drops BlockIO* settings when IO* ones are there: one family per layout. */
        if (res->blkio_weight > 0)
                r = sd_bus_message_append(m, "(sv)", pure ? "IOWeight" : "BlockIOWeight", "t",
                                          pure ? io_weight(res->blkio_weight) : res->blkio_weight);
        if (r >= 0 && res->n_weight_devices > 0)
                r = append_devices(m, pure ? "IODeviceWeight" : "BlockIODeviceWeight", res->weight_devices,
                                   res->n_weight_devices, pure);
        for (OciIoLimit l = 0; r >= 0 && l < _OCI_IO_LIMIT_MAX; l++) {
                if (res->n_io_limits[l] == 0 || (!pure && l >= OCI_IO_READ_IOPS))
                        continue;
                r = append_devices(m, pure ? io_properties[l] : l == OCI_IO_READ_BPS ? "BlockIOReadBandwidth" : "BlockIOWriteBandwidth",
                                   res->io_limits[l], res->n_io_limits[l], false);
        }
        if (r >= 0 && res->cpus)
                r = append_bitmap(m, "AllowedCPUs", res->cpus);
        if (r >= 0 && res->mems)
                r = append_bitmap(m, "AllowedMemoryNodes", res->mems);
        if (r >= 0 && res->mem_reservation != 0)
                r = sd_bus_message_append(m, "(sv)", "MemoryLow", "t",
                                          res->mem_reservation < 0 ? UINT64_MAX : (uint64_t) res->mem_reservation);
        /* systemd has no swap property for v1: oci_resources_apply writes memsw there. */
        if (r >= 0 && pure && res->mem_swap != 0)
                r = sd_bus_message_append(m, "(sv)", "MemorySwapMax", "t", swap_v2(res));
        return r;
}

/* --- cgroupfs ------------------------------------------------------------------------------------- */

typedef struct Made {
        char *dirs[8]; /* made by us, removed again on failure (deepest last) */
        size_t n;
} Made;

static void made_undo(Made *m, bool remove) {
        for (size_t i = m->n; i > 0; i--) {
                if (remove)
                        (void) rmdir(m->dirs[i - 1]);
                free(m->dirs[i - 1]);
        }
        m->n = 0;
}

/* Reads name of dir_fd into buf (newline stripped); "" if unreadable. */
static void read_at(int dir_fd, const char *name, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
}

/* mkdir -p of root+rel; a v1 cpuset level gets its parent's cpus and mems before anything can join.
 * Returns an fd of the leaf. */
static int make_dirs(const char *root, const char *rel, bool cpuset, Made *made, char **ret_error) {
        _cleanup_free_ char *dir = strjoin(root, rel, "");
        int r;

        if (!dir)
                return -ENOMEM;
        for (char *p = dir + strlen(root) + 1;; p++) {
                char saved = *p;

                if (saved != '/' && saved != 0)
                        continue;
                *p = 0;
                if (mkdir(dir, 0755) >= 0) {
                        if (made->n < ELEMENTSOF(made->dirs))
                                made->dirs[made->n++] = strdup(dir);
                        if (cpuset) {
                                _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                                _cleanup_close_ int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                                char buf[4096];

                                FOREACH_STRING(f, "cpuset.cpus", "cpuset.mems") {
                                        read_at(parent, f, buf, sizeof(buf));
                                        r = oci_cgroup_write(fd, f, buf);
                                        if (r < 0)
                                                return fail(ret_error, r, "set %s/%s: %s", dir, f, strerror(-r));
                                }
                        }
                } else if (errno != EEXIST)
                        return fail(ret_error, -errno, "create cgroup %s: %m", dir);
                *p = saved;
                if (saved == 0)
                        break;
        }
        r = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return r >= 0 ? r : fail(ret_error, -errno, "open cgroup %s: %m", dir);
}

static int write_file(int dfd, const char *dir, const char *name, const char *value, char **ret_error) {
        int r = oci_cgroup_write(dfd, name, value);

        if (r < 0)
                return fail(ret_error, r, "set %s/%s to '%s': %s", dir, name, value, strerror(-r));
        return 0;
}

/* The v2 controllers the files need, enabled in every ancestor's subtree_control of rel. */
static void enable_v2(const char *root, const char *rel, const char *const *controllers) {
        _cleanup_free_ char *dir = strjoin(root, rel, "");
        char *last;

        if (!dir || !(last = strrchr(dir, '/')))
                return;
        *last = 0;
        for (char *p = dir + strlen(root);; p++) {
                char saved = *p;

                if (saved != '/' && saved != 0)
                        continue;
                *p = 0;
                {
                        _cleanup_close_ int fd = open(p == dir + strlen(root) ? root : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        char enabled[1024];

                        /* Only what is missing: a controller the host (or another runtime) already
                         * enabled there is left as it is, none is enabled that the files do not need. */
                        if (fd >= 0)
                                read_at(fd, "cgroup.subtree_control", enabled, sizeof(enabled));
                        for (size_t i = 0; fd >= 0 && controllers[i]; i++) {
                                char c[32];

                                if (has_word(enabled, controllers[i]))
                                        continue;
                                (void) snprintf(c, sizeof(c), "+%s", controllers[i]);
                                (void) oci_cgroup_write(fd, "cgroup.subtree_control", c);
                        }
                }
                *p = saved;
                if (saved == 0)
                        break;
        }
}

static int write_io(int fd, const char *dir, const OciResources *res, bool v1, char **ret_error) {
        char buf[128];
        int r = 0;

        if (res->blkio_weight > 0) {
                (void) snprintf(buf, sizeof(buf), "%" PRIu64, v1 ? res->blkio_weight : io_weight(res->blkio_weight));
                r = write_file(fd, dir, v1 ? "blkio.weight" : "io.weight", buf, ret_error);
        }
        for (size_t i = 0; r >= 0 && i < res->n_weight_devices; i++) {
                const OciDeviceValue *d = &res->weight_devices[i];

                if (d->value == 0)
                        continue;
                (void) snprintf(buf, sizeof(buf), "%u:%u %" PRIu64, d->major, d->minor, v1 ? d->value : io_weight(d->value));
                r = write_file(fd, dir, v1 ? "blkio.weight_device" : "io.weight", buf, ret_error);
        }
        for (OciIoLimit l = 0; r >= 0 && l < _OCI_IO_LIMIT_MAX; l++)
                for (size_t i = 0; r >= 0 && i < res->n_io_limits[l]; i++) {
                        const OciDeviceValue *d = &res->io_limits[l][i];

                        if (v1)
                                (void) snprintf(buf, sizeof(buf), "%u:%u %" PRIu64, d->major, d->minor, d->value);
                        else if (d->value == 0)
                                (void) snprintf(buf, sizeof(buf), "%u:%u %s=max", d->major, d->minor, io_v2_keys[l]);
                        else
                                (void) snprintf(buf, sizeof(buf), "%u:%u %s=%" PRIu64, d->major, d->minor, io_v2_keys[l], d->value);
                        r = write_file(fd, dir, v1 ? io_v1_files[l] : "io.max", buf, ret_error);
                }
        return r;
}

static int write_iops_v1(int fd, const char *dir, const OciResources *res, char **ret_error) {
        OciResources only = { .io_limits = { [OCI_IO_READ_IOPS] = res->io_limits[OCI_IO_READ_IOPS],
                                             [OCI_IO_WRITE_IOPS] = res->io_limits[OCI_IO_WRITE_IOPS] },
                              .n_io_limits = { [OCI_IO_READ_IOPS] = res->n_io_limits[OCI_IO_READ_IOPS],
                                               [OCI_IO_WRITE_IOPS] = res->n_io_limits[OCI_IO_WRITE_IOPS] } };

        return write_io(fd, dir, &only, true, ret_error);
}

static int write_hugetlb(int fd, const char *dir, const OciResources *res, bool v1, char **ret_error) {
        for (size_t i = 0; i < res->n_hugepages; i++) {
                char name[64], buf[32];
                int r;

                (void) snprintf(name, sizeof(name), "hugetlb.%s.%s", res->hugepages[i].size, v1 ? "limit_in_bytes" : "max");
                (void) snprintf(buf, sizeof(buf), "%" PRIu64, res->hugepages[i].limit);
                r = write_file(fd, dir, name, buf, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int write_cpuset(int fd, const char *dir, const OciResources *res, char **ret_error) {
        int r = 0;

        if (res->cpus)
                r = write_file(fd, dir, "cpuset.cpus", res->cpus, ret_error);
        if (r >= 0 && res->mems)
                r = write_file(fd, dir, "cpuset.mems", res->mems, ret_error);
        return r;
}

static bool hugetlb_on_v2(void) {
        const char *c = controller_root("hugetlb", "hugetlb");

        return c && streq(c, oci_cgroup_root());
}

/* The v2 files: hugetlb (wherever the v2 hierarchy has it), and on a pure v2 host io and cpuset (with
 * systemd: its properties) and the unified keys. */
static int apply_v2(const OciResources *res, const char *rel, bool systemd, bool pure, char **ret_error) {
        const char *root = oci_cgroup_root();
        const char *controllers[4] = {};
        _cleanup_free_ char *dir = strjoin(root, rel, "");
        _cleanup_close_ int fd = -EBADF;
        const bool hugetlb = res->n_hugepages > 0 && hugetlb_on_v2();
        size_t n = 0;
        int r = 0;

        if (!dir)
                return -ENOMEM;
        if (hugetlb)
                controllers[n++] = "hugetlb";
        if (pure && !systemd && needs_io(res))
                controllers[n++] = "io";
        if (pure && !systemd && (res->cpus || res->mems))
                controllers[n++] = "cpuset";
        if (n == 0 && !(pure && res->unified))
                return 0;
        enable_v2(root, rel, controllers);
        for (char **k = pure ? res->unified : NULL; k && *k; k += 2)
                if (!strneq(*k, "cgroup.", 7)) {
                        _cleanup_free_ char *c = strndup(*k, strcspn(*k, "."));

                        if (!c)
                                return -ENOMEM;
                        enable_v2(root, rel, (const char *const[]) { c, NULL });
                }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return fail(ret_error, -errno, "open cgroup %s: %m", dir);
        if (hugetlb)
                r = write_hugetlb(fd, dir, res, false, ret_error);
        if (r >= 0 && pure && !systemd && needs_io(res))
                r = write_io(fd, dir, res, false, ret_error);
        if (r >= 0 && pure && !systemd)
                r = write_cpuset(fd, dir, res, ret_error);
        for (char **k = pure ? res->unified : NULL; r >= 0 && k && *k; k += 2) {
                r = oci_cgroup_write(fd, k[0], k[1]);
                if (r < 0)
                        return fail(ret_error, r, WHERE "unified.%s: cannot write '%s': %s", k[0], k[1], strerror(-r));
        }
        return r;
}

/* The memory files: memory.low and memory.swap.max on a pure v2 host (with systemd: its properties);
 * on a hybrid host the v1 memory cgroup at rel (oci_cgroup_make's, or the scope's), after its
 * memory.limit_in_bytes (memsw may not be below it). */
static int apply_memory(const OciResources *res, const char *rel, bool systemd, bool pure, char **ret_error) {
        _cleanup_free_ char *dir = strjoin(pure ? oci_cgroup_root() : "/sys/fs/cgroup/memory", rel, "");
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        int r = 0;

        if (!dir)
                return -ENOMEM;
        if (res->mem_reservation == 0 && res->mem_swap == 0 && res->swappiness < 0 && !res->disable_oom_killer)
                return 0;
        if (pure && (systemd || (res->mem_reservation == 0 && res->mem_swap == 0)))
                return 0;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return fail(ret_error, -errno, WHERE "memory: open cgroup %s: %m", dir);
        if (res->mem_reservation != 0) {
                if (res->mem_reservation < 0)
                        (void) snprintf(buf, sizeof(buf), pure ? "max" : "-1");
                else
                        (void) snprintf(buf, sizeof(buf), "%" PRIi64, res->mem_reservation);
                r = write_file(fd, dir, pure ? "memory.low" : "memory.soft_limit_in_bytes", buf, ret_error);
        }
        if (r >= 0 && res->mem_swap != 0) {
                if (pure && swap_v2(res) == UINT64_MAX)
                        (void) snprintf(buf, sizeof(buf), "max");
                else if (pure)
                        (void) snprintf(buf, sizeof(buf), "%" PRIu64, swap_v2(res));
                else
                        (void) snprintf(buf, sizeof(buf), "%" PRIi64, res->mem_swap);
                r = oci_cgroup_write(fd, pure ? "memory.swap.max" : "memory.memsw.limit_in_bytes", buf);
                /* No swap accounting: "unlimited" (or, on v2, no swap at all) holds anyway (runc). */
                if (r == -ENOENT && (res->mem_swap < 0 || (pure && swap_v2(res) == 0)))
                        r = 0;
                else if (r < 0)
                        r = fail(ret_error, r, WHERE "memory.swap: set %s/%s to %s: %s", dir,
                                 pure ? "memory.swap.max" : "memory.memsw.limit_in_bytes", buf, strerror(-r));
        }
        if (r >= 0 && !pure && res->swappiness >= 0) {
                (void) snprintf(buf, sizeof(buf), "%" PRIi64, res->swappiness);
                r = write_file(fd, dir, "memory.swappiness", buf, ret_error);
        }
        if (r >= 0 && !pure && res->disable_oom_killer)
                r = write_file(fd, dir, "memory.oom_control", "1", ret_error);
        return r;
}

int oci_resources_apply(const OciResources *res, bool systemd, char **ret_error) {
        const bool pure = streq(oci_cgroup_root(), "/sys/fs/cgroup");
        _cleanup_free_ char *rel = NULL;
        const char *v1[3] = {};
        int fds[3] = { -EBADF, -EBADF, -EBADF };
        Made made = {};
        size_t n = 0;
        int r;

        if (!res)
                return 0;
        r = oci_cgroup_of_pid(getpid(), &rel);
        if (r < 0)
                return fail(ret_error, r, "read /proc/self/cgroup: %s", strerror(-r));
        if (strstr(rel, "..") || rel[0] != '/' || streq(rel, "/"))
                return fail(ret_error, -EINVAL, "the cgroup %s cannot take limits", rel);
        r = apply_v2(res, rel, systemd, pure, ret_error);
        if (r >= 0)
                r = apply_memory(res, rel, systemd, pure, ret_error);
        if (r < 0 || pure)
                return r;
        /* A hybrid host: the v1 hierarchies, at the same path as the v2 cgroup. */
        if ((!systemd && needs_io(res)) || (systemd && has_iops(res)))
                v1[n++] = "blkio";
        if (res->cpus || res->mems)
                v1[n++] = "cpuset";
        if (res->n_hugepages > 0 && !hugetlb_on_v2())
                v1[n++] = "hugetlb";
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *root = strjoin("/sys/fs/cgroup/", v1[i], "");
                _cleanup_free_ char *dir = strjoin(root, rel, "");

                if (!root || !dir) {
                        r = -ENOMEM;
                        break;
                }
                fds[i] = r = make_dirs(root, rel, streq(v1[i], "cpuset"), &made, ret_error);
                if (r < 0)
                        break;
                if (streq(v1[i], "blkio"))
                        r = systemd ? write_iops_v1(fds[i], dir, res, ret_error) : write_io(fds[i], dir, res, true, ret_error);
                else if (streq(v1[i], "cpuset"))
                        r = write_cpuset(fds[i], dir, res, ret_error);
                else
                        r = write_hugetlb(fds[i], dir, res, true, ret_error);
        }
        /* Every file written: then the caller joins, so the init is born in each. */
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = oci_cgroup_write(fds[i], "cgroup.procs", "0");
                if (r < 0)
                        (void) fail(ret_error, r, "enter the %s cgroup %s: %s", v1[i], rel, strerror(-r));
        }
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
        made_undo(&made, r < 0);
        return r;
}

void oci_resources_remove(const char *cgroup) {
        if (isempty(cgroup) || cgroup[0] != '/' || strstr(cgroup, "..") || streq(oci_cgroup_root(), "/sys/fs/cgroup"))
                return;
        FOREACH_STRING(c, "blkio", "cpuset", "hugetlb") {
                _cleanup_free_ char *dir = NULL;

                if (asprintf(&dir, "/sys/fs/cgroup/%s%s", c, cgroup) < 0)
                        return;
                /* A process whose exit is in flight keeps it busy a moment. */
                for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
                        (void) usleep(10000);
        }
}
