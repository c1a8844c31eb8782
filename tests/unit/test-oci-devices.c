/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-oci's device rules: the parser's refusals name the key and index; the BPF program, run here by a
 * small interpreter of the instructions it uses, decides every request as the reference does. */
#include <string.h>

#include "oci-bpf-devices.h"
#include "oci-devices.h"
#include "test.h"

static int parse_text(const char *text, OciDeviceRules *d, char **ret_error) {
        _cleanup_json_ json_object *o = json_tokener_parse(text);

        if (!o)
                return -EBADMSG;
        return oci_device_rules_parse(o, d, ret_error);
}

/* Runs the program over one request; -1 on an instruction outside the emitted subset or a jump out. */
static int run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
        struct bpf_cgroup_dev_ctx ctx = { .access_type = (access << 16) | type, .major = major, .minor = minor };
        uint64_t r[11] = { [1] = 0 };
        size_t pc = 0;

        for (unsigned steps = 0; pc < n && steps < 100000; steps++) {
                const struct bpf_insn *i = &p[pc++];
                uint64_t imm = (uint64_t) (int64_t) i->imm;

                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        if (i->src_reg != 1 || i->off < 0 || (size_t) i->off + 4 > sizeof(ctx) || r[1] != 0)
                                return -1;
                        r[i->dst_reg] = *(const uint32_t *) ((const char *) &ctx + i->off);
                        break;
                case BPF_ALU | BPF_AND | BPF_K: r[i->dst_reg] = (uint32_t) (r[i->dst_reg] & imm); break;
                case BPF_ALU | BPF_RSH | BPF_K: r[i->dst_reg] = (uint32_t) r[i->dst_reg] >> i->imm; break;
                case BPF_ALU | BPF_MOV | BPF_X: r[i->dst_reg] = (uint32_t) r[i->src_reg]; break;
                case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = imm; break;
                case BPF_JMP | BPF_JNE | BPF_K: if (r[i->dst_reg] != imm) pc += i->off; break;
                case BPF_JMP | BPF_JEQ | BPF_K: if (r[i->dst_reg] == imm) pc += i->off; break;
                case BPF_JMP | BPF_EXIT: return (int) r[0];
                default: return -1;
                }
        }
        return -1;
}

/* Every request on a grid of numbers, types and access sets: program and reference agree. */
static int check_all(const OciDeviceRules *d) {
        _cleanup_free_ OciDeviceRule *rules = NULL;
        _cleanup_free_ struct bpf_insn *prog = NULL;
        static const uint32_t majors[] = { 0, 1, 5, 10, 136, 254, 4095 }, minors[] = { 0, 1, 2, 3, 5, 7, 200, 229, 1048575 };
        size_t n, n_prog;

        ASSERT_OK(oci_device_rules_effective(d, &rules, &n));
        ASSERT_OK(oci_bpf_devices_build(rules, n, &prog, &n_prog));
        for (size_t a = 0; a < ELEMENTSOF(majors); a++)
                for (size_t b = 0; b < ELEMENTSOF(minors); b++)
                        for (uint32_t type = BPF_DEVCG_DEV_BLOCK; type <= BPF_DEVCG_DEV_CHAR; type++)
                                for (uint32_t acc = 1; acc <= OCI_DEV_ACC_ALL; acc++) {
                                        bool want = oci_device_rules_allows(rules, n, type == BPF_DEVCG_DEV_BLOCK ? 'b' : 'c',
                                                                            majors[a], minors[b], acc);

                                        ASSERT_EQ(run(prog, n_prog, type, acc, majors[a], minors[b]), want ? 1 : 0);
                                }
        return 0;
}

static bool allows(const OciDeviceRules *d, char type, uint32_t major, uint32_t minor, const char *access) {
        _cleanup_free_ OciDeviceRule *rules = NULL;
        size_t n;
        unsigned acc = (strchr(access, 'r') ? OCI_DEV_ACC_READ : 0) | (strchr(access, 'w') ? OCI_DEV_ACC_WRITE : 0) |
                       (strchr(access, 'm') ? OCI_DEV_ACC_MKNOD : 0);

        return oci_device_rules_effective(d, &rules, &n) >= 0 && oci_device_rules_allows(rules, n, type, major, minor, acc);
}

TEST(defaults_only) {
        OciDeviceRules d = {};

        ASSERT_OK(parse_text("[{\"allow\":false,\"access\":\"rwm\"}]", &d, NULL));
        ASSERT_EQ(d.n_user, 1U);
        ASSERT_TRUE(allows(&d, 'c', 1, 3, "rw"));     /* null */
        ASSERT_TRUE(allows(&d, 'c', 136, 7, "rw"));   /* a pts */
        ASSERT_TRUE(allows(&d, 'c', 1, 1, "m"));      /* mknod of anything, as runc */
        ASSERT_FALSE(allows(&d, 'c', 1, 1, "r"));     /* mem */
        ASSERT_FALSE(allows(&d, 'c', 10, 237, "rw")); /* loop-control */
        ASSERT_FALSE(allows(&d, 'b', 7, 0, "r"));
        ASSERT_EQ(check_all(&d), 0);
        /* A config cannot take the defaults away: they come after its rules. */
        ASSERT_OK(parse_text("[{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3}]", &d, NULL));
        ASSERT_TRUE(allows(&d, 'c', 1, 3, "rwm"));
        oci_device_rules_done(&d);
        return 0;
}

