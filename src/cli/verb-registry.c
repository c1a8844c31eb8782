/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray pull and dray push (also as dray image pull|push): Manager.PullImage and PushImage transfers. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "bus-names.h"
#include "cli-bus.h"
#include "cli-transfer.h"
#include "cli-util.h"
#include "container-state.h"
#include "log.h"
#include "parse-util.h"
#include "strv.h"
#include "verbs.h"

/* --max-parallel=N (blobs fetched or sent at once) and pull's --platform=OS/ARCH[/VARIANT]. */
typedef struct PullArgs {
        uint32_t max_parallel; /* 0: drayd's default */
        const char *platform;
} PullArgs;

/* Signed images: pull --signature-policy=FILE, push --sign-by=KEY [--sign-passphrase-file=FILE]. Files
 * are opened here, with the caller's rights, and passed as descriptors. */
typedef struct TrustArgs {
        const char *policy, *sign_by, *passphrase;
} TrustArgs;

/* The options of both verbs: --tls-verify=BOOL (false: plain http and any certificate), --authfile=PATH
 * (opened here, with the caller's rights, and passed as a descriptor), PullArgs, TrustArgs. */
static int parse_registry_args(const char *verb, const char *usage, int argc, char *argv[], bool *ret_insecure,
                               const char **ret_authfile, PullArgs *pull, TrustArgs *trust, bool push,
                               int *ret_optind) {
        static const struct option pull_options[] = {
                { "platform",             required_argument, NULL, 'p' }, /* pull only: the first one */
                { "max-parallel",         required_argument, NULL, 'P' },
                { "tls-verify",           required_argument, NULL, 't' },
                { "authfile",             required_argument, NULL, 'a' },
                { "signature-policy",     required_argument, NULL, 'G' },
                { "sign-by",              required_argument, NULL, 'S' },
                { "sign-passphrase-file", required_argument, NULL, 'F' },
                { "help",                 no_argument,       NULL, 'h' },
                {}
        };
        const struct option *options = push ? pull_options + 1 : pull_options; /* push: no --platform */
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("%s\n\nSee dray-image(1).\n", usage);
                        return 0;
                case 't':
                        if (streq(optarg, "true") || streq(optarg, "1") || streq(optarg, "yes"))
                                *ret_insecure = false;
                        else if (streq(optarg, "false") || streq(optarg, "0") || streq(optarg, "no"))
                                *ret_insecure = true;
                        else
                                return log_invalid_value("--tls-verify", optarg, -EINVAL, "true or false"), -EINVAL;
                        break;
                case 'a':
                        *ret_authfile = optarg;
                        break;
                case 'P':
                        if (safe_atou32(optarg, &pull->max_parallel) < 0 || pull->max_parallel < 1 ||
                            pull->max_parallel > 16)
                                return log_invalid_value("--max-parallel", optarg, -EINVAL, "a number from 1 to 16"), -EINVAL;
                        break;
                case 'p':
                        pull->platform = optarg;
                        break;
                case 'G':
                case 'S':
                case 'F':
                        if (push == (c == 'G'))
                                return log_error("Option '%s' is a dray %s option.", argv[optind - 1],
                                                 push ? "pull" : "push"), -EINVAL;
                        *(c == 'G' ? &trust->policy : c == 'S' ? &trust->sign_by : &trust->passphrase) = optarg;
                        break;
                default:
                        return log_option_error(verb, argv, c), -EINVAL;
                }
        if (trust->passphrase && !trust->sign_by)
                return log_error("--sign-passphrase-file needs --sign-by."), -EINVAL;
        *ret_optind = optind;
        return 1;
}

static int open_file(const char *what, const char *path, int *ret) {
        if (!path)
                return 0;
        *ret = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (*ret < 0)
                return log_error_errno(errno, "Cannot open the %s %s: %m", what, path);
        return 0;
}

static int append_trust_options(sd_bus_message *m, const TrustArgs *trust) {
        _cleanup_close_ int policy_fd = -EBADF, pass_fd = -EBADF;
        int r;

        if (!trust)
                return 0;
        if (open_file("signature policy", trust->policy, &policy_fd) < 0 ||
            open_file("passphrase file", trust->passphrase, &pass_fd) < 0)
                return -EIO;
        r = 0;
        if (policy_fd >= 0)
                r = sd_bus_message_append(m, "{sv}", "SignaturePolicy", "h", policy_fd);
        if (r >= 0 && trust->sign_by)
                r = sd_bus_message_append(m, "{sv}", "SignBy", "s", trust->sign_by);
        if (r >= 0 && pass_fd >= 0)
                r = sd_bus_message_append(m, "{sv}", "SignPassphrase", "h", pass_fd);
        return r;
}

