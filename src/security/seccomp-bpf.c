/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "seccomp-bpf.h"

#define SECCOMP_BPF_FLAGS_KNOWN \
        (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW)

static uint32_t blob_flags(const SeccompProfile *p) {
        uint32_t flags = 0;

        /* What seccomp_load() would pass for the attributes set_attributes() sets from these. */
        if (p->flags & SECCOMP_PROFILE_FLAG_TSYNC)
                flags |= SECCOMP_FILTER_FLAG_TSYNC;
        if (p->flags & SECCOMP_PROFILE_FLAG_LOG)
                flags |= SECCOMP_FILTER_FLAG_LOG;
        if (p->flags & SECCOMP_PROFILE_FLAG_SPEC_ALLOW)
                flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        return flags;
}

int seccomp_profile_export_blob(const SeccompProfile *p, uint64_t caps, int fd) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        SeccompBpfHeader h = { .magic = SECCOMP_BPF_MAGIC, .flags = blob_flags(p) };
        off_t end;
        int r;

        r = seccomp_profile_compile(p, caps, &ctx);
        if (r < 0)
                return r;
        /* The program goes after the header; the header is written last, once its length is known. */
        if (lseek(fd, sizeof(h), SEEK_SET) < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return log_debug_errno(r, "seccomp: cannot generate the filter: %m");
        end = lseek(fd, 0, SEEK_CUR);
        if (end < 0)
                return -errno;
        if ((end - (off_t) sizeof(h)) % (off_t) sizeof(struct sock_filter) != 0)
                return -EIO;
        h.n_insns = (uint32_t) ((end - (off_t) sizeof(h)) / (off_t) sizeof(struct sock_filter));
        if (h.n_insns == 0 || h.n_insns > SECCOMP_BPF_INSNS_MAX)
                return log_debug_errno(SYNTHETIC_ERRNO(E2BIG), "seccomp: the filter has %u instructions",
                                       h.n_insns);
        if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t) sizeof(h))
                return errno > 0 ? -errno : -EIO;
        return 0;
}

int seccomp_blob_load(int fd) {
        _cleanup_free_ struct sock_filter *insns = NULL;
        struct sock_fprog prog;
        SeccompBpfHeader h;
        struct stat st;
        size_t size;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (pread(fd, &h, sizeof(h), 0) != (ssize_t) sizeof(h))
                return -EBADMSG;
        if (memcmp(h.magic, SECCOMP_BPF_MAGIC, sizeof(h.magic)) != 0 || (h.flags & ~SECCOMP_BPF_FLAGS_KNOWN) ||
            h.n_insns == 0 || h.n_insns > SECCOMP_BPF_INSNS_MAX)
                return -EBADMSG;
        size = (size_t) h.n_insns * sizeof(struct sock_filter);
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size != sizeof(h) + size)
                return -EBADMSG;
        insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        n = pread(fd, insns, size, sizeof(h));
        if (n < 0)
                return -errno;
        if ((size_t) n != size)
                return -EBADMSG;

        prog = (struct sock_fprog) { .len = (unsigned short) h.n_insns, .filter = insns };
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, h.flags, &prog) < 0)
                return -errno;
        return 0;
}
