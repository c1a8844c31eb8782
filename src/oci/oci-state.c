/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic-write.h"
#include "oci-cgroup.h"
#include "oci-state.h"
#include "proc-util.h"

OciState *oci_state_free(OciState *s) {
        if (!s)
                return NULL;
        free(s->id);
        free(s->bundle);
        free(s->created);
        free(s->cgroup);
        free(s->unit);
        free(s->config);
        json_object_put(s->annotations);
        json_object_put(s->hooks);
        free(s);
        return NULL;
}

const char *oci_status_to_string(OciStatus s) {
        static const char *const names[_OCI_STATUS_MAX] = { "creating", "created", "running", "paused", "stopped" };
        return s >= 0 && s < _OCI_STATUS_MAX ? names[s] : NULL;
}

int oci_state_save(int dir_fd, const OciState *s) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        if ((r = json_add_string(o, "id", s->id)) < 0 || (r = json_add_string(o, "bundle", s->bundle)) < 0 ||
            (r = json_add_int(o, "pid", (int) s->pid)) < 0 || (r = json_add_uint64(o, "starttime", s->starttime)) < 0 ||
            (r = json_add_string(o, "created", s->created)) < 0 || (r = json_add_string(o, "cgroup", s->cgroup)) < 0 ||
            (r = json_add_string(o, "unit", s->unit)) < 0 || (r = json_add_bool(o, "own_cgroup", s->own_cgroup)) < 0 ||
            (r = json_add_string(o, "config", s->config)) < 0)
                return r;
        if (s->annotations && json_object_object_add(o, "annotations", json_object_get(s->annotations)) < 0)
                return -ENOMEM;
        if (s->hooks && json_object_object_add(o, "hooks", json_object_get(s->hooks)) < 0)
                return -ENOMEM;
        /* /run is a tmpfs: no fsync, but still never a torn file. */
        return json_write_atomic_flags(dir_fd, "state.json", o, 0);
}

static int dup_string(json_object *o, const char *key, char **ret) {
        const char *v = NULL;
        int r = json_get_string(o, key, &v);

        if (r < 0 && r != -ENOENT)
                return r;
        if (v && !(*ret = strdup(v)))
                return -ENOMEM;
        return 0;
}

int oci_state_load(int dir_fd, OciState **ret) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_(oci_state_freep) OciState *s = NULL;
        json_object *v;
        int pid = 0, r;

        r = json_read_file(dir_fd, "state.json", &o);
        if (r < 0)
                return r;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        if ((r = dup_string(o, "id", &s->id)) < 0 || (r = dup_string(o, "bundle", &s->bundle)) < 0 ||
            (r = dup_string(o, "created", &s->created)) < 0 || (r = dup_string(o, "cgroup", &s->cgroup)) < 0 ||
            (r = dup_string(o, "unit", &s->unit)) < 0 || (r = dup_string(o, "config", &s->config)) < 0)
                return r;
        if (json_get_int(o, "pid", &pid) < 0 || pid <= 0 || json_get_uint64(o, "starttime", &s->starttime) < 0 || !s->id)
                return -EBADMSG;
        (void) json_get_bool(o, "own_cgroup", &s->own_cgroup);
        s->pid = pid;
        if (json_object_object_get_ex(o, "annotations", &v) && json_object_is_type(v, json_type_object))
                s->annotations = json_object_get(v);
        if (json_object_object_get_ex(o, "hooks", &v) && json_object_is_type(v, json_type_object))
                s->hooks = json_object_get(v);
        *ret = TAKE_PTR(s);
        return 0;
}

bool oci_state_alive(const OciState *s) {
        uint64_t st;

        if (s->pid <= 0 || proc_get_starttime(s->pid, &st) < 0)
                return false;
        if (st != s->starttime)
                return false;
        /* A zombie no one has reaped yet (its shim is slow) has stopped all the same. */
        {
                char path[64], buf[512];
                _cleanup_close_ int fd = -EBADF;
                ssize_t n;
                char *p;

                (void) snprintf(path, sizeof(path), "/proc/%d/stat", (int) s->pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return false;
                n = read(fd, buf, sizeof(buf) - 1);
                if (n <= 0)
                        return false;
                buf[n] = 0;
                p = strrchr(buf, ')');
                if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
                        return false;
        }
        return true;
}

OciStatus oci_state_status(int dir_fd, const OciState *s) {
        if (!oci_state_alive(s))
                return OCI_STATUS_STOPPED;
        if (faccessat(dir_fd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return OCI_STATUS_CREATED;
        if (s->cgroup && oci_cgroup_is_frozen(s->cgroup) > 0)
                return OCI_STATUS_PAUSED;
        return OCI_STATUS_RUNNING;
}

int oci_state_to_json(const OciState *s, OciStatus status, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        if ((r = json_add_string(o, "ociVersion", OCI_VERSION)) < 0 || (r = json_add_string(o, "id", s->id)) < 0 ||
            (r = json_add_string(o, "status", oci_status_to_string(status))) < 0 ||
            (r = json_add_int(o, "pid", status == OCI_STATUS_STOPPED ? 0 : (int) s->pid)) < 0 ||
            (r = json_add_string(o, "bundle", s->bundle)) < 0 || (r = json_add_string(o, "created", s->created)) < 0)
                return r;
        if (json_object_object_add(o, "annotations",
                                   s->annotations ? json_object_get(s->annotations) : json_object_new_object()) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}
