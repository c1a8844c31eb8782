/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec.h"

/* polkit actions (policy/org.dray1.policy). */
#define DRAY_POLKIT_MANAGE_CONTAINERS "org.dray1.manage-containers"
#define DRAY_POLKIT_PRIVILEGED_OPTIONS "org.dray1.privileged-options"

/* Why creating a container from spec needs org.dray1.privileged-options rather than
 * org.dray1.manage-containers: a short static description of the first option that weakens the
 * isolation or reaches into the host ("a bind mount of a host path", "--privileged", …), or NULL
 * when the spec is an ordinary one. This is the one place that decides: an option that touches the
 * host (images, networks, devices, …) is added here and nowhere else. */
const char *container_spec_privileged_reason(const ContainerSpec *spec);

/* The polkit action CreateContainer checks for spec. */
const char *container_spec_polkit_action(const ContainerSpec *spec);
