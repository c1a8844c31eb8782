/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's own jobs: its background workers. The Manager struct (manager.h) is the daemon's
 * shared context; setting it up, loading and running it is manager-setup.c's. */
#include <string.h>

#include "child-process.h"
#include "log.h"
#include "manager.h"
#include "rm-rf.h"

/* A forked child that works in the background (removes a tree, deletes a link): a ChildProcess
 * (child-process.h) on the manager's list, so that shutdown can wait for it. */
typedef struct Worker {
        Manager *manager;
        struct Worker *prev, *next;
        ChildProcess *child;
} Worker;

static Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        if (w->prev)
                w->prev->next = w->next;
        else
                w->manager->workers = w->next;
        if (w->next)
                w->next->prev = w->prev;
        w->manager->n_workers--;
        child_process_free(w->child);
        free(w);
        return NULL;
}

void manager_workers_free(Manager *m) {
        while (m->workers)
                worker_free(m->workers);
}

/* ---- workers ---------------------------------------------------------------------------------- */

static void on_worker_exit(ChildProcess *c, const ChildExit *e, void *userdata) {
        char how[64];

        if (child_exit_is_success(e))
                log_debug("The worker for %s is done.", child_process_what(c));
        else {
                child_exit_describe(e, how, sizeof(how));
                log_warning("The worker for %s %s; see its messages above.", child_process_what(c), how);
        }
        worker_free(userdata);
}

typedef struct WorkerCall {
        int (*fn)(void *userdata);
        void *userdata;
} WorkerCall;

static int worker_main(int report_fd, void *userdata) {
        const WorkerCall *call = userdata;

        return call->fn(call->userdata) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int manager_spawn_worker(Manager *m, char *what, int (*fn)(void *userdata), void *userdata) {
        _cleanup_free_ char *w_what = what;
        Worker *w;
        int r;

        w = calloc(1, sizeof(Worker));
        if (!w)
                return -ENOMEM;
        /* The child runs on a copy of this stack frame: the call need not outlive it. */
        r = child_process_spawn(m->event,
                                &(ChildProcessArgs) {
                                        .what = w_what,
                                        .main = worker_main,
                                        .main_userdata = &(WorkerCall) { fn, userdata },
                                        .on_exit = on_worker_exit,
                                        .userdata = w,
                                },
                                &w->child);
        if (r < 0) {
                free(w);
                return r;
        }
        w->manager = m;
        w->next = m->workers;
        if (m->workers)
                m->workers->prev = w;
        m->workers = w;
        m->n_workers++;
        return 0;
}

typedef struct RemoveTree {
        int dir_fd;
        const char *name;
        const char *what;
} RemoveTree;

static int remove_tree(void *userdata) {
        RemoveTree *t = userdata;
        int r;

        r = rm_rf_at(t->dir_fd, t->name);
        if (r < 0)
                log_error_errno(r, "Failed to remove %s; remove it by hand: %m", t->what);
        return r;
}

int manager_remove_tree_async(Manager *m, int dir_fd, const char *name) {
        char *what;

        if (asprintf(&what, "%s/containers/%s", m->state_dir, name) < 0)
                return -ENOMEM;
        /* The child runs on a copy of this stack frame. */
        return manager_spawn_worker(m, what, remove_tree, &(RemoveTree) { dir_fd, name, what });
}
