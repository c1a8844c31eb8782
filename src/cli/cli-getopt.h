/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>

/* One option parser for every verb of dray: getopt_long as Docker users type, that is
 *   - options may follow operands ("dray rm a b -f", "dray network create NAME --subnet CIDR"): before
 *     the first call the arguments are reordered, options first, operands after them, in their order;
 *   - where a verb has a payload (run and create after IMAGE or with --rootfs, exec after CONTAINER,
 *     dray itself after VERB, "dray image"/"dray network" after their sub-verb) its optstring starts
 *     with '+': then parsing stops at the first operand and everything from there on is left alone;
 *   - "--" ends the options everywhere;
 *   - long options match only by their full name ("--pid=host" is unknown, never "--pids-limit"),
 *     and an unknown option is reported as typed.
 * It behaves as if optstring had ':' (no getopt messages; '?' for an unknown option, ':' for a missing
 * argument), and both are reported by log_option_error(). Call getopt_reset() first; then loop as
 * with getopt_long, and read the operands from argv + optind when it returns -1. */
int cli_getopt(int argc, char *argv[], const char *optstring, const struct option *longopts);

/* The option cli_getopt() refused, as typed ("--pid=host", "-x", "--subnet"), or NULL. */
const char *cli_getopt_bad_option(void);

/* Reset the parser (and getopt's global state) before a verb parses its own options. */
void getopt_reset(void);

/* One line to stderr for a '?' or ':' from cli_getopt(): names the option as typed and the verb as the
 * user typed it ("network create"; NULL for dray's own options). Returns -EINVAL. */
int log_option_error(const char *verb, char *const argv[], int c);
