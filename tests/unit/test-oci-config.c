/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-oci's config.json reader: what each field becomes, and hostile or unsupported input refused
 * with the key named (or warned about where runc and crun only warn). */
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-config.h"
#include "strv.h"
#include "test.h"

static char bundle[] = "/tmp/test-oci-config.XXXXXX";
/* Not "the name still ends in X": mkdtemp() may end the name it makes with an X (one time in 62). */
static bool bundle_made;
static char warnings[4096];

static void collect(const char *m, void *userdata) {
        size_t n = strlen(warnings);

        (void) snprintf(warnings + n, sizeof(warnings) - n, "%s\n", m);
}

static int setup(void) {
        char p[PATH_MAX];

        if (!bundle_made) {
                if (!mkdtemp(bundle))
                        return -errno;
                bundle_made = true;
        }
        (void) snprintf(p, sizeof(p), "%s/rootfs", bundle);
        (void) mkdir(p, 0755);
        (void) snprintf(p, sizeof(p), "%s/data", bundle);
        (void) mkdir(p, 0755);
        return 0;
}

/* The bundle's directories go when the tests are done. */
__attribute__((destructor)) static void teardown(void) {
        char p[PATH_MAX];

        if (!bundle_made)
                return;
        for (size_t i = 0; i < 2; i++) {
                (void) snprintf(p, sizeof(p), "%s/%s", bundle, i == 0 ? "rootfs" : "data");
                (void) rmdir(p);
        }
        (void) rmdir(bundle);
}

/* A minimal valid config with extra members spliced in (JSON text, ' for "). */
static int parse(const char *process_extra, const char *linux_extra, const char *top_extra, OciConfig **ret,
                 char **ret_error) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *text = NULL;

        warnings[0] = 0;
        if (setup() < 0)
                return -EIO;
        if (asprintf(&text,
                     "{'ociVersion':'1.1.0','root':{'path':'rootfs'},"
                     "'process':{'args':['sh'],'cwd':'/'%s},"
                     "'linux':{'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'ipc'},{'type':'uts'},"
                     "{'type':'cgroup'},{'type':'network'}]%s}%s}",
                     process_extra, linux_extra, top_extra) < 0)
                return -ENOMEM;
        for (char *c = text; *c; c++)
                if (*c == '\'')
                        *c = '"';
        o = json_tokener_parse(text);
        if (!o) {
                fprintf(stderr, "bad test JSON: %s\n", text);
                return -EBADMSG;
        }
        return oci_config_parse(o, bundle, "test-1", collect, NULL, ret, ret_error);
}

static int expect_reject(const char *p, const char *l, const char *t, const char *needle) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;
        _cleanup_free_ char *error = NULL;
        int r = parse(p, l, t, &c, &error);

        if (r >= 0 || c || !error || !strstr(error, needle)) {
                fprintf(stderr, "config (%s | %s | %s) gave %d (%s), expected an error with '%s'\n", p, l, t, r,
                        error ?: "no reason", needle);
                return 1;
        }
        return 0;
}

TEST(minimal) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse("", "", "", &c, NULL));
        ASSERT_STREQ(c->spec->command[0], "sh");
        ASSERT_STREQ(c->spec->working_dir, "/");
        ASSERT_TRUE(strv_contains(c->spec->cap_drop, "ALL"));
        ASSERT_EQ(c->spec->net.mode, NETWORK_MODE_NONE);
        ASSERT_EQ(c->shared_namespaces, 0UL);
        ASSERT_FALSE(c->custom_masks);
        ASSERT_FALSE(c->no_new_privs);
        return 0;
}

