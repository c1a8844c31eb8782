/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macros.h"

/* Facts about a process from /proc/<pid>/stat. The start time (field 22, clock ticks since boot)
 * tells a process apart from a later one that got the same PID. -ESRCH when the process is gone. */
int proc_get_starttime(pid_t pid, uint64_t *ret);
int proc_get_ppid(pid_t pid, pid_t *ret);

/* The first child of pid, from /proc/<pid>/task/<pid>/children. -ESRCH when it has none. */
int proc_get_first_child(pid_t pid, pid_t *ret);

/* Parses the text of a /proc/<pid>/stat file (exposed for tests). */
int proc_stat_parse(const char *stat, pid_t *ret_ppid, uint64_t *ret_starttime);

/* A pidfd for pid (pidfd_open(2), Linux 5.3): the one way dray opens one, so that a libc without the
 * wrapper, or a kernel without the call, is handled in one place. Returns the fd or a negative errno. */
int pidfd_open_pid(pid_t pid);
