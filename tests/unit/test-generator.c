/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "container-unit.h"
#include "log.h"
#include "network-unit.h"
#include "rm-rf.h"
#include "strv.h"
#include "test.h"
#include "unit-dropins.h"
#include "unit-file.h"
#include "unit-words.h"

static void quiet(int level, const char *message, void *userdata) {
        char *last = userdata;

        (void) snprintf(last, 1024, "%s", message);
}

/* Writes text to a temporary file named NAME.container and runs the container conversion. last
 * gets the last message logged. */
static int generate_named(const char *text, const char *name, const char *suffix, GeneratedUnit *u,
                          char last[static 1024]) {
        char path[] = "/tmp/test-generator-XXXXXX";
        _cleanup_(unit_file_freep) UnitFile *f = NULL;
        const char *reason = NULL;
        unsigned line = 0;
        FILE *out;
        int fd, r;

        fd = mkstemp(path);
        if (fd < 0)
                return -errno;
        out = fdopen(fd, "w");
        fputs(text, out);
        fclose(out);
        last[0] = 0;
        log_set_sink(quiet, last);
        r = unit_file_load(path, &f, &line, &reason);
        if (r == -EBADMSG)
                (void) snprintf(last, 1024, "line %u: %s", line, reason);
        else if (r >= 0 && streq(suffix, ".container"))
                r = container_unit_generate(f, name ?: "web", "/usr/bin/dray", u);
        else if (r >= 0)
                r = network_unit_generate(f, name ?: "net", "/usr/bin/dray", u);
        log_set_sink(NULL, NULL);
        unlink(path);
        return r;
}

static int generate(const char *text, const char *suffix, GeneratedUnit *u, char last[static 1024]) {
        return generate_named(text, NULL, suffix, u, last);
}

TEST(container_basic) {
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        char last[1024];

        ASSERT_OK(generate("# a web server\n"
                           "[Unit]\nDescription=Web\n\n"
                           "[Container]\nImage=busybox\nExec=httpd -f -p 8080 \\\n  -h '/www dir'\n"
                           "Environment=A=1 \"B=two words\"\nVolume=/srv:/srv:ro\nMemory=64M\nReadOnly=yes\n"
                           "AddCapability=NET_ADMIN SYS_TIME\nNetwork=net.network\nNotify=yes\nLabel=a=1 b=2\n"
                           "AddDevice=/dev/fuse\nAddDevice=/dev/sda:/dev/xvdc:r\nRunInit=yes\nExec=httpd -f -p 8080 \\\n"
                           "; a comment inside a continuation\n  -h '/www dir' \"$HOME\" 100%\n"
                           "[Service]\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target default.target\n",
                           ".container", &u, last));
        ASSERT_STREQ(u.unit_name, "web.service");
        ASSERT_TRUE(strstr(u.text, "\nDescription=Web\n"));
        ASSERT_TRUE(strstr(u.text, "\nRestart=on-failure\n"));
        ASSERT_TRUE(strstr(u.text, "\nType=notify\n"));
        ASSERT_TRUE(strstr(u.text, "\nRequires=net-network.service\n"));
        ASSERT_TRUE(strstr(u.text, "ExecStart=\"/usr/bin/dray\" \"run\" \"--rm\" \"--name\" \"web\" \"--sdnotify=container\" \"--env\" \"A=1\" "
                                   "\"--env\" \"B=two words\" \"--volume\" \"/srv:/srv:ro\" \"--network\" \"net\" "
                                   "\"--memory\" \"64M\" \"--read-only\" \"--cap-add\" \"NET_ADMIN\" \"--cap-add\" "
                                   "\"SYS_TIME\" \"--device\" \"/dev/fuse\" \"--device\" \"/dev/sda:/dev/xvdc:r\" \"--init\" "
                                   "\"--label\" \"a=1\" \"--label\" \"b=2\" \"--\" \"busybox\" \"httpd\" \"-f\" \"-p\" \"8080\" \"-h\" "
                                   "\"/www dir\" \"$$HOME\" \"100%%\"\n"));
        ASSERT_TRUE(strstr(u.text, "ExecStop=\"/usr/bin/dray\" \"stop\" \"--ignore\" \"web\"\n"));
        ASSERT_TRUE(strstr(u.text, "ExecStartPre=/usr/bin/dray rm --force --ignore web\n"));
        ASSERT_TRUE(strstr(u.text, "SuccessExitStatus=143\n"));
        ASSERT_FALSE(strstr(u.text, "[Install]"));
        ASSERT_EQ(strv_length(u.wanted_by), 2u);
        ASSERT_STREQ(u.wanted_by[1], "default.target");
        return 0;
}