TEST(process) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse(",'env':['A=1','PATH=/bin'],'terminal':true,'consoleSize':{'height':24,'width':80},"
                        "'user':{'uid':1000,'gid':100,'additionalGids':[5,6]},'noNewPrivileges':true,"
                        "'oomScoreAdj':500,'rlimits':[{'type':'RLIMIT_NOFILE','soft':100,'hard':200}],"
                        "'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN'],'effective':['CAP_KILL']}",
                        "", ",'hostname':'box'", &c, NULL));
        ASSERT_EQ(c->spec->uid, 1000U);
        ASSERT_EQ(c->spec->gid, 100U);
        ASSERT_EQ(c->spec->n_groups, 3U);
        ASSERT_EQ(c->spec->groups[0], 100U);
        ASSERT_EQ(c->spec->groups[2], 6U);
        ASSERT_TRUE(c->spec->tty);
        ASSERT_EQ(c->console_rows, 24);
        ASSERT_TRUE(c->no_new_privs);
        ASSERT_EQ(c->oom_score_adj, 500);
        ASSERT_EQ(c->n_rlimits, 1U);
        ASSERT_EQ(c->rlimits[0].limit.rlim_max, 200U);
        ASSERT_TRUE(strv_contains(c->spec->cap_add, "CAP_CHOWN"));
        ASSERT_STREQ(c->spec->hostname, "box");
        /* A non-root process gets no effective capabilities from dray: said, not dropped silently. */
        ASSERT_TRUE(strstr(warnings, "effective"));
        return 0;
}

/* Several ID ranges, written as given; inheritable and ambient capabilities kept as masks, an ambient one
 * that is not inheritable warned about and left out. */
TEST(userns_maps_and_caps) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse(",'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN','CAP_NET_RAW'],"
                        "'inheritable':['CAP_KILL','CAP_NET_RAW'],'ambient':['CAP_NET_RAW','CAP_CHOWN']}",
                        ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user'}],"
                        "'uidMappings':[{'containerID':0,'hostID':300000,'size':1000},{'containerID':1000,'hostID':400000,'size':64536}],"
                        "'gidMappings':[{'containerID':0,'hostID':500000,'size':65536}]",
                        "", &c, NULL));
        ASSERT_STREQ(c->uid_map, "0 300000 1000\n1000 400000 64536\n");
        ASSERT_STREQ(c->gid_map, "0 500000 65536\n");
        ASSERT_EQ(c->userns_root_uid, 300000U);
        ASSERT_EQ(c->spec->userns_size, 0U);
        ASSERT_EQ(c->cap_inheritable, (UINT64_C(1) << 5) | (UINT64_C(1) << 13));
        ASSERT_EQ(c->cap_ambient, UINT64_C(1) << 13);
        ASSERT_TRUE(strstr(warnings, "process.capabilities.ambient: 'CAP_CHOWN' is not in the inheritable set"));
        return 0;
}

/* A pid and a mount namespace joined by path: in the runtime's order. */
TEST(pid_mount_namespace_paths) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse("", ",'namespaces':[{'type':'pid','path':'/proc/self/ns/pid'},{'type':'mount','path':'/proc/self/ns/mnt'}]",
                        "", &c, NULL));
        ASSERT_STREQ(c->join_ns_paths[3], "/proc/self/ns/pid");
        ASSERT_STREQ(c->join_ns_paths[4], "/proc/self/ns/mnt");
        return 0;
}

