/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "json-util.h"
#include "macros.h"
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
        char **command;
        char **env;
        char *working_dir;
        uid_t uid;
        gid_t gid;
        char *user; /* as given, for display */
        char *hostname;
        char **cap_add;
        char **cap_drop;
        int stop_signal;
        uint64_t stop_timeout_usec;
        uint64_t memory_max;
        uint64_t cpu_quota_per_sec_usec;
        uint64_t cpu_weight;
        uint64_t tasks_max;
        uint64_t created_usec;
        SpecNetwork net; /* spec-network.h */
} ContainerSpec;

/* A spec with every default filled in (unset limits, SIGTERM, 10 s, cwd "/", uid/gid 0). */
ContainerSpec *spec_new(void);
ContainerSpec *spec_free(ContainerSpec *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerSpec *, spec_free);

/* Checks every field for sanity (names, absolute paths, env assignments, ranges). -EINVAL with a
 * static reason in *ret_reason (may be NULL) when something is wrong. */
int spec_validate(const ContainerSpec *s, const char **ret_reason);

int spec_to_json(const ContainerSpec *s, json_object **ret);
int spec_from_json(json_object *o, ContainerSpec **ret);

int spec_save(const ContainerSpec *s, int dir_fd);
int spec_load(int dir_fd, ContainerSpec **ret);

/* "uid[:gid]" with numbers only; names need the image's /etc/passwd and are resolved elsewhere. */
int parse_user(const char *s, uid_t *ret_uid, gid_t *ret_gid);
