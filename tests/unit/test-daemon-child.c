/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child-process helper (src/daemon/child-process.h): every report line arrives before the end,
 * and the end says how the child ended; a child freed while it runs is killed and reaped. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child-process.h"
#include "strv.h"
#include "test.h"

typedef struct Seen {
        char **lines;
        bool ended;
        ChildExit exit;
        bool lines_before_end;
} Seen;

static void on_line(ChildProcess *c, char *line, void *userdata) {
        Seen *s = userdata;

        if (!s->ended)
                s->lines_before_end = true;
        (void) strv_extend(&s->lines, line);
}

static void on_exit_(ChildProcess *c, const ChildExit *e, void *userdata) {
        Seen *s = userdata;

        s->ended = true;
        s->exit = *e;
}

static int child_reports(int report_fd, void *userdata) {
        dprintf(report_fd, "one\ntwo ");
        dprintf(report_fd, "halves\n");
        /* A line too long for the channel is dropped, not split into garbage. */
        for (unsigned i = 0; i < CHILD_REPORT_LINE_MAX + 10; i++)
                (void) write(report_fd, "x", 1);
        dprintf(report_fd, "\nlast\n");
        return 3;
}

static int child_sleeps(int report_fd, void *userdata) {
        pause();
        return 0;
}

static int run_until_end(sd_event *e, Seen *s) {
        for (unsigned i = 0; !s->ended && i < 10000; i++)
                if (sd_event_run(e, 100 * USEC_PER_MSEC) < 0)
                        return -EIO;
        return s->ended ? 0 : -ETIMEDOUT;
}

TEST(child_reports_then_ends) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(child_process_freep) ChildProcess *c = NULL;
        Seen s = {};
        char how[64];

        ASSERT_OK(sd_event_new(&e));
        ASSERT_OK(child_process_spawn(e, &(ChildProcessArgs) { .what = "test", .main = child_reports,
                                                               .on_line = on_line, .on_exit = on_exit_,
                                                               .userdata = &s }, &c));
        ASSERT_TRUE(child_process_pid(c) > 0);
        ASSERT_OK(run_until_end(e, &s));
        ASSERT_EQ(child_process_pid(c), 0);
        ASSERT_EQ(s.exit.end, CHILD_EXITED);
        ASSERT_EQ(s.exit.status, 3);
        ASSERT_FALSE(child_exit_is_success(&s.exit));
        ASSERT_EQ(strv_length(s.lines), 3);
        ASSERT_STREQ(s.lines[0], "one");
        ASSERT_STREQ(s.lines[1], "two halves");
        ASSERT_STREQ(s.lines[2], "last");
        child_exit_describe(&s.exit, how, sizeof(how));
        ASSERT_STREQ(how, "exited with status 3");
        strv_free(s.lines);
        return 0;
}

TEST(child_killed) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(child_process_freep) ChildProcess *c = NULL;
        Seen s = {};
        char how[64];

        ASSERT_OK(sd_event_new(&e));
        ASSERT_OK(child_process_spawn(e, &(ChildProcessArgs) { .what = "test", .main = child_sleeps,
                                                               .on_exit = on_exit_, .userdata = &s }, &c));
        ASSERT_OK(child_process_kill(c, SIGKILL));
        ASSERT_OK(run_until_end(e, &s));
        ASSERT_EQ(s.exit.end, CHILD_KILLED);
        ASSERT_EQ(s.exit.status, SIGKILL);
        child_exit_describe(&s.exit, how, sizeof(how));
        ASSERT_TRUE(strstr(how, "was killed on signal") != NULL);
        ASSERT_ERROR(child_process_kill(c, SIGKILL), ESRCH);
        return 0;
}

TEST(child_freed_while_running) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        ChildProcess *c = NULL;
        Seen s = {};
        pid_t pid;

        ASSERT_OK(sd_event_new(&e));
        ASSERT_OK(child_process_spawn(e, &(ChildProcessArgs) { .what = "test", .main = child_sleeps,
                                                               .on_exit = on_exit_, .userdata = &s }, &c));
        pid = child_process_pid(c);
        child_process_free(c);
        /* Reaped: no such child of ours any more. */
        ASSERT_TRUE(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD);
        ASSERT_FALSE(s.ended);
        return 0;
}

TEST(child_end_table) {
        for (int i = 0; i < _CHILD_END_MAX; i++)
                ASSERT_EQ(child_end_from_string(child_end_to_string(i)), i);
        ASSERT_EQ(child_end_from_string("alive"), -EINVAL);
        return 0;
}