TEST(mounts_and_linux) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse("",
                        ",'resources':{'memory':{'limit':1048576},'pids':{'limit':10},'cpu':{'shares':2048,"
                        "'quota':50000,'period':100000}},'sysctl':{'net.core.somaxconn':'1024'},"
                        "'maskedPaths':['/proc/kcore'],'cgroupsPath':'machine.slice:x:y'",
                        ",'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
                        "{'destination':'/data','type':'bind','source':'data','options':['rbind','ro','noexec']},"
                        "{'destination':'/scratch','type':'tmpfs','source':'tmpfs','options':['size=1m','mode=1777']}]",
                        &c, NULL));
        ASSERT_EQ(c->spec->n_mounts, 2U);
        ASSERT_EQ(c->spec->mounts[0].type, MOUNT_BIND);
        ASSERT_TRUE(c->spec->mounts[0].read_only);
        ASSERT_TRUE(c->spec->mounts[0].noexec);
        ASSERT_TRUE(strstr(c->spec->mounts[0].source, "/data"));
        ASSERT_EQ(c->spec->mounts[1].type, MOUNT_TMPFS);
        ASSERT_STREQ(c->spec->mounts[1].options, "size=1m,mode=1777");
        ASSERT_EQ(c->spec->memory_max, 1048576U);
        ASSERT_EQ(c->spec->tasks_max, 10U);
        ASSERT_EQ(c->spec->cpu_quota_per_sec_usec, 500000U);
        ASSERT_EQ(c->spec->cpu_weight, 1U + (2046U * 9999U) / 262142U);
        ASSERT_STREQ(c->sysctl[0], "net.core.somaxconn=1024");
        ASSERT_TRUE(c->custom_masks);
        ASSERT_STREQ(c->masked_paths[0], "/proc/kcore");
        ASSERT_STREQ(c->cgroups_path, "machine.slice:x:y");
        return 0;
}

/* Propagation, /dev/shm's options, umask: what runtime-tools' validation cases check. */
TEST(propagation_shm_umask) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL, *d = NULL;

        ASSERT_OK(parse(",'user':{'uid':0,'gid':0,'umask':63}", ",'rootfsPropagation':'rslave'",
                        ",'mounts':[{'destination':'/dev/shm','type':'tmpfs','source':'shm','options':['nosuid','size=16m','mode=1770']},"
                        "{'destination':'/data','type':'bind','source':'data','options':['rbind','shared','rprivate']}]",
                        &c, NULL));
        ASSERT_EQ(c->umask, 077);
        ASSERT_EQ(c->root_propagation, (unsigned long) (MS_SLAVE | MS_REC));
        ASSERT_STREQ(c->shm_options, "size=16m,mode=1770");
        ASSERT_EQ(c->spec->n_mounts, 1U);
        /* The last propagation option given counts, as in runc. */
        ASSERT_EQ(c->spec->mounts[0].propagation, (unsigned long) (MS_PRIVATE | MS_REC));
        ASSERT_OK(parse("", "", "", &d, NULL));
        ASSERT_EQ(d->umask, -1);
        ASSERT_EQ(d->root_propagation, 0UL);
        ASSERT_TRUE(d->shm_options == NULL);
        ASSERT_EQ(expect_reject("", ",'rootfsPropagation':'sideways'", "", "linux.rootfsPropagation"), 0);
        ASSERT_EQ(expect_reject("", "", ",'mounts':[{'destination':'/dev/shm','type':'tmpfs','options':['size=lots']}]",
                                "mounts[0].options"), 0);
        ASSERT_EQ(expect_reject(",'user':{'uid':0,'gid':0,'umask':512}", "", "", "process.user.umask"), 0);
        return 0;
}

