/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-names.h"
#include "container-image.h"
#include "container-options.h"
#include "image-user.h"
#include "log.h"
#include "net-port.h"
#include "parse-util.h"
#include "safe-open.h"
#include "strv.h"

int bus_image_lookup_error(int r, const char *what, sd_bus_error *error) {
        if (r == -ENOTUNIQ)
                return sd_bus_error_setf(error, DRAY_ERROR_AMBIGUOUS_IMAGE,
                                         "'%.128s' matches several images; give more of the ID.", what);
        if (r == -EINVAL)
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_REFERENCE,
                                         "'%.128s' is neither an image reference nor an image ID.", what);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_IMAGE,
                                         "No such image '%.128s'.", what);
        return sd_bus_error_set_errnof(error, r, "Failed to read the image store: %m");
}

static int set_command(ContainerSpec *spec, const ImageConfig *config, sd_bus_error *error) {
        _cleanup_strv_free_ char **argv = NULL;
        char **entrypoint = spec->entrypoint ?: config->entrypoint;
        /* docker run --entrypoint X drops the image's Cmd as well. */
        char **cmd = spec->command ?: (spec->entrypoint ? NULL : config->cmd);

        /* --boot runs the tree's init unless told otherwise: an OS tarball has no Cmd, and an image's Cmd
         * (a shell) is not what boots it. */
        if (spec->boot && !spec->command && !spec->entrypoint)
                return 0;
        STRV_FOREACH(a, entrypoint)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        STRV_FOREACH(a, cmd)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        if (strv_length(argv) == 0 || isempty(argv[0]))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Image '%s' has no Entrypoint or Cmd; give a command.", spec->image);
        if (!spec->entrypoint && config->entrypoint) {
                spec->entrypoint = strv_copy(config->entrypoint);
                if (!spec->entrypoint)
                        return -ENOMEM;
        }
        strv_free(spec->command);
        spec->command = TAKE_PTR(argv);
        return 0;
}

/* The image's variables first; the caller's replace them by key. */
static int set_env(ContainerSpec *spec, const ImageConfig *config) {
        _cleanup_strv_free_ char **env = NULL;

        STRV_FOREACH(e, config->env)
                if (strv_env_set(&env, *e) < 0)
                        return -ENOMEM;
        STRV_FOREACH(e, spec->env)
                if (strv_env_set(&env, *e) < 0)
                        return -ENOMEM;
        strv_free(spec->env);
        spec->env = TAKE_PTR(env);
        return 0;
}

static int set_string(char **field, const char *value) {
        char *d = strdup(value);

        if (!d)
                return -ENOMEM;
        free(*field);
        *field = d;
        return 0;
}

