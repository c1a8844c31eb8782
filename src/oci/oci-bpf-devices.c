/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macros.h"
#include "oci-bpf-devices.h"

/* The instructions the program uses, spelled as the kernel's filter.h spells them. */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
        return (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}
#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) insn(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(op, dst, imm, off) insn(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: r2 the type (BPF_DEVCG_DEV_*), r3 the access bits not yet allowed, r4 major, r5 minor,
 * r1 (the context, once loaded) scratch. */
enum { R0, R1, R2, R3, R4, R5 };

/* One rule: its tests jump past its body when the request is not one it names. */
static size_t append_rule(const OciDeviceRule *r, struct bpf_insn *p) {
        struct bpf_insn tests[3];
        size_t n_tests = 0, n_body, n = 0;

        if (r->type != 'a')
                tests[n_tests++] = JMP_IMM(BPF_JNE, R2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
        if (r->major != OCI_DEV_WILDCARD)
                tests[n_tests++] = JMP_IMM(BPF_JNE, R4, r->major, 0);
        if (r->minor != OCI_DEV_WILDCARD)
                tests[n_tests++] = JMP_IMM(BPF_JNE, R5, r->minor, 0);
        n_body = r->allow ? 4 : 5;
        for (size_t i = 0; i < n_tests; i++) {
                tests[i].off = (int16_t) (n_tests - i - 1 + n_body);
                p[n++] = tests[i];
        }
        if (r->allow) {
                /* The bits it allows are decided; all decided: allowed. */
                p[n++] = ALU32_IMM(BPF_AND, R3, (int32_t) (~r->access & OCI_DEV_ACC_ALL));
                p[n++] = JMP_IMM(BPF_JNE, R3, 0, 2);
                p[n++] = MOV64_IMM(R0, 1);
                p[n++] = EXIT();
        } else {
                /* A bit still undecided that it denies: refused. */
                p[n++] = MOV32_REG(R1, R3);
                p[n++] = ALU32_IMM(BPF_AND, R1, (int32_t) r->access);
                p[n++] = JMP_IMM(BPF_JEQ, R1, 0, 2);
                p[n++] = MOV64_IMM(R0, 0);
                p[n++] = EXIT();
        }
        return n;
}

int oci_bpf_devices_build(const OciDeviceRule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n) {
        struct bpf_insn *p;
        size_t k = 0;

        if (n > OCI_DEVICE_RULES_MAX * 2)
                return -E2BIG;
        p = calloc(6 + n * 8 + 2, sizeof(*p));
        if (!p)
                return -ENOMEM;
        /* struct bpf_cgroup_dev_ctx: access_type is (access << 16) | type. */
        p[k++] = LDX_W(R2, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[k++] = ALU32_IMM(BPF_AND, R2, 0xffff);
        p[k++] = LDX_W(R3, R1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        p[k++] = ALU32_IMM(BPF_RSH, R3, 16);
        p[k++] = LDX_W(R4, R1, offsetof(struct bpf_cgroup_dev_ctx, major));
        p[k++] = LDX_W(R5, R1, offsetof(struct bpf_cgroup_dev_ctx, minor));
        for (size_t i = n; i > 0; i--)
                k += append_rule(&rules[i - 1], p + k);
        p[k++] = MOV64_IMM(R0, 0);
        p[k++] = EXIT();
        *ret = p;
        *ret_n = k;
        return 0;
}

static int bpf(int cmd, union bpf_attr *attr) {
        long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

        return r < 0 ? -errno : (int) r;
}

int oci_bpf_devices_attach(int cgroup_fd, const struct bpf_insn *insns, size_t n, char **ret_error) {
        _cleanup_free_ char *log = NULL;
        _cleanup_close_ int prog = -EBADF;
        union bpf_attr attr = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insns = (uintptr_t) insns,
                .insn_cnt = (uint32_t) n,
                .license = (uintptr_t) "GPL",
        };
        int r;

        prog = bpf(BPF_PROG_LOAD, &attr);
        if (prog == -EINVAL || prog == -EACCES) {
                /* Again with the verifier's log, for the message. */
                log = calloc(1, 4096);
                if (log) {
                        attr.log_buf = (uintptr_t) log;
                        attr.log_size = 4096;
                        attr.log_level = 1;
                        prog = bpf(BPF_PROG_LOAD, &attr);
                }
        }
        if (prog < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "load the device cgroup's BPF program: %s%s%s", strerror(-prog),
                                        log && *log ? ": " : "", log ? log : "");
                return prog;
        }
        attr = (union bpf_attr) {
                .target_fd = (uint32_t) cgroup_fd,
                .attach_bpf_fd = (uint32_t) prog,
                .attach_type = BPF_CGROUP_DEVICE,
                .attach_flags = BPF_F_ALLOW_MULTI,
        };
        r = bpf(BPF_PROG_ATTACH, &attr);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "attach the device cgroup's BPF program: %s", strerror(-r));
                return r;
        }
        return 0;
}