static int append_options(sd_bus_message *m, bool insecure, int auth_fd, const PullArgs *pull, const TrustArgs *trust) {
        int r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");

        if (r >= 0 && insecure)
                r = sd_bus_message_append(m, "{sv}", "Insecure", "b", 1);
        if (r >= 0 && auth_fd >= 0)
                r = sd_bus_message_append(m, "{sv}", "AuthFile", "h", auth_fd);
        if (r >= 0 && pull->max_parallel > 0)
                r = sd_bus_message_append(m, "{sv}", "MaxParallel", "u", pull->max_parallel);
        if (r >= 0 && pull->platform)
                r = sd_bus_message_append(m, "{sv}", "Platform", "s", pull->platform);
        if (r >= 0)
                r = append_trust_options(m, trust);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int run(sd_bus *bus, sd_bus_message *m, const char *what, const char *prefix) {
        _cleanup_strv_free_ char **images = NULL;

        if (cli_transfer_run(bus, m, what, &images) < 0)
                return EXIT_DRAY_FAILED;
        STRV_FOREACH(i, images)
                printf("%s%s\n", prefix, *i);
        return EXIT_SUCCESS;
}

static int registry_verb(int argc, char *argv[], bool push) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_close_ int auth_fd = -EBADF;
        const char *authfile = NULL;
        PullArgs pull = {};
        TrustArgs trust = {};
        bool insecure = false;
        int r, first, n;

        r = parse_registry_args(argv[0],
                                push ? "Usage: dray push [--tls-verify=false] [--authfile=PATH] [--max-parallel=N]\n"
                                       "                 [--sign-by=KEY [--sign-passphrase-file=FILE]] IMAGE [NAME[:TAG]]\n\n"
                                       "Upload an image to a registry (to IMAGE's own name when no NAME is given)."
                                     : "Usage: dray pull [--tls-verify=false] [--authfile=PATH] [--max-parallel=N]\n"
                                       "                 [--platform=OS/ARCH[/VARIANT]] [--signature-policy=FILE]\n"
                                       "                 NAME[:TAG|@DIGEST]\n\n"
                                       "Fetch an image from its registry (https; plain http for localhost).",
                                argc, argv, &insecure, &authfile, &pull, &trust, push, &first);
        if (r <= 0)
                return r < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        n = argc - first;
        if (push ? n < 1 || n > 2 : n != 1)
                return log_error(push ? "'dray push' takes an image and optionally a reference to push it to."
                                      : "'dray pull' takes one image reference."),
                       EXIT_DRAY_FAILED;
        if (authfile) {
                auth_fd = open(authfile, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (auth_fd < 0)
                        return log_error_errno(errno, "Cannot open the auth file %s: %m", authfile), EXIT_DRAY_FAILED;
        }
        if (bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, push ? "PushImage" : "PullImage");
        if (r >= 0)
                r = push ? sd_bus_message_append(m, "ss", argv[first], n == 2 ? argv[first + 1] : "")
                         : sd_bus_message_append(m, "s", argv[first]);
        if (r >= 0)
                r = append_options(m, insecure, auth_fd, &pull, &trust);
        if (r == -EIO)
                return EXIT_DRAY_FAILED;
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        return run(bus, m, push ? "Pushing" : "Pulling", push ? "Pushed: " : "Pulled: ");
}

int cli_image_ensure(const char *image, const char *policy) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **images = NULL;
        int r;

        if (!image || streq(policy, "never"))
                return 0;
        if (bus_connect(&bus) < 0)
                return -EIO;
        if (streq(policy, "missing")) {
                r = bus_new_manager_call(bus, &m, "GetImage");
                r = r < 0 ? r : sd_bus_message_append(m, "s", image);
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m");
                r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
                if (r >= 0)
                        return 0;
                if (!sd_bus_error_has_name(&error, DRAY_ERROR_NO_SUCH_IMAGE))
                        return log_bus_error(&error, r);
                m = sd_bus_message_unref(m);
        }
        /* As docker run: the pull's progress on stderr, then the container. */
        r = bus_new_manager_call(bus, &m, "PullImage");
        r = r < 0 ? r : sd_bus_message_append(m, "s", image);
        r = r < 0 ? r : append_options(m, false, -EBADF, &(PullArgs) {}, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m");
        return cli_transfer_run(bus, m, "Pulling", &images) < 0 ? -EIO : 0;
}

int verb_pull(int argc, char *argv[]) {
        return registry_verb(argc, argv, false);
}

int verb_push(int argc, char *argv[]) {
        return registry_verb(argc, argv, true);
}
