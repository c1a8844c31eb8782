/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "cli-layers.h"
#include "cli-transfer.h"

#define LAYERS_MAX 1024U

void layer_views_done(LayerViews *v) {
        free(v->l);
        *v = (LayerViews) {};
}

static LayerView *layer_view_get(LayerViews *v, size_t i) {
        if (i < v->n)
                return v->l + i;
        if (i != v->n || i >= LAYERS_MAX)
                return NULL;
        LayerView *l = reallocarray(v->l, v->n + 1, sizeof(LayerView));
        if (!l)
                return NULL;
        v->l = l;
        l += v->n++;
        *l = (LayerView) {};
        return l;
}

/* The variant's array (the message is at the variant), and out of both again. */
static int enter_array(sd_bus_message *m, const char *variant, const char *element) {
        int r = sd_bus_message_enter_container(m, 'v', variant);

        return r < 0 ? r : sd_bus_message_enter_container(m, 'a', element);
}

static int leave_array(sd_bus_message *m) {
        int r = sd_bus_message_exit_container(m);

        return r < 0 ? r : sd_bus_message_exit_container(m);
}

int layer_views_read(LayerViews *v, sd_bus_message *m, uint64_t now) {
        const char *digest;
        uint64_t done, total;
        size_t i = 0;
        int r;

        r = enter_array(m, "a(stt)", "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(stt)", &digest, &done, &total)) > 0) {
                LayerView *l = layer_view_get(v, i++);

                if (!l)
                        continue;
                if (l->t0 == 0) {
                        l->t0 = l->t_last = now;
                        l->done0 = done;
                }
                if (done > l->done)
                        l->t_last = now;
                (void) snprintf(l->digest, sizeof(l->digest), "%s", digest);
                l->done = done;
                l->total = total;
        }
        return r < 0 ? r : leave_array(m);
}

int layer_views_read_states(LayerViews *v, sd_bus_message *m) {
        const char *state;
        size_t i = 0;
        int r;

        r = enter_array(m, "as", "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "s", &state)) > 0) {
                LayerView *l = layer_view_get(v, i++);

                if (l)
                        (void) snprintf(l->state, sizeof(l->state), "%s", state);
        }
        return r < 0 ? r : leave_array(m);
}

/* A push's layer is up (a state other than waiting and pushing). */
static bool layer_view_pushed(const LayerView *l) {
        return l->state[0] && !streq(l->state, "waiting") && !streq(l->state, "pushing");
}

/* docker push's words for a layer's state. */
static int layer_view_format_push(const LayerView *l, const char *hex, char *buf, size_t n) {
        char a[FORMAT_SIZE_MAX];

        if (streq(l->state, "waiting"))
                return snprintf(buf, n, "%.12s: Waiting", hex);
        if (streq(l->state, "pushing"))
                return snprintf(buf, n, "%.12s: Pushing  %s", hex, format_size(a, l->total));
        if (streq(l->state, "pushed"))
                return snprintf(buf, n, "%.12s: Pushed", hex);
        if (streq(l->state, "exists"))
                return snprintf(buf, n, "%.12s: Layer already exists", hex);
        if (strneq(l->state, "mounted ", 8))
                return snprintf(buf, n, "%.12s: Mounted from %s", hex, l->state + 8);
        return snprintf(buf, n, "%.12s: %s", hex, l->state);
}

int layer_view_format(const LayerView *l, char *buf, size_t n) {
        char a[FORMAT_SIZE_MAX], b[FORMAT_SIZE_MAX], rate[FORMAT_SIZE_MAX];
        const char *hex = strchr(l->digest, ':');
        uint64_t span = l->t_last > l->t0 ? l->t_last - l->t0 : 0;
        uint64_t moved = l->done > l->done0 ? l->done - l->done0 : 0;

        hex = hex ? hex + 1 : l->digest;
        if (l->state[0])
                return layer_view_format_push(l, hex, buf, n);
        if (span == 0 || moved == 0)
                return snprintf(buf, n, "%.12s  %s / %s%s", hex, format_size(a, l->done), format_size(b, l->total),
                                l->done >= l->total ? "  done" : "");
        return snprintf(buf, n, "%.12s  %s / %s  %s/s%s", hex, format_size(a, l->done), format_size(b, l->total),
                        format_size(rate, (uint64_t) ((double) moved * 1e6 / (double) span)),
                        l->done >= l->total ? "  done" : "");
}

void layer_views_draw(LayerViews *v, FILE *f, const char *bar) {
        char line[256];

        if (v->drawn > 0)
                fprintf(f, "\r\033[%zuA", v->drawn);
        for (size_t i = 0; i < v->n; i++) {
                (void) layer_view_format(v->l + i, line, sizeof(line));
                fprintf(f, "\r%s\033[K\n", line);
        }
        v->drawn = v->n;
        fprintf(f, "\r%s\033[K", bar);
        fflush(f);
}

void layer_views_report(LayerViews *v, FILE *f) {
        char line[256];

        for (size_t i = 0; i < v->n; i++) {
                LayerView *l = v->l + i;

                if (l->reported || (l->state[0] ? !layer_view_pushed(l) : l->total == 0 || l->done < l->total))
                        continue;
                l->reported = true;
                (void) layer_view_format(l, line, sizeof(line));
                fprintf(f, "%s%s\n", l->state[0] ? "" : "Layer ", line);
        }
}
