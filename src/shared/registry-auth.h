/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* Registry credentials in the containers-auth.json(5) format, which podman, skopeo, buildah and
 * docker's config.json share: {"auths": {"HOST[:PORT]": {"auth": base64("user:password")}}}. What is
 * read is hostile (any size, any type), what is written is root-only (0600 in a 0700 directory). */

#define REGISTRY_AUTH_FILE_ROOT "/run/containers/0/auth.json"

typedef struct RegistryCredentials {
        char *user, *password; /* both NULL: anonymous */
} RegistryCredentials;

/* Frees, and wipes the password from memory. */
void registry_credentials_done(RegistryCredentials *c);

/* "https://index.docker.io/v1/", "registry.example:5000/some/path" → "docker.io", "registry.example:5000";
 * -EINVAL when nothing is left or the host holds characters no host has. */
int registry_auth_normalize_host(const char *s, char **ret);

/* The credentials for host in one file's text: -ENOENT when it has none, -EBADMSG when malformed. */
int registry_auth_parse(const char *data, size_t size, const char *host, RegistryCredentials *ret);
/* The same from an open file (read at most 1 MiB). */
int registry_auth_read_fd(int fd, const char *host, RegistryCredentials *ret);
/* In podman's order: $REGISTRY_AUTH_FILE, /run/containers/0/auth.json, $HOME/.docker/config.json (HOME
 * unset: /root). The first file naming host wins; -ENOENT when none does. */
int registry_auth_find(const char *host, RegistryCredentials *ret);
/* Where dray login stores: $REGISTRY_AUTH_FILE, or the root auth file podman and skopeo use. */
const char *registry_auth_default_file(void);

/* Sets host's entry in path (created 0600, its directory 0700 if missing), keeping every other key of
 * the file; password NULL removes it (host NULL: all entries). -ENOENT when there was nothing to remove. */
int registry_auth_update(const char *path, const char *host, const char *user, const char *password);
