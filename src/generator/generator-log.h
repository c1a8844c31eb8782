/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Where dray-generator's messages go. A generator runs before journald at boot, so systemd's own
 * generators write to /dev/kmsg, which journald reads later. In a container journald does not read
 * kmsg (and the kernel log is the host's): there the message goes to journald's socket, sent without
 * blocking (PID 1 waits for us, and a journald that waits for PID 1 must not deadlock us), else to
 * stderr, which PID 1 points at its console. SYSTEMD_LOG_TARGET=console sends them to stderr, as
 * for systemd's own generators. */
void generator_log_open(void);
