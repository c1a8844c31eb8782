/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>

#include "seccomp-profile.h"
#include "strv.h"
#include "test.h"

#define CAP(c) (UINT64_C(1) << (c))
/* Docker's default 14 capabilities. */
#define DEFAULT_CAPS                                                                                     \
        (CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) | CAP(CAP_FOWNER) | CAP(CAP_MKNOD) |  \
         CAP(CAP_NET_RAW) | CAP(CAP_SETGID) | CAP(CAP_SETUID) | CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) |   \
         CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) | CAP(CAP_KILL) | CAP(CAP_AUDIT_WRITE))
#define KERNEL(a, b) ((unsigned) ((a) << 16 | (b)))

/* Profiles in these tests are written with ' for ", to stay readable. */
static int parse(const char *text, SeccompProfile **ret, char **ret_error) {
        _cleanup_free_ char *json = strdup(text);

        if (!json)
                return -ENOMEM;
        for (char *c = json; *c; c++)
                if (*c == '\'')
                        *c = '"';
        return seccomp_profile_from_string(json, strlen(json), ret, ret_error);
}

/* Parses text, expects -err and a reason containing needle. */
static int expect_reject(const char *text, int err, const char *needle) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *reason = NULL;
        int r;

        r = parse(text, &p, &reason);
        if (r != -err || p || !reason || !strstr(reason, needle)) {
                fprintf(stderr, "profile %s\n  gave %d (%s), expected -%d with '%s'\n", text, r,
                        reason ? reason : "no reason", err, needle);
                return 1;
        }
        return 0;
}

/* Is name allowed (by some rule with action ALLOW that applies) for caps on amd64? */
static bool allowed(const SeccompProfile *p, const char *name, uint64_t caps) {
        for (size_t i = 0; i < p->n_rules; i++)
                if (p->rules[i].action.type == SECCOMP_ACTION_ALLOW &&
                    seccomp_rule_applies(&p->rules[i], caps, "amd64", KERNEL(6, 1)) &&
                    strv_contains(p->rules[i].names, name))
                        return true;
        return false;
}

static bool allowed_unconditionally(const SeccompProfile *p, const char *name, uint64_t caps) {
        for (size_t i = 0; i < p->n_rules; i++)
                if (p->rules[i].action.type == SECCOMP_ACTION_ALLOW && p->rules[i].n_args == 0 &&
                    seccomp_rule_applies(&p->rules[i], caps, "amd64", KERNEL(6, 1)) &&
                    strv_contains(p->rules[i].names, name))
                        return true;
        return false;
}

TEST(action_table_roundtrip) {
        for (int i = 0; i < _SECCOMP_ACTION_MAX; i++)
                ASSERT_EQ(seccomp_action_type_from_string(seccomp_action_type_to_string(i)), i);
        ASSERT_EQ(seccomp_action_type_from_string("SCMP_ACT_KILL"), SECCOMP_ACTION_KILL_THREAD);
        ASSERT_EQ(seccomp_action_type_from_string("SCMP_ACT_NOTIFY"), _SECCOMP_ACTION_INVALID);
        ASSERT_EQ(seccomp_action_type_from_string("allow"), _SECCOMP_ACTION_INVALID);
        ASSERT_EQ(seccomp_action_type_from_string(NULL), _SECCOMP_ACTION_INVALID);
        ASSERT_TRUE(seccomp_action_type_to_string(_SECCOMP_ACTION_MAX) == NULL);
        ASSERT_STREQ(seccomp_arch_to_name(SCMP_ARCH_X86_64), "amd64");
        ASSERT_STREQ(seccomp_arch_to_name(SCMP_ARCH_AARCH64), "arm64");
        ASSERT_TRUE(seccomp_arch_to_name(0) == NULL);
        return 0;
}

