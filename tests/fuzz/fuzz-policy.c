/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an administrator's (or a --signature-policy caller's) files and a lookaside hand the pull
 * worker: containers-policy.json(5), containers-registries.d(5) YAML and simple-signing payloads. None
 * may crash the parser or leak; what a parser accepts must hold together. */
#include "fuzz.h"
#include "image-lookaside.h"
#include "image-policy.h"
#include "image-signature.h"
#include "strv.h"

/* policy: the bytes as a policy file; when accepted, a few references looked up and matched, and
 * the bytes as a registries.d file and a signature payload. */
int fuzz_policy(const uint8_t *data, size_t size) {
        static const char *const refs[] = { "busybox", "localhost:5000/a/b:1", "quay.io/x/y:2",
                                            "registry.example.com/a@sha256:"
                                            "0123456789012345678901234567890123456789012345678901234567890123" };
        _cleanup_(image_policy_freep) ImagePolicy *p = NULL;
        _cleanup_(lookaside_config_freep) LookasideConfig *c = calloc(1, sizeof(LookasideConfig));
        _cleanup_free_ char *ref = NULL, *digest = NULL;
        _cleanup_(dray_error_done) DrayError e = {};
        const char *why;

        if (size > 256 * 1024 || !c)
                return 0;
        if (image_policy_parse((const char *) data, size, "fuzz.json", &p, &e) >= 0)
                for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                        const PolicyRequirements *l = image_policy_for(p, refs[i]);

                        if (!l || l->n_items == 0)
                                abort(); /* every scope holds at least one requirement */
                        for (size_t j = 0; j < l->n_items; j++)
                                if (l->items[j].type == POLICY_SIGNED_BY) {
                                        if (!l->items[j].key_paths && !l->items[j].key_data)
                                                abort();
                                        (void) policy_identity_matches(l->items + j, refs[i], refs[(i + 1) % 4]);
                                }
                }
        if (lookaside_config_parse(c, (const char *) data, size, "fuzz.yaml", 0, &e) >= 0)
                for (size_t i = 0; i < ELEMENTSOF(refs); i++) {
                        _cleanup_free_ char *url = NULL;

                        if (lookaside_base_url(c, refs[i], i % 2, &url) >= 0 && !strstr(url, "://"))
                                abort();
                }
        if (simple_signing_parse((const char *) data, size, &ref, &digest, &why) >= 0 && (!ref || !digest))
                abort();
        return 0;
}
