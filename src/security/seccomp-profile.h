/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <seccomp.h>

#include "macros.h"

/* Seccomp profiles in Docker's JSON format (the format of moby's profiles/seccomp/default.json, which
 * podman, crun and containerd read too), parsed into a struct at the edge and compiled with libseccomp.
 *
 * The input is untrusted (an administrator's file, or one a D-Bus caller names): every value is
 * checked where it is read, sizes are bounded, unknown keys are refused (a misspelt "excludes" must
 * not silently widen a rule), and every failure says where and why in *ret_error.
 *
 * Semantics follow Docker's:
 *   - the filter's default action is defaultAction (+ defaultErrnoRet, default EPERM);
 *   - architectures: "architectures" lists them outright, or "archMap" maps the native architecture to
 *     itself plus its compat sub-architectures (x86_64 → x86, x32), so 32-bit syscalls are filtered by
 *     the same rules instead of being killed as a bad architecture;
 *   - a rule applies when its "includes" all hold (every listed capability held, native architecture
 *     listed, kernel ≥ minKernel) and no "excludes" hold (no listed capability held, native
 *     architecture not listed, kernel < minKernel);
 *   - conditions on different arguments are ANDed; several conditions on the same argument split the
 *     rule into one rule per condition (ORed), as runc does (libseccomp cannot AND two conditions on one
 *     argument);
 *   - a syscall name libseccomp does not know is skipped (the profile may name syscalls newer than this
 *     libseccomp, or of other architectures); that only ever narrows what is allowed.
 *
 * Capability masks are 1 << CAP_X, for the capabilities the payload will hold (its bounding set, as
 * Docker uses). */

#define SECCOMP_PROFILE_FILE_MAX (1024U * 1024U)
#define SECCOMP_PROFILE_RULES_MAX 1024U
#define SECCOMP_PROFILE_NAMES_MAX 8192U /* syscall names, over all rules */
#define SECCOMP_PROFILE_NAME_MAX 64U    /* one syscall, capability or architecture name */
#define SECCOMP_PROFILE_ARGS_MAX 6U     /* a syscall has at most 6 arguments */
#define SECCOMP_PROFILE_LIST_MAX 64U    /* caps, arches, archMap entries, flags */
#define SECCOMP_PROFILE_ERRNO_MAX 4095U /* MAX_ERRNO */

typedef enum SeccompActionType {
        SECCOMP_ACTION_KILL_THREAD, /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
        SECCOMP_ACTION_KILL_PROCESS,
        SECCOMP_ACTION_TRAP,
        SECCOMP_ACTION_ERRNO,
        SECCOMP_ACTION_TRACE,
        SECCOMP_ACTION_LOG,
        SECCOMP_ACTION_ALLOW,
        _SECCOMP_ACTION_MAX,
        _SECCOMP_ACTION_INVALID = -EINVAL,
} SeccompActionType;

typedef struct SeccompAction {
        SeccompActionType type;
        unsigned ret; /* the errno for ERRNO, the tracer's message for TRACE; 0..SECCOMP_PROFILE_ERRNO_MAX */
} SeccompAction;

/* Filter attributes from "flags" (SECCOMP_FILTER_FLAG_*). */
typedef enum SeccompProfileFlag {
        SECCOMP_PROFILE_FLAG_TSYNC = 1 << 0,
        SECCOMP_PROFILE_FLAG_LOG = 1 << 1,
        SECCOMP_PROFILE_FLAG_SPEC_ALLOW = 1 << 2,
} SeccompProfileFlag;

typedef struct SeccompArg {
        unsigned index; /* 0..5 */
        uint64_t value;
        uint64_t value_two; /* the mask's operand for SCMP_CMP_MASKED_EQ */
        enum scmp_compare op;
} SeccompArg;

