/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands that read or nudge a container: state, list, ps, pause, resume; and features and spec,
 * which describe dray-oci itself. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic-write.h"
#include "log.h"
#include "oci-cgroup.h"
#include "oci-config.h"
#include "oci-state.h"
#include "oci-util.h"
#include "oci-verbs.h"

static int load(const OciGlobal *g, const char *verb, int argc, char **argv, int *ret_dir, OciState **ret) {
        _cleanup_close_ int dir = -EBADF;
        int r;

        if (argc != 2 || argv[1][0] == '-')
                return log_error_errno(EINVAL, "%s: exactly one container ID expected", verb);
        r = oci_open_container(g, argv[1], &dir);
        if (r < 0)
                return r;
        r = oci_state_load(dir, ret);
        if (r < 0)
                return log_error_errno(r, "container '%s': cannot read its state: %m", argv[1]);
        *ret_dir = TAKE_FD(dir);
        return 0;
}

static int print_json(json_object *o) {
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        return fflush(stdout) == 0 ? 0 : log_error_errno(errno, "write: %m");
}

int verb_state(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_json_ json_object *o = NULL;
        _cleanup_close_ int dir = -EBADF;
        int r;

        r = load(g, "state", argc, argv, &dir, &s);
        if (r < 0)
                return r;
        r = oci_state_to_json(s, oci_state_status(dir, s), &o);
        if (r < 0)
                return log_oom();
        return print_json(o);
}

int verb_list(const OciGlobal *g, int argc, char **argv) {
        _cleanup_json_ json_object *a = json_object_new_array();
        bool json = argc == 3 && STR_IN_SET(argv[1], "--format", "-f") && streq(argv[2], "json");
        DIR *d;

        if (!a)
                return log_oom();
        if (argc > 1 && !json)
                return log_error_errno(EINVAL, "list: only '--format json' is known");
        d = opendir(g->root);
        if (!d && errno != ENOENT)
                return log_error_errno(errno, "Cannot read %s: %m", g->root);
        if (!json)
                printf("%-24s %-8s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE");
        for (struct dirent *de; d && (de = readdir(d));) {
                _cleanup_(oci_state_freep) OciState *s = NULL;
                _cleanup_close_ int dir = -EBADF;
                OciStatus st;

                if (!oci_id_is_valid(de->d_name) || de->d_name[0] == '.')
                        continue;
                dir = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (dir < 0 || oci_state_load(dir, &s) < 0)
                        continue;
                st = oci_state_status(dir, s);
                if (json) {
                        json_object *o = NULL;

                        if (oci_state_to_json(s, st, &o) < 0 || json_object_array_add(a, o) < 0)
                                return log_oom();
                } else
                        printf("%-24s %-8d %-8s %s\n", s->id, st == OCI_STATUS_STOPPED ? 0 : (int) s->pid,
                               oci_status_to_string(st), strna(s->bundle));
        }
        if (d)
                closedir(d);
        return json ? print_json(a) : 0;
}

int verb_ps(const OciGlobal *g, int argc, char **argv) {
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_close_ int dir = -EBADF;
        _cleanup_free_ pid_t *pids = NULL;
        bool json = false;
        size_t n = 0;
        int r;

        if (argc == 4 && STR_IN_SET(argv[1], "--format", "-f")) {
                if (!STR_IN_SET(argv[2], "json", "table"))
                        return log_error_errno(EINVAL, "ps: --format is json or table");
                json = streq(argv[2], "json");
                argv += 2;
                argc -= 2;
        }
        r = load(g, "ps", argc, argv, &dir, &s);
        if (r < 0)
                return r;
        if (oci_state_status(dir, s) == OCI_STATUS_STOPPED || !s->cgroup)
                return log_error_errno(ESRCH, "container '%s' is not running", s->id);
        r = oci_cgroup_pids(s->cgroup, &pids, &n);
        if (r < 0)
                return log_error_errno(r, "Cannot read the processes of '%s': %m", s->id);
        if (json) {
                _cleanup_json_ json_object *a = json_object_new_array();

                for (size_t i = 0; a && i < n; i++)
                        if (json_object_array_add(a, json_object_new_int(pids[i])) < 0)
                                return log_oom();
                return a ? print_json(a) : log_oom();
        }
        printf("PID\n");
        for (size_t i = 0; i < n; i++)
                printf("%d\n", (int) pids[i]);
        return 0;
}

static int freeze(const OciGlobal *g, const char *verb, int argc, char **argv, bool on) {
        _cleanup_(oci_state_freep) OciState *s = NULL;
        _cleanup_close_ int dir = -EBADF;
        OciStatus st;
        int r;

        r = load(g, verb, argc, argv, &dir, &s);
        if (r < 0)
                return r;
        st = oci_state_status(dir, s);
        if (on ? st != OCI_STATUS_RUNNING : st != OCI_STATUS_PAUSED)
                return log_error_errno(EINVAL, "container '%s' is %s, not %s", s->id, oci_status_to_string(st),
                                       on ? "running" : "paused");
        r = oci_cgroup_freeze(s->cgroup, on);
        if (r < 0)
                return log_error_errno(r, "Cannot %s container '%s': %m", verb, s->id);
        return 0;
}

