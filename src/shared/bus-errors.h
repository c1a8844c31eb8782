/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-names.h"

/* One table mapping our error names to errno values, registered with sd_bus_error_add_map() so that
 * sd_bus_error_get_errno() on the client and sd_bus_error_set_errno() agree. */
extern const sd_bus_error_map dray_bus_error_map[];
int dray_bus_errors_register(void);

/* CLI exit status for an error from drayd: 127 command not found, 126 not executable, else 125. */
int dray_bus_error_to_exit_status(const sd_bus_error *e);
