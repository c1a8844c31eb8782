/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "container-unit.h"
#include "log.h"
#include "name.h"
#include "run-options.h"
#include "strv.h"
#include "unit-words.h"

typedef enum KeyKind {
        KEY_ONE,       /* one value, a later one wins, empty unsets: "--opt VALUE" */
        KEY_LIST,      /* each assignment one value, empty clears: "--opt V1 --opt V2" */
        KEY_WORDS,     /* each assignment a list of words, empty clears: "--opt W1 --opt W2" */
        KEY_FLAG,      /* a boolean: "--opt" when true */
        KEY_UNSUPPORTED, /* a Quadlet key dray has no option for */
} KeyKind;

typedef struct ContainerKey {
        const char *key;
        KeyKind kind;
        const char *option;  /* dray run's option, or (KEY_UNSUPPORTED) what is missing */
        bool no_probe;       /* the option reads a file when parsed: checked at run time, not here */
} ContainerKey;

/* In the order their options go on the command line. Image=, Rootfs=, Exec= and Notify= (yes:
 * --sdnotify=container, healthy: --sdnotify=healthy) are handled on their own; Network= too when it names a .network file. */
static const ContainerKey container_keys[] = {
        { "ContainerName",    KEY_ONE,   "--name" },
        { "HostName",         KEY_ONE,   "--hostname" },
        { "Environment",      KEY_WORDS, "--env" },
        { "EnvironmentFile",  KEY_LIST,  "--env-file", .no_probe = true },
        { "Volume",           KEY_LIST,  "--volume" },
        { "Tmpfs",            KEY_LIST,  "--tmpfs" },
        { "Network",          KEY_LIST,  "--network" },
        { "NetworkAlias",     KEY_WORDS, "--network-alias" },
        { "IP",               KEY_ONE,   "--ip" },
        { "DNS",              KEY_WORDS, "--dns" },
        { "PublishPort",      KEY_LIST,  "--publish" },
        { "Memory",           KEY_ONE,   "--memory" },
        { "CPUs",             KEY_ONE,   "--cpus" },
        { "PidsLimit",        KEY_ONE,   "--pids-limit" },
        { "User",             KEY_ONE,   "--user" },
        { "WorkingDir",       KEY_ONE,   "--workdir" },
        { "Entrypoint",       KEY_ONE,   "--entrypoint" },
        { "ReadOnly",         KEY_FLAG,  "--read-only" },
        { "Ephemeral",        KEY_FLAG,  "--ephemeral" },
        { "AddCapability",    KEY_WORDS, "--cap-add" },
        { "DropCapability",   KEY_WORDS, "--cap-drop" },
        { "AddDevice",        KEY_LIST,  "--device" },
        { "RunInit",          KEY_FLAG,  "--init" },
        { "SeccompProfile",   KEY_ONE,   "--security-opt", .no_probe = true },
        { "NoNewPrivileges",  KEY_FLAG,  "--security-opt=no-new-privileges" },
        { "UserNS",           KEY_ONE,   "--userns" },
        { "StopSignal",       KEY_ONE,   "--stop-signal" },
        { "StopTimeout",      KEY_ONE,   "--stop-timeout" },
        { "Label",            KEY_WORDS, "--label" },
        { "Mount",            KEY_LIST,  "--mount" },
        { "Pull",             KEY_ONE,   "--pull" },
        { "HealthCmd",        KEY_ONE,   "--health-cmd" },
        { "HealthInterval",   KEY_ONE,   "--health-interval" },
        { "HealthTimeout",    KEY_ONE,   "--health-timeout" },
        { "HealthRetries",    KEY_ONE,   "--health-retries" },
        { "HealthStartPeriod", KEY_ONE,  "--health-start-period" },
        { "HealthStartInterval", KEY_ONE, "--health-start-interval" },
        { "HealthOnFailure",  KEY_ONE,   "--health-on-failure" },
        { "Annotation",       KEY_UNSUPPORTED, "annotations (--annotation)" },
        /* Quadlet's startup check is a second command run until it passes; dray has Docker's
         * --health-start-interval instead (HealthStartInterval=). */
        { "HealthStartupCmd", KEY_UNSUPPORTED, "separate startup health check (--health-startup-cmd); "
                                               "HealthStartInterval= checks more often while starting" },
        { "HealthStartupInterval", KEY_UNSUPPORTED, "separate startup health check (--health-startup-interval); "
                                                    "HealthStartInterval= checks more often while starting" },
        { "HealthStartupRetries", KEY_UNSUPPORTED, "separate startup health check (--health-startup-retries)" },
        { "HealthStartupSuccess", KEY_UNSUPPORTED, "separate startup health check (--health-startup-success)" },
        { "HealthStartupTimeout", KEY_UNSUPPORTED, "separate startup health check (--health-startup-timeout)" },
        { "Group",            KEY_UNSUPPORTED, "a separate group option (write User=UID:GID)" },
        { "Pod",              KEY_UNSUPPORTED, "pods" },
        { "Secret",           KEY_UNSUPPORTED, "secrets (--secret)" },
        { "LogDriver",        KEY_UNSUPPORTED, "log drivers (output always goes to the journal)" },
        { "AutoUpdate",       KEY_UNSUPPORTED, "auto-update" },
        { "Sysctl",           KEY_UNSUPPORTED, "--sysctl" },
        { "Ulimit",           KEY_UNSUPPORTED, "--ulimit" },
        { "ShmSize",          KEY_UNSUPPORTED, "--shm-size" },
        { "Timezone",         KEY_UNSUPPORTED, "--tz" },
        { "PodmanArgs",       KEY_UNSUPPORTED, "podman's arguments" },
        { "ExposeHostPort",   KEY_UNSUPPORTED, "--expose" },
        { "IP6",              KEY_UNSUPPORTED, "a fixed IPv6 address (--ip6)" },
        { "SecurityLabelDisable", KEY_UNSUPPORTED, "SELinux labels" },
        { "SecurityLabelType", KEY_UNSUPPORTED, "SELinux labels" },
};

