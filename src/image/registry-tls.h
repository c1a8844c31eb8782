/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Per-registry TLS trust as docker and podman keep it: a directory named HOST[:PORT] under
 * /etc/dray/certs.d, /etc/containers/certs.d or /etc/docker/certs.d (the first that exists wins, as
 * in containers/image), holding *.crt CA certificates, trusted besides the system's, and a client
 * certificate *.cert with its key *.key (same base name). */

#define REGISTRY_CA_MAX (1024U * 1024U)

typedef struct RegistryTls {
        char *dir;             /* the certs.d directory used, or NULL */
        char *ca_pem;          /* the *.crt files, concatenated (PEM), or NULL */
        size_t n_ca_pem;
        char *cert, *key;      /* paths of the client certificate and key, or NULL */
} RegistryTls;

void registry_tls_done(RegistryTls *t);
/* Loads the trust for host (HOST[:PORT]). No directory: an empty RegistryTls, 0. -EFBIG when the CAs
 * are over 1 MiB, -ENOENT (*ret_reason set) for a client certificate without its key. */
int registry_tls_load(const char *host, RegistryTls *ret, const char **ret_reason);
