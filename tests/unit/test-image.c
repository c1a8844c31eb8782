/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

#include "blob-partial.h"
#include "image-digest.h"
#include "image-gzip.h"
#include "image-manifest.h"
#include "image-ref.h"
#include "image-store.h"
#include "image-unpack.h"
#include "image-user.h"
#include "rm-rf.h"
#include "strv.h"
#include "test.h"

#define EMPTY_SHA "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int write_file_at(int dir_fd, const char *name, const char *text) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                return -errno;
        return 0;
}

static int norm_is(const char *in, const char *out) {
        _cleanup_free_ char *s = NULL;

        if (image_ref_normalize(in, &s) < 0)
                return out == NULL;
        return out && streq(s, out);
}

TEST(references) {
        ASSERT_TRUE(norm_is("busybox", "docker.io/library/busybox:latest"));
        ASSERT_TRUE(norm_is("busybox:1.36", "docker.io/library/busybox:1.36"));
        ASSERT_TRUE(norm_is("user/app", "docker.io/user/app:latest"));
        ASSERT_TRUE(norm_is("localhost/x:1", "localhost/x:1"));
        ASSERT_TRUE(norm_is("quay.io:443/a/b", "quay.io:443/a/b:latest"));
        ASSERT_TRUE(norm_is("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"));
        ASSERT_TRUE(norm_is("name@sha256:" HEX64, "docker.io/library/name@sha256:" HEX64));
        ASSERT_TRUE(norm_is("a/b:t@sha256:" HEX64, "docker.io/a/b:t@sha256:" HEX64));
        ASSERT_TRUE(norm_is("my-app_x.y__z", "docker.io/library/my-app_x.y__z:latest"));
        ASSERT_TRUE(norm_is("", NULL));
        ASSERT_TRUE(norm_is("Busybox", NULL));
        ASSERT_TRUE(norm_is("busybox:", NULL));
        ASSERT_TRUE(norm_is("busybox:-x", NULL));
        ASSERT_TRUE(norm_is("-busybox", NULL));
        ASSERT_TRUE(norm_is("a//b", NULL));
        ASSERT_TRUE(norm_is("a/../b", NULL));
        ASSERT_TRUE(norm_is("name@sha256:123", NULL));
        ASSERT_TRUE(norm_is("name@md5:" HEX64, NULL));
        ASSERT_TRUE(norm_is("bad host:1/x", NULL));
        ASSERT_TRUE(norm_is("x\n", NULL));
        ASSERT_TRUE(norm_is("host:99999999/x", NULL));
        return 0;
}

