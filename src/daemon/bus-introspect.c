/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic-write.h"
#include "bus-introspect.h"
#include "bus-names.h"
#include "bus-pair.h"
#include "log.h"
#include "image-dbus.h"
#include "image-import.h"
#include "container.h"
#include "manager-setup.h"
#include "rm-rf.h"
#include "transfer.h"
#include "network.h"
#include "volume-dbus.h"
#include "strv.h"

static int introspect_one(Manager *m, sd_bus *client, const char *path, int dir_fd, const char *file) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *xml;
        int r;

        r = sd_bus_message_new_method_call(client, &call, NULL, path, "org.freedesktop.DBus.Introspectable",
                                           "Introspect");
        if (r < 0)
                return log_error_errno(r, "Failed to create an Introspect call: %m");
        r = bus_pair_call(m->event, client, call, &reply, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to introspect %s: %s", path, error.message ?: strerror(-r));
        r = sd_bus_message_read(reply, "s", &xml);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the introspection of %s: %m", path);
        r = write_file_atomic(dir_fd, file, xml, strlen(xml), 0);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", file);
        /* write_file_atomic() creates 0600; these files are for everyone to read. */
        (void) fchmodat(dir_fd, file, 0644, 0);
        return 0;
}

static int add_example_container(Manager *m, Container **ret) {
        _cleanup_(spec_freep) ContainerSpec *spec = spec_new();
        Container *c;
        int r;

        if (!spec)
                return -ENOMEM;
        spec->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        spec->name = strdup("example");
        spec->rootfs = strdup("/");
        if (!spec->id || !spec->name || !spec->rootfs || strv_extend(&spec->command, "true") < 0)
                return -ENOMEM;
        r = container_new(m, spec, &c);
        if (r < 0)
                return r;
        TAKE_PTR(spec);
        r = manager_add_container(m, c);
        if (r < 0) {
                container_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

/* An image in a throwaway store (no layers needed) and a transfer that never runs. */
static int introspect_image_and_transfer(Manager *m, sd_bus *client, int dir_fd) {
        static const char config[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        char tmp[] = "/tmp/dray-introspect-XXXXXX";
        _cleanup_free_ char *id = NULL, *path = NULL;
        Transfer *t;
        int r;

        if (!mkdtemp(tmp))
                return log_error_errno(errno, "Failed to create a temporary directory: %m");
        r = image_store_open(tmp, &m->images);
        if (r >= 0)
                r = image_store_add_image(m->images, config, NULL, 0, (char *[]) { (char *) "example", NULL }, &id);
        if (r >= 0)
                r = image_bus_path(id, &path);
        if (r >= 0)
                r = introspect_one(m, client, path, dir_fd, BUS_INTROSPECT_IMAGE_FILE);
        image_bus_cache_flush();
        m->images = image_store_free(m->images);
        (void) rm_rf_path(tmp);
        if (r < 0)
                return log_error_errno(r, "Failed to introspect an example image: %m");
        r = transfer_new(m, TRANSFER_LOAD, -EBADF, &t);
        if (r < 0)
                return log_error_errno(r, "Failed to add an example transfer: %m");
        return introspect_one(m, client, t->path, dir_fd, BUS_INTROSPECT_TRANSFER_FILE);
}

static int add_example_network(Manager *m, Network **ret) {
        _cleanup_(network_config_freep) NetworkConfig *c = network_config_new();
        int r;

        if (!c)
                return -ENOMEM;
        c->name = strdup("example");
        c->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        c->bridge = strdup("br-0123456789ab");
        if (!c->name || !c->id || !c->bridge)
                return -ENOMEM;
        r = manager_add_network(m, c, ret);
        if (r < 0)
                return r;
        TAKE_PTR(c);
        return 0;
}

static int introspect_volume(Manager *m, sd_bus *client, int dir_fd) {
        _cleanup_(volume_freep) Volume *v = calloc(1, sizeof(Volume));
        int r;

        if (!v)
                return log_oom();
        v->manager = m;
        v->name = strdup("example");
        v->mountpoint = strdup("/var/lib/dray/volumes/example/_data");
        if (!v->name || !v->mountpoint)
                return log_oom();
        r = volume_bus_path(v->name, &v->path);
        if (r >= 0)
                r = hashmap_put(m->volumes_by_name, v->name, v);
        if (r < 0)
                return log_error_errno(r, "Failed to add an example volume: %m");
        r = introspect_one(m, client, v->path, dir_fd, BUS_INTROSPECT_VOLUME_FILE);
        hashmap_remove(m->volumes_by_name, v->name);
        return r;
}

int bus_introspect_write(const char *dir) {
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_(sd_bus_close_unrefp) sd_bus *server = NULL, *client = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        ManagerConfig config = {
                .state_dir = "/nonexistent", .runtime_dir = "/nonexistent",
                .monitor_path = "/nonexistent", .units_dir = "/nonexistent",
        };
        Container *c;
        Network *n;
        int r;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s: %m", dir);
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open %s: %m", dir);

        r = manager_new(&config, &m);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the manager: %m");
        r = bus_pair_new(m->event, &server, &client);
        if (r < 0)
                return log_error_errno(r, "Failed to set up a private bus connection: %m");
        r = manager_attach_bus(m, server);
        if (r < 0)
                return log_error_errno(r, "Failed to register the bus objects: %m");
        r = add_example_container(m, &c);
        if (r < 0)
                return log_error_errno(r, "Failed to add an example container: %m");

        r = add_example_network(m, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to add an example network: %m");

        r = introspect_one(m, client, DRAY_MANAGER_PATH, dir_fd, BUS_INTROSPECT_MANAGER_FILE);
        if (r < 0)
                return r;
        r = introspect_one(m, client, n->path, dir_fd, BUS_INTROSPECT_NETWORK_FILE);
        if (r < 0)
                return r;
        r = introspect_one(m, client, c->path, dir_fd, BUS_INTROSPECT_CONTAINER_FILE);
        if (r < 0)
                return r;
        r = introspect_volume(m, client, dir_fd);
        if (r < 0)
                return r;
        return introspect_image_and_transfer(m, client, dir_fd);
}