TEST(container_health) {
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        char last[1024];

        ASSERT_OK(generate("[Container]\nImage=busybox\nNotify=healthy\nHealthCmd=wget -q -O- http://localhost/\n"
                           "HealthInterval=5s\nHealthTimeout=2s\nHealthRetries=4\nHealthStartPeriod=1min\n"
                           "HealthOnFailure=kill\n",
                           ".container", &u, last));
        ASSERT_TRUE(strstr(u.text, "\"--sdnotify=healthy\" \"--health-cmd\" \"wget -q -O- http://localhost/\" "
                                   "\"--health-interval\" \"5s\" \"--health-timeout\" \"2s\" \"--health-retries\" \"4\" "
                                   "\"--health-start-period\" \"1min\" \"--health-on-failure\" \"kill\" \"--\" \"busybox\"\n"));
        return 0;
}

TEST(container_networks) {
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        char last[1024];

        ASSERT_OK(generate("[Container]\nImage=busybox\nNetwork=front.network\nNetwork=back\n", ".container", &u, last));
        ASSERT_TRUE(strstr(u.text, "\"--network\" \"front\" \"--network\" \"back\" \"--\" \"busybox\"\n"));
        ASSERT_TRUE(strstr(u.text, "\nRequires=front-network.service\nAfter=front-network.service\n"));
        ASSERT_FALSE(strstr(u.text, "back-network.service"));
        ASSERT_TRUE(generate("[Container]\nImage=busybox\nNetwork=a\nNetwork=none\n", ".container", &u, last) < 0);
        ASSERT_TRUE(strstr(last, "cannot be combined"));
        return 0;
}

TEST(container_template) {
        _cleanup_(generated_unit_done) GeneratedUnit u = {}, named = {};
        GeneratedUnit bad = {};
        char last[1024];

        ASSERT_OK(generate_named("[Container]\nImage=busybox\nVolume=/srv/%i:/data\nExec=echo %i 100%%% $HOME\n"
                                 "[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n",
                                 "web@", ".container", &u, last));
        ASSERT_STREQ(u.unit_name, "web@.service");
        ASSERT_STREQ(u.default_instance, "one");
        ASSERT_TRUE(strstr(u.text, "ExecStart=\"/usr/bin/dray\" \"run\" \"--rm\" \"--name\" \"web-%i\" \"--volume\" "
                                   "\"/srv/%i:/data\" \"--\" \"busybox\" \"echo\" \"%i\" \"100%%%%\" \"$$HOME\"\n"));
        ASSERT_TRUE(strstr(u.text, "ExecStartPre=/usr/bin/dray rm --force --ignore web-%i\n"));
        ASSERT_TRUE(strstr(u.text, "ExecStop=\"/usr/bin/dray\" \"stop\" \"--ignore\" \"web-%i\"\n"));
        ASSERT_OK(generate_named("[Container]\nImage=busybox\nContainerName=app-%i-x\n", "app@", ".container", &named, last));
        ASSERT_TRUE(strstr(named.text, "\"--name\" \"app-%i-x\""));
        /* Checked as dray run would see an instance: a bad name is still refused. */
        ASSERT_TRUE(generate_named("[Container]\nImage=busybox\nContainerName=%i/x\n", "app@", ".container", &bad,
                                   last) < 0);
        ASSERT_TRUE(generate_named("[Container]\nImage=busybox\n[Install]\nWantedBy=multi-user.target\n", "app@",
                                   ".container", &bad, last) < 0);
        ASSERT_TRUE(strstr(last, "need DefaultInstance="));
        ASSERT_TRUE(generate_named("[Container]\nImage=busybox\n[Install]\nDefaultInstance=a\n", "app",
                                   ".container", &bad, last) < 0);
        ASSERT_TRUE(strstr(last, "for templates"));
        return 0;
}