/* blockIO, hugepageLimits, cpus/mems, unified: checked against the host, kept for oci-resources.c. */
TEST(resources) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;
        _cleanup_free_ char *linux_extra = NULL;
        unsigned major = 0, minor = 0;
        bool disk = false, huge = access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) >= 0;
        DIR *d = opendir("/sys/dev/block");

        for (struct dirent *de; d && !disk && (de = readdir(d));)
                disk = sscanf(de->d_name, "%u:%u", &major, &minor) == 2;
        if (d)
                closedir(d);
        char blkio[160] = "";

        if (disk)
                (void) snprintf(blkio, sizeof(blkio),
                                ",'blockIO':{'weight':500,'leafWeight':300,'throttleWriteIOPSDevice':[{'major':%u,'minor':%u,'rate':9}]}",
                                major, minor);
        ASSERT_TRUE(asprintf(&linux_extra,
                             ",'resources':{'cpu':{'cpus':'0','mems':'0'},'unified':{'hugetlb.2MB.max':'4194304'}%s%s}",
                             huge ? ",'hugepageLimits':[{'pageSize':'2048KB','limit':4194304}]" : "", blkio) >= 0);
        ASSERT_OK(parse("", linux_extra, "", &c, NULL));
        ASSERT_TRUE(c->resources);
        ASSERT_STREQ(c->resources->cpus, "0");
        ASSERT_STREQ(c->resources->mems, "0");
        ASSERT_STREQ(c->resources->unified[0], "hugetlb.2MB.max");
        ASSERT_STREQ(c->resources->unified[1], "4194304");
        if (huge) {
                ASSERT_EQ(c->resources->n_hugepages, 1U);
                ASSERT_STREQ(c->resources->hugepages[0].size, "2MB"); /* the kernel's spelling */
                ASSERT_EQ(c->resources->hugepages[0].limit, 4194304U);
        }
        if (disk) {
                ASSERT_EQ(c->resources->blkio_weight, 500U);
                ASSERT_EQ(c->resources->n_io_limits[OCI_IO_WRITE_IOPS], 1U);
                ASSERT_EQ(c->resources->io_limits[OCI_IO_WRITE_IOPS][0].major, major);
                ASSERT_EQ(c->resources->io_limits[OCI_IO_WRITE_IOPS][0].value, 9U);
                ASSERT_TRUE(strstr(warnings, "blockIO.leafWeight has no effect"));
        }
        return 0;
}

TEST(namespaces) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;
        _cleanup_json_ json_object *o = NULL;
        char text[512];

        ASSERT_OK(setup());
        (void) snprintf(text, sizeof(text),
                        "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"%s/rootfs\"},\"process\":{\"args\":[\"sh\"],"
                        "\"cwd\":\"/\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
                        "{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}", bundle);
        o = json_tokener_parse(text);
        ASSERT_TRUE(o);
        ASSERT_OK(oci_config_parse(o, "/", "x", NULL, NULL, &c, NULL));
        ASSERT_EQ(c->spec->net.mode, NETWORK_MODE_BRIDGE);
        ASSERT_STREQ(c->spec->net.netns_path, "/proc/self/ns/net");
        ASSERT_EQ(c->shared_namespaces, (unsigned long) (CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP));
        ASSERT_TRUE(!c->join_ns_paths[0]);
        return 0;
}

/* ipc, uts and cgroup namespaces joined by path: kept in RuntimeIO's order; a joined UTS namespace's
 * host name is kept, which a config's hostname hears of. */
TEST(namespace_paths) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'ipc','path':'/proc/self/ns/ipc'},"
                        "{'type':'uts','path':'/proc/self/ns/uts'},{'type':'cgroup','path':'/proc/self/ns/cgroup'}]",
                        ",'hostname':'box'", &c, NULL));
        ASSERT_STREQ(c->join_ns_paths[0], "/proc/self/ns/ipc");
        ASSERT_STREQ(c->join_ns_paths[1], "/proc/self/ns/uts");
        ASSERT_STREQ(c->join_ns_paths[2], "/proc/self/ns/cgroup");
        ASSERT_EQ(c->shared_namespaces, 0UL);
        ASSERT_TRUE(strstr(warnings, "keeps its own host name"));
        return 0;
}

/* linux.devices: the host's node of that number bound at path (a --device of the runtime); the nodes
 * the runtime's /dev always has are skipped when they are the same device. */
