/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "contract.h"
#include "exit-record.h"
#include "json-util.h"

void exit_record_done(ExitRecord *r) {
        free(r->error);
        r->error = NULL;
}

int exit_record_save(int dir_fd, const ExitRecord *r) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int k = 0;

        if (!o)
                return -ENOMEM;
        k = schema_version_add(o, EXIT_RECORD_SCHEMA_VERSION);
        k = k < 0 ? k : json_add_int(o, "exit_status", r->exit_status);
        k = k < 0 ? k : json_add_uint64(o, "finished_usec", r->finished_usec);
        k = k < 0 ? k : json_add_bool(o, "oom_killed", r->oom_killed);
        k = k < 0 || !r->reboot ? k : json_add_bool(o, "reboot", true);
        k = k < 0 ? k : json_add_string(o, "error", r->error);
        if (k < 0)
                return k;
        return json_write_atomic(dir_fd, EXIT_RECORD_FILE, o);
}

int exit_record_load(int dir_fd, ExitRecord *ret) {
        _cleanup_json_ json_object *o = NULL;
        ExitRecord e = {};
        const char *err = NULL;
        int r;

        r = json_read_file(dir_fd, EXIT_RECORD_FILE, &o);
        if (r < 0)
                return r;
        r = schema_version_check(o, EXIT_RECORD_SCHEMA_VERSION);
        if (r < 0)
                return r;
        r = json_get_int(o, "exit_status", &e.exit_status);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        if (e.exit_status < 0 || e.exit_status > 255)
                return -ERANGE;
        r = json_get_uint64(o, "finished_usec", &e.finished_usec);
        if (r < 0 && r != -ENOENT)
                return r;
        r = json_get_bool(o, "oom_killed", &e.oom_killed);
        if (r < 0 && r != -ENOENT)
                return r;
        r = json_get_bool(o, "reboot", &e.reboot);
        if (r < 0 && r != -ENOENT)
                return r;
        r = json_get_string(o, "error", &err);
        if (r < 0 && r != -ENOENT)
                return r;
        if (err) {
                e.error = strdup(err);
                if (!e.error)
                        return -ENOMEM;
        }
        *ret = e;
        return 0;
}
