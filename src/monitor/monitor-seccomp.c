/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic-write.h"
#include "log.h"
#include "monitor-seccomp.h"
#include "seccomp-bpf.h"

/* The entry name for this profile file and these capabilities, or -EINVAL when there is none to be had. */
static int cache_key(const struct stat *st, uint64_t caps, char *buf, size_t size) {
        const struct scmp_version *v = seccomp_version();
        struct utsname u;
        int n;

        if (!v || uname(&u) < 0)
                return -EINVAL;
        /* The release goes into a file name: keep only what is harmless there. */
        for (char *c = u.release; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '.' || *c == '-' || *c == '_' || *c == '+'))
                        *c = '_';
        n = snprintf(buf, size, "v1-%" PRIx64 "-%jx-%jx-%jx-%jx.%09ld-%jx.%09ld-%x-%s-%u.%u.%u.bpf", caps,
                     (uintmax_t) st->st_dev, (uintmax_t) st->st_ino, (uintmax_t) st->st_size,
                     (uintmax_t) st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (uintmax_t) st->st_ctim.tv_sec,
                     st->st_ctim.tv_nsec, seccomp_arch_native(), u.release, v->major, v->minor, v->micro);
        if (n < 0 || (size_t) n >= size || (size_t) n > NAME_MAX)
                return -EINVAL;
        return 0;
}

/* An fd of the cache directory if it is ours and nobody else's to write, else -errno. */
static int cache_open(const char *cache_dir) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (mkdir(cache_dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != geteuid() || (st.st_mode & 0022))
                return -EPERM;
        return TAKE_FD(fd);
}

static int cache_lookup(int dir_fd, const char *key) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = openat(dir_fd, key, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022))
                return -EPERM;
        return TAKE_FD(fd);
}

static bool cache_full(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct dirent *de;
        unsigned n = 0;
        DIR *d;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return true;
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return true;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && ++n >= SECCOMP_CACHE_ENTRIES_MAX)
                        break;
        closedir(d);
        return n >= SECCOMP_CACHE_ENTRIES_MAX;
}

/* Best effort: a cache that cannot take the entry only costs the next start a compile. */
static void cache_store(int dir_fd, const char *key, int blob_fd) {
        _cleanup_free_ char *data = NULL;
        struct stat st;
        int r;

        if (cache_full(dir_fd) || fstat(blob_fd, &st) < 0 || st.st_size <= 0 || st.st_size > (1 << 20))
                return;
        data = malloc((size_t) st.st_size);
        if (!data || pread(blob_fd, data, (size_t) st.st_size, 0) != st.st_size)
                return;
        r = write_file_atomic(dir_fd, key, data, (size_t) st.st_size, 0);
        if (r < 0)
                log_debug_errno(r, "Failed to cache the compiled seccomp filter, ignoring: %m");
}

/* The child's end: parse, compile, write the blob, report an error text on err_fd. */
_noreturn_ static void compile_child(int profile_fd, uint64_t caps, int blob_fd, int err_fd) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;
        struct stat st;
        ssize_t n;
        int r;

        if (fstat(profile_fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            (uint64_t) st.st_size > SECCOMP_PROFILE_FILE_MAX) {
                dprintf(err_fd, "not a regular file of at most %u bytes", SECCOMP_PROFILE_FILE_MAX);
                _exit(EINVAL);
        }
        text = malloc((size_t) st.st_size + 1);
        if (!text)
                _exit(ENOMEM);
        n = pread(profile_fd, text, (size_t) st.st_size + 1, 0);
        if (n != st.st_size) {
                dprintf(err_fd, "changed while being read");
                _exit(EIO);
        }
        r = seccomp_profile_from_string(text, (size_t) n, &p, &error);
        if (r < 0) {
                dprintf(err_fd, "%s", error ?: strerror(-r));
                _exit(-r);
        }
        r = seccomp_profile_export_blob(p, caps, blob_fd);
        if (r < 0) {
                dprintf(err_fd, "cannot compile the filter: %s", strerror(-r));
                _exit(-r);
        }
        _exit(0);
}

int monitor_seccomp_compile(int profile_fd, uint64_t caps, int *ret_fd, char **ret_error) {
        _cleanup_close_pair_ int err[2] = { -EBADF, -EBADF };
        _cleanup_close_ int blob = -EBADF, ro = -EBADF;
        char msg[512] = {}, path[64];
        int status;
        ssize_t n;
        pid_t pid;

        blob = memfd_create("dray-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (blob < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                compile_child(profile_fd, caps, blob, err[1]);
        err[1] = safe_close(err[1]);
        n = read(err[0], msg, sizeof(msg) - 1);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                if (ret_error)
                        *ret_error = strdup(n > 0 ? msg : "the compiler process failed");
                return WIFEXITED(status) && WEXITSTATUS(status) != 0 ? -WEXITSTATUS(status) : -EIO;
        }
        if (fcntl(blob, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        /* Read-only from here: the payload gets an fd that cannot write either. */
        (void) snprintf(path, sizeof(path), "/proc/self/fd/%d", blob);
        ro = open(path, O_RDONLY | O_CLOEXEC);
        if (ro < 0)
                return -errno;
        *ret_fd = TAKE_FD(ro);
        return 0;
}

int monitor_seccomp_prepare(const char *cache_dir, const char *profile_path, uint64_t caps, int *ret_fd,
                            char **ret_error) {
        _cleanup_close_ int profile = -EBADF, dir = -EBADF, fd = -EBADF;
        char key[NAME_MAX + 1];
        struct stat st;
        int r;

        profile = open(profile_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (profile < 0 || fstat(profile, &st) < 0) {
                r = -errno;
                if (ret_error)
                        (void) asprintf(ret_error, "cannot open '%s': %s", profile_path, strerror(-r));
                return r;
        }
        if (cache_dir && S_ISREG(st.st_mode) && cache_key(&st, caps, key, sizeof(key)) >= 0) {
                dir = cache_open(cache_dir);
                if (dir < 0)
                        log_debug_errno(dir, "Not using the seccomp cache '%s': %m", cache_dir);
        }
        if (dir >= 0) {
                fd = cache_lookup(dir, key);
                if (fd >= 0) {
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
        }
        r = monitor_seccomp_compile(profile, caps, &fd, ret_error);
        if (r < 0)
                return r;
        if (dir >= 0)
                cache_store(dir, key, fd);
        *ret_fd = TAKE_FD(fd);
        return 0;
}