TEST(devices) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;
        struct stat st;

        if (stat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode))
                return 0; /* no /dev/null to find: nothing to test against */
        ASSERT_OK(parse("", ",'devices':[{'path':'/dev/sub/mynull','type':'c','major':1,'minor':3,'fileMode':438,"
                        "'uid':0,'gid':0},{'path':'/dev/null','type':'c','major':1,'minor':3}]", "", &c, NULL));
        ASSERT_EQ(strv_length(c->spec->devices), 1U);
        ASSERT_STREQ(c->spec->devices[0], "/dev/null:/dev/sub/mynull:rwm");
        ASSERT_FALSE(strstr(warnings, "linux.devices"));
        c = oci_config_free(c);
        ASSERT_OK(parse("", ",'devices':[{'path':'/dev/mynull','type':'u','major':1,'minor':3,'fileMode':0}]", "", &c,
                        NULL));
        ASSERT_STREQ(c->spec->devices[0], "/dev/null:/dev/mynull:rwm");
        ASSERT_TRUE(strstr(warnings, "mode and owner"));
        return 0;
}

TEST(hooks) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;

        ASSERT_OK(parse("", "", ",'hooks':{'poststop':[{'path':'/bin/true','args':['true','x'],'env':['A=B'],'timeout':5}]}",
                        &c, NULL));
        ASSERT_EQ(c->n_hooks[OCI_HOOK_POSTSTOP], 1U);
        ASSERT_STREQ(c->hooks[OCI_HOOK_POSTSTOP][0].args[1], "x");
        ASSERT_EQ(c->hooks[OCI_HOOK_POSTSTOP][0].timeout_sec, 5);
        return 0;
}

