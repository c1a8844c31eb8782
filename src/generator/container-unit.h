/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "generated-unit.h"
#include "unit-file.h"

/* NAME.container → NAME.service, a Type=notify service running the container in the foreground with
 * `dray run --rm` (dray-units(7): its output is the service's, its scope is bound to the service).
 * name is NAME; dray is the CLI's path. Every error is logged as "FILE:LINE: …" and returned. */
int container_unit_generate(const UnitFile *f, const char *name, const char *dray, GeneratedUnit *ret);