TEST(caps_from_names) {
        uint64_t m;

        ASSERT_OK(seccomp_caps_from_names((char *[]) { (char *) "CAP_SYS_ADMIN", (char *) "CAP_KILL", NULL },
                                          &m));
        ASSERT_EQ(m, CAP(CAP_SYS_ADMIN) | CAP(CAP_KILL));
        ASSERT_OK(seccomp_caps_from_names(NULL, &m));
        ASSERT_EQ(m, 0);
        ASSERT_ERROR(seccomp_caps_from_names((char *[]) { (char *) "cap_sys_admin", NULL }, &m), EINVAL);
        ASSERT_ERROR(seccomp_caps_from_names((char *[]) { (char *) "SYS_ADMIN", NULL }, &m), EINVAL);
        ASSERT_ERROR(seccomp_caps_from_names((char *[]) { (char *) "CAP_12", NULL }, &m), EINVAL);
        ASSERT_ERROR(seccomp_caps_from_names((char *[]) { (char *) "CAP_NOPE", NULL }, &m), EINVAL);
        return 0;
}

TEST(default_profile_parses) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *reason = NULL;

        ASSERT_OK(seccomp_profile_load_file(DRAY_TEST_SECCOMP_PROFILE, &p, &reason));
        ASSERT_TRUE(reason == NULL);
        ASSERT_EQ(p->default_action.type, SECCOMP_ACTION_ERRNO);
        ASSERT_EQ(p->default_action.ret, EPERM);
        ASSERT_TRUE(p->n_rules > 10);
        ASSERT_TRUE(p->n_arch_map > 0);
        ASSERT_EQ(p->arch_map[0].arch, SCMP_ARCH_X86_64);
        ASSERT_EQ(p->arch_map[0].n_sub_arches, 2);
        ASSERT_STREQ(seccomp_profile_default_path() + strlen(seccomp_profile_default_path()) -
                             strlen("/dray/seccomp-default.json"),
                     "/dray/seccomp-default.json");
        return 0;
}

TEST(default_profile_policy) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        static const char *const never[] = {
                "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "userfaultfd",
                "swapon", "swapoff", "nfsservctl", "vm86", "vm86old", "uselib", "_sysctl", "pivot_root",
                "io_uring_setup", "io_uring_enter", "io_uring_register", "create_module", "query_module",
                "get_kernel_syms", "ustat", "sysfs", "move_pages", "migrate_pages", NULL,
        };
        static const struct {
                const char *name;
                int cap;
        } needs_cap[] = {
                { "mount", CAP_SYS_ADMIN },         { "umount2", CAP_SYS_ADMIN },
                { "unshare", CAP_SYS_ADMIN },       { "setns", CAP_SYS_ADMIN },
                { "bpf", CAP_SYS_ADMIN },           { "perf_event_open", CAP_SYS_ADMIN },
                { "fanotify_init", CAP_SYS_ADMIN }, { "lookup_dcookie", CAP_SYS_ADMIN },
                { "quotactl", CAP_SYS_ADMIN },      { "syslog", CAP_SYSLOG },
                { "ptrace", CAP_SYS_PTRACE },       { "process_vm_readv", CAP_SYS_PTRACE },
                { "init_module", CAP_SYS_MODULE },  { "finit_module", CAP_SYS_MODULE },
                { "delete_module", CAP_SYS_MODULE }, { "iopl", CAP_SYS_RAWIO },
                { "ioperm", CAP_SYS_RAWIO },        { "reboot", CAP_SYS_BOOT },
                { "acct", CAP_SYS_PACCT },          { "settimeofday", CAP_SYS_TIME },
                { "clock_settime", CAP_SYS_TIME },  { "adjtimex", CAP_SYS_TIME },
                { "open_by_handle_at", CAP_DAC_READ_SEARCH },
                { "name_to_handle_at", CAP_DAC_READ_SEARCH },
        };

        ASSERT_OK(seccomp_profile_load_file(DRAY_TEST_SECCOMP_PROFILE, &p, NULL));

        for (const char *const *n = never; *n; n++)
                if (allowed(p, *n, UINT64_MAX)) {
                        fprintf(stderr, "%s is allowed\n", *n);
                        return 1;
                }
        for (size_t i = 0; i < ELEMENTSOF(needs_cap); i++) {
                if (allowed(p, needs_cap[i].name, DEFAULT_CAPS) ||
                    !allowed(p, needs_cap[i].name, DEFAULT_CAPS | CAP(needs_cap[i].cap))) {
                        fprintf(stderr, "%s: not tied to capability %d\n", needs_cap[i].name,
                                needs_cap[i].cap);
                        return 1;
                }
        }

        /* clone only without namespace flags, clone3 answers ENOSYS, personality only safe values,
         * socket only some families: conditional, never wholesale. */
        ASSERT_TRUE(allowed(p, "clone", DEFAULT_CAPS));
        ASSERT_FALSE(allowed_unconditionally(p, "clone", DEFAULT_CAPS));
        ASSERT_TRUE(allowed_unconditionally(p, "clone", DEFAULT_CAPS | CAP(CAP_SYS_ADMIN)));
        ASSERT_FALSE(allowed(p, "clone3", DEFAULT_CAPS));
        ASSERT_FALSE(allowed_unconditionally(p, "personality", UINT64_MAX));
        ASSERT_FALSE(allowed_unconditionally(p, "socket", UINT64_MAX));
        ASSERT_TRUE(allowed(p, "socket", 0));

        /* What every program needs. */
        ASSERT_TRUE(allowed_unconditionally(p, "read", 0));
        ASSERT_TRUE(allowed_unconditionally(p, "execve", 0));
        ASSERT_TRUE(allowed_unconditionally(p, "openat", 0));
        ASSERT_TRUE(allowed_unconditionally(p, "rt_sigreturn", 0));
        ASSERT_TRUE(allowed_unconditionally(p, "exit_group", 0));
        ASSERT_TRUE(allowed_unconditionally(p, "arch_prctl", 0));
        ASSERT_TRUE(allowed_unconditionally(p, "chroot", DEFAULT_CAPS));
        return 0;
}

