/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray login and dray logout: Manager.Login and Logout, which keep root's credentials where podman
 * and skopeo keep them; with --authfile, the file named, written here with the caller's rights. The
 * password is read from stdin or a terminal with echo off, never taken from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli-bus.h"
#include "cli-getopt.h"
#include "cli-util.h"
#include "container-state.h"
#include "log.h"
#include "registry-auth.h"
#include "verbs.h"

#define SECRET_MAX 4096

static void secret_free(char **p) {
        if (*p)
                explicit_bzero(*p, strlen(*p));
        free(*p);
}

/* One line from stdin, without its line break; echo off when stdin is a terminal. */
static int read_line(const char *prompt, bool secret, char **ret) {
        struct termios old, quiet;
        bool tty = isatty(STDIN_FILENO) > 0, restore = false;
        char *line = NULL;
        size_t size = 0;
        ssize_t n;

        if (prompt) {
                if (!tty)
                        return -ENOTTY;
                fputs(prompt, stderr);
                fflush(stderr);
        }
        if (tty && secret && tcgetattr(STDIN_FILENO, &old) >= 0) {
                quiet = old;
                quiet.c_lflag &= ~(tcflag_t) ECHO;
                restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) >= 0;
        }
        n = getline(&line, &size, stdin);
        if (restore) {
                (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
                fputc('\n', stderr);
        }
        if (n < 0) {
                secret_free(&line);
                return -ENODATA;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = 0;
        if (n > SECRET_MAX) {
                secret_free(&line);
                return -E2BIG;
        }
        *ret = line;
        return 0;
}

int verb_login(int argc, char *argv[]) {
        static const struct option options[] = {
                { "username",       required_argument, NULL, 'u' },
                { "password",       required_argument, NULL, 'p' },
                { "password-stdin", no_argument,       NULL, 'P' },
                { "authfile",       required_argument, NULL, 'a' },
                { "help",           no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(secret_free) char *password = NULL;
        _cleanup_free_ char *user = NULL, *host = NULL;
        const char *authfile = NULL;
        bool from_stdin = false;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":hu:p:", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: dray login [-u USER] [--password-stdin] [--authfile=PATH] REGISTRY\n\n"
                               "Store credentials for a registry. See dray-login(1).\n");
                        return EXIT_SUCCESS;
                case 'u':
                        free(user);
                        user = strdup(optarg);
                        if (!user)
                                return log_oom(), EXIT_DRAY_FAILED;
                        break;
                case 'p':
                        return log_error("A password on the command line is visible to every process of the "
                                         "host; give it with --password-stdin or at the prompt."),
                               EXIT_DRAY_FAILED;
                case 'P':
                        from_stdin = true;
                        break;
                case 'a':
                        authfile = optarg;
                        break;
                default:
                        return log_option_error(argv[0], argv, c), EXIT_DRAY_FAILED;
                }
        if (argc - optind != 1)
                return log_error("'dray login' takes one registry (HOST[:PORT])."), EXIT_DRAY_FAILED;
        if (registry_auth_normalize_host(argv[optind], &host) < 0)
                return log_error("'%s' is not a registry (HOST[:PORT]).", argv[optind]), EXIT_DRAY_FAILED;
        if (!user && (from_stdin || read_line("Username: ", false, &user) < 0))
                return log_error("No user name: give one with -u USER."), EXIT_DRAY_FAILED;
        r = read_line(from_stdin ? NULL : "Password: ", true, &password);
        if (r < 0)
                return log_error(r == -ENOTTY ? "No password: stdin is not a terminal; use --password-stdin."
                                              : "No password given."),
                       EXIT_DRAY_FAILED;
        if (isempty(password) || isempty(user))
                return log_error("The user name and the password must not be empty."), EXIT_DRAY_FAILED;
        if (authfile) {
                if (authfile[0] != '/')
                        return log_error("--authfile needs an absolute path."), EXIT_DRAY_FAILED;
                r = registry_auth_update(authfile, host, user, password);
                if (r < 0)
                        return log_error_errno(r, "Cannot write %s: %m", authfile), EXIT_DRAY_FAILED;
                printf("Stored the credentials for %s in %s (the registry checks them on the first pull or push).\n",
                       host, authfile);
                return EXIT_SUCCESS;
        }
        if (bus_connect(&bus) < 0)
                return EXIT_DRAY_FAILED;
        r = bus_new_manager_call(bus, &m, "Login");
        r = r < 0 ? r : sd_bus_message_append(m, "sss", host, user, password);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
        /* The message holds the password too: sensitive, so sd-bus wipes it when freed. */
        (void) sd_bus_message_sensitive(m);
        r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
        if (r < 0)
                return log_bus_error(&error, r), EXIT_DRAY_FAILED;
        /* Not docker's "Login Succeeded": nothing was tried against the registry yet. */
        printf("Stored the credentials for %s (the registry checks them on the first pull or push).\n", host);
        return EXIT_SUCCESS;
}

int verb_logout(int argc, char *argv[]) {
        static const struct option options[] = {
                { "all",      no_argument,       NULL, 'A' },
                { "authfile", required_argument, NULL, 'a' },
                { "help",     no_argument,       NULL, 'h' },
                {}
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_free_ char *host = NULL;
        const char *authfile = NULL;
        bool all = false;
        int c, r;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0)
                switch (c) {
                case 'h':
                        printf("Usage: dray logout [--authfile=PATH] REGISTRY|--all\n\n"
                               "Remove stored credentials. See dray-login(1).\n");
                        return EXIT_SUCCESS;
                case 'A':
                        all = true;
                        break;
                case 'a':
                        authfile = optarg;
                        break;
                default:
                        return log_option_error(argv[0], argv, c), EXIT_DRAY_FAILED;
                }
        if (all ? argc - optind != 0 : argc - optind != 1)
                return log_error("'dray logout' takes one registry (HOST[:PORT]) or --all."), EXIT_DRAY_FAILED;
        if (!all && registry_auth_normalize_host(argv[optind], &host) < 0)
                return log_error("'%s' is not a registry (HOST[:PORT]).", argv[optind]), EXIT_DRAY_FAILED;
        if (authfile) {
                r = authfile[0] == '/' ? registry_auth_update(authfile, host, NULL, NULL) : -EINVAL;
                if (r == -ENOENT)
                        return log_error("Not logged in to %s in %s.", host ?: "any registry", authfile), EXIT_DRAY_FAILED;
                if (r < 0)
                        return log_error_errno(r, "Cannot update %s: %m", authfile), EXIT_DRAY_FAILED;
        } else {
                if (bus_connect(&bus) < 0)
                        return EXIT_DRAY_FAILED;
                r = bus_new_manager_call(bus, &m, "Logout");
                r = r < 0 ? r : sd_bus_message_append(m, "s", strempty(host));
                if (r < 0)
                        return log_error_errno(r, "Failed to build the call: %m"), EXIT_DRAY_FAILED;
                r = sd_bus_call(bus, m, BUS_TIMEOUT_DEFAULT, &error, &reply);
                if (r < 0)
                        return log_bus_error(&error, r), EXIT_DRAY_FAILED;
        }
        printf("Removed login credentials for %s\n", host ?: "all registries");
        return EXIT_SUCCESS;
}
