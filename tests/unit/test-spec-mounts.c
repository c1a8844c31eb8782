/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spec's mounts: paths, tmpfs options, validation and the JSON round trip, good and hostile. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "mount-spec.h"
#include "name.h"
#include "spec.h"
#include "strv.h"
#include "test.h"

TEST(mount_type_table) {
        for (int i = 0; i < _MOUNT_TYPE_MAX; i++)
                ASSERT_EQ(mount_type_from_string(mount_type_to_string((MountType) i)), i);
        ASSERT_EQ(mount_type_from_string("overlay"), _MOUNT_TYPE_INVALID);
        ASSERT_EQ(mount_type_from_string(NULL), _MOUNT_TYPE_INVALID);
        ASSERT_TRUE(!mount_type_to_string(_MOUNT_TYPE_MAX));
        ASSERT_TRUE(!mount_type_to_string(_MOUNT_TYPE_INVALID));
        return 0;
}

TEST(volume_names) {
        char long_name[VOLUME_NAME_MAX + 2];

        ASSERT_TRUE(volume_name_is_valid("data"));
        ASSERT_TRUE(volume_name_is_valid("my_vol-1.2"));
        ASSERT_TRUE(volume_name_is_valid("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        ASSERT_FALSE(volume_name_is_valid(""));
        ASSERT_FALSE(volume_name_is_valid(NULL));
        ASSERT_FALSE(volume_name_is_valid("."));
        ASSERT_FALSE(volume_name_is_valid(".."));
        ASSERT_FALSE(volume_name_is_valid(".removed-x"));
        ASSERT_FALSE(volume_name_is_valid("_x"));
        ASSERT_FALSE(volume_name_is_valid("a/b"));
        ASSERT_FALSE(volume_name_is_valid("a b"));
        ASSERT_FALSE(volume_name_is_valid("/data"));
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = 0;
        ASSERT_FALSE(volume_name_is_valid(long_name));
        long_name[VOLUME_NAME_MAX] = 0;
        ASSERT_TRUE(volume_name_is_valid(long_name));
        return 0;
}

static int normalized(const char *in, const char *want) {
        _cleanup_free_ char *n = NULL;

        ASSERT_OK(mount_path_normalize(in, &n));
        ASSERT_STREQ(n, want);
        ASSERT_TRUE(mount_path_is_normalized(n));
        return 0;
}

TEST(path_normalize) {
        char *n = NULL;
        char lng[5000];

        ASSERT_EQ(normalized("/", "/"), 0);
        ASSERT_EQ(normalized("//", "/"), 0);
        ASSERT_EQ(normalized("/data", "/data"), 0);
        ASSERT_EQ(normalized("/data/", "/data"), 0);
        ASSERT_EQ(normalized("//data//x/./y/.", "/data/x/y"), 0);
        ASSERT_EQ(normalized("/a/...", "/a/..."), 0);
        ASSERT_EQ(normalized("/a/..b/c..", "/a/..b/c.."), 0);
        ASSERT_ERROR(mount_path_normalize("", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("data", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("./data", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("/a/../b", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("/..", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("/a/..", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("/a\nb", &n), EINVAL);
        ASSERT_ERROR(mount_path_normalize("/a\x7f", &n), EINVAL);
        memset(lng, 'a', sizeof(lng) - 1);
        lng[0] = '/';
        lng[sizeof(lng) - 1] = 0;
        ASSERT_ERROR(mount_path_normalize(lng, &n), EINVAL);
        ASSERT_TRUE(!n);
        ASSERT_FALSE(mount_path_is_normalized("/a/"));
        ASSERT_FALSE(mount_path_is_normalized("/a//b"));
        ASSERT_FALSE(mount_path_is_normalized(NULL));
        return 0;
}

TEST(path_below) {
        ASSERT_TRUE(path_is_below_or_equal("/var/lib/dray", "/var/lib/dray"));
        ASSERT_TRUE(path_is_below_or_equal("/var/lib/dray/x", "/var/lib/dray"));
        ASSERT_FALSE(path_is_below_or_equal("/var/lib/dray-test", "/var/lib/dray"));
        ASSERT_FALSE(path_is_below_or_equal("/var/lib", "/var/lib/dray"));
        ASSERT_TRUE(path_is_below_or_equal("/anything", "/"));
        ASSERT_TRUE(path_is_below_or_equal("/", "/"));
        return 0;
}

TEST(destinations) {
        ASSERT_TRUE(mount_destination_is_valid("/data"));
        ASSERT_TRUE(mount_destination_is_valid("/dev/shm"));
        ASSERT_TRUE(mount_destination_is_valid("/process"));
        ASSERT_TRUE(mount_destination_is_valid("/system"));
        ASSERT_FALSE(mount_destination_is_valid("/"));
        ASSERT_FALSE(mount_destination_is_valid("/proc"));
        ASSERT_FALSE(mount_destination_is_valid("/proc/sys"));
        ASSERT_FALSE(mount_destination_is_valid("/sys"));
        ASSERT_FALSE(mount_destination_is_valid("/sys/fs/cgroup"));
        ASSERT_FALSE(mount_destination_is_valid("/data/"));
        ASSERT_FALSE(mount_destination_is_valid("/a/../proc"));
        ASSERT_FALSE(mount_destination_is_valid("relative"));
        ASSERT_FALSE(mount_destination_is_valid(""));
        ASSERT_FALSE(mount_destination_is_valid(NULL));
        return 0;
}

TEST(tmpfs_options) {
        static const char *const good[] = {
                NULL, "", "size=64m", "size=65536k,mode=1777", "mode=755", "mode=0", "size=50%",
                "uid=1000,gid=1000,nr_inodes=10k", "size=1G", "size=12345",
        };
        static const char *const bad[] = {
                "size", "size=", "size=-1", "size=1t", "size=1mm", "size=m", "mode=8", "mode=17777",
                "mode=rwx", "uid=x", "uid=4294967295", "gid=-1", "size=1m,size=2m", "ro", "noexec",
                "exec", "size=1m,", ",size=1m", "size=1m,,mode=1", "huge=always", "mpol=bind",
                "nr_inodes=10%", "size=1m,uid=0,gid=0,mode=1,nr_inodes=1,huge=1",
                "size=99999999999999999999999",
                /* What libmount's parser makes of quotes: never a value we accept. */
                "size=\"1m\"", "size=\"1m,mode=1\"", "mode=\"1", "\"size\"=1m",
        };
        const char *why;
        char lng[400];

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (tmpfs_options_validate(good[i], NULL) < 0) {
                        fprintf(stderr, "refused good tmpfs options '%s'\n", good[i]);
                        return 1;
                }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                why = NULL;
                if (tmpfs_options_validate(bad[i], &why) != -EINVAL || !why) {
                        fprintf(stderr, "accepted bad tmpfs options '%s'\n", bad[i]);
                        return 1;
                }
        }
        memset(lng, '1', sizeof(lng) - 1);
        memcpy(lng, "size=", 5);
        lng[sizeof(lng) - 1] = 0;
        ASSERT_ERROR(tmpfs_options_validate(lng, &why), EINVAL);
        return 0;
}

static ContainerSpec *base_spec(void) {
        ContainerSpec *s = spec_new();
        char id[CONTAINER_ID_LEN + 1];

        if (!s || container_id_generate(id) < 0)
                return spec_free(s);
        s->id = strdup(id);
        s->name = strdup("web");
        s->rootfs = strdup("/srv/root");
        if (!s->id || !s->name || !s->rootfs || strv_extend(&s->command, "true") < 0)
                return spec_free(s);
        return s;
}

#define ADD(s, type, src, dst, ro, opts) mount_spec_append(&(s)->mounts, &(s)->n_mounts, type, src, dst, ro, opts)

TEST(spec_mounts_roundtrip) {
        _cleanup_(spec_freep) ContainerSpec *s = base_spec(), *l = NULL, *none = NULL;
        _cleanup_json_ json_object *o = NULL, *o2 = NULL;
        char t[] = "/tmp/test-spec-mounts-XXXXXX";
        _cleanup_close_ int fd = -EBADF;

        ASSERT_TRUE(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv/data", "/data", false, NULL));
        ASSERT_OK(ADD(s, MOUNT_BIND, "/etc/hosts", "/etc/hosts", true, NULL));
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/scratch", false, "size=64m,mode=1777"));
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/run", false, NULL));
        ASSERT_OK(spec_validate(s, NULL));

        ASSERT_TRUE(mkdtemp(t));
        fd = open(t, O_DIRECTORY | O_CLOEXEC);
        ASSERT_OK(fd);
        ASSERT_OK(spec_save(s, fd));
        ASSERT_OK(spec_load(fd, &l));
        (void) unlinkat(fd, SPEC_FILE, 0);
        (void) rmdir(t);
        ASSERT_EQ(l->n_mounts, 4);
        for (size_t i = 0; i < 4; i++) {
                ASSERT_EQ(l->mounts[i].type, s->mounts[i].type);
                ASSERT_STREQ(strempty(l->mounts[i].source), strempty(s->mounts[i].source));
                ASSERT_STREQ(l->mounts[i].destination, s->mounts[i].destination);
                ASSERT_EQ(l->mounts[i].read_only, s->mounts[i].read_only);
                ASSERT_STREQ(strempty(l->mounts[i].options), strempty(s->mounts[i].options));
        }
        ASSERT_TRUE(!l->mounts[0].options && !l->mounts[2].source && !l->mounts[3].options);

        /* No mounts: no key, and a spec file without the key loads with none. */
        s->mounts = mount_spec_array_free(s->mounts, s->n_mounts);
        s->n_mounts = 0;
        ASSERT_OK(spec_to_json(s, &o));
        ASSERT_FALSE(json_object_object_get_ex(o, "mounts", NULL));
        ASSERT_OK(spec_from_json(o, &none));
        ASSERT_EQ(none->n_mounts, 0);
        ASSERT_TRUE(!none->mounts);

        /* An empty array is fine too. */
        ASSERT_OK(json_object_object_add(o, "mounts", json_object_new_array()));
        none = spec_free(none);
        ASSERT_OK(spec_from_json(o, &none));
        ASSERT_EQ(none->n_mounts, 0);
        (void) o2;
        return 0;
}

static int expect_invalid(ContainerSpec *s, const char *needle) {
        const char *reason = NULL;

        if (spec_validate(s, &reason) != -EINVAL || !reason || !strstr(reason, needle)) {
                fprintf(stderr, "expected a reason containing '%s', got '%s'\n", needle, strna(reason));
                return 1;
        }
        return 0;
}

#define RESET(s) ((s)->mounts = mount_spec_array_free((s)->mounts, (s)->n_mounts), (s)->n_mounts = 0)

TEST(spec_mounts_validate) {
        _cleanup_(spec_freep) ContainerSpec *s = base_spec();
        char dst[32];

        ASSERT_TRUE(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv/data", "/proc/x", false, NULL));
        ASSERT_EQ(expect_invalid(s, "destination"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv/data", "/", false, NULL));
        ASSERT_EQ(expect_invalid(s, "destination"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv/data", "/a/../b", false, NULL));
        ASSERT_EQ(expect_invalid(s, "destination"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv/data", "data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "destination"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, NULL, "/data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "source"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv//data", "/data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "source"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv/../etc", "/data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "source"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv", "/data", false, "size=1m"));
        ASSERT_EQ(expect_invalid(s, "options"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_TMPFS, "/srv", "/data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "source"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/data", false, "size=1m,exec"));
        ASSERT_EQ(expect_invalid(s, "tmpfs options"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, (MountType) 7, NULL, "/data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "type"), 0);
        RESET(s);
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/data", false, NULL));
        ASSERT_OK(ADD(s, MOUNT_BIND, "/srv", "/data", false, NULL));
        ASSERT_EQ(expect_invalid(s, "same destination"), 0);
        RESET(s);

        for (unsigned i = 0; i < MOUNTS_MAX; i++) {
                snprintf(dst, sizeof(dst), "/m%u", i);
                ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, dst, false, NULL));
        }
        ASSERT_OK(spec_validate(s, NULL));
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/one-more", false, NULL));
        ASSERT_EQ(expect_invalid(s, "too many mounts"), 0);
        return 0;
}

TEST(spec_mounts_hostile_json) {
#define HEAD "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\"," \
             "\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"x\"],\"mounts\":"
        static const char *const bad[] = {
                HEAD "{}}",
                HEAD "\"bind\"}",
                HEAD "[1]}",
                HEAD "[{}]}",
                HEAD "[{\"type\":\"volume\",\"destination\":\"/d\"}]}",
                HEAD "[{\"type\":\"bind\",\"destination\":\"/d\"}]}",
                HEAD "[{\"type\":\"bind\",\"source\":\"/s\"}]}",
                HEAD "[{\"type\":\"bind\",\"source\":\"/s\",\"destination\":\"/proc\"}]}",
                HEAD "[{\"type\":\"bind\",\"source\":\"/s\",\"destination\":\"/d/../../etc\"}]}",
                HEAD "[{\"type\":\"bind\",\"source\":\"s\",\"destination\":\"/d\"}]}",
                HEAD "[{\"type\":\"bind\",\"source\":\"/s\",\"destination\":\"/d\",\"read_only\":\"yes\"}]}",
                HEAD "[{\"type\":\"bind\",\"source\":1,\"destination\":\"/d\"}]}",
                HEAD "[{\"type\":\"tmpfs\",\"destination\":\"/d\",\"options\":\"size=1m,dev\"}]}",
                HEAD "[{\"type\":\"tmpfs\",\"destination\":\"/d\",\"options\":\"size=1m\\u0000,suid\"}]}",
                HEAD "[{\"type\":\"tmpfs\",\"destination\":\"/d\"},{\"type\":\"tmpfs\",\"destination\":\"/d\"}]}",
        };
#undef HEAD
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_object *o = json_tokener_parse(bad[i]);
                ContainerSpec *s = NULL;

                if (!o) {
                        fprintf(stderr, "hostile spec #%zu is not JSON\n", i);
                        return 1;
                }
                if (spec_from_json(o, &s) >= 0) {
                        fprintf(stderr, "accepted hostile spec #%zu (%zu mounts)\n", i, s->n_mounts);
                        spec_free(s);
                        return 1;
                }
        }
        return 0;
}

TEST(volume_mounts) {
        _cleanup_(spec_freep) ContainerSpec *s = base_spec(), *l = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_TRUE(s);
        ASSERT_OK(mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_VOLUME, "/var/lib/dray/volumes/v/_data", "/data",
                                    true, NULL));
        ASSERT_OK(mount_spec_set_volume(s->mounts, "v"));
        ASSERT_OK(spec_validate(s, NULL));
        ASSERT_OK(spec_to_json(s, &o));
        ASSERT_OK(spec_from_json(o, &l));
        ASSERT_EQ(l->n_mounts, 1);
        ASSERT_EQ(l->mounts[0].type, MOUNT_VOLUME);
        ASSERT_STREQ(l->mounts[0].volume, "v");
        ASSERT_TRUE(l->mounts[0].read_only);
        ASSERT_OK(spec_validate(l, NULL));

        /* A volume needs its name and a normalized directory. */
        free(s->mounts[0].volume);
        s->mounts[0].volume = strdup("../etc");
        ASSERT_ERROR(spec_validate(s, NULL), EINVAL);
        free(s->mounts[0].volume);
        s->mounts[0].volume = NULL;
        ASSERT_ERROR(spec_validate(s, NULL), EINVAL);
        ASSERT_OK(mount_spec_set_volume(s->mounts, "v"));
        free(s->mounts[0].source);
        s->mounts[0].source = strdup("/var/lib/dray/volumes/v/../../../etc");
        ASSERT_ERROR(spec_validate(s, NULL), EINVAL);
        return 0;
}