TEST(compile_default_profile) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        static const uint64_t cap_sets[] = { 0, DEFAULT_CAPS, DEFAULT_CAPS | CAP(CAP_SYS_ADMIN), UINT64_MAX };

        ASSERT_OK(seccomp_profile_load_file(DRAY_TEST_SECCOMP_PROFILE, &p, NULL));
        for (size_t i = 0; i < ELEMENTSOF(cap_sets); i++) {
                _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
                _cleanup_close_ int fd = -EBADF;
                uint32_t nnp = 1;

                ASSERT_OK(seccomp_profile_compile(p, cap_sets[i], &ctx));
                ASSERT_OK(seccomp_attr_get(ctx, SCMP_FLTATR_CTL_NNP, &nnp));
                ASSERT_EQ(nnp, 0);
                if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                        ASSERT_EQ(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
                        ASSERT_EQ(seccomp_arch_exist(ctx, SCMP_ARCH_X32), 0);
                }
                /* Generating the BPF program runs libseccomp's whole back end over the rules. */
                fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                ASSERT_OK(seccomp_export_bpf(ctx, fd));
        }
        return 0;
}

TEST(rule_conditions) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *reason = NULL;
        const SeccompRule *r;

        ASSERT_OK(parse("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
                        "{'names':['a'],'action':'SCMP_ACT_ALLOW',"
                        " 'includes':{'caps':['CAP_SYS_ADMIN','CAP_NET_ADMIN'],'arches':['x86_64','arm64'],"
                        "               'minKernel':'4.8'}},"
                        "{'names':['b'],'action':'SCMP_ACT_ALLOW',"
                        " 'excludes':{'caps':['CAP_SYS_ADMIN'],'arches':['s390x'],'minKernel':'5.10'}}]}",
                        &p, &reason));
        r = &p->rules[0];
        ASSERT_TRUE(seccomp_rule_applies(r, CAP(CAP_SYS_ADMIN) | CAP(CAP_NET_ADMIN), "amd64", KERNEL(4, 8)));
        ASSERT_FALSE(seccomp_rule_applies(r, CAP(CAP_SYS_ADMIN), "amd64", KERNEL(6, 1)));
        ASSERT_FALSE(seccomp_rule_applies(r, CAP(CAP_SYS_ADMIN) | CAP(CAP_NET_ADMIN), "s390x", KERNEL(6, 1)));
        ASSERT_FALSE(seccomp_rule_applies(r, CAP(CAP_SYS_ADMIN) | CAP(CAP_NET_ADMIN), "amd64", KERNEL(4, 7)));
        ASSERT_FALSE(seccomp_rule_applies(r, CAP(CAP_SYS_ADMIN) | CAP(CAP_NET_ADMIN), NULL, KERNEL(6, 1)));
        r = &p->rules[1];
        ASSERT_TRUE(seccomp_rule_applies(r, 0, "amd64", KERNEL(5, 9)));
        ASSERT_TRUE(seccomp_rule_applies(r, 0, NULL, KERNEL(5, 9)));
        ASSERT_FALSE(seccomp_rule_applies(r, CAP(CAP_SYS_ADMIN), "amd64", KERNEL(5, 9)));
        ASSERT_FALSE(seccomp_rule_applies(r, 0, "s390x", KERNEL(5, 9)));
        ASSERT_FALSE(seccomp_rule_applies(r, 0, "amd64", KERNEL(5, 10)));
        return 0;
}

