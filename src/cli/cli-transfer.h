/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* Calling a Manager method that starts an org.dray1.Transfer and following it to its end: a progress
 * bar on stderr when it is a terminal, plain lines otherwise; Ctrl-C cancels the transfer. */

#define FORMAT_SIZE_MAX 16
/* 1536 → "1.5 KiB" (docker's units, base 1024 here as podman does). */
char *format_size(char buf[static FORMAT_SIZE_MAX], uint64_t bytes);
/* The bar line for done/total (total 0: unknown), width columns wide. */
int format_progress(char *buf, size_t n, uint64_t done, uint64_t total, size_t width);

/* Sends call (which must return "uo"), waits for TransferRemoved, and returns 0 when the transfer
 * ended "done", with the images it reported in *ret_images (may be NULL). Errors are logged. */
int cli_transfer_run(sd_bus *bus, sd_bus_message *call, const char *what, char ***ret_images);
