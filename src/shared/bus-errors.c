/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "bus-errors.h"
#include "container-state.h"

const sd_bus_error_map dray_bus_error_map[] = {
        SD_BUS_ERROR_MAP(DRAY_ERROR_NO_SUCH_CONTAINER, ENOENT),
        SD_BUS_ERROR_MAP(DRAY_ERROR_AMBIGUOUS_CONTAINER, ENOTUNIQ),
        SD_BUS_ERROR_MAP(DRAY_ERROR_CONTAINER_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(DRAY_ERROR_INVALID_NAME, EINVAL),
        SD_BUS_ERROR_MAP(DRAY_ERROR_CONTAINER_RUNNING, EBUSY),
        SD_BUS_ERROR_MAP(DRAY_ERROR_CONTAINER_NOT_RUNNING, ESRCH),
        SD_BUS_ERROR_MAP(DRAY_ERROR_COMMAND_NOT_FOUND, ENOEXEC),
        SD_BUS_ERROR_MAP(DRAY_ERROR_COMMAND_NOT_EXECUTABLE, EACCES),
        SD_BUS_ERROR_MAP(DRAY_ERROR_ROOTFS_NOT_FOUND, ENOTDIR),
        SD_BUS_ERROR_MAP(DRAY_ERROR_SYSTEMD_FAILED, EIO),
        SD_BUS_ERROR_MAP(DRAY_ERROR_START_FAILED, ECHILD),
        /* Networks. The errnos repeat the container ones where the meaning is the same; drayd sets
         * names explicitly, so the reverse lookup (errno → first name) never picks these. */
        SD_BUS_ERROR_MAP(DRAY_ERROR_NO_SUCH_NETWORK, ENOENT),
        SD_BUS_ERROR_MAP(DRAY_ERROR_NETWORK_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(DRAY_ERROR_NETWORK_IN_USE, EBUSY),
        SD_BUS_ERROR_MAP(DRAY_ERROR_ADDRESS_IN_USE, EADDRINUSE),
        SD_BUS_ERROR_MAP(DRAY_ERROR_PORT_IN_USE, EADDRNOTAVAIL),
        SD_BUS_ERROR_MAP(DRAY_ERROR_NOT_CONNECTED, ENOTCONN),
        SD_BUS_ERROR_MAP_END,
};

int dray_bus_errors_register(void) {
        return sd_bus_error_add_map(dray_bus_error_map);
}

int dray_bus_error_to_exit_status(const sd_bus_error *e) {
        if (sd_bus_error_has_name(e, DRAY_ERROR_COMMAND_NOT_FOUND))
                return EXIT_NOT_FOUND;
        if (sd_bus_error_has_name(e, DRAY_ERROR_COMMAND_NOT_EXECUTABLE))
                return EXIT_CANNOT_INVOKE;
        return EXIT_DRAY_FAILED;
}
