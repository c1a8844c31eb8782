/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Each verb gets its own argv (argv[0] is the verb's name), parses its own options and returns the
 * process exit status. */
int verb_run(int argc, char *argv[]);
int verb_create(int argc, char *argv[]);
int verb_start(int argc, char *argv[]);
int verb_stop(int argc, char *argv[]);
int verb_kill(int argc, char *argv[]);
int verb_restart(int argc, char *argv[]);
int verb_rm(int argc, char *argv[]);
int verb_wait(int argc, char *argv[]);
int verb_ps(int argc, char *argv[]);
int verb_inspect(int argc, char *argv[]);
int verb_logs(int argc, char *argv[]);
int verb_exec(int argc, char *argv[]);
int verb_attach(int argc, char *argv[]);
int verb_image(int argc, char *argv[]);
int verb_images(int argc, char *argv[]);
int verb_export(int argc, char *argv[]);
int verb_commit(int argc, char *argv[]);
int verb_pull(int argc, char *argv[]);
int verb_push(int argc, char *argv[]);
int verb_login(int argc, char *argv[]);
int verb_logout(int argc, char *argv[]);
int verb_network(int argc, char *argv[]);
int verb_port(int argc, char *argv[]);
int verb_volume(int argc, char *argv[]);
int verb_cp(int argc, char *argv[]);
int verb_pause(int argc, char *argv[]);
int verb_top(int argc, char *argv[]);
int verb_stats(int argc, char *argv[]);
int verb_events(int argc, char *argv[]);
int verb_diff(int argc, char *argv[]);
int verb_system(int argc, char *argv[]);
int verb_container_prune(int argc, char *argv[]);
int verb_rename(int argc, char *argv[]);
int verb_update(int argc, char *argv[]);
int verb_image_alias(int argc, char *argv[]);

/* run and create: pull image when policy ("missing", "always", "never") says so (verb-registry.c). */
int cli_image_ensure(const char *image, const char *policy);
int verb_unpause(int argc, char *argv[]);
int verb_schedule(int argc, char *argv[]);
int verb_generate(int argc, char *argv[]);
int verb_healthcheck(int argc, char *argv[]);

/* verb-inspect.c: GetAll(interface) of each path, appended to array as JSON objects. Returns the
 * number of failed paths (logged), or a negative errno. */
#include <systemd/sd-bus.h>
#include <json-c/json.h>
int inspect_paths(sd_bus *bus, char **paths, const char *interface, json_object *array);

/* verb-inspect.c: --format TEMPLATE of the inspect verbs. The check logs a syntax error and returns
 * -EINVAL; printing expands the template once per element of array and returns the number of elements
 * it failed for (logged), or a negative errno. */
int inspect_format_check(const char *format);
int inspect_print_template(json_object *array, const char *format);
/* The array as JSON, or format (a template) once per element; returns how many failed, or <0. */
int inspect_print(json_object *array, const char *format);
