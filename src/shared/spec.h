/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "json-util.h"
#include "macros.h"
#include "mount-spec.h"
#include "spec-health.h"
#include "spec-network.h"

/* The container spec: written once by drayd at create time (config.json in the container's state
 * directory), read by dray-monitor when it starts the payload. JSON exists only at this edge. */

#define SPEC_FILE "config.json"
#define UNSET_U64 UINT64_MAX
#define DEFAULT_STOP_TIMEOUT_USEC (10 * USEC_PER_SEC)
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct ContainerSpec {
        char *id;
        char *name;
        char *rootfs;
        char *image;
        bool read_only;
        bool ephemeral;
        bool auto_remove;
        char *restart_policy;  /* --restart as given (restart-policy.h), NULL: "no" */
        bool tty;        /* -t: the payload's stdio is a pseudo-terminal of the container's own */
        bool open_stdin; /* -i: the client's stdin is forwarded (else the payload reads /dev/null) */
        bool exec_detach; /* ExecContainer's Detach (dray exec -d): answered once the command runs; in
                           * no file */
        /* --boot: the tree's init (command, else /sbin/init, else /lib/systemd/systemd) is PID 1 of the
         * container, with systemd's Container Interface (runtime-boot.c); command may be NULL then. */
        bool boot;
        char **command;
        char **env;
        char *working_dir;
        uid_t uid;
        gid_t gid;
        char *user; /* as given, for display */
        char **group_add; /* --group-add, as given (names are looked up in the image's /etc/group) */
        gid_t *groups;    /* setgroups(): the primary group, the image's memberships, --group-add */
        size_t n_groups;
        char *hostname;
        char *slice;     /* the scope's slice; NULL: dray.slice */
        char **cap_add;
        char **cap_drop;
        char **devices;  /* --device, canonical "HOST:CONTAINER:PERMS" (device-spec.h) */
        int stop_signal;
        uint64_t stop_timeout_usec;
        uint64_t memory_max;
        uint64_t cpu_quota_per_sec_usec;
        uint64_t cpu_weight;
        uint64_t tasks_max;
        uint64_t created_usec;
        MountSpec *mounts; /* -v, --mount and --tmpfs, in the order given; at most MOUNTS_MAX */
        size_t n_mounts;
        char **volumes_from; /* --volumes-from "CONTAINER[:ro|rw]" as given; drayd copied their mounts
                              * into mounts at create (kept for inspect) */
        /* --privileged: every capability of the bounding set, no seccomp filter, no masked paths,
         * /sys writable, the host's devices. */
        bool privileged;
        bool seccomp_unconfined; /* --security-opt seccomp=unconfined */
        char *seccomp_profile;   /* --security-opt seccomp=FILE: the profile's JSON text, as the
                                  * client read it and drayd checked it; NULL: the default profile */

        /* Containers from images (rootfs is NULL then): the unpacked layer directories, top-most first
         * (overlayfs lowerdir= order), below an upper and work directory of the container's own in
         * /var/lib/dray/containers/<id>/. */
        char **layers;
        char *image_id;       /* "sha256:…", the image's config digest */
        char **entrypoint;    /* the image's (or --entrypoint's) part of command, for display */
        char **labels;        /* KEY=VALUE, from the image config */
        SpecNetwork net; /* spec-network.h */
        SpecHealth health; /* spec-health.h */
        /* --userns=auto: container IDs 0…userns_size-1 are host IDs userns_base…; size 0: the host's
         * user namespace (--userns=host). drayd allocates the base (userns-range.h). */
        uint32_t userns_base;
        uint32_t userns_size;
} ContainerSpec;

#define SPEC_LAYERS_MAX 127U
#define SPEC_GROUPS_MAX 1024U

/* A custom seccomp profile's largest size (the security library's file limit). */
#define SPEC_SECCOMP_PROFILE_MAX (1024U * 1024U)

/* The root is an overlayfs with an upper directory of the container's own (image, or --ephemeral). */
static inline bool spec_uses_overlay(const ContainerSpec *s) {
        return s->ephemeral || s->layers;
}

/* A spec with every default filled in (unset limits, SIGTERM, 10 s, cwd "/", uid/gid 0). */
ContainerSpec *spec_new(void);
ContainerSpec *spec_free(ContainerSpec *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerSpec *, spec_free);

/* Checks every field for sanity (names, absolute paths, env assignments, ranges, mounts). -EINVAL with a
 * static reason in *ret_reason (may be NULL) when something is wrong. */
int spec_validate(const ContainerSpec *s, const char **ret_reason);

int spec_to_json(const ContainerSpec *s, json_object **ret);
int spec_from_json(json_object *o, ContainerSpec **ret);

int spec_save(const ContainerSpec *s, int dir_fd);
int spec_load(int dir_fd, ContainerSpec **ret);

/* "uid[:gid]" with numbers only; names need the image's /etc/passwd and are resolved elsewhere. */
int parse_user(const char *s, uid_t *ret_uid, gid_t *ret_gid);