TEST(hostile) {
        int bad = 0;

        bad += expect_reject("", "", ",'ociVersion':'2.0'", "ociVersion");
        bad += expect_reject(",'user':{'uid':-1}", "", "", "process.user.uid");
        bad += expect_reject(",'user':{'uid':'0'}", "", "", "process.user.uid");
        bad += expect_reject(",'user':{'additionalGids':['x']}", "", "", "additionalGids[0]");
        bad += expect_reject(",'env':['NOEQUALS']", "", "", "process.env");
        bad += expect_reject(",'env':[1]", "", "", "process.env[0]");
        bad += expect_reject(",'env':'A=1'", "", "", "process.env");
        bad += expect_reject(",'rlimits':[{'type':'RLIMIT_BOGUS','soft':1,'hard':1}]", "", "", "unknown limit");
        bad += expect_reject(",'rlimits':[{'type':'RLIMIT_CORE','soft':2,'hard':1}]", "", "", "soft limit");
        bad += expect_reject(",'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':1},{'type':'RLIMIT_CORE','soft':1,'hard':1}]",
                             "", "", "twice");
        bad += expect_reject(",'capabilities':{'bounding':['CAP_NOPE']}", "", "", "CAP_NOPE");
        bad += expect_reject(",'capabilities':{'bounding':[],'effective':['CAP_KILL']}", "", "", "not in the bounding set");
        bad += expect_reject(",'oomScoreAdj':5000", "", "", "oomScoreAdj");
        bad += expect_reject(",'scheduler':{'policy':'SCHED_FIFO'}", "", "", "scheduler");
        bad += expect_reject("", ",'sysctl':{'../../etc/passwd':'x'}", "", "linux.sysctl");
        bad += expect_reject("", ",'sysctl':{'net.x':1}", "", "linux.sysctl.net.x");
        bad += expect_reject("", ",'devices':[{'path':'/dev/x','type':'b','major':4095,'minor':1048575}]", "",
                             "host has no block device 4095:1048575");
        bad += expect_reject("", ",'devices':[{'path':'/dev/x','type':'p'}]", "", "linux.devices[0].type");
        bad += expect_reject("", ",'devices':[{'path':'/dev/x','type':'c'}]", "", "major and minor");
        bad += expect_reject("", ",'devices':[{'type':'c','major':1,'minor':3}]", "", "path and type");
        bad += expect_reject("", ",'devices':[{'path':'/dev/pts/x','type':'c','major':1,'minor':3}]", "", "linux.devices[0].path");
        bad += expect_reject("", ",'devices':[{'path':'/etc/x','type':'c','major':1,'minor':3}]", "", "linux.devices[0].path");
        bad += expect_reject("", ",'devices':[{'path':'/dev/../etc/x','type':'c','major':1,'minor':3}]", "", "linux.devices[0].path");
        bad += expect_reject("", ",'devices':[{'path':'/dev/zero','type':'c','major':1,'minor':3}]", "", "always the host's");
        bad += expect_reject("", ",'devices':[{'path':'/dev/a','type':'c','major':1,'minor':3},{'path':'/dev/a','type':'c','major':1,'minor':5}]",
                             "", "given twice");
        bad += expect_reject("", ",'intelRdt':{'closID':'a'}", "", "intelRdt");
        bad += expect_reject("", ",'namespaces':[{'type':'pid','path':'/proc/self/ns/net'},{'type':'mount'}]", "",
                             "linux.namespaces[0].path: cannot join namespace '/proc/self/ns/net': its type is network, not pid");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount','path':'/etc/passwd'}]", "",
                             "linux.namespaces[1].path: cannot join namespace '/etc/passwd': it is not a namespace file");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user','path':'/proc/self/ns/user'}],"
                             "'uidMappings':[{'containerID':0,'hostID':100000,'size':10}]", "",
                             "linux.uidMappings: not allowed with a user namespace joined by path (linux.namespaces[2].path)");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user','path':'/proc/self/ns/ipc'}]", "",
                             "linux.namespaces[2].path: cannot join namespace '/proc/self/ns/ipc': its type is ipc, not user");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user'}],"
                             "'uidMappings':[{'containerID':0,'hostID':100000,'size':10},{'containerID':5,'hostID':200000,'size':10}],"
                             "'gidMappings':[{'containerID':0,'hostID':100000,'size':10}]", "",
                             "linux.uidMappings[1]: its container IDs overlap those of linux.uidMappings[0]");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user'}],"
                             "'uidMappings':[{'containerID':0,'hostID':100000,'size':10}],"
                             "'gidMappings':[{'containerID':0,'hostID':100000,'size':10},{'containerID':10,'hostID':100005,'size':1}]", "",
                             "linux.gidMappings[1]: its host IDs overlap those of linux.gidMappings[0]");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user'}],"
                             "'uidMappings':[{'containerID':4294967295,'hostID':100000,'size':2}],"
                             "'gidMappings':[{'containerID':0,'hostID':100000,'size':10}]", "",
                             "linux.uidMappings[0]: the range ends past ID 4294967295");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user'}],"
                             "'uidMappings':[{'containerID':0,'hostID':100000,'size':0}],"
                             "'gidMappings':[{'containerID':0,'hostID':100000,'size':10}]", "",
                             "linux.uidMappings[0]: containerID, hostID and size");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'user'}],"
                             "'uidMappings':[{'containerID':0,'hostID':100000,'size':10}]", "",
                             "linux.gidMappings: an array of at least one mapping");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'ipc','path':'/nonexistent'}]", "",
                             "linux.namespaces[2].path");
        bad += expect_reject("", ",'namespaces':[{'type':'pid'},{'type':'mount'},{'type':'uts','path':'ns/uts'}]", "",
                             "linux.namespaces[2].path");
        bad += expect_reject("", ",'cgroupsPath':'/a/../../b'", "", "cgroupsPath");
        bad += expect_reject("", ",'maskedPaths':['/proc/../etc']", "", "maskedPaths");
        bad += expect_reject("", ",'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/x'}", "", "listenerPath");
        bad += expect_reject("", ",'resources':{'blockIO':{'weight':5}}", "", "linux.resources.blockIO.weight: out of range");
        bad += expect_reject("", ",'resources':{'blockIO':{'throttleReadBpsDevice':[{'major':4095,'minor':1,'rate':1}]}}", "",
                             "throttleReadBpsDevice[0]: the host has no block device 4095:1");
        bad += expect_reject("", ",'resources':{'hugepageLimits':[{'pageSize':'2ZB','limit':1}]}", "",
                             "hugepageLimits[0].pageSize");
        bad += expect_reject("", ",'resources':{'cpu':{'cpus':'1-0'}}", "", "linux.resources.cpu.cpus");
        bad += expect_reject("", ",'resources':{'unified':{'../memory.max':'1'}}", "", "'../memory.max'");
        bad += expect_reject("", ",'resources':{'unified':{'cgroup.subtree_control':'+io'}}", "", "cgroup.subtree_control");
        bad += expect_reject("", ",'resources':{'rdma':{'mlx':{'hcaHandles':1}}}", "", "linux.resources.rdma");
        bad += expect_reject("", ",'resources':{'network':{'classID':1}}", "", "linux.resources.network");
        bad += expect_reject("", ",'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]", "", "without a user namespace");
        bad += expect_reject("", "", ",'mounts':[{'destination':'/x','type':'overlay','source':'o'}]", "overlay");
        bad += expect_reject("", "", ",'mounts':[{'destination':'/proc/sys','type':'bind','source':'data'}]", "cannot be mounted");
        bad += expect_reject("", "", ",'mounts':[{'destination':'/x','type':'bind','source':'nonexistent'}]", "mounts[].source");
        bad += expect_reject("", "", ",'mounts':[{'destination':'/x','type':'tmpfs','options':['size=1m','exec=1']}]", "mounts[0]");
        bad += expect_reject("", "", ",'mounts':[{'destination':'/x','type':'bind','source':'data','options':['bogus']}]", "bogus");
        bad += expect_reject("", "", ",'hostname':'a b'", "hostname");
        bad += expect_reject("", "", ",'hooks':{'prestart':[{'path':'relative'}]}", "hooks.prestart[0].path");
        bad += expect_reject("", "", ",'root':{'path':'/'}", "root.path");
        bad += expect_reject("", "", ",'root':{'path':'nonexistent'}", "root.path");
        return bad;
}