TEST(accepts_docker_shapes) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL, *q = NULL;
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;

        /* Docker's deprecated single "name", nulls where Go writes them, comments, flags, explicit
         * architectures, errnoRet on a rule, and several conditions on one argument (ORed). */
        ASSERT_OK(parse("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
                        " 'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86','SCMP_ARCH_LOONGARCH64'],"
                        " 'flags':['SECCOMP_FILTER_FLAG_SPEC_ALLOW'],'listenerPath':'',"
                        " 'syscalls':["
                        "  {'name':'getpid','action':'SCMP_ACT_ALLOW','args':null,'comment':'x',"
                        "   'includes':{},'excludes':null},"
                        "  {'names':['personality'],'action':'SCMP_ACT_ALLOW','args':["
                        "    {'index':0,'value':0,'op':'SCMP_CMP_EQ'},"
                        "    {'index':0,'value':8,'valueTwo':0,'op':'SCMP_CMP_EQ'}]},"
                        "  {'names':['socket'],'action':'SCMP_ACT_ERRNO','errnoRet':97,'args':["
                        "    {'index':0,'value':40,'op':'SCMP_CMP_EQ'},"
                        "    {'index':1,'value':255,'valueTwo':1,'op':'SCMP_CMP_MASKED_EQ'}]},"
                        "  {'names':['no_such_syscall_at_all','write'],'action':'SCMP_ACT_LOG'},"
                        "  {'names':['read'],'action':'SCMP_ACT_ERRNO','errnoRet':38}"
                        " ]}",
                        &p, NULL));
        ASSERT_EQ(p->default_action.ret, 38);
        ASSERT_EQ(p->n_architectures, 3);
        ASSERT_EQ(p->architectures[2], 0); /* unknown to this libseccomp: accepted, skipped */
        ASSERT_EQ(p->flags, SECCOMP_PROFILE_FLAG_SPEC_ALLOW);
        ASSERT_STREQ(p->rules[0].names[0], "getpid");
        ASSERT_EQ(p->rules[1].n_args, 2);
        ASSERT_EQ(p->rules[2].action.ret, 97);
        ASSERT_EQ(p->rules[2].args[1].value_two, 1);
        ASSERT_EQ(p->rules[2].args[1].op, SCMP_CMP_MASKED_EQ);
        /* Unknown syscall names are skipped; the rule repeating the default action is dropped. */
        ASSERT_OK(seccomp_profile_compile(p, 0, &ctx));

        /* The largest values the format allows. */
        ASSERT_OK(parse("{'defaultAction':'SCMP_ACT_TRACE','defaultErrnoRet':4095,'syscalls':["
                        "{'names':['x'],'action':'SCMP_ACT_ALLOW',"
                        " 'args':[{'index':5,'value':18446744073709551615,'op':'SCMP_CMP_LE'}]}]}",
                        &q, NULL));
        ASSERT_EQ(q->rules[0].args[0].value, UINT64_MAX);
        ASSERT_EQ(q->rules[0].args[0].index, 5);
        return 0;
}

