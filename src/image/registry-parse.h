/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Pure parsing for fast and robust transfers: HTTP headers a registry sends back (Retry-After,
 * Content-Range) and the platform a user asks for (--platform). Every input is hostile. */

/* The longest wait a Retry-After may ask for: a registry cannot park a pull for hours. */
#define REGISTRY_RETRY_AFTER_MAX 60U

/* Retry-After: delay-seconds or an HTTP-date (compared with now) → seconds to wait, capped at
 * REGISTRY_RETRY_AFTER_MAX; a date in the past gives 0. -EINVAL when it is neither. */
int registry_parse_retry_after(const char *value, time_t now, unsigned *ret_seconds);

/* Content-Range: "bytes FIRST-LAST/TOTAL" (TOTAL may be "*", then *ret_total is UINT64_MAX).
 * -EINVAL when malformed, another unit, or LAST < FIRST, or LAST >= TOTAL. */
int registry_parse_content_range(const char *value, uint64_t *ret_first, uint64_t *ret_last, uint64_t *ret_total);

/* How long a token server's token lasts (its expires_in, seconds): 60 when absent or shorter, as
 * Docker's token specification says; at most a day. */
#define REGISTRY_TOKEN_LIFETIME_MIN 60U
#define REGISTRY_TOKEN_LIFETIME_MAX 86400U
unsigned registry_token_lifetime(const char *data, size_t size);

typedef struct RegistryPlatform {
        char os[32], arch[32], variant[32]; /* variant "" when none was given */
} RegistryPlatform;

/* "os/arch[/variant]" (as --platform takes it) → its parts; -EINVAL when malformed. */
int registry_platform_parse(const char *s, RegistryPlatform *ret);
/* This host's platform: linux/<GOARCH>[/<variant>] (arm64 → v8, arm → v7). */
void registry_platform_native(RegistryPlatform *ret);
/* Whether an index entry's os, architecture, variant (NULL: none) serve want. An entry without a
 * variant serves any; arm64's v8 is its default; a wanted platform without variant takes arm's v7
 * (or none) only, as the 32-bit arm variants differ in instruction set. */
bool registry_platform_matches(const RegistryPlatform *want, const char *os, const char *arch, const char *variant);
/* "os/arch[/variant]" into buf. */
const char *registry_platform_format(const RegistryPlatform *p, char *buf, size_t size);
