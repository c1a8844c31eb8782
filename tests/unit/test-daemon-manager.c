/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Manager without a bus: container lookup (name, ID, prefix, ambiguity), creation and removal on
 * disk, loading back, adoption of live and dead monitors, and the state machine's operations. No
 * root and no systemd needed: a "monitor" here is a child process of the test. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "exit-record.h"
#include "manager-setup.h"
#include "container-internal.h"
#include "proc-util.h"
#include "rm-rf.h"
#include "strv.h"
#include "test.h"

#define ID_A1 "abcd000000000000000000000000000000000000000000000000000000000001"
#define ID_A2 "abcd111100000000000000000000000000000000000000000000000000000002"
#define ID_B "ef01000000000000000000000000000000000000000000000000000000000003"
#define ID_C "1234000000000000000000000000000000000000000000000000000000000004"

typedef struct Fixture {
        char dir[64];
        char state[96], run[96], units[96];
} Fixture;

static int fixture_init(Fixture *f) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-daemon-manager.XXXXXX");
        if (!mkdtemp(f->dir))
                return -errno;
        snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
        snprintf(f->run, sizeof(f->run), "%s/run", f->dir);
        snprintf(f->units, sizeof(f->units), "%s/units", f->dir);
        return 0;
}

static void fixture_done(Fixture *f) {
        (void) rm_rf_path(f->dir);
}

