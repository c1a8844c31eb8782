/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-names.h"
#include "child-process.h"
#include "container-privilege.h"
#include "image-dbus.h"
#include "log.h"
#include "container.h"
#include "manager.h"
#include "mount-spec.h"
#include "polkit.h"
#include "strv.h"
#include "tree-cp.h"
#include "utf8.h"

typedef struct CopyJob {
        Manager *manager;
        sd_bus_message *call;    /* answered when the worker ends */
        ChildProcess *worker;
        bool to;                 /* CopyToContainer */
        bool keep_owner;
        int fd;
        char *path, *container;
        pid_t pid;               /* a running container's init; 0: stopped */
        char **layers;
        char *upper_dir, *work_dir, *mount_point;
        int error;
        char message[UNPACK_MESSAGE_MAX];
} CopyJob;

static CopyJob *copy_job_free(CopyJob *j) {
        if (!j)
                return NULL;
        child_process_free(j->worker);
        sd_bus_message_unref(j->call);
        safe_close(j->fd);
        free(j->path);
        free(j->container);
        strv_free(j->layers);
        free(j->upper_dir);
        free(j->work_dir);
        free(j->mount_point);
        free(j);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(CopyJob *, copy_job_free);

/* ---- the worker -------------------------------------------------------------------------------- */

static int worker_main(int report_fd, void *userdata) {
        CopyJob *j = userdata;
        _cleanup_close_ int proc_fd = -EBADF;
        UnpackError error = {};
        TreeRoot root = {
                .pid = j->pid, .layers = j->layers, .upper_dir = j->upper_dir, .work_dir = j->work_dir,
                .mount_point = j->mount_point, .writable = j->to,
        };
        int r;

        /* The client may go away mid-stream: a write error, not a silent death. */
        (void) signal(SIGPIPE, SIG_IGN);
        proc_fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = proc_fd < 0 ? -errno : tree_root_enter(&root, &error);
        if (r >= 0)
                r = j->to ? tree_cp_extract(j->fd, j->path, j->keep_owner, &error)
                          : tree_cp_archive(j->path, j->fd, proc_fd, &error);
        if (r < 0)
                dprintf(report_fd, "ERR %d %s\n", -r, error.message[0] ? error.message : strerror(-r));
        return r;
}

static void on_line(ChildProcess *c, char *line, void *userdata) {
        CopyJob *j = userdata;
        int e, n = 0;

        if (sscanf(line, "ERR %d %n", &e, &n) >= 1 && n > 0 && e > 0) {
                j->error = e;
                (void) snprintf(j->message, sizeof(j->message), "%s", line + n);
        }
}

static void on_worker_exit(ChildProcess *c, const ChildExit *e, void *userdata) {
        _cleanup_(copy_job_freep) CopyJob *j = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char how[64];
        int r;

        if (child_exit_is_success(e)) {
                r = sd_bus_reply_method_return(j->call, NULL);
                if (r < 0)
                        log_debug_errno(r, "Failed to answer a copy, ignoring: %m");
                return;
        }
        child_exit_describe(e, how, sizeof(how));
        if (!utf8_is_valid(j->message))
                j->message[0] = 0;
        (void) sd_bus_error_set_errnof(&error, j->error ?: EIO, "Cannot copy %s '%s' %s container '%s': %s.",
                                       j->to ? "to" : "from", j->path, j->to ? "in" : "of", j->container,
                                       j->message[0] ? j->message : how);
        r = sd_bus_reply_method_error(j->call, &error);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a copy, ignoring: %m");
}

/* ---- preparing --------------------------------------------------------------------------------- */

static int make_upper(const char *path, const char *lower) {
        struct stat st;

        if (stat(lower, &st) < 0)
                return -errno;
        if (mkdir(path, 0700) < 0) {
                if (errno == EEXIST)
                        return 0;
                return -errno;
        }
        /* What the runtime gives an empty upper: the lower root's owner and mode, as "/" shows them. */
        if (chown(path, st.st_uid, st.st_gid) < 0 || chmod(path, st.st_mode & 07777) < 0)
                return -errno;
        return 0;
}

/* Where the worker finds the root: the running container's namespace, or its directories. */
static int copy_job_locate(CopyJob *j, Container *c, sd_bus_error *error) {
        Manager *m = j->manager;
        struct stat st;
        int r;

        if (j->to && !spec_uses_overlay(c->spec))
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                         "Container '%s' runs on the directory '%s', which drayd does not own: "
                                         "copy into it on the host instead.", c->spec->name, c->spec->rootfs);
        if (c->rec.state == CONTAINER_RUNNING && c->rec.pid > 0) {
                j->pid = c->rec.pid;
                return 0;
        }
        if (j->to && !c->spec->layers)
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                         "Container '%s' is not running and its changes are discarded at its next "
                                         "start (--ephemeral): start it first.", c->spec->name);
        j->layers = c->spec->layers ? strv_copy(c->spec->layers) : strv_copy((char *[]) { c->spec->rootfs, NULL });
        if (!j->layers || asprintf(&j->mount_point, "%s/tmp", m->state_dir) < 0)
                return -ENOMEM;
        if (!spec_uses_overlay(c->spec))
                return 0;
        if (asprintf(&j->upper_dir, "%s/containers/%s/upper", m->state_dir, c->spec->id) < 0 ||
            asprintf(&j->work_dir, "%s/containers/%s/work", m->state_dir, c->spec->id) < 0)
                return -ENOMEM;
        if (j->to) {
                r = make_upper(j->upper_dir, j->layers[0]);
                if (r >= 0 && mkdir(j->work_dir, 0700) < 0 && errno != EEXIST)
                        r = -errno;
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Cannot prepare container '%s' for the copy: %m",
                                                       c->spec->name);
        } else if (stat(j->upper_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                free(j->upper_dir); /* never started: the image alone */
                j->upper_dir = NULL;
        }
        return 0;
}