/* NAME@INSTANCE.container: that instance's own service; the template's DefaultInstance= is ignored. */
TEST(container_instance) {
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        GeneratedUnit bad = {};
        char last[1024];

        ASSERT_OK(generate_named("[Container]\nImage=busybox\nExec=echo %i\nHealthCmd=true\nHealthStartInterval=2s\n"
                                 "[Install]\nWantedBy=multi-user.target\nDefaultInstance=one\n",
                                 "web@two", ".container", &u, last));
        ASSERT_STREQ(u.unit_name, "web@two.service");
        ASSERT_TRUE(u.default_instance == NULL);
        ASSERT_STREQ(u.wanted_by[0], "multi-user.target");
        ASSERT_TRUE(strstr(u.text, "\"--name\" \"web-two\" \"--health-cmd\" \"true\" \"--health-start-interval\" \"2s\""));
        ASSERT_TRUE(strstr(u.text, "\"echo\" \"%i\""));
        /* The instance names the container: one that makes no container name is refused. */
        ASSERT_TRUE(generate_named("[Container]\nImage=busybox\n", "web@a:b", ".container", &bad, last) < 0);
        ASSERT_TRUE(strstr(last, "set ContainerName="));
        /* Quadlet's separate startup check is not dray's start interval. */
        ASSERT_TRUE(generate_named("[Container]\nImage=busybox\nHealthStartupInterval=1s\n", "web", ".container", &bad,
                                   last) < 0);
        ASSERT_TRUE(strstr(last, "HealthStartInterval="));
        return 0;
}

