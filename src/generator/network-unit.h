/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "generated-unit.h"
#include "unit-file.h"

/* NAME.network → NAME-network.service, a oneshot that creates the network NAME unless it exists, so
 * that a container unit with Network=NAME.network (which Requires= it) finds it. */
int network_unit_generate(const UnitFile *f, const char *name, const char *dray, GeneratedUnit *ret);
