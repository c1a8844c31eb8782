/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-layers.h"
#include "cli-transfer.h"
#include "log.h"
#include "strv.h"
#include "time-util.h"

char *format_size(char buf[static FORMAT_SIZE_MAX], uint64_t bytes) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        double v = (double) bytes;
        size_t u = 0;

        while (v >= 1024.0 && u < ELEMENTSOF(units) - 1) {
                v /= 1024.0;
                u++;
        }
        if (u == 0)
                (void) snprintf(buf, FORMAT_SIZE_MAX, "%llu B", (unsigned long long) bytes);
        else
                (void) snprintf(buf, FORMAT_SIZE_MAX, "%.1f %s", v, units[u]);
        return buf;
}

int format_progress(char *buf, size_t n, uint64_t done, uint64_t total, size_t width) {
        char size[FORMAT_SIZE_MAX];
        char bar[128];
        size_t filled;

        width = MIN(width, sizeof(bar) - 1);
        if (total == 0)
                return snprintf(buf, n, "%s", format_size(size, done));
        done = MIN(done, total);
        filled = (size_t) ((double) done / (double) total * (double) width);
        memset(bar, '#', filled);
        memset(bar + filled, ' ', width - filled);
        bar[width] = 0;
        return snprintf(buf, n, "[%s] %3u%% %s", bar, (unsigned) (done * 100 / total), format_size(size, done));
}

typedef struct Follow {
        uint32_t id;
        char *path;
        bool done, tty;
        char *result, *error;
        char **images;
        uint64_t bytes_done, bytes_total;
        LayerViews layers; /* a pull's or push's */
} Follow;

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
        interrupted = 1;
}

static int on_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Follow *f = userdata;
        const char *path, *result, *err;
        uint32_t id;
        int r;

        r = sd_bus_message_read(m, "uoss", &id, &path, &result, &err);
        if (r < 0 || f->id == 0 || id != f->id)
                return 0;
        f->result = strdup(result);
        f->error = strdup(err);
        (void) sd_bus_message_read_strv(m, &f->images);
        f->done = true;
        return 0;
}

/* PropertiesChanged(s interface, a{sv} changed, as invalidated): BytesDone, BytesTotal, Layers and
 * LayerStates. */
static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Follow *f = userdata;
        const char *name;
        char line[256];
        int r;

        r = sd_bus_message_skip(m, "s");
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0 && (streq(name, "BytesDone") || streq(name, "BytesTotal")))
                        r = sd_bus_message_read(m, "v", "t", streq(name, "BytesDone") ? &f->bytes_done : &f->bytes_total);
                else if (r >= 0 && streq(name, "Layers"))
                        r = layer_views_read(&f->layers, m, now_usec(CLOCK_MONOTONIC));
                else if (r >= 0 && streq(name, "LayerStates"))
                        r = layer_views_read_states(&f->layers, m);
                else if (r >= 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r >= 0 && f->tty) {
                (void) format_progress(line, sizeof(line), f->bytes_done, f->bytes_total, 30);
                layer_views_draw(&f->layers, stderr, line);
        } else if (r >= 0)
                layer_views_report(&f->layers, stderr);
        return 0;
}

static void follow_done(Follow *f) {
        free(f->path);
        free(f->result);
        free(f->error);
        strv_free(f->images);
        layer_views_done(&f->layers);
}

static int follow_loop(sd_bus *bus, Follow *f) {
        bool cancel_sent = false;
        int r;

        while (!f->done) {
                if (interrupted && !cancel_sent) {
                        cancel_sent = true;
                        r = sd_bus_call_method(bus, DRAY_BUS_NAME, f->path, DRAY_TRANSFER_INTERFACE, "Cancel", NULL, NULL,
                                               NULL);
                        if (r < 0)
                                log_warning_errno(r, "Failed to cancel the transfer: %m");
                }
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return log_bus_error(NULL, r);
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return log_bus_error(NULL, r);
        }
        return 0;
}

int cli_transfer_run(sd_bus *bus, sd_bus_message *call, const char *what, char ***ret_images) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *removed = NULL, *changed = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(follow_done) Follow f = { .tty = isatty(STDERR_FILENO) > 0 };
        struct sigaction sa = { .sa_handler = on_sigint }, old;
        const char *path;
        int r;

        /* Subscribed before the call: the transfer may end before its reply is processed. */
        r = sd_bus_match_signal(bus, &removed, DRAY_BUS_NAME, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE,
                                "TransferRemoved", on_removed, &f);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to transfers: %m");
        r = sd_bus_call(bus, call, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r);
        r = sd_bus_message_read(reply, "uo", &f.id, &path);
        if (r < 0)
                return log_error_errno(r, "Failed to parse the reply: %m");
        f.path = strdup(path);
        if (!f.path)
                return log_oom();
        r = sd_bus_match_signal(bus, &changed, DRAY_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_changed, &f);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to the transfer: %m");
        if (!f.tty)
                fprintf(stderr, "%s (transfer %u)...\n", what, f.id);
        (void) sigaction(SIGINT, &sa, &old);
        r = follow_loop(bus, &f);
        (void) sigaction(SIGINT, &old, NULL);
        if (f.tty)
                fprintf(stderr, "\r\033[K");
        if (r < 0)
                return r;
        if (!streq(strempty(f.result), "done"))
                return log_error_errno(SYNTHETIC_ERRNO(EIO), "%s %s: %s", what,
                                       streq(strempty(f.result), "canceled") ? "canceled" : "failed",
                                       isempty(f.error) ? "unknown error" : f.error);
        /* On success the message is a note for the user, if any (skipped device nodes). */
        if (!isempty(f.error))
                log_notice("%s: %s.", what, f.error);
        if (ret_images)
                *ret_images = TAKE_PTR(f.images);
        return 0;
}
