/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simple signing through gpgme with real gpg: a key made here (ed25519, no passphrase) in a
 * GNUPGHOME of the test's own signs a payload; a keyring holding only that public key accepts it, and
 * refuses it tampered with, or signed by another key. Skipped without gpg. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-signature.h"
#include "rm-rf.h"
#include "strv.h"
#include "test.h"

#define DIGEST "sha256:0123456789012345678901234567890123456789012345678901234567890123"

static char home[] = "/tmp/test-image-signature-XXXXXX";

static int run(char *cmd) {
        int r = cmd && system(cmd) == 0 ? 0 : -EIO;

        free(cmd);
        return r;
}

static char *cmd_or_null(int n, char *cmd) {
        return n < 0 ? NULL : cmd;
}

/* A key for uid in home, its public half exported to home/uid.gpg. */
static int make_key(const char *uid) {
        char *c = NULL;
        int n;

        n = asprintf(&c, "GNUPGHOME=%s gpg --batch --quiet --pinentry-mode loopback --passphrase '' "
                     "--quick-gen-key '%s' ed25519 sign never >/dev/null 2>&1", home, uid);
        if (run(cmd_or_null(n, c)) < 0)
                return -EIO;
        n = asprintf(&c, "GNUPGHOME=%s gpg --batch --quiet --export '%s' > %s/'%s'.gpg", home, uid, home, uid);
        return run(cmd_or_null(n, c));
}

static int keyring_for(const char *uid, SignatureKeyring **ret) {
        _cleanup_free_ char *path = NULL;
        PolicyRequirement r = { .type = POLICY_SIGNED_BY };
        _cleanup_(dray_error_done) DrayError e = {};
        int k;

        if (asprintf(&path, "%s/%s.gpg", home, uid) < 0)
                return -ENOMEM;
        k = strv_extend(&r.key_paths, path);
        if (k >= 0)
                k = signature_keyring_new(&r, NULL, ret, &e);
        if (k < 0)
                fprintf(stderr, "keyring: %s\n", strna(e.message));
        strv_free(r.key_paths);
        return k;
}

TEST(sign_and_verify) {
        _cleanup_(signature_keyring_freep) SignatureKeyring *mine = NULL, *other = NULL;
        _cleanup_free_ char *payload = NULL, *out = NULL, *ref = NULL, *dig = NULL;
        _cleanup_free_ void *sig = NULL;
        _cleanup_free_ unsigned char *bad = NULL;
        const char *why = NULL;
        _cleanup_(dray_error_done) DrayError e = {};
        size_t n, size;

        if (system("gpg --version >/dev/null 2>&1") != 0)
                return TEST_SKIP;
        ASSERT_TRUE(mkdtemp(home));
        ASSERT_OK(make_key("signer@dray.test"));
        ASSERT_OK(make_key("other@dray.test"));
        ASSERT_OK(setenv("GNUPGHOME", home, 1));

        ASSERT_OK(simple_signing_build("localhost:5000/a:1", DIGEST, "test", &payload));
        ASSERT_OK(signature_sign("signer@dray.test", NULL, payload, &sig, &size, &e));
        ASSERT_ERROR(signature_sign("nobody@dray.test", NULL, payload, &sig, &size, &e), ENOKEY);
        ASSERT_TRUE(strstr(strempty(e.message), "no secret key 'nobody@dray.test'"));

        ASSERT_OK(keyring_for("signer@dray.test", &mine));
        ASSERT_OK(signature_keyring_verify(mine, sig, size, &out, &n, &why));
        ASSERT_EQ(n, strlen(payload));
        ASSERT_TRUE(memcmp(out, payload, n) == 0);
        ASSERT_OK(simple_signing_parse(out, n, &ref, &dig, &why));
        ASSERT_STREQ(ref, "localhost:5000/a:1");
        ASSERT_STREQ(dig, DIGEST);

        /* Only the policy's keys count: the other key's keyring refuses the signer's signature. */
        ASSERT_OK(keyring_for("other@dray.test", &other));
        ASSERT_ERROR(signature_keyring_verify(other, sig, size, &out, &n, &why), EBADMSG);
        ASSERT_STREQ(why, "it was made by a key the policy does not name");

        /* One byte of the signed message changed; garbage; nothing. */
        bad = malloc(size);
        ASSERT_TRUE(bad);
        memcpy(bad, sig, size);
        bad[size - 10] ^= 0x01;
        ASSERT_ERROR(signature_keyring_verify(mine, bad, size, &out, &n, &why), EBADMSG);
        ASSERT_ERROR(signature_keyring_verify(mine, "not a signature", 15, &out, &n, &why), EBADMSG);
        ASSERT_ERROR(signature_keyring_verify(mine, "", 0, &out, &n, &why), EBADMSG);

        /* A compression bomb: 64 MiB of zeros in a signature of some 70 KiB, refused without being held. */
        {
                _cleanup_free_ char *cmd = NULL, *path = NULL, *bomb = NULL;
                FILE *f;

                ASSERT_TRUE(asprintf(&cmd, "head -c 67108864 /dev/zero | GNUPGHOME=%s gpg --batch --quiet -z 9 "
                                     "-u signer@dray.test --sign > %s/bomb", home, home) > 0);
                ASSERT_EQ(system(cmd), 0);
                ASSERT_TRUE(asprintf(&path, "%s/bomb", home) > 0);
                f = fopen(path, "re");
                ASSERT_TRUE(f);
                bomb = malloc(4U * 1024U * 1024U);
                ASSERT_TRUE(bomb);
                n = fread(bomb, 1, 4U * 1024U * 1024U, f);
                fclose(f);
                ASSERT_TRUE(n > 0 && n < 4U * 1024U * 1024U);
                ASSERT_ERROR(signature_keyring_verify(mine, bomb, n, &out, &size, &why), EBADMSG);
                ASSERT_STREQ(why, "its payload is larger than 64 KiB");
        }

        (void) system("gpgconf --kill all >/dev/null 2>&1");
        (void) unsetenv("GNUPGHOME");
        ASSERT_OK(rm_rf_path(home));
        return 0;
}