TEST(rejects_hostile_profiles) {
        _cleanup_free_ char *big = NULL, *many_rules = NULL, *many_args = NULL, *long_name = NULL,
                            *many_names = NULL, *deep = NULL;
        char *e;
        size_t n;

        /* Not JSON, or not an object. */
        ASSERT_EQ(expect_reject("", EBADMSG, "not valid JSON"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':", EBADMSG, "not valid JSON"), 0);
        ASSERT_EQ(expect_reject("{} {}", EBADMSG, "not valid JSON"), 0);
        ASSERT_EQ(expect_reject("[]", EINVAL, "expected a JSON object"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ALLOW',/*c*/'syscalls':[]}", EBADMSG,
                                "not valid JSON"), 0);

        /* Wrong types. */
        ASSERT_EQ(expect_reject("{'defaultAction':1}", EINVAL, "defaultAction: expected a string"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':{}}", EINVAL,
                                "syscalls: expected an array"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[1]}", EINVAL,
                                "syscalls[0]: expected an object"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':'read',"
                                "'action':'SCMP_ACT_ALLOW'}]}",
                                EINVAL, "syscalls[0].names: expected an array"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[7],"
                                "'action':'SCMP_ACT_ALLOW'}]}",
                                EINVAL, "syscalls[0].names[0]: expected a string"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW',"
                                "'args':[{'index':'0','value':1,'op':'SCMP_CMP_EQ'}]}]}",
                                EINVAL, "args[0].index: expected an unsigned integer"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW',"
                                "'args':[{'index':0,'value':1.5,'op':'SCMP_CMP_EQ'}]}]}",
                                EINVAL, "args[0].value: expected an unsigned integer"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW',"
                                "'args':[{'index':0,'value':-1,'op':'SCMP_CMP_EQ'}]}]}",
                                EINVAL, "must not be negative"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':true}", EINVAL,
                                "defaultErrnoRet: expected an unsigned integer"), 0);

        /* Missing, unknown or misplaced keys and values. */
        ASSERT_EQ(expect_reject("{}", EINVAL, "'defaultAction' is missing"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscall':[]}", EINVAL,
                                "unknown key 'syscall'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['clone'],"
                                "'action':'SCMP_ACT_ALLOW','exclude':{'caps':['CAP_SYS_ADMIN']}}]}",
                                EINVAL, "syscalls[0]: unknown key 'exclude'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read']}]}",
                                EINVAL, "syscalls[0]: 'action' is missing"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[],"
                                "'action':'SCMP_ACT_ALLOW'}]}", EINVAL, "names is missing or empty"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1}", EINVAL,
                                "only valid with SCMP_ACT_ERRNO"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':4096}", EINVAL,
                                "out of range"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64'],"
                                "'archMap':[{'architecture':'SCMP_ARCH_X86_64'}]}", EINVAL, "not both"), 0);

        /* Unknown actions, operators, architectures, capabilities, flags. */
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_YOLO'}",
                                EINVAL, "unknown action 'SCMP_ACT_YOLO'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_NOTIFY'}", EINVAL, "not supported"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'/run/agent.sock'}",
                                EINVAL, "listenerPath"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW',"
                                "'args':[{'index':0,'value':1,'op':'SCMP_CMP_FOO'}]}]}",
                                EINVAL, "args[0].op: unknown operator 'SCMP_CMP_FOO'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1}]}]}",
                                EINVAL, "args[0].op: missing"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW',"
                                "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
                                EINVAL, "args[0].index: 6 is out of range"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW',"
                                "'args':[{'index':0,'value':1,'op':'SCMP_CMP_EQ','mask':1}]}]}",
                                EINVAL, "unknown key 'mask'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO',"
                                "'archMap':[{'architecture':'SCMP_ARCH_Z80'}]}",
                                EINVAL, "unknown architecture 'SCMP_ARCH_Z80'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW','includes':{'arches':['vax']}}]}",
                                EINVAL, "includes.arches[0]: unknown architecture 'vax'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW','includes':{'caps':['CAP_GODMODE']}}]}",
                                EINVAL, "includes.caps[0]: unknown capability 'CAP_GODMODE'"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW','excludes':{'minKernel':'4'}}]}",
                                EINVAL, "excludes.minKernel: expected a kernel version"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO',"
                                "'flags':['SECCOMP_FILTER_FLAG_NEW_LISTENER']}",
                                EINVAL, "unsupported flag"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                                "'action':'SCMP_ACT_ALLOW','errnoRet':1}]}", EINVAL,
                                "errnoRet: only valid with"), 0);

        /* Names: bounded, printable, escaped in the message. */
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['READ'],"
                                "'action':'SCMP_ACT_ALLOW'}]}", EINVAL, "'READ' is not a syscall name"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['re\\u0000ad'],"
                                "'action':'SCMP_ACT_ALLOW'}]}", EINVAL, "expected a name"), 0);
        ASSERT_EQ(expect_reject("{'defaultAction':'SCMP_ACT_\\u001b[31m'}", EINVAL,
                                "unknown action 'SCMP_ACT_\\x1b[31m'"), 0);
        long_name = malloc(400);
        ASSERT_TRUE(long_name);
        snprintf(long_name, 400, "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['%0100d'],"
                 "'action':'SCMP_ACT_ALLOW'}]}", 0);
        ASSERT_EQ(expect_reject(long_name, EINVAL, "expected a name of 1 to 64 characters"), 0);

        /* Huge arrays. */
        many_args = strdup("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
                           "'action':'SCMP_ACT_ALLOW','args':["
                           "{'index':0,'value':1,'op':'SCMP_CMP_EQ'},"
                           "{'index':1,'value':1,'op':'SCMP_CMP_EQ'},"
                           "{'index':2,'value':1,'op':'SCMP_CMP_EQ'},"
                           "{'index':3,'value':1,'op':'SCMP_CMP_EQ'},"
                           "{'index':4,'value':1,'op':'SCMP_CMP_EQ'},"
                           "{'index':5,'value':1,'op':'SCMP_CMP_EQ'},"
                           "{'index':0,'value':2,'op':'SCMP_CMP_EQ'}]}]}");
        ASSERT_TRUE(many_args);
        ASSERT_EQ(expect_reject(many_args, EINVAL, "args: 7 entries, more than the 6 allowed"), 0);

        n = SECCOMP_PROFILE_RULES_MAX + 1;
        many_rules = malloc(64 + n * 48);
        ASSERT_TRUE(many_rules);
        e = stpcpy(many_rules, "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[");
        for (size_t i = 0; i < n; i++)
                e = stpcpy(e, i ? ",{'names':['read'],'action':'SCMP_ACT_ALLOW'}"
                                : "{'names':['read'],'action':'SCMP_ACT_ALLOW'}");
        strcpy(e, "]}");
        ASSERT_EQ(expect_reject(many_rules, EINVAL, "syscalls: 1025 entries, more than the 1024 allowed"), 0);

        n = SECCOMP_PROFILE_NAMES_MAX + 1;
        many_names = malloc(128 + n * 8);
        ASSERT_TRUE(many_names);
        e = stpcpy(many_names, "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[");
        for (size_t i = 0; i < n; i++)
                e = stpcpy(e, i ? ",'read'" : "'read'");
        strcpy(e, "],'action':'SCMP_ACT_ALLOW'}]}");
        ASSERT_EQ(expect_reject(many_names, EINVAL, "more than the 8192 allowed"), 0);

        /* Deep nesting is refused by the tokenizer, not recursed into. */
        deep = malloc(2 * 10000 + 64);
        ASSERT_TRUE(deep);
        memset(deep, '[', 10000);
        memset(deep + 10000, ']', 10000);
        deep[20000] = 0;
        ASSERT_EQ(expect_reject(deep, EBADMSG, "not valid JSON"), 0);

        /* Too big, and NUL bytes. */
        big = calloc(1, SECCOMP_PROFILE_FILE_MAX + 2);
        ASSERT_TRUE(big);
        memset(big, ' ', SECCOMP_PROFILE_FILE_MAX + 1);
        ASSERT_EQ(expect_reject(big, EFBIG, "larger than"), 0);
        {
                _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
                _cleanup_free_ char *reason = NULL;

                ASSERT_ERROR(seccomp_profile_from_string("{}\0{}", 5, &p, &reason), EBADMSG);
                ASSERT_TRUE(strstr(reason, "NUL"));
        }
        return 0;
}