typedef struct Values {
        char **values[ELEMENTSOF(container_keys)];
        unsigned line[ELEMENTSOF(container_keys)];
        char *image, *rootfs;
        char **exec;
        bool exec_set;
        bool notify;            /* Notify=yes: the payload's own READY=1 (--sdnotify=container) */
        bool notify_healthy;    /* Notify=healthy: ready once healthy (--sdnotify=healthy) */
        bool template;          /* NAME@.container or NAME@INSTANCE.container: specifiers (%i...) are
                                 * systemd's to expand */
        bool instance;          /* NAME@INSTANCE.container: one instance of its own (Quadlet's) */
        unsigned image_line, rootfs_line, exec_line;
        char **network_units;   /* "NAME-network.service" for each Network=NAME.network */
} Values;

static void values_done(Values *v) {
        for (size_t i = 0; i < ELEMENTSOF(container_keys); i++)
                strv_free(v->values[i]);
        free(v->image);
        free(v->rootfs);
        strv_free(v->exec);
        strv_free(v->network_units);
}

/* Sink while probing: keeps the parser's one-line reason instead of printing it. */
static void capture_sink(int level, const char *message, void *userdata) {
        char *buf = userdata;

        if (level <= LOG_ERR && buf[0] == 0)
                (void) snprintf(buf, 512, "%s", message);
}

/* Runs dray run's own option parser over argv (with our own sink): a value is bad exactly when
 * `dray run` would refuse it. reason gets the parser's words. */
static int container_unit_probe(char **argv, char reason[static 512], RunOptions *ret_options) {
        LogSink saved;
        void *saved_userdata;
        RunOptions o;
        int r;

        run_options_init(&o);
        reason[0] = 0;
        log_get_sink(&saved, &saved_userdata);
        log_set_sink(capture_sink, reason);
        r = run_options_parse(RUN_VERB_RUN, (int) strv_length(argv), argv, &o);
        log_set_sink(saved, saved_userdata);
        if (r >= 0 && ret_options)
                *ret_options = o;
        else
                run_options_done(&o);
        if (r < 0 && reason[0] == 0)
                (void) snprintf(reason, 512, "%s", strerror(-r));
        return r;
}

static int probe_value(const UnitFile *f, const UnitEntry *e, const ContainerKey *k, const char *value,
                       bool template) {
        _cleanup_free_ char *probe = template ? unit_specifiers_probe(value) : NULL;
        char reason[512], *argv[] = { (char *) "run", (char *) k->option, (char *) (probe ?: value), (char *) "--",
                                      (char *) "probe-image", NULL };
        char *flag_argv[] = { (char *) "run", (char *) k->option, (char *) "--", (char *) "probe-image", NULL };

        if (k->no_probe)
                return 0;
        if (template && !probe)
                return log_oom();
        if (container_unit_probe(k->kind == KEY_FLAG ? flag_argv : argv, reason, NULL) < 0)
                return unit_error(f, e->line, "Bad %s=%s: %s", e->key, value, reason);
        return 0;
}