static int read_options(sd_bus_message *message, bool to, bool *ret_keep_owner, sd_bus_error *error) {
        const char *key;
        int b, r;

        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(message, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                r = sd_bus_message_read(message, "s", &key);
                if (r < 0)
                        return r;
                if (!to || !streq(key, "KeepOwnership"))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%.64s'.", key);
                r = sd_bus_message_read(message, "v", "b", &b);
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "Option 'KeepOwnership' must be of type 'b'.");
                *ret_keep_owner = b;
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(message);
}

static int check_path(const char *path, sd_bus_error *error) {
        if (isempty(path) || path[0] != '/' || strlen(path) >= PATH_MAX || !utf8_is_valid(path))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The path in the container must be absolute ('%.128s').", strempty(path));
        for (const char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "The path in the container has control characters.");
        return 0;
}

static int method_copy(sd_bus_message *message, Manager *m, bool to, sd_bus_error *error) {
        _cleanup_(copy_job_freep) CopyJob *j = NULL;
        const char *container, *path, *details[] = { "container", NULL, NULL };
        bool keep_owner = false;
        _cleanup_close_ int fd = -EBADF;
        Container *c;
        int r;

        r = sd_bus_message_read(message, "ss", &container, &path);
        if (r < 0)
                return r;
        r = bus_message_take_fd(message, !to, &fd, error);
        if (r < 0)
                return r;
        r = read_options(message, to, &keep_owner, error);
        if (r < 0)
                return r;
        r = check_path(path, error);
        if (r < 0)
                return r;
        r = manager_find_container(m, container, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", container);
        details[1] = c->spec->name;
        r = dray_verify_polkit_async(message, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, m->polkit_registry, error);
        if (r <= 0)
                return r < 0 ? r : 1;

        j = calloc(1, sizeof(CopyJob));
        if (!j)
                return -ENOMEM;
        *j = (CopyJob) { .manager = m, .to = to, .keep_owner = keep_owner, .fd = TAKE_FD(fd),
                         .call = sd_bus_message_ref(message) };
        j->path = strdup(path);
        j->container = strdup(c->spec->name);
        if (!j->path || !j->container)
                return -ENOMEM;
        r = copy_job_locate(j, c, error);
        if (r < 0)
                return r;
        r = child_process_spawn(m->event,
                                &(ChildProcessArgs) { .what = "copy", .main = worker_main, .main_userdata = j,
                                                      .on_line = on_line, .on_exit = on_worker_exit, .userdata = j },
                                &j->worker);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to start the copy: %m");
        /* The worker has its own copy of the client's fd. */
        j->fd = safe_close(j->fd);
        log_debug("Copying %s '%s' %s container %s.", to ? "to" : "from", path, to ? "in" : "of", c->spec->name);
        TAKE_PTR(j);
        return 1;
}

static int method_copy_from_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return method_copy(message, userdata, false, error);
}

static int method_copy_to_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return method_copy(message, userdata, true, error);
}

const sd_bus_vtable manager_cp_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("CopyFromContainer",
                                SD_BUS_ARGS("s", container, "s", path, "h", fd, "a{sv}", options),
                                SD_BUS_NO_RESULT,
                                method_copy_from_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CopyToContainer",
                                SD_BUS_ARGS("s", container, "s", path, "h", fd, "a{sv}", options),
                                SD_BUS_NO_RESULT,
                                method_copy_to_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
