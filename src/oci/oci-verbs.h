/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* dray-oci's global options and its commands (each parses its own options, runc's and crun's). */
typedef struct OciGlobal {
        const char *root;     /* --root: the state directory */
        bool systemd_cgroup;  /* --systemd-cgroup */
} OciGlobal;

int verb_create(const OciGlobal *g, int argc, char **argv);
int verb_start(const OciGlobal *g, int argc, char **argv);
int verb_run(const OciGlobal *g, int argc, char **argv);
int verb_delete(const OciGlobal *g, int argc, char **argv);
int verb_kill(const OciGlobal *g, int argc, char **argv);
int verb_state(const OciGlobal *g, int argc, char **argv);
int verb_list(const OciGlobal *g, int argc, char **argv);
int verb_ps(const OciGlobal *g, int argc, char **argv);
int verb_pause(const OciGlobal *g, int argc, char **argv);
int verb_resume(const OciGlobal *g, int argc, char **argv);
int verb_exec(const OciGlobal *g, int argc, char **argv);
int verb_features(const OciGlobal *g, int argc, char **argv);
int verb_spec(const OciGlobal *g, int argc, char **argv);

/* Shared by the verbs: the container's directory below the root (O_PATH|O_DIRECTORY), -ENOENT with a
 * message when there is no such container. */
int oci_open_container(const OciGlobal *g, const char *id, int *ret_fd);
/* A warning of the config parser, to the log. */
void oci_warn(const char *message, void *userdata);