int verb_pause(const OciGlobal *g, int argc, char **argv) {
        return freeze(g, "pause", argc, argv, true);
}

int verb_resume(const OciGlobal *g, int argc, char **argv) {
        return freeze(g, "resume", argc, argv, false);
}

/* The runtime spec's features document: what this dray-oci takes. cgroup: v1 as a hybrid host has it
 * (the limits in the v1 controllers' hierarchies, beside systemd's unified one), v2, a systemd scope
 * of the system manager (--systemd-cgroup); not the user manager's, not rdma. */
static const char features_json[] =
        "{\n"
        "  \"ociVersionMin\": \"1.0.0\",\n"
        "  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
        "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", \"startContainer\", \"poststart\", \"poststop\"],\n"
        "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\", \"nosuid\", \"nodev\", \"private\", \"rprivate\", \"relatime\", \"noatime\", \"strictatime\"],\n"
        "  \"linux\": {\n"
        "    \"namespaces\": [\"pid\", \"network\", \"mount\", \"ipc\", \"uts\", \"user\", \"cgroup\"],\n"
        "    \"capabilities\": null,\n"
        "    \"cgroup\": { \"v1\": true, \"v2\": true, \"systemd\": true, \"systemdUser\": false, \"rdma\": false },\n"
        "    \"seccomp\": {\n"
        "      \"enabled\": true,\n"
        "      \"actions\": [\"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_THREAD\", \"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_TRAP\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_TRACE\", \"SCMP_ACT_LOG\", \"SCMP_ACT_ALLOW\"],\n"
        "      \"operators\": [\"SCMP_CMP_NE\", \"SCMP_CMP_LT\", \"SCMP_CMP_LE\", \"SCMP_CMP_EQ\", \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", \"SCMP_CMP_MASKED_EQ\"],\n"
        "      \"archs\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"]\n"
        "    },\n"
        "    \"apparmor\": { \"enabled\": false },\n"
        "    \"selinux\": { \"enabled\": false },\n"
        "    \"intelRdt\": { \"enabled\": false }\n"
        "  },\n"
        "  \"annotations\": { \"org.dray.runtime\": \"dray-oci\" }\n"
        "}\n";

int verb_features(const OciGlobal *g, int argc, char **argv) {
        if (argc != 1)
                return log_error_errno(EINVAL, "features: no arguments expected");
        fputs(features_json, stdout);
        return fflush(stdout) == 0 ? 0 : log_error_errno(errno, "write: %m");
}

/* runc spec's default: sh in ./rootfs, Docker's capabilities, the usual mounts and masks. */
static const char spec_json[] =
        "{\n"
        "  \"ociVersion\": \"" OCI_VERSION "\",\n"
        "  \"process\": {\n"
        "    \"terminal\": true,\n"
        "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
        "    \"args\": [\"sh\"],\n"
        "    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],\n"
        "    \"cwd\": \"/\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
        "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
        "    },\n"
        "    \"rlimits\": [{ \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 }],\n"
        "    \"noNewPrivileges\": true\n"
        "  },\n"
        "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "  \"hostname\": \"dray\",\n"
        "  \"mounts\": [\n"
        "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] },\n"
        "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"] },\n"
        "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"] },\n"
        "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [\"nosuid\", \"noexec\", \"nodev\"] },\n"
        "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"] },\n"
        "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"] }\n"
        "  ],\n"
        "  \"linux\": {\n"
        "    \"resources\": { \"devices\": [{ \"allow\": false, \"access\": \"rwm\" }] },\n"
        "    \"namespaces\": [{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }],\n"
        "    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
        "    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]\n"
        "  }\n"
        "}\n";

int verb_spec(const OciGlobal *g, int argc, char **argv) {
        const char *bundle = ".";
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;

        for (int i = 1; i < argc; i++) {
                if (STR_IN_SET(argv[i], "--bundle", "-b") && i + 1 < argc)
                        bundle = argv[++i];
                else if (strneq(argv[i], "--bundle=", 9))
                        bundle = argv[i] + 9;
                else if (streq(argv[i], "--rootless"))
                        return log_error_errno(EOPNOTSUPP, "spec: rootless containers are not supported");
                else
                        return log_error_errno(EINVAL, "spec: unknown argument '%s'", argv[i]);
        }
        dir = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return log_error_errno(errno, "bundle '%s': %m", bundle);
        fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 && errno == EEXIST)
                return log_error_errno(EEXIST, "%s/config.json exists already", bundle);
        if (fd < 0)
                return log_error_errno(errno, "Cannot create %s/config.json: %m", bundle);
        return loop_write(fd, spec_json, strlen(spec_json)) < 0 ? log_error_errno(errno, "write config.json: %m") : 0;
}