static int set_runtime(ContainerSpec *spec, const ImageConfig *config, bool stop_signal_given, sd_bus_error *error) {
        int r;

        if (!spec->working_dir && !isempty(config->working_dir)) {
                if (config->working_dir[0] != '/')
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Image '%s' has a relative WorkingDir '%.128s'.", spec->image,
                                                 config->working_dir);
                r = set_string(&spec->working_dir, config->working_dir);
                if (r < 0)
                        return r;
        }
        if (!spec->user && !isempty(config->user)) {
                r = set_string(&spec->user, config->user);
                if (r < 0)
                        return r;
                spec->uid = spec->gid = USER_UNRESOLVED;
        }
        if (!stop_signal_given && !isempty(config->stop_signal)) {
                int sig;

                if (parse_signal(config->stop_signal, &sig) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Image '%s' has an unknown StopSignal '%.32s'.", spec->image,
                                                 config->stop_signal);
                spec->stop_signal = sig;
        }
        if (config->labels) {
                /* The image's labels, then the caller's (Labels, docker run --label) over the same keys. */
                _cleanup_strv_free_ char **merged = strv_copy(config->labels);

                if (!merged)
                        return -ENOMEM;
                STRV_FOREACH(l, spec->labels)
                        if (strv_env_set(&merged, *l) < 0)
                                return -ENOMEM;
                strv_free(spec->labels);
                spec->labels = TAKE_PTR(merged);
        }
        /* The image's ExposedPorts join those given with the container (Docker's --expose), for -P. A
         * protocol dray cannot publish (sctp) is left out, not an error. */
        STRV_FOREACH(p, config->exposed_ports) {
                uint16_t port;
                NetProto proto;

                if (net_exposed_port_parse(*p, &port, &proto) < 0) {
                        log_debug("Image '%s' exposes '%s', which cannot be published, ignoring.", spec->image, *p);
                        continue;
                }
                if (!strv_contains(spec->net.exposed_ports, *p) && strv_extend(&spec->net.exposed_ports, *p) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The image's Healthcheck under the container's: each field the container leaves unset comes from
 * the image, as Docker merges them; HealthCmd ["NONE"] (--no-healthcheck) keeps it off. */
static int set_healthcheck(ContainerSpec *spec, const ImageConfig *config) {
        const SpecHealth *i = &config->healthcheck;
        SpecHealth *h = &spec->health;

        if (!i->test)
                return 0;
        if (!h->test) {
                h->test = strv_copy(i->test);
                if (!h->test)
                        return -ENOMEM;
        }
        if (h->interval_usec == 0)
                h->interval_usec = i->interval_usec;
        if (h->timeout_usec == 0)
                h->timeout_usec = i->timeout_usec;
        if (h->start_period_usec == 0)
                h->start_period_usec = i->start_period_usec;
        if (h->start_interval_usec == 0)
                h->start_interval_usec = i->start_interval_usec;
        if (h->retries == 0)
                h->retries = i->retries;
        return 0;
}

int container_image_apply(Manager *m, ContainerSpec *spec, bool stop_signal_given, sd_bus_error *error) {
        _cleanup_(image_freep) Image *image = NULL;
        int r;

        r = image_store_find(m->images, spec->image, &image);
        if (r < 0)
                return bus_image_lookup_error(r, spec->image, error);
        r = image_layer_paths(m->images, image, &spec->layers);
        if (r == -ENOMEDIUM)
                return sd_bus_error_setf(error, DRAY_ERROR_IMAGE_BROKEN,
                                         "Image '%s' has layers that are not unpacked; load it again.", spec->image);
        if (r < 0)
                return r;
        if (!spec->layers[0])
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Image '%s' has no layers.", spec->image);
        r = set_string(&spec->image_id, image->id);
        /* The name users know it by, for IMAGE_NAME and ps. */
        if (r >= 0 && image->names && !strv_contains(image->names, spec->image))
                r = set_string(&spec->image, image->names[0]);
        if (r >= 0)
                r = set_command(spec, image->config, error);
        if (r >= 0 && !sd_bus_error_is_set(error))
                r = set_env(spec, image->config);
        if (r >= 0 && !sd_bus_error_is_set(error))
                r = set_runtime(spec, image->config, stop_signal_given, error);
        if (r >= 0 && !sd_bus_error_is_set(error))
                r = set_healthcheck(spec, image->config);
        return r;
}

int container_image_resolve_user(ContainerSpec *spec, sd_bus_error *error) {
        char *const *root = spec->layers ?: (char *const[]) { spec->rootfs, NULL };
        ImageUser u = {};
        const char *bad = NULL;
        int r;

        /* Without -u the payload is root, with root's groups from /etc/group as docker gives them. A
         * booted tree's init is root with no supplementary groups, as systemd-nspawn starts it. */
        if (spec->boot && !spec->user && !spec->group_add)
                return 0;
        r = image_resolve_user(root, spec->user, spec->group_add, &u, &bad);
        if (r == -ESRCH && bad)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_USER,
                                         "Group '%.64s' is not in the container's /etc/group.", bad);
        if (r == -ESRCH)
                return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_USER,
                                         "User '%.64s' is not in the container's /etc/passwd or /etc/group.", spec->user);
        if (r < 0 && bad)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Cannot resolve user '%.64s': the container's /%s is unusable: %s.",
                                         strempty(spec->user), bad, safe_open_strerror(r));
        if (r == -E2BIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "User '%.64s' is in more than %u groups.", strempty(spec->user),
                                         IMAGE_GROUPS_MAX);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Cannot resolve user '%.64s': %s.",
                                         strempty(spec->user), strerror(-r));
        spec->uid = u.uid;
        spec->gid = u.gid;
        free(spec->groups);
        spec->groups = u.groups;
        spec->n_groups = u.n_groups;
        return 0;
}
