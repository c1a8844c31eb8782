/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-manifest.h"
#include "macros.h"
#include "registry-parse.h"

/* The pure parts of the registry client (OCI distribution spec, Docker registry API v2): where a
 * reference lives, what a WWW-Authenticate challenge asks for, which manifest of an index is ours.
 * Every input is hostile; nothing here touches the network. */

#define MEDIA_TYPE_DOCKER_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REGISTRY_HEADER_MAX 4096U

typedef struct RegistryChallenge {
        char *realm, *service, *scope; /* Bearer; service and scope may be NULL */
} RegistryChallenge;

void registry_challenge_done(RegistryChallenge *c);
/* 'Bearer realm="…",service="…",scope="…"' → its parameters. -EOPNOTSUPP for another scheme (Basic),
 * -EBADMSG when malformed or without a realm. */
int registry_parse_challenge(const char *header, RegistryChallenge *ret);

typedef struct RegistryLocation {
        char *base;       /* "https://registry-1.docker.io"; http:// once an http fallback was taken */
        char *host;       /* "registry-1.docker.io", "127.0.0.1:5000": where certs.d is looked up */
        char *repository; /* "library/busybox" */
        char *reference;  /* the tag, or the digest when one was given */
        char *name;       /* the normalised reference the image gets in the store */
        bool by_digest;
        bool plain_http;  /* http allowed: when the https handshake fails (the server speaks no TLS) */
} RegistryLocation;

void registry_location_done(RegistryLocation *l);
/* A reference → where to fetch it: https first; plain http allowed for localhost, 127.0.0.0/8 and
 * [::1], or with insecure. docker.io is served by registry-1.docker.io. */
int registry_location(const char *ref, bool insecure, RegistryLocation *ret);

/* The GOARCH name of the machine: amd64, arm64, … */
const char *registry_native_arch(void);
/* Whether a Content-Type (parameters ignored) is exactly t. */
bool registry_content_type_is(const char *content_type, const char *t);
bool registry_media_type_is_index(const char *t);

/* A token server's answer (Docker's token authentication: {"token": …} or OAuth2's
 * {"access_token": …}) → the token, allocated. -EBADMSG when there is none, or when it is over 64 KiB or
 * holds a line break (it goes into a header). */
int registry_token_parse(const char *data, size_t size, char **ret);

/* From an OCI index or Docker manifest list, the first manifest for the platform want (see
 * registry_platform_matches()). -ENOENT (with a reason) when there is none. */
int registry_select_manifest(const char *data, size_t size, const RegistryPlatform *want, ImageDescriptor *ret,
                             const char **ret_reason);