static int manager_open(Fixture *f, Manager **ret) {
        ManagerConfig config = {
                .state_dir = f->state,
                .runtime_dir = f->run,
                .monitor_path = "/nonexistent/dray-monitor",
                .units_dir = f->units,
        };
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = manager_new(&config, &m);
        if (r < 0)
                return r;
        r = manager_load(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static ContainerSpec *spec_make(const char *id, const char *name) {
        ContainerSpec *s = spec_new();

        if (!s)
                return NULL;
        s->id = strdup(id);
        s->name = strdup(name);
        s->rootfs = strdup("/");
        s->created_usec = 1;
        if (!s->id || !s->name || !s->rootfs || strv_extend(&s->command, "true") < 0)
                return spec_free(s);
        return s;
}

static Container *add(Manager *m, const char *id, const char *name) {
        ContainerSpec *s = spec_make(id, name);
        Container *c;

        if (!s || container_new(m, s, &c) < 0)
                return NULL;
        if (manager_add_container(m, c) < 0)
                return container_free(c);
        return c;
}

/* Runs m's event loop until *done or timeout_ms passed. */
static int run_until(Manager *m, bool (*done)(void *), void *userdata, unsigned timeout_ms) {
        for (unsigned i = 0; i < timeout_ms / 10; i++) {
                if (done(userdata))
                        return 0;
                if (sd_event_run(m->event, 10 * USEC_PER_MSEC) < 0)
                        return -EIO;
        }
        return done(userdata) ? 0 : -ETIMEDOUT;
}

TEST(lookup) {
        _cleanup_(manager_freep) Manager *m = NULL;
        Container *a1, *a2, *b, *c, *found;
        Fixture f;

        ASSERT_OK(fixture_init(&f));
        ASSERT_OK(manager_open(&f, &m));
        a1 = add(m, ID_A1, "web");
        a2 = add(m, ID_A2, "db");
        b = add(m, ID_B, "cache");
        ASSERT_TRUE(a1 && a2 && b);

        ASSERT_OK(manager_find_container(m, "web", &found));
        ASSERT_TRUE(found == a1);
        ASSERT_OK(manager_find_container(m, ID_A2, &found));
        ASSERT_TRUE(found == a2);
        ASSERT_OK(manager_find_container(m, "ef01", &found));
        ASSERT_TRUE(found == b);
        ASSERT_OK(manager_find_container(m, "abcd1", &found));
        ASSERT_TRUE(found == a2);
        ASSERT_ERROR(manager_find_container(m, "abcd", &found), ENOTUNIQ);
        ASSERT_ERROR(manager_find_container(m, "abc", &found), ENOENT);  /* under 4 digits */
        ASSERT_ERROR(manager_find_container(m, "ABCD1", &found), ENOENT); /* IDs are lowercase */
        ASSERT_ERROR(manager_find_container(m, "", &found), ENOENT);
        ASSERT_ERROR(manager_find_container(m, NULL, &found), ENOENT);
        ASSERT_ERROR(manager_find_container(m, "nope", &found), ENOENT);
        ASSERT_ERROR(manager_find_container(m, ID_A1 "0", &found), ENOENT);

        /* A name beats an ID prefix, as in Docker. */
        c = add(m, ID_C, "abcd");
        ASSERT_TRUE(c);
        ASSERT_OK(manager_find_container(m, "abcd", &found));
        ASSERT_TRUE(found == c);
        ASSERT_OK(manager_find_container(m, "1234", &found));
        ASSERT_TRUE(found == c);

        /* Names and IDs are unique. */
        ASSERT_TRUE(add(m, ID_A1, "other") == NULL);
        ASSERT_TRUE(add(m, "9999000000000000000000000000000000000000000000000000000000000009", "web") == NULL);
        ASSERT_EQ(hashmap_size(m->containers_by_id), 4);
        ASSERT_EQ(hashmap_size(m->containers_by_name), 4);

        manager_remove_container(m, a1);
        ASSERT_ERROR(manager_find_container(m, "web", &found), ENOENT);
        ASSERT_OK(manager_find_container(m, "abcd1", &found));
        manager_free(TAKE_PTR(m));
        fixture_done(&f);
        return 0;
}

static bool no_workers(void *userdata) {
        return ((Manager *) userdata)->n_workers == 0;
}

TEST(create_remove_reload) {
        _cleanup_(manager_freep) Manager *m = NULL;
        char path[256];
        Container *c;
        Fixture f;
        int dfd;

        ASSERT_OK(fixture_init(&f));
        ASSERT_OK(manager_open(&f, &m));
        ASSERT_OK(manager_create_container(m, spec_make(ID_A1, "web"), &c));
        ASSERT_EQ(c->rec.state, CONTAINER_CREATED);
        snprintf(path, sizeof(path), "%s/containers/%s/config.json", f.state, ID_A1);
        ASSERT_OK(access(path, F_OK));
        snprintf(path, sizeof(path), "%s/containers/%s/state.json", f.state, ID_A1);
        ASSERT_OK(access(path, F_OK));
        ASSERT_OK(manager_create_container(m, spec_make(ID_B, "cache"), &c));

        /* Leftovers a crash may leave: a half-created directory, a half-removed one, junk. */
        dfd = open(f.state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        ASSERT_OK(mkdirat(dfd, "containers/" ID_C, 0700));
        ASSERT_OK(mkdirat(dfd, "containers/.removed-" ID_A2, 0700));
        ASSERT_OK(mkdirat(dfd, "containers/.removed-" ID_A2 "/upper", 0700));
        ASSERT_OK(mkdirat(dfd, "containers/not-an-id", 0700));
        manager_free(TAKE_PTR(m));

        ASSERT_OK(manager_open(&f, &m));
        ASSERT_EQ(hashmap_size(m->containers_by_id), 2);
        c = hashmap_get(m->containers_by_name, "web");
        ASSERT_TRUE(c);
        ASSERT_STREQ(c->spec->id, ID_A1);
        ASSERT_EQ(c->rec.state, CONTAINER_CREATED);
        ASSERT_TRUE(faccessat(dfd, "containers/" ID_C, F_OK, 0) < 0);
        ASSERT_OK(run_until(m, no_workers, m, 5000));
        ASSERT_TRUE(faccessat(dfd, "containers/.removed-" ID_A2, F_OK, 0) < 0);
        ASSERT_OK(faccessat(dfd, "containers/not-an-id", F_OK, 0));

        /* Removing leaves nothing. */
        ASSERT_OK(container_remove(c, false, NULL));
        ASSERT_TRUE(hashmap_get(m->containers_by_name, "web") == NULL);
        ASSERT_TRUE(faccessat(dfd, "containers/" ID_A1, F_OK, 0) < 0);
        ASSERT_TRUE(faccessat(dfd, "containers/.removed-" ID_A1, F_OK, 0) < 0);
        safe_close(dfd);
        manager_free(TAKE_PTR(m));
        fixture_done(&f);
        return 0;
}

/* Writes a container as a (dead or alive) drayd left it. */
static int write_container(Fixture *f, const char *id, const char *name, ContainerState state, pid_t monitor,
                           bool auto_remove, int exit_status) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_make(id, name);
        ContainerRecord rec = CONTAINER_RECORD_INIT;
        _cleanup_close_ int fd = -EBADF;
        char path[256];
        int r;

        if (!s)
                return -ENOMEM;
        s->auto_remove = auto_remove;
        snprintf(path, sizeof(path), "%s/containers/%s", f->state, id);
        if (mkdir(path, 0700) < 0)
                return -errno;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = spec_save(s, fd);
        if (r < 0)
                return r;
        rec.state = state;
        rec.monitor_pid = monitor;
        rec.pid = 0;
        rec.started_usec = 5;
        if (monitor > 0) {
                r = sd_id128_get_boot(&rec.boot_id);
                if (r < 0)
                        return r;
                if (proc_get_starttime(monitor, &rec.monitor_start_time) < 0)
                        rec.monitor_start_time = 1;
        }
        r = container_record_save(fd, &rec, false);
        if (r < 0)
                return r;
        if (exit_status >= 0)
                return exit_record_save(fd, &(ExitRecord) { .exit_status = exit_status, .finished_usec = 99 });
        return 0;
}

static pid_t dead_pid(void) {
        pid_t pid = fork();

        if (pid == 0)
                _exit(0);
        (void) waitpid(pid, NULL, 0);
        return pid;
}

TEST(adopt_dead_monitors) {
        _cleanup_(manager_freep) Manager *m = NULL;
        Container *c;
        Fixture f;

        ASSERT_OK(fixture_init(&f));
        ASSERT_OK(manager_open(&f, &m)); /* creates the directories */
        manager_free(TAKE_PTR(m));

        ASSERT_OK(write_container(&f, ID_A1, "vanished", CONTAINER_RUNNING, dead_pid(), false, -1));
        ASSERT_OK(write_container(&f, ID_A2, "ended", CONTAINER_STOPPING, dead_pid(), false, 42));
        ASSERT_OK(write_container(&f, ID_B, "never-started", CONTAINER_STARTING, dead_pid(), false, -1));
        ASSERT_OK(write_container(&f, ID_C, "rm", CONTAINER_RUNNING, dead_pid(), true, 0));

        ASSERT_OK(manager_open(&f, &m));
        c = hashmap_get(m->containers_by_name, "vanished");
        ASSERT_TRUE(c);
        ASSERT_EQ(c->rec.state, CONTAINER_EXITED);
        ASSERT_EQ(c->rec.exit_status, 137);
        ASSERT_STREQ(c->rec.error, "monitor vanished");
        ASSERT_EQ(c->rec.monitor_pid, 0);
        ASSERT_TRUE(c->rec.finished_usec > 0);

        c = hashmap_get(m->containers_by_name, "ended");
        ASSERT_TRUE(c);
        ASSERT_EQ(c->rec.state, CONTAINER_EXITED);
        ASSERT_EQ(c->rec.exit_status, 42);
        ASSERT_EQ(c->rec.finished_usec, 99);

        c = hashmap_get(m->containers_by_name, "never-started");
        ASSERT_TRUE(c);
        ASSERT_EQ(c->rec.exit_status, 125);

        /* AutoRemove: gone once it is known to have ended. */
        ASSERT_TRUE(hashmap_get(m->containers_by_name, "rm") == NULL);

        /* The exited state was written back. */
        manager_free(TAKE_PTR(m));
        ASSERT_OK(manager_open(&f, &m));
        c = hashmap_get(m->containers_by_name, "vanished");
        ASSERT_TRUE(c && c->rec.state == CONTAINER_EXITED && c->rec.exit_status == 137);
        manager_free(TAKE_PTR(m));
        fixture_done(&f);
        return 0;
}

static bool is_exited(void *userdata) {
        return ((Container *) userdata)->rec.state == CONTAINER_EXITED;
}

TEST(adopt_live_monitor) {
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        _cleanup_close_ int dfd = -EBADF;
        char path[256];
        Container *c;
        pid_t monitor;
        Fixture f;
        char x;

        ASSERT_OK(fixture_init(&f));
        ASSERT_OK(manager_open(&f, &m));
        manager_free(TAKE_PTR(m));

        /* A stand-in monitor: it lives until we close the pipe. */
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        monitor = fork();
        ASSERT_TRUE(monitor >= 0);
        if (monitor == 0) {
                safe_close(p[1]);
                _exit(read(p[0], &x, 1) == 0 ? 0 : 1);
        }
        p[0] = safe_close(p[0]);
        ASSERT_OK(write_container(&f, ID_A1, "live", CONTAINER_STARTING, monitor, false, -1));

        ASSERT_OK(manager_open(&f, &m));
        c = hashmap_get(m->containers_by_name, "live");
        ASSERT_TRUE(c);
        /* drayd died between "G" and "OK": the container runs as far as anyone can tell. */
        ASSERT_EQ(c->rec.state, CONTAINER_RUNNING);
        ASSERT_EQ(c->rec.monitor_pid, monitor);
        ASSERT_TRUE(c->monitor_pidfd >= 0);
        ASSERT_EQ(c->rec.started_usec, 5); /* kept, so inspect says the same after a restart */

        /* Stop: there is no payload to signal here; the stop waits for the monitor. */
        ASSERT_OK(container_stop(c, 0, NULL));
        ASSERT_EQ(c->rec.state, CONTAINER_STOPPING);
        ASSERT_ERROR(container_remove(c, false, NULL), EBUSY);

        /* The monitor records the status and exits; drayd sees it through the pidfd. */
        snprintf(path, sizeof(path), "%s/containers/%s", f.state, ID_A1);
        dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        ASSERT_OK(exit_record_save(dfd, &(ExitRecord) { .exit_status = 143, .finished_usec = 7, .oom_killed = true }));
        p[1] = safe_close(p[1]);
        ASSERT_OK(run_until(m, is_exited, c, 5000));
        ASSERT_EQ(c->rec.exit_status, 143);
        ASSERT_TRUE(c->rec.oom_killed);
        ASSERT_EQ(c->rec.pid, 0);
        ASSERT_EQ(c->monitor_pidfd, -EBADF);
        ASSERT_OK(waitpid(monitor, NULL, 0));

        /* A start time that does not match is another process that got the PID. */
        ASSERT_ERROR(monitor_open_pidfd(getpid(), 1, c->rec.boot_id), ESRCH);
        ASSERT_ERROR(monitor_open_pidfd(getpid(), 0, SD_ID128_NULL), ESRCH);
        manager_free(TAKE_PTR(m));
        fixture_done(&f);
        return 0;
}

TEST(operations_on_created) {
        _cleanup_(manager_freep) Manager *m = NULL;
        Container *c;
        Fixture f;

        ASSERT_OK(fixture_init(&f));
        ASSERT_OK(manager_open(&f, &m));
        ASSERT_OK(manager_create_container(m, spec_make(ID_A1, "web"), &c));
        ASSERT_FALSE(container_is_active(c));
        ASSERT_ERROR(container_kill(c, SIGTERM), ESRCH);
        ASSERT_OK(container_stop(c, UINT64_MAX, NULL)); /* a no-op, as in Docker */
        ASSERT_EQ(c->rec.state, CONTAINER_CREATED);
        ASSERT_OK(container_wait(c, NULL));
        ASSERT_OK(container_remove(c, false, NULL));
        ASSERT_EQ(hashmap_size(m->containers_by_id), 0);
        manager_free(TAKE_PTR(m));
        fixture_done(&f);
        return 0;
}

TEST(start_fails_without_monitor) {
        _cleanup_(manager_freep) Manager *m = NULL;
        char link[256];
        struct stat st;
        Container *c;
        Fixture f;

        /* No dray-monitor and no systemd: the start must fail cleanly, with status 125 recorded,
         * and leave the container startable again. */
        ASSERT_OK(fixture_init(&f));
        ASSERT_OK(manager_open(&f, &m));
        ASSERT_OK(manager_create_container(m, spec_make(ID_A1, "web"), &c));
        ASSERT_OK(container_start(c, NULL, NULL));
        ASSERT_EQ(c->rec.state, CONTAINER_STARTING);
        ASSERT_TRUE(c->rec.monitor_pid > 0);
        /* journald's rate limit is lifted for the scope before it starts, and only while it runs. */
        snprintf(link, sizeof(link), "%s/log-rate-limit-burst:dray-web.scope", f.units);
        ASSERT_OK(lstat(link, &st));
        ASSERT_TRUE(S_ISLNK(st.st_mode));
        ASSERT_ERROR(container_start(c, NULL, NULL), EBUSY);
        ASSERT_ERROR(container_remove(c, false, NULL), EBUSY);
        ASSERT_OK(run_until(m, is_exited, c, 5000));
        ASSERT_EQ(c->rec.exit_status, 125);
        ASSERT_TRUE(!isempty(c->rec.error));
        ASSERT_TRUE(c->start_error != START_ERROR_NONE);

        ASSERT_TRUE(lstat(link, &st) < 0 && errno == ENOENT);
        ASSERT_OK(container_remove(c, false, NULL));
        manager_free(TAKE_PTR(m));
        fixture_done(&f);
        return 0;
}