typedef struct SeccompCondition {
        uint64_t caps;        /* capabilities, 1 << CAP_X */
        char **arches;        /* canonical architecture names ("amd64", "x86", "arm64", …) */
        unsigned min_kernel;  /* (major << 16) | minor */
        bool has_min_kernel;
} SeccompCondition;

typedef struct SeccompRule {
        char **names;
        SeccompAction action;
        SeccompArg args[SECCOMP_PROFILE_ARGS_MAX];
        size_t n_args;
        SeccompCondition includes;
        SeccompCondition excludes;
} SeccompRule;

typedef struct SeccompArchMapEntry {
        uint32_t arch;       /* SCMP_ARCH_*; 0 when this libseccomp does not know it */
        uint32_t *sub_arches; /* likewise */
        size_t n_sub_arches;
} SeccompArchMapEntry;

typedef struct SeccompProfile {
        SeccompAction default_action;
        uint32_t *architectures; /* SCMP_ARCH_*, 0 = unknown to this libseccomp */
        size_t n_architectures;
        SeccompArchMapEntry *arch_map;
        size_t n_arch_map;
        SeccompProfileFlag flags;
        SeccompRule *rules;
        size_t n_rules;
} SeccompProfile;

SeccompProfile *seccomp_profile_free(SeccompProfile *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(SeccompProfile *, seccomp_profile_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release);

/* The installed default profile: $datadir/dray/seccomp-default.json. */
const char *seccomp_profile_default_path(void) _pure_;
/* The profile of booted containers (--boot): $datadir/dray/seccomp-boot.json, systemd-nspawn's allow list. */
const char *seccomp_profile_boot_path(void) _pure_;

/* Parse a profile. *ret_error (if not NULL) receives a malloc'd one-line reason on failure, naming the
 * offending key, e.g. "syscalls[3].args[0].op: unknown operator 'SCMP_CMP_FOO'".
 * Errors: -EINVAL for anything the format does not allow or a limit exceeded, -EBADMSG for text that is
 * not JSON, -EFBIG for a file over SECCOMP_PROFILE_FILE_MAX, -ENOMEM, or the errno of open/read. */
int seccomp_profile_from_json(json_object *root, SeccompProfile **ret, char **ret_error);
int seccomp_profile_from_string(const char *text, size_t size, SeccompProfile **ret, char **ret_error);
int seccomp_profile_load_file(const char *path, SeccompProfile **ret, char **ret_error);

/* Does rule r take part in a filter for a payload holding caps, on architecture arch (a canonical name
 * as seccomp_arch_to_name() returns) and kernel (major << 16) | minor? Exposed for tests. */
bool seccomp_rule_applies(const SeccompRule *r, uint64_t caps, const char *arch, unsigned kernel);

/* The canonical Docker/Go name of a libseccomp architecture token ("amd64" for SCMP_ARCH_X86_64), or
 * NULL. */
const char *seccomp_arch_to_name(uint32_t arch) _pure_;

/* Build the libseccomp filter for a payload holding caps, on this machine's architecture and kernel.
 * SCMP_FLTATR_CTL_NNP is off: the runtime sets no_new_privs itself. The filter is not loaded. */
int seccomp_profile_compile(const SeccompProfile *p, uint64_t caps, scmp_filter_ctx *ret);

/* Compile and load into the calling thread. Call it last before execve(): after no_new_privs (without
 * it, loading needs CAP_SYS_ADMIN in the effective set) and after the capability drop. Everything the
 * caller does between this and execve() must be allowed by the profile. */
int seccomp_profile_apply(const SeccompProfile *p, uint64_t caps);

/* Capability names ("CAP_SYS_ADMIN", upper case, as Docker's profiles spell them) to a mask. -EINVAL for
 * an unknown name. */
int seccomp_caps_from_names(char *const *names, uint64_t *ret);

const char *seccomp_action_type_to_string(SeccompActionType t) _pure_;
SeccompActionType seccomp_action_type_from_string(const char *s) _pure_;