static int set_one(char **slot, unsigned *line, const UnitEntry *e) {
        free(*slot);
        *slot = isempty(e->value) ? NULL : strdup(e->value);
        if (!isempty(e->value) && !*slot)
                return log_oom();
        *line = e->line;
        return 0;
}

/* Network=NAME.network: the network that NAME.network creates (named NAME), and its unit. */
static int network_reference(const UnitFile *f, const UnitEntry *e, Values *v, char **value) {
        size_t n = strlen(*value);
        char *name, *unit;

        if (n <= 8 || !streq(*value + n - 8, ".network"))
                return 0;
        name = strndup(*value, n - 8);
        if (!name)
                return log_oom();
        free(*value);
        *value = name;
        if (!container_name_is_valid(name))
                return unit_error(f, e->line, "Bad Network=%s: '%s' is not a network name.", e->value, name);
        if (asprintf(&unit, "%s-network.service", name) < 0)
                return log_oom();
        return strv_consume(&v->network_units, unit) < 0 ? log_oom() : 0;
}

static int collect_key(const UnitFile *f, const UnitEntry *e, size_t i, Values *v) {
        const ContainerKey *k = &container_keys[i];
        _cleanup_strv_free_ char **words = NULL;
        int r;

        if (k->kind == KEY_UNSUPPORTED)
                return unit_error(f, e->line, "%s= is not supported: dray has no %s.", e->key, k->option);
        v->line[i] = e->line;
        if (isempty(e->value)) {
                v->values[i] = strv_free(v->values[i]);
                if (streq(k->key, "Network"))
                        v->network_units = strv_free(v->network_units);
                return 0;
        }
        if (k->kind == KEY_FLAG) {
                r = unit_parse_boolean(e->value);
                if (r < 0)
                        return unit_error(f, e->line, "Bad %s=%s: expected a boolean (yes or no).", e->key, e->value);
                v->values[i] = strv_free(v->values[i]);
                return r ? strv_extend(&v->values[i], "yes") : 0;
        }
        if (k->kind == KEY_WORDS) {
                if (unit_split_words(e->value, &words) < 0)
                        return unit_error(f, e->line, "Bad %s=%s: unbalanced quotes.", e->key, e->value);
        } else if (strv_extend(&words, e->value) < 0)
                return log_oom();
        if (k->kind == KEY_ONE)
                v->values[i] = strv_free(v->values[i]);
        if (streq(k->key, "Network")) {
                r = network_reference(f, e, v, &words[0]);
                if (r < 0)
                        return r;
        }
        if (streq(k->key, "SeccompProfile")) {
                if (words[0][0] != '/' && !streq(words[0], "unconfined"))
                        return unit_error(f, e->line, "Bad SeccompProfile=%s: expected an absolute path or "
                                          "'unconfined'.", e->value);
                free(words[0]);
                words[0] = NULL;
                if (asprintf(&words[0], "seccomp=%s", e->value) < 0)
                        return log_oom();
        }
        STRV_FOREACH(w, words) {
                r = probe_value(f, e, k, *w, v->template);
                if (r < 0)
                        return r;
                if (strv_extend(&v->values[i], *w) < 0)
                        return log_oom();
        }
        return 0;
}

static int collect_special(const UnitFile *f, const UnitEntry *e, Values *v, bool *ret_handled) {
        int r;

        *ret_handled = true;
        if (streq(e->key, "Image"))
                return set_one(&v->image, &v->image_line, e);
        if (streq(e->key, "Rootfs")) {
                if (!isempty(e->value) && e->value[0] != '/')
                        return unit_error(f, e->line, "Bad Rootfs=%s: expected an absolute path.", e->value);
                return set_one(&v->rootfs, &v->rootfs_line, e);
        }
        if (streq(e->key, "Exec")) {
                v->exec = strv_free(v->exec);
                v->exec_line = e->line;
                v->exec_set = !isempty(e->value);
                if (v->exec_set && unit_split_words(e->value, &v->exec) < 0)
                        return unit_error(f, e->line, "Bad Exec=: unbalanced quotes or a trailing backslash.");
                return 0;
        }
        if (streq(e->key, "Notify")) {
                /* Quadlet's: a boolean, or "healthy" (ready once the health check passes). */
                v->notify_healthy = streq(e->value, "healthy");
                r = v->notify_healthy ? 0 : unit_parse_boolean(e->value);
                if (r < 0)
                        return unit_error(f, e->line, "Bad Notify=%s: expected a boolean or 'healthy'.", e->value);
                v->notify = r > 0;
                return 0;
        }
        *ret_handled = false;
        return 0;
}