TEST(order_wildcards_nodes) {
        OciDeviceRules d = {};

        /* Last match wins, per access: all of major 1 readable, 1:11 denied after, 1:11's write allowed after. */
        ASSERT_OK(parse_text("[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":-1,\"access\":\"r\"},"
                             "{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":11},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,\"access\":\"w\"}]",
                             &d, NULL));
        ASSERT_TRUE(allows(&d, 'c', 1, 1, "r"));
        ASSERT_FALSE(allows(&d, 'c', 1, 1, "rw"));
        ASSERT_FALSE(allows(&d, 'b', 1, 1, "r"));
        ASSERT_FALSE(allows(&d, 'c', 1, 11, "r"));
        ASSERT_TRUE(allows(&d, 'c', 1, 11, "w"));
        ASSERT_FALSE(allows(&d, 'c', 1, 11, "rw"));
        ASSERT_EQ(check_all(&d), 0);
        /* A node of linux.devices is allowed whatever the rules say. */
        ASSERT_OK(oci_device_rules_add_node(&d, 'b', 254, 0));
        ASSERT_TRUE(allows(&d, 'b', 254, 0, "rwm"));
        ASSERT_EQ(check_all(&d), 0);
        /* "a" with everything: all allowed, then a wildcard type with a number. */
        ASSERT_OK(parse_text("[{\"allow\":true,\"type\":\"a\"},{\"allow\":false,\"major\":10,\"access\":\"rw\"}]", &d, NULL));
        ASSERT_TRUE(allows(&d, 'b', 7, 0, "rw"));
        ASSERT_FALSE(allows(&d, 'b', 10, 5, "r"));
        ASSERT_FALSE(allows(&d, 'c', 10, 237, "w"));
        ASSERT_TRUE(allows(&d, 'c', 10, 200, "rw")); /* tun: a default, after */
        ASSERT_EQ(check_all(&d), 0);
        oci_device_rules_done(&d);
        /* No rules at all: the defaults on a deny of everything, as runc and crun. */
        ASSERT_FALSE(allows(&d, 'c', 1, 1, "r"));
        ASSERT_EQ(check_all(&d), 0);
        return 0;
}

TEST(v1_lines) {
        char a[64], b[64];

        ASSERT_EQ(oci_device_rule_v1_lines(&(OciDeviceRule) { true, 'a', -1, -1, OCI_DEV_ACC_ALL }, a, b), 1);
        ASSERT_STREQ(a, "a");
        ASSERT_EQ(oci_device_rule_v1_lines(&(OciDeviceRule) { true, 'c', 1, -1, OCI_DEV_ACC_READ | OCI_DEV_ACC_MKNOD }, a, b), 1);
        ASSERT_STREQ(a, "c 1:* rm");
        ASSERT_EQ(oci_device_rule_v1_lines(&(OciDeviceRule) { false, 'a', 8, 0, OCI_DEV_ACC_WRITE }, a, b), 2);
        ASSERT_STREQ(a, "c 8:0 w");
        ASSERT_STREQ(b, "b 8:0 w");
        return 0;
}

TEST(hostile) {
        static const struct {
                const char *json, *message;
        } cases[] = {
                { "[1]", "linux.resources.devices[0]: not an object" },
                { "[{\"allow\":false},{\"type\":\"c\"}]", "linux.resources.devices[1].allow: required" },
                { "[{\"allow\":\"yes\"}]", "linux.resources.devices[0].allow: required" },
                { "[{\"allow\":true,\"type\":\"u\"}]", "linux.resources.devices[0].type: 'u' is not a, c or b" },
                { "[{\"allow\":true,\"type\":\"cc\"}]", "linux.resources.devices[0].type" },
                { "[{\"allow\":true,\"major\":-2}]", "linux.resources.devices[0].major" },
                { "[{\"allow\":true,\"major\":4096}]", "linux.resources.devices[0].major" },
                { "[{\"allow\":true,\"minor\":\"1\"}]", "linux.resources.devices[0].minor" },
                { "[{\"allow\":true,\"minor\":1.5}]", "linux.resources.devices[0].minor" },
                { "[{\"allow\":true,\"minor\":99999999999}]", "linux.resources.devices[0].minor" },
                { "[{\"allow\":true,\"access\":\"rwx\"}]", "linux.resources.devices[0].access: 'rwx'" },
                { "[{\"allow\":true,\"access\":\"\"}]", "linux.resources.devices[0].access" },
                { "[{\"allow\":true,\"access\":\"r\\u0000x\"}]", "linux.resources.devices[0].access" },
                { "[{\"allow\":true,\"access\":7}]", "linux.resources.devices[0].access: not a string" },
        };
        _cleanup_free_ char *many = NULL;
        OciDeviceRules d = {};

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *error = NULL;

                ASSERT_TRUE(parse_text(cases[i].json, &d, &error) < 0);
                if (!error || !strstr(error, cases[i].message))
                        fprintf(stderr, "case %zu: %s\n", i, error ? error : "(no message)");
                ASSERT_TRUE(error && strstr(error, cases[i].message));
                ASSERT_EQ(d.n_user, 0U);
        }
        /* More rules than the limit. */
        many = malloc(OCI_DEVICE_RULES_MAX * 16 + 16);
        ASSERT_TRUE(many);
        strcpy(many, "[");
        for (size_t i = 0; i <= OCI_DEVICE_RULES_MAX; i++)
                strcat(many, i == 0 ? "{\"allow\":true}" : ",{\"allow\":true}");
        strcat(many, "]");
        ASSERT_ERROR(parse_text(many, &d, NULL), E2BIG);
        return 0;
}
