/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/resource.h>

#include "json-util.h"
#include "oci-devices.h"
#include "oci-resources.h"
#include "seccomp-profile.h"
#include "spec.h"

/* An OCI bundle's config.json (runtime-spec 1.1), read as hostile input and translated into the
 * runtime's own ContainerSpec plus what the runtime takes beside it (RuntimeIO: sysctls, OOM score)
 * and what dray-oci itself does (rlimits, hooks, cgroup, seccomp). Nothing of the file is dropped
 * silently: a field dray cannot honour is an error, or a warning (oci_config_parse()'s warn callback)
 * where runc and crun only warn too. */

typedef enum OciHookKind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_MAX,
} OciHookKind;

#define OCI_HOOKS_MAX 64U
#define OCI_CONFIG_FILE_MAX (4U * 1024U * 1024U)
#define OCI_ID_MAX 256U
#define OCI_NS_JOIN_MAX 5 /* the runtime's NS_JOIN_MAX (oci-lifecycle.c checks) */

typedef struct OciHook {
        char *path;
        char **args;
        char **env;
        int timeout_sec; /* 0: none */
} OciHook;

typedef struct OciRlimit {
        int resource;
        struct rlimit limit;
} OciRlimit;

typedef struct OciConfig {
        ContainerSpec *spec;    /* rootfs, command, env, cwd, user, caps, mounts, hostname, netns, userns,
                                 * memory_max, cpu_quota_per_sec_usec, cpu_weight, tasks_max */
        char **sysctl;          /* key=value */
        OciRlimit rlimits[RLIM_NLIMITS];
        size_t n_rlimits;
        OciHook *hooks[_OCI_HOOK_MAX];
        size_t n_hooks[_OCI_HOOK_MAX];
        SeccompProfile *seccomp; /* NULL: no filter */
        char *cgroups_path;      /* linux.cgroupsPath, NULL if absent */
        bool has_oom_score_adj;
        int oom_score_adj;
        unsigned short console_rows, console_cols; /* process.consoleSize, 0: none */
        json_object *annotations; /* a reference, or NULL */
        int umask;                /* process.user.umask, -1 if absent */
        bool no_new_privs;        /* process.noNewPrivileges */
        uint64_t cpu_shares;      /* linux.resources.cpu as given, 0: unset (cgroup v1 files) */
        int64_t cpu_quota;        /* -1: unset */
        uint64_t cpu_period;
        OciResources *resources;  /* blockIO, hugepageLimits, cpu.cpus/mems, unified; NULL: none */
        unsigned long shared_namespaces; /* CLONE_NEWIPC/UTS/CGROUP the config does not list */
        char *join_ns_paths[OCI_NS_JOIN_MAX]; /* ipc, uts, cgroup, pid, mount namespaces[].path (RuntimeIO's order) */
        char *uid_map, *gid_map;  /* linux.uidMappings/gidMappings as map file lines; NULL: no user namespace */
        uint32_t userns_root_uid; /* the host UID of container UID 0 */
        char *join_userns_path;   /* a user namespace's namespaces[].path: joined, no maps */
        uint64_t cap_inheritable; /* process.capabilities.inheritable and ambient, as masks of 1 << CAP_X */
        uint64_t cap_ambient;
        bool custom_masks;        /* linux.maskedPaths or linux.readonlyPaths given: these lists */
        char **masked_paths;
        char **readonly_paths;
        unsigned long root_propagation; /* linux.rootfsPropagation as mount(2) flags, 0: private */
        char *shm_options;        /* the tmpfs options of mounts[]'s /dev/shm, NULL: the runtime's */
        OciDeviceRules devices;   /* linux.resources.devices and linux.devices: the device cgroup */
} OciConfig;

typedef void (*OciWarn)(const char *message, void *userdata);

OciConfig *oci_config_free(OciConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(OciConfig *, oci_config_free);

/* A container ID as runc takes it: 1..256 of [A-Za-z0-9_+.-], not "." or "..". */
bool oci_id_is_valid(const char *id) _pure_;

/* Parses root (config.json's object); bundle is the bundle directory's absolute path (relative root
 * and bind sources are below it). On failure a malloc'd one-line reason naming the key is in
 * *ret_error. */
int oci_config_parse(json_object *root, const char *bundle, const char *id, OciWarn warn, void *userdata,
                     OciConfig **ret, char **ret_error);

/* Reads and parses BUNDLE/config.json. */
int oci_config_load(const char *bundle, const char *id, OciWarn warn, void *userdata, OciConfig **ret,
                    char **ret_error);

/* exec --process: an OCI process object replacing c's process (command, env, cwd, user, capabilities,
 * rlimits, terminal). */
int oci_config_parse_process(json_object *process, OciConfig *c, OciWarn warn, void *userdata, char **ret_error);

/* Only the "hooks" of root (an object holding it): for the copy the state keeps. */
int oci_config_parse_hooks(json_object *root, OciConfig **ret, char **ret_error);

const char *oci_hook_kind_to_string(OciHookKind k) _pure_;