static int collect(const UnitFile *f, Values *v) {
        int r;

        for (size_t n = 0; n < f->n_entries; n++) {
                const UnitEntry *e = &f->entries[n];
                bool handled;
                size_t i;

                if (!streq(e->section, "Container"))
                        continue;
                r = collect_special(f, e, v, &handled);
                if (r < 0)
                        return r;
                if (handled)
                        continue;
                for (i = 0; i < ELEMENTSOF(container_keys); i++)
                        if (streq(container_keys[i].key, e->key))
                                break;
                if (i >= ELEMENTSOF(container_keys))
                        return unit_error(f, e->line, "Unknown key '%s' in [Container]; see dray.container(5).",
                                          e->key);
                r = collect_key(f, e, i, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* dray run's argv for the container; with probe, without the options that read files at parse time. */
static int build_argv(const Values *v, const char *dray, const char *name, bool probe, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = 0;

        if (strv_extend(&argv, probe ? "run" : dray) < 0 || (!probe && strv_extend(&argv, "run") < 0) ||
            strv_extend(&argv, "--rm") < 0)
                return -ENOMEM;
        if (!v->values[0] && (strv_extend(&argv, "--name") < 0 || strv_extend(&argv, name) < 0))
                return -ENOMEM; /* a template's name ends in "-%i" (container_default_name()) */
        if (v->notify && strv_extend(&argv, "--sdnotify=container") < 0)
                return -ENOMEM;
        if (v->notify_healthy && strv_extend(&argv, "--sdnotify=healthy") < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(container_keys); i++) {
                if (probe && container_keys[i].no_probe)
                        continue;
                STRV_FOREACH(val, v->values[i]) {
                        r = strv_extend(&argv, container_keys[i].option);
                        if (r >= 0 && container_keys[i].kind != KEY_FLAG)
                                r = strv_extend(&argv, *val);
                        if (r < 0)
                                return r;
                }
        }
        if (v->rootfs && (strv_extend(&argv, "--rootfs") < 0 || strv_extend(&argv, v->rootfs) < 0))
                return -ENOMEM;
        if (strv_extend(&argv, "--") < 0 || (v->image && strv_extend(&argv, v->image) < 0))
                return -ENOMEM;
        STRV_FOREACH(w, v->exec)
                if (strv_extend(&argv, *w) < 0)
                        return -ENOMEM;
        /* Checking a template: what dray run would get for an instance named "x". */
        if (probe && v->template)
                for (char **a = argv; *a; a++) {
                        char *p = unit_specifiers_probe(*a);

                        if (!p)
                                return -ENOMEM;
                        free(*a);
                        *a = p;
                }
        *ret = TAKE_PTR(argv);
        return 0;
}

static int check_whole(const UnitFile *f, const Values *v, const char *name, int *ret_stop_signal) {
        _cleanup_strv_free_ char **argv = NULL;
        char reason[512];
        RunOptions o;
        int r;

        if (!v->image && !v->rootfs)
                return unit_error(f, 0, "[Container] needs Image= or Rootfs=.");
        if (v->image && v->rootfs)
                return unit_error(f, v->rootfs_line, "Rootfs= and Image= both given; choose one.");
        if (v->rootfs && !v->exec_set)
                return unit_error(f, v->rootfs_line, "Rootfs= needs Exec= (a directory tree has no command "
                                  "of its own).");
        if (!v->values[0] && (!v->template || v->instance) && !container_name_is_valid(name))
                return unit_error(f, 0, "'%s' is not a container name; set ContainerName=.", name);
        r = build_argv(v, NULL, name, true, &argv);
        if (r < 0)
                return log_oom();
        r = container_unit_probe(argv, reason, &o);
        if (r < 0)
                return unit_error(f, 0, "[Container] is not a container dray can run: %s", reason);
        *ret_stop_signal = o.stop_signal > 0 ? o.stop_signal : SIGTERM;
        run_options_done(&o);
        return 0;
}

static int write_service(const UnitFile *f, const Values *v, const char *name, const char *dray, int stop_signal,
                         FILE *out) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *exec = NULL, *stop = NULL;
        const char *cname = v->values[0] ? v->values[0][0] : name;
        char *stop_argv[] = { (char *) dray, (char *) "stop", (char *) "--ignore", (char *) cname, NULL };
        int r;

        r = build_argv(v, dray, name, false, &argv);
        if (r >= 0)
                r = unit_quote_exec_line(argv, v->template, &exec);
        if (r >= 0)
                r = unit_quote_exec_line(stop_argv, v->template, &stop);
        if (r < 0)
                return log_oom();

        fprintf(out, "# Automatically generated by dray-generator from %s\n\n[Unit]\n", f->path);
        fprintf(out, "Description=dray container %s\nDocumentation=man:dray.container(5)\n", cname);
        fprintf(out, "SourcePath=%s\nWants=drayd.service\nAfter=drayd.service\n", f->path);
        STRV_FOREACH(u, v->network_units)
                fprintf(out, "Requires=%s\nAfter=%s\n", *u, *u);
        unit_write_passthrough(f, "Unit", out);
        /* Type=notify: `dray run` says READY=1 once the command runs. ExecStop stops the container with
         * its own stop signal and timeout (the scope, bound to the service, may have been stopped
         * first: hence --ignore); the run then ends with 128+that signal, a clean stop. A leftover
         * of the same name (a crash of the host mid-run) is removed first, as podman's --replace
         * does. */
        fprintf(out, "\n[Service]\nType=notify\nNotifyAccess=main\n");
        fprintf(out, "ExecStartPre=%s rm --force --ignore %s\n", dray, cname);
        fprintf(out, "ExecStart=%s\nExecStop=%s\n", exec, stop);
        fprintf(out, "SuccessExitStatus=%d\n", 128 + stop_signal);
        unit_write_passthrough(f, "Service", out);
        return 0;
}

int container_unit_generate(const UnitFile *f, const char *name, const char *dray, GeneratedUnit *ret) {
        static const char *const sections[] = { "Unit", "Service", "Install", "Container", NULL };
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        _cleanup_(values_done) Values v = {};
        _cleanup_free_ char *buf = NULL, *template_name = NULL;
        _cleanup_fclose_ FILE *out = NULL;
        const char *cname = name, *at;
        size_t size;
        int stop_signal = SIGTERM, r;

        r = unit_check_sections(f, sections);
        if (r < 0)
                return r;
        /* NAME@.container is a template, NAME@.service: each instance's container is NAME-INSTANCE
         * unless ContainerName= (with %i, say) says otherwise. NAME@INSTANCE.container, as in Quadlet,
         * is one instance of its own, NAME@INSTANCE.service: usually a symlink to the template (whose
         * text it then has, %i being INSTANCE), or a file of its own; systemd prefers it to the
         * template for that instance. */
        at = strchr(name, '@');
        v.template = at && at > name;
        v.instance = v.template && at[1] != 0;
        if (v.template) {
                if (asprintf(&template_name, v.instance ? "%.*s-%s" : "%.*s-%%i", (int) (at - name), name,
                             at + 1) < 0)
                        return log_oom();
                cname = template_name;
        }
        r = collect(f, &v);
        if (r < 0)
                return r;
        r = check_whole(f, &v, cname, &stop_signal);
        if (r < 0)
                return r;
        r = unit_install_parse(f, &u);
        /* An instance's WantedBy= links that instance; a template's DefaultInstance= (the text of a
         * symlinked template) does not concern it. */
        if (r >= 0 && v.instance) {
                free(u.default_instance);
                u.default_instance = NULL;
        }
        if (r >= 0)
                r = unit_install_check_template(f, &u, v.template && !v.instance);
        if (r < 0)
                return r;
        if (asprintf(&u.unit_name, "%s.service", name) < 0)
                return log_oom();
        out = open_memstream(&buf, &size);
        if (!out)
                return log_oom();
        r = write_service(f, &v, cname, dray, stop_signal, out);
        if (r < 0)
                return r;
        r = generated_unit_finish(&u, &out, &buf);
        if (r < 0)
                return r;
        *ret = u;
        u = (GeneratedUnit) {};
        return 0;
}
