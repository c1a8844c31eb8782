/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* The libraries' one error carrier, as crun's libcrun_error_t: a failing library call returns a
 * negative errno, as every call does, and when the caller passed a DrayError, also says what failed
 * in words a user can act on ("address 10.90.0.7 on network 'web' is in use"). The caller decides
 * whether and how to report it (libraries log at debug only), and adds its own context in front with
 * dray_error_prefix() on the way up. Replaces the per-module ret_reason, ret_message, UnpackError and
 * RuntimeError shapes.
 *
 *     _cleanup_(dray_error_done) DrayError e = {};
 *     r = net_veth_attach(…, &e);
 *     if (r < 0)
 *             return log_error_errno(r, "%s", dray_error_message(&e, r));
 */
typedef struct DrayError {
        int error;         /* positive errno of the first failure; 0: none recorded */
        char *message;     /* NULL when the failure had no words, or on OOM */
} DrayError;

/* Records error (either sign) and the message, unless e is NULL or holds one already (the innermost
 * failure is the most precise one). Returns -abs(error), for "return dray_error_set(e, r, …);". */
int dray_error_set(DrayError *e, int error, const char *fmt, ...) _printf_(3, 4);
/* "<context>: <message>"; records error when e held none. Returns -abs(error). */
int dray_error_prefix(DrayError *e, int error, const char *fmt, ...) _printf_(3, 4);
/* The message, or strerror of error (or of the recorded one) when there is none. */
const char *dray_error_message(const DrayError *e, int error);
/* Hands the message over (NULL if none) and clears e. */
char *dray_error_take_message(DrayError *e);
void dray_error_done(DrayError *e);