TEST(digests) {
        char d[DIGEST_STRING_LEN + 1];

        ASSERT_TRUE(digest_is_valid("sha256:" HEX64));
        ASSERT_FALSE(digest_is_valid("sha256:" HEX64 "0"));
        ASSERT_FALSE(digest_is_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
        ASSERT_FALSE(digest_is_valid("sha512:" HEX64));
        ASSERT_FALSE(digest_is_valid(NULL));
        ASSERT_OK(sha256_buffer("", 0, d));
        ASSERT_STREQ(d, EMPTY_SHA);
        ASSERT_OK(sha256_buffer("abc", 3, d));
        ASSERT_STREQ(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        return 0;
}

TEST(entry_paths) {
        const char *reason;

        ASSERT_OK(unpack_path_check("a/b/c", NULL));
        ASSERT_OK(unpack_path_check("./etc/passwd", NULL));
        ASSERT_OK(unpack_path_check("a/..b/c..", NULL));
        ASSERT_ERROR(unpack_path_check("../etc/passwd", &reason), EINVAL);
        ASSERT_STREQ(reason, "a '..' component");
        ASSERT_ERROR(unpack_path_check("a/../../b", NULL), EINVAL);
        ASSERT_ERROR(unpack_path_check("a/..", NULL), EINVAL);
        ASSERT_ERROR(unpack_path_check("/etc/passwd", &reason), EINVAL);
        ASSERT_STREQ(reason, "an absolute path");
        ASSERT_ERROR(unpack_path_check("a\nb", NULL), EINVAL);
        ASSERT_ERROR(unpack_path_check("caf\xe9", &reason), EINVAL);
        ASSERT_STREQ(reason, "a name that is not valid UTF-8");
        ASSERT_ERROR(unpack_path_check("", NULL), EINVAL);
        ASSERT_ERROR(unpack_path_check(NULL, NULL), EINVAL);
        return 0;
}

#define CONFIG_OK "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/bin/sh\"]," \
        "\"Cmd\":[\"-c\",\"x\"],\"Env\":[\"A=1\"],\"WorkingDir\":\"/w\",\"User\":\"nobody\",\"StopSignal\":\"SIGINT\"," \
        "\"Labels\":{\"k\":\"v\"},\"ExposedPorts\":{\"80/tcp\":{}}},\"rootfs\":{\"type\":\"layers\"," \
        "\"diff_ids\":[\"sha256:" HEX64 "\"]}}"

static int config_fails(const char *json) {
        ImageConfig *c = NULL;
        const char *reason = NULL;
        int r = image_config_parse(json, strlen(json), &c, &reason);

        image_config_free(c);
        return r == -EBADMSG && reason;
}

TEST(config_parse) {
        _cleanup_(image_config_freep) ImageConfig *c = NULL;
        const char *reason;

        ASSERT_OK(image_config_parse(CONFIG_OK, strlen(CONFIG_OK), &c, &reason));
        ASSERT_STREQ(c->entrypoint[0], "/bin/sh");
        ASSERT_STREQ(c->cmd[1], "x");
        ASSERT_STREQ(c->env[0], "A=1");
        ASSERT_STREQ(c->working_dir, "/w");
        ASSERT_STREQ(c->user, "nobody");
        ASSERT_STREQ(c->stop_signal, "SIGINT");
        ASSERT_STREQ(c->labels[0], "k=v");
        ASSERT_STREQ(c->exposed_ports[0], "80/tcp");
        ASSERT_EQ(strv_length(c->diff_ids), 1);
        ASSERT_TRUE(config_fails(""));
        ASSERT_TRUE(config_fails("[]"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\"}}"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:1\"]}}"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Env\":[1]}}"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Env\":[\"=x\"]}}"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Cmd\":\"ls\"}}"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}} trailing"));
        ASSERT_TRUE(config_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":\"\xff\"}"));
        return 0;
}

#define HC(x) "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Healthcheck\":" x "}}"

TEST(config_healthcheck) {
        _cleanup_(image_config_freep) ImageConfig *c = NULL, *none = NULL, *empty = NULL;
        const char *reason;

        ASSERT_OK(image_config_parse(HC("{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":2000000000,"
                                        "\"Timeout\":500000000,\"StartPeriod\":0,\"Retries\":4}"),
                                     strlen(HC("{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":2000000000,"
                                               "\"Timeout\":500000000,\"StartPeriod\":0,\"Retries\":4}")),
                                     &c, &reason));
        ASSERT_STREQ(c->healthcheck.test[0], "CMD-SHELL");
        ASSERT_EQ(c->healthcheck.interval_usec, 2 * USEC_PER_SEC);
        ASSERT_EQ(c->healthcheck.timeout_usec, 500 * USEC_PER_MSEC);
        ASSERT_EQ(c->healthcheck.retries, 4U);
        ASSERT_OK(image_config_parse(HC("{\"Test\":[\"NONE\"]}"), strlen(HC("{\"Test\":[\"NONE\"]}")), &none, &reason));
        ASSERT_FALSE(spec_health_enabled(&none->healthcheck));
        /* An empty Test inherits: nothing here. */
        ASSERT_OK(image_config_parse(HC("{\"Test\":[]}"), strlen(HC("{\"Test\":[]}")), &empty, &reason));
        ASSERT_TRUE(empty->healthcheck.test == NULL);
        ASSERT_TRUE(config_fails(HC("{\"Test\":[\"CMD\"]}")));
        ASSERT_TRUE(config_fails(HC("{\"Test\":[\"SHELL\",\"x\"]}")));
        ASSERT_TRUE(config_fails(HC("{\"Test\":[\"CMD\",\"x\"],\"Interval\":-1}")));
        ASSERT_TRUE(config_fails(HC("{\"Test\":[\"CMD\",\"x\"],\"Interval\":\"30s\"}")));
        ASSERT_TRUE(config_fails(HC("{\"Test\":[\"CMD\",\"x\"],\"Retries\":-3}")));
        ASSERT_TRUE(config_fails(HC("\"CMD true\"")));
        return 0;
}

static int manifest_fails(const char *json) {
        ImageManifest *m = NULL;
        const char *reason = NULL;
        int r = image_manifest_parse(json, strlen(json), &m, &reason);

        image_manifest_free(m);
        return r == -EBADMSG && reason;
}

#define DESC(t) "{\"mediaType\":\"" t "\",\"digest\":\"sha256:" HEX64 "\",\"size\":3}"

TEST(manifest_parse) {
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        const char *ok = "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_OCI_MANIFEST "\",\"config\":"
                DESC(MEDIA_TYPE_OCI_CONFIG) ",\"layers\":[" DESC(MEDIA_TYPE_OCI_LAYER_GZIP) "]}";
        const char *reason;
        _cleanup_free_ char *big = NULL;

        ASSERT_OK(image_manifest_parse(ok, strlen(ok), &m, &reason));
        ASSERT_EQ(m->n_layers, 1);
        ASSERT_EQ(m->layers[0].size, 3);
        ASSERT_TRUE(manifest_fails("{}"));
        ASSERT_TRUE(manifest_fails("{\"schemaVersion\":1}"));
        ASSERT_TRUE(manifest_fails("{\"schemaVersion\":2,\"config\":" DESC("x") "}"));
        ASSERT_TRUE(manifest_fails("{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_OCI_INDEX "\"}"));
        ASSERT_TRUE(manifest_fails("{\"schemaVersion\":2,\"config\":" DESC("x") ",\"layers\":[" DESC("text/plain") "]}"));
        ASSERT_TRUE(manifest_fails("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:1\","
                                   "\"size\":1},\"layers\":[]}"));
        ASSERT_TRUE(manifest_fails("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" HEX64
                                   "\",\"size\":-1},\"layers\":[]}"));
        /* Oversized JSON is refused before parsing. */
        big = malloc(IMAGE_JSON_MAX + 16);
        ASSERT_TRUE(big);
        memset(big, ' ', IMAGE_JSON_MAX + 15);
        big[0] = '{';
        big[IMAGE_JSON_MAX + 14] = '}';
        big[IMAGE_JSON_MAX + 15] = 0;
        ASSERT_TRUE(manifest_fails(big));
        ASSERT_STREQ((image_manifest_parse(big, strlen(big), &(ImageManifest *) { NULL }, &reason), reason),
                     "manifest is larger than 4 MiB");
        return 0;
}

static int count_entries(int dir_fd) {
        DIR *d = fdopendir(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

TEST(store_blobs_and_index) {
        char dir[] = "/tmp/test-image-XXXXXX", d[DIGEST_STRING_LEN + 1];
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        _cleanup_free_ char *data = NULL;
        ImageDescriptor m1 = { .media_type = (char *) MEDIA_TYPE_OCI_MANIFEST, .digest = (char *) "sha256:" HEX64, .size = 1 };
        ImageDescriptor m2 = { .media_type = (char *) MEDIA_TYPE_OCI_MANIFEST, .digest = (char *) EMPTY_SHA, .size = 0 };
        BlobWriter w;
        size_t size;

        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_OK(image_store_open(dir, &s));
        ASSERT_OK(faccessat(s->images_fd, "oci-layout", F_OK, 0));

        ASSERT_OK(image_store_add_blob(s, "abc", 3, d));
        ASSERT_TRUE(image_store_has_blob(s, d));
        ASSERT_OK(image_store_read_blob(s, d, 100, &data, &size));
        ASSERT_EQ(size, 3);
        ASSERT_ERROR(image_store_read_blob(s, d, 2, &(char *) { NULL }, NULL), EFBIG);

        /* A blob that does not match its expected digest never becomes visible. */
        ASSERT_OK(blob_writer_begin(s, 100, &w));
        ASSERT_OK(blob_writer_write(&w, "abd", 3));
        ASSERT_ERROR(blob_writer_commit(s, &w, "sha256:" HEX64, NULL, NULL), EBADMSG);
        blob_writer_done(&w);
        ASSERT_EQ(count_entries(s->blobs_fd), 1);
        ASSERT_EQ(count_entries(s->tmp_fd), 0);
        ASSERT_OK(blob_writer_begin(s, 2, &w));
        ASSERT_ERROR(blob_writer_write(&w, "abd", 3), EFBIG);
        blob_writer_done(&w);

        /* A tampered blob is caught when read. */
        ASSERT_OK(unlinkat(s->blobs_fd, digest_hex(d), 0));
        ASSERT_OK(write_file_at(s->blobs_fd, digest_hex(d), "abX"));
        ASSERT_ERROR(image_store_read_blob(s, d, 100, &(char *) { NULL }, NULL), EBADMSG);

        ASSERT_OK(image_index_load(s, true, &index));
        ASSERT_EQ(index.n, 0);
        ASSERT_OK(image_index_set(&index, "docker.io/library/a:latest", &m1));
        ASSERT_OK(image_index_set(&index, "docker.io/library/b:latest", &m1));
        ASSERT_EQ(index.n, 2);
        /* Retagging a onto m2 leaves m1 named b only. */
        ASSERT_OK(image_index_set(&index, "docker.io/library/a:latest", &m2));
        ASSERT_EQ(index.n, 2);
        /* Retagging b too leaves m1 dangling (unnamed), not gone. */
        ASSERT_OK(image_index_set(&index, "docker.io/library/b:latest", &m2));
        ASSERT_EQ(index.n, 3);
        ASSERT_TRUE(index.entries[0].ref_name == NULL);
        ASSERT_OK(image_index_save(s, &index));
        image_index_done(&index);
        ASSERT_OK(image_index_load(s, false, &index));
        ASSERT_EQ(index.n, 3);
        ASSERT_OK(image_index_untag(&index, "docker.io/library/a:latest"));
        ASSERT_ERROR(image_index_untag(&index, "docker.io/library/a:latest"), ENOENT);
        image_index_remove_manifest(&index, m1.digest);
        ASSERT_EQ(index.n, 1);
        (void) rm_rf_path(dir);
        return 0;
}

/* A leftover of an earlier pull: size bytes (sparse), last written hours ago. */
static int make_leftover(int dir_fd, const char *name, uint64_t size, int hours) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        struct timespec t[2] = { { .tv_nsec = UTIME_OMIT } };

        if (fd < 0 || ftruncate(fd, (off_t) size) < 0)
                return -errno;
        ASSERT_OK(clock_gettime(CLOCK_REALTIME, &t[1]));
        t[1].tv_sec -= hours * 3600;
        return futimens(fd, t) < 0 ? -errno : 0;
}

static bool exists_at(int dir_fd, const char *name) {
        return faccessat(dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

TEST(partials_bounded) {
        char dir[] = "/tmp/test-image-XXXXXX", name[16];
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        _cleanup_close_ int dir_fd = -EBADF, held = -EBADF;
        uint64_t offset;
        BlobWriter w;

        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_OK(image_store_open(dir, &s));
        ASSERT_OK(mkdirat(s->tmp_fd, BLOB_PARTIAL_DIR, 0700));
        ASSERT_TRUE((dir_fd = openat(s->tmp_fd, BLOB_PARTIAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0);

        /* By number: 2 more than are kept, the oldest held by a transfer (never dropped). */
        for (unsigned i = 0; i < BLOB_PARTIAL_KEEP_FILES + 2; i++) {
                snprintf(name, sizeof(name), "f%02u", i);
                ASSERT_OK(make_leftover(dir_fd, name, 1, (int) i + 1));
        }
        ASSERT_TRUE((held = openat(dir_fd, name, O_RDONLY | O_CLOEXEC)) >= 0);
        ASSERT_OK(flock(held, LOCK_EX));
        ASSERT_OK(blob_partial_open(s, "sha256:" HEX64, 100, &w, &offset));
        blob_writer_done(&w);
        for (unsigned i = 0; i < BLOB_PARTIAL_KEEP_FILES; i++) {
                snprintf(name, sizeof(name), "f%02u", i);
                ASSERT_TRUE(exists_at(dir_fd, name));
        }
        ASSERT_FALSE(exists_at(dir_fd, "f16"));
        ASSERT_TRUE(exists_at(dir_fd, "f17"));
        ASSERT_TRUE(exists_at(dir_fd, HEX64));
        ASSERT_EQ(count_entries(dir_fd), BLOB_PARTIAL_KEEP_FILES + 2);

        /* A prune empties it, but for what a transfer holds; released, it goes with the next. */
        ASSERT_OK(blob_partial_clean(s));
        ASSERT_TRUE(exists_at(dir_fd, "f17"));
        ASSERT_EQ(count_entries(dir_fd), 1);
        held = safe_close(held);
        ASSERT_OK(blob_partial_clean(s));
        ASSERT_EQ(count_entries(dir_fd), 0);
        ASSERT_FALSE(exists_at(s->tmp_fd, BLOB_PARTIAL_DIR)); /* empty, it went too */
        safe_close(dir_fd);
        ASSERT_OK(mkdirat(s->tmp_fd, BLOB_PARTIAL_DIR, 0700));
        ASSERT_TRUE((dir_fd = openat(s->tmp_fd, BLOB_PARTIAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0);

        /* By size: past the bytes kept, the older ones go, a small one too. */
        ASSERT_OK(make_leftover(dir_fd, "big", BLOB_PARTIAL_KEEP_BYTES / 4 * 3, 1));
        ASSERT_OK(make_leftover(dir_fd, "bigger", BLOB_PARTIAL_KEEP_BYTES / 2, 2));
        ASSERT_OK(make_leftover(dir_fd, "small", 1, 3));
        ASSERT_OK(blob_partial_open(s, "sha256:" HEX64, 100, &w, &offset));
        blob_writer_done(&w);
        ASSERT_TRUE(exists_at(dir_fd, "big"));
        ASSERT_FALSE(exists_at(dir_fd, "bigger"));
        ASSERT_FALSE(exists_at(dir_fd, "small"));
        ASSERT_EQ(count_entries(dir_fd), 2);
        (void) rm_rf_path(dir);
        return 0;
}

TEST(index_malformed) {
        char dir[] = "/tmp/test-image-XXXXXX";
        _cleanup_(image_store_freep) ImageStore *s = NULL;
        ImageIndex index = { .lock_fd = -EBADF };

        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_OK(image_store_open(dir, &s));
        ASSERT_OK(unlinkat(s->images_fd, "index.json", 0));
        ASSERT_OK(write_file_at(s->images_fd, "index.json", "{\"manifests\":{}}"));
        ASSERT_ERROR(image_index_load(s, false, &index), EBADMSG);
        ASSERT_OK(unlinkat(s->images_fd, "index.json", 0));
        ASSERT_OK(write_file_at(s->images_fd, "index.json", "[1,2"));
        ASSERT_ERROR(image_index_load(s, false, &index), EBADMSG);
        ASSERT_OK(unlinkat(s->images_fd, "index.json", 0));
        /* Entries we cannot use are skipped, not fatal. */
        ASSERT_OK(write_file_at(s->images_fd, "index.json",
                                "{\"manifests\":[{\"digest\":\"x\"},{\"mediaType\":\"" MEDIA_TYPE_OCI_MANIFEST
                                "\",\"digest\":\"sha256:" HEX64 "\",\"size\":5}]}"));
        ASSERT_OK(image_index_load(s, false, &index));
        ASSERT_EQ(index.n, 1);
        image_index_done(&index);
        (void) rm_rf_path(dir);
        return 0;
}

static int make_layer(const char *dir, const char *passwd, const char *group) {
        _cleanup_close_ int fd = -EBADF, etc = -EBADF;

        if (mkdir(dir, 0755) < 0)
                return -errno;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || mkdirat(fd, "etc", 0755) < 0)
                return -errno;
        etc = openat(fd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (etc < 0)
                return -errno;
        if (passwd && write_file_at(etc, "passwd", passwd) < 0)
                return -errno;
        if (group && write_file_at(etc, "group", group) < 0)
                return -errno;
        return 0;
}

static int resolve(char *const *layers, const char *user, char *const *group_add, ImageUser *u) {
        free(u->groups);
        *u = (ImageUser) {};
        return image_resolve_user(layers, user, group_add, u, NULL);
}

TEST(user_resolution) {
        char dir[] = "/tmp/test-image-user-XXXXXX", upper[64], lower[64], fifo[96], path[96];
        ImageUser u = {};
        const char *bad = NULL;

        ASSERT_TRUE(mkdtemp(dir));
        snprintf(upper, sizeof(upper), "%s/upper", dir);
        snprintf(lower, sizeof(lower), "%s/lower", dir);
        /* The upper layer's passwd hides the lower one's; group comes from the lower layer. */
        ASSERT_OK(make_layer(upper, "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/:/bin/sh\n", NULL));
        ASSERT_OK(make_layer(lower, "old:x:5:5::/:/bin/sh\n",
                             "root:x:0:\nwheel:x:10:root,app\nstaff:x:50:\napps:x:1001:\nextra:x:2000:bob,app\n"));
        char *layers[] = { upper, lower, NULL };

        ASSERT_OK(resolve(layers, "app", NULL, &u));
        ASSERT_EQ(u.uid, 1000);
        ASSERT_EQ(u.gid, 1001);
        /* The primary group, then every group that lists app (CVE-2022-36109). */
        ASSERT_EQ(u.n_groups, 3);
        ASSERT_EQ(u.groups[0], 1001);
        ASSERT_EQ(u.groups[1], 10);
        ASSERT_EQ(u.groups[2], 2000);
        ASSERT_OK(resolve(layers, "app:staff", (char *[]) { "apps", "77", "staff", NULL }, &u));
        ASSERT_EQ(u.gid, 50);
        ASSERT_EQ(u.n_groups, 5); /* 50 10 2000 1001 77: no duplicates */
        ASSERT_EQ(u.groups[0], 50);
        ASSERT_EQ(u.groups[3], 1001);
        ASSERT_EQ(u.groups[4], 77);
        ASSERT_OK(resolve(layers, "1000", NULL, &u));
        ASSERT_EQ(u.gid, 1001); /* the primary group from passwd */
        ASSERT_EQ(u.n_groups, 3);
        ASSERT_OK(resolve(layers, "4242", NULL, &u));
        ASSERT_EQ(u.gid, 0);
        ASSERT_EQ(u.n_groups, 1);
        ASSERT_OK(resolve(layers, "7:8", NULL, &u));
        ASSERT_EQ(u.uid, 7);
        ASSERT_EQ(u.gid, 8);
        ASSERT_OK(resolve(layers, NULL, (char *[]) { "wheel", NULL }, &u));
        ASSERT_EQ(u.uid, 0);
        ASSERT_EQ(u.n_groups, 2);
        ASSERT_ERROR(resolve(layers, "old", NULL, &u), ESRCH);
        ASSERT_ERROR(resolve(layers, "app:nogroup", NULL, &u), ESRCH);
        ASSERT_ERROR(image_resolve_user(layers, "app", (char *[]) { "nogroup", NULL }, &u, &bad), ESRCH);
        ASSERT_STREQ(bad, "nogroup");
        ASSERT_ERROR(resolve(layers, "app", (char *[]) { "a:b", NULL }, &u), EINVAL);
        ASSERT_ERROR(resolve(layers, "a b", NULL, &u), EINVAL);
        ASSERT_ERROR(resolve(layers, "-x", NULL, &u), EINVAL);
        ASSERT_ERROR(resolve(layers, "", NULL, &u), EINVAL);

        /* Hostile files: a FIFO would block open(2) forever, a device must not be opened, a symlink
         * must not lead out of the layer. Each is refused at once, naming the file. */
        snprintf(fifo, sizeof(fifo), "%s/etc/passwd", upper);
        ASSERT_OK(unlink(fifo) < 0 ? -errno : 0);
        ASSERT_OK(mkfifo(fifo, 0644) < 0 ? -errno : 0);
        bad = NULL;
        ASSERT_ERROR(image_resolve_user(layers, "app", NULL, &u, &bad), EMEDIUMTYPE);
        ASSERT_STREQ(bad, "etc/passwd");
        ASSERT_OK(unlink(fifo) < 0 ? -errno : 0);
        ASSERT_OK(symlink("/proc/self/status", fifo) < 0 ? -errno : 0); /* resolves inside the layer */
        ASSERT_ERROR(resolve(layers, "app", NULL, &u), ESRCH);
        ASSERT_OK(unlink(fifo) < 0 ? -errno : 0);
        snprintf(path, sizeof(path), "%s/etc/group", lower);
        ASSERT_OK(unlink(path) < 0 ? -errno : 0);
        ASSERT_OK(mkfifo(path, 0644) < 0 ? -errno : 0);
        bad = NULL;
        ASSERT_ERROR(image_resolve_user(layers, "old", NULL, &u, &bad), EMEDIUMTYPE);
        ASSERT_STREQ(bad, "etc/group");
        free(u.groups);
        (void) rm_rf_path(dir);
        return 0;
}

/* gzip for push: what it writes inflates to the input, its digest is what it wrote, and it is the same
 * every time (no mtime in the header). */
TEST(gzip) {
        _cleanup_close_ int in = memfd_create("in", MFD_CLOEXEC), out1 = memfd_create("o1", MFD_CLOEXEC),
                            out2 = memfd_create("o2", MFD_CLOEXEC);
        char d1[DIGEST_STRING_LEN + 1], d2[DIGEST_STRING_LEN + 1], check[DIGEST_STRING_LEN + 1];
        _cleanup_free_ uint8_t *data = malloc(300000), *packed = NULL, *back = malloc(300000);
        uint64_t s1, s2, n;
        uLongf back_len = 300000;
        z_stream z = {};

        ASSERT_TRUE(in >= 0 && out1 >= 0 && out2 >= 0 && data && back);
        for (size_t i = 0; i < 300000; i++)
                data[i] = (uint8_t) (i % 251 < 200 ? 'a' + i % 7 : i * 31);
        ASSERT_TRUE(write(in, data, 300000) == 300000);
        ASSERT_TRUE(lseek(in, 0, SEEK_SET) == 0);
        ASSERT_OK(image_gzip(in, out1, d1, &s1));
        ASSERT_TRUE(lseek(in, 0, SEEK_SET) == 0);
        ASSERT_OK(image_gzip(in, out2, d2, &s2));
        ASSERT_STREQ(d1, d2);
        ASSERT_EQ(s1, s2);
        ASSERT_TRUE(s1 < 300000);
        ASSERT_TRUE(lseek(out1, 0, SEEK_SET) == 0);
        ASSERT_OK(sha256_fd(out1, check, &n));
        ASSERT_STREQ(check, d1);
        ASSERT_EQ(n, s1);

        packed = malloc(s1);
        ASSERT_TRUE(packed && pread(out1, packed, s1, 0) == (ssize_t) s1);
        ASSERT_TRUE(packed[0] == 0x1f && packed[1] == 0x8b); /* gzip */
        ASSERT_TRUE(packed[4] == 0 && packed[5] == 0 && packed[6] == 0 && packed[7] == 0); /* mtime 0 */
        ASSERT_TRUE(inflateInit2(&z, 15 + 16) == Z_OK);
        z.next_in = packed;
        z.avail_in = (uInt) s1;
        z.next_out = back;
        z.avail_out = (uInt) back_len;
        ASSERT_TRUE(inflate(&z, Z_FINISH) == Z_STREAM_END);
        ASSERT_EQ(z.total_out, 300000);
        (void) inflateEnd(&z);
        ASSERT_TRUE(memcmp(back, data, 300000) == 0);

        /* empty input: a valid, empty gzip stream */
        ASSERT_TRUE(lseek(in, 0, SEEK_END) >= 0);
        ASSERT_OK(image_gzip(in, out2, d2, &s2));
        ASSERT_TRUE(s2 > 0 && s2 < 64);
        return 0;
}
