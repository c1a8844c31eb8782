/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "fuzz.h"
#include "log.h"

static const struct {
        const char *name;
        fuzz_target_t run;
} targets[] = {
        { "names",   fuzz_names   },
        { "options", fuzz_options },
        { "seccomp", fuzz_seccomp },
        { "mounts",  fuzz_mounts  },
        { "cli",     fuzz_cli     },
        { "protocol", fuzz_protocol },
        { "manifest", fuzz_manifest },
        { "registry", fuzz_registry },
        { "image-ref", fuzz_image_ref },
        { "policy", fuzz_policy },
        { "tar-path", fuzz_tar_path },
        { "oci-config", fuzz_oci_config },
        { "template", fuzz_template },
};

static fuzz_target_t target;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
        const char *name = getenv("DRAY_FUZZ_TARGET");

        /* The parsers log their refusals at debug or error level: quiet, or the fuzzer drowns. */
        log_set_max_level(-1);
        for (size_t i = 0; name && i < sizeof(targets) / sizeof(targets[0]); i++)
                if (strcmp(targets[i].name, name) == 0)
                        target = targets[i].run;
        if (!target) {
                fprintf(stderr, "dray-fuzz: set DRAY_FUZZ_TARGET to names, options, seccomp, mounts, cli, protocol, manifest, registry, image-ref, tar-path, oci-config, template or policy\n");
                exit(2);
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        return target(data, size);
}