TEST(container_errors) {
        static const struct { const char *text, *message; } cases[] = {
                { "[Container]\nImage=busybox\nFrobnicate=1\n", ":3: Unknown key 'Frobnicate' in [Container]" },
                { "[Container]\nImage=busybox\nMemory=lots\n", ":3: Bad Memory=lots: " },
                { "[Container]\nImage=busybox\nStopSignal=SIGNOPE\n", ":3: Bad StopSignal=SIGNOPE: " },
                { "[Container]\nImage=busybox\nReadOnly=maybe\n", ":3: Bad ReadOnly=maybe: expected a boolean" },
                { "[Container]\nImage=busybox\nHealthRetries=0\n", ":3: Bad HealthRetries=0: " },
                { "[Container]\nImage=busybox\nHealthOnFailure=explode\n", ":3: Bad HealthOnFailure=explode: " },
                { "[Container]\nImage=busybox\nHealthOnFailure=restart\n", "--rm and --health-on-failure=restart conflict" },
                { "[Container]\nImage=busybox\nHealthInterval=soon\n", ":3: Bad HealthInterval=soon: " },
                { "[Container]\nImage=busybox\nAnnotation=a=b\n", ":3: Annotation= is not supported: dray has no annotations" },
                { "[Container]\nImage=busybox\nNotify=perhaps\n", ":3: Bad Notify=perhaps" },
                { "[Container]\nExec=true\n", "needs Image= or Rootfs=" },
                { "[Container]\nRootfs=/srv/t\n", ":2: Rootfs= needs Exec=" },
                { "[Container]\nRootfs=srv\nExec=true\n", ":2: Bad Rootfs=srv: expected an absolute path" },
                { "[Container]\nImage=busybox\nExec=sh -c 'unterminated\n", ":3: Bad Exec=" },
                { "[Container]\nImage=busybox\n[Install]\nAlso=x.service\n", ":4: Unknown key 'Also' in [Install]" },
                { "[Container]\nImage=busybox\n[Frob]\nA=b\n", ":4: Unknown section [Frob]" },
                { "Image=busybox\n", "line 1: a key outside of any [Section]" },
                { "[Container]\nImage=busybox\nthis is no assignment\n", "line 3: expected Key=Value" },
                { "[Container]\nImage=busybox\nImage:x=1\n", "line 3: expected Key=Value" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                GeneratedUnit u = {};
                char last[1024];

                ASSERT_TRUE(generate(cases[i].text, ".container", &u, last) < 0);
                if (!strstr(last, cases[i].message)) {
                        fprintf(stderr, "case %zu: '%s' does not contain '%s'\n", i, last, cases[i].message);
                        return 1;
                }
                ASSERT_TRUE(!u.text);
        }
        return 0;
}

TEST(network) {
        _cleanup_(generated_unit_done) GeneratedUnit u = {};
        GeneratedUnit bad = {};
        char last[1024];

        ASSERT_OK(generate("[Network]\nSubnet=10.89.1.0/24\nGateway=10.89.1.1\nInternal=yes\n", ".network", &u, last));
        ASSERT_STREQ(u.unit_name, "net-network.service");
        ASSERT_TRUE(strstr(u.text, "network create --subnet 10.89.1.0/24 --gateway 10.89.1.1 --internal net'\n"));
        ASSERT_TRUE(strstr(u.text, "\nType=oneshot\n"));
        ASSERT_TRUE(generate("[Network]\nSubnet=10.0.0.0/8; rm -rf /\n", ".network", &bad, last) < 0);
        ASSERT_TRUE(strstr(last, ":2: Bad Subnet="));
        return 0;
}

static void put(const char *dir, const char *name, const char *text) {
        char path[512];
        FILE *f;

        (void) mkdir(dir, 0755);
        (void) snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

/* Drop-ins: FILE.d/ and, for an instance, the template's, first of a name wins, sorted by name;
 * their entries follow the file's, and their lines name them. */
TEST(dropins) {
        char top[] = "/tmp/test-dropins-XXXXXX", etc[512], usr[512], d[600], main_path[600];
        _cleanup_(unit_file_freep) UnitFile *f = NULL;
        _cleanup_strv_free_ char **found = NULL, **none = NULL;
        const char *reason = NULL, *path;
        unsigned line = 0, n;

        ASSERT_TRUE(mkdtemp(top) != NULL);
        (void) snprintf(etc, sizeof(etc), "%s/etc", top);
        (void) snprintf(usr, sizeof(usr), "%s/usr", top);
        (void) mkdir(usr, 0755);
        (void) snprintf(d, sizeof(d), "%s/web@two.container.d", etc);
        put(etc, "web@two.container", "[Container]\nImage=busybox\n");
        put(d, "20-b.conf", "[Container]\nExec=two\n");
        (void) snprintf(d, sizeof(d), "%s/web@.container.d", etc);
        put(d, "10-a.conf", "[Container]\n\nEnvironment=A=1\n");
        put(d, "20-b.conf", "[Container]\nExec=template\n"); /* the instance's 20-b.conf wins */
        put(d, "notes.txt", "ignored");
        (void) snprintf(d, sizeof(d), "%s/web@.container.d", usr);
        put(d, "05-c.conf", "[Container]\nUser=1\n");
        put(d, "10-a.conf", "[Container]\nUser=2\n"); /* /etc's 10-a.conf wins */
        ASSERT_OK(unit_dropins_find((char *[]) { etc, usr, NULL }, "web@two.container", &found));
        ASSERT_EQ(strv_length(found), 3U);
        ASSERT_TRUE(strstr(found[0], "/usr/web@.container.d/05-c.conf"));
        ASSERT_TRUE(strstr(found[1], "/etc/web@.container.d/10-a.conf"));
        ASSERT_TRUE(strstr(found[2], "/etc/web@two.container.d/20-b.conf"));
        ASSERT_OK(unit_dropins_find((char *[]) { etc, usr, NULL }, "other.container", &none));
        ASSERT_TRUE(none == NULL);
        (void) snprintf(main_path, sizeof(main_path), "%s/web@two.container", etc);
        ASSERT_OK(unit_file_load(main_path, &f, &line, &reason));
        STRV_FOREACH(p, found)
                ASSERT_OK(unit_file_load_dropin(f, *p, &line, &reason));
        ASSERT_EQ(f->n_entries, 4U);
        ASSERT_STREQ(f->entries[3].value, "two");
        unit_file_position(f, f->entries[2].line, &path, &n);
        ASSERT_STREQ(path, found[1]);
        ASSERT_EQ(n, 3U);
        unit_file_position(f, f->entries[0].line, &path, &n);
        ASSERT_STREQ(path, main_path);
        ASSERT_EQ(n, 2U);
        ASSERT_OK(rm_rf_path(top));
        return 0;
}

TEST(words) {
        _cleanup_strv_free_ char **w = NULL, **e = NULL;

        ASSERT_OK(unit_split_words("a 'b c' \"d\\\"e\" f\\ g", &w));
        ASSERT_EQ(strv_length(w), 4u);
        ASSERT_STREQ(w[1], "b c");
        ASSERT_STREQ(w[2], "d\"e");
        ASSERT_STREQ(w[3], "f g");
        ASSERT_OK(unit_split_words("", &e));
        ASSERT_EQ(strv_length(e), 0u);
        ASSERT_ERROR(unit_split_words("'open", &w), EINVAL);
        ASSERT_EQ(unit_parse_boolean("On"), 1);
        ASSERT_EQ(unit_parse_boolean("0"), 0);
        ASSERT_ERROR(unit_parse_boolean("maybe"), EINVAL);
        return 0;
}