TEST(load_file_errors) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *reason = NULL, *reason2 = NULL;

        ASSERT_ERROR(seccomp_profile_load_file("/nonexistent/dray/profile.json", &p, &reason), ENOENT);
        ASSERT_TRUE(reason && strstr(reason, "cannot open"));
        ASSERT_ERROR(seccomp_profile_load_file("/", &p, &reason2), EINVAL);
        ASSERT_TRUE(reason2 && strstr(reason2, "not a regular file"));
        ASSERT_ERROR(seccomp_profile_load_file("/dev/null", &p, NULL), EINVAL);
        ASSERT_TRUE(p == NULL);
        return 0;
}

/* policy/seccomp-boot.json (--boot): nspawn's allow list. What systemd needs and Docker's profile
 * refuses is in it (keyctl stays out: the keyring is not namespaced, nspawn leaves it out too);
 * reboot() only with CAP_SYS_BOOT, which a poweroff of the inner systemd takes. */
TEST(boot_profile_policy) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        static const char *const boot_needs[] = {
                "mount", "umount2", "pivot_root", "unshare", "setns", "name_to_handle_at", "sethostname",
                "io_uring_setup", "ioprio_set", "clone3", "open_tree", "move_mount", NULL,
        };
        static const char *const never[] = {
                "keyctl", "add_key", "request_key", "bpf", "kexec_load", "open_by_handle_at",
                "perf_event_open", "swapon", "quotactl", "fanotify_init", "lookup_dcookie", NULL,
        };

        ASSERT_OK(seccomp_profile_load_file(DRAY_TEST_SECCOMP_BOOT_PROFILE, &p, NULL));
        ASSERT_EQ(p->default_action.ret, EPERM);
        for (const char *const *n = boot_needs; *n; n++)
                if (!allowed_unconditionally(p, *n, 0)) {
                        fprintf(stderr, "%s is not allowed\n", *n);
                        return 1;
                }
        for (const char *const *n = never; *n; n++)
                if (allowed(p, *n, UINT64_MAX)) {
                        fprintf(stderr, "%s is allowed\n", *n);
                        return 1;
                }
        ASSERT_FALSE(allowed(p, "reboot", 0));
        ASSERT_TRUE(allowed(p, "reboot", CAP(CAP_SYS_BOOT)));
        ASSERT_FALSE(allowed(p, "settimeofday", CAP(CAP_SYS_BOOT)));
        /* socket() is conditional: NETLINK_AUDIT answers EAFNOSUPPORT. */
        ASSERT_FALSE(allowed_unconditionally(p, "socket", UINT64_MAX));
        ASSERT_TRUE(allowed(p, "socket", 0));
        return 0;
}