TEST(ids) {
        ASSERT_TRUE(oci_id_is_valid("abc-1_2.3+x"));
        ASSERT_FALSE(oci_id_is_valid(".."));
        ASSERT_FALSE(oci_id_is_valid("a/b"));
        ASSERT_FALSE(oci_id_is_valid(""));
        ASSERT_FALSE(oci_id_is_valid(NULL));
        return 0;
}

/* linux.resources.devices becomes the device cgroup's rules, linux.devices nodes its allowed nodes (podman's
 * fileMode with the type bits included); a bad rule is refused naming its index. */
TEST(device_cgroup) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;
        int bad = 0;

        ASSERT_OK(parse("", ",'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':10,"
                        "'minor':-1,'access':'r'}]},'devices':[{'path':'/dev/mynull','type':'c','major':1,'minor':3,"
                        "'fileMode':8630}]", "", &c, NULL));
        ASSERT_EQ(c->devices.n_user, 2U);
        ASSERT_FALSE(c->devices.user[0].allow);
        ASSERT_EQ(c->devices.user[0].type, 'a');
        ASSERT_EQ(c->devices.user[1].minor, OCI_DEV_WILDCARD);
        ASSERT_EQ(c->devices.user[1].access, OCI_DEV_ACC_READ);
        ASSERT_EQ(c->devices.n_nodes, 1U);
        ASSERT_EQ(c->devices.nodes[0].major, 1);
        ASSERT_EQ(c->devices.nodes[0].minor, 3);
        bad += expect_reject("", ",'resources':{'devices':[{'allow':true},{'allow':true,'access':'rx'}]}", "",
                             "linux.resources.devices[1].access");
        bad += expect_reject("", ",'resources':{'devices':{'allow':true}}", "", "linux.resources.devices: not an array");
        ASSERT_EQ(bad, 0);
        return 0;
}
