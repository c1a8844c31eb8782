/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "monitor-notify.h"
#include "test.h"

static void filter(const char *in, const char *expected) {
        char buf[256];
        size_t n;

        strcpy(buf, in);
        n = notify_message_filter(buf, strlen(buf));
        if (n != strlen(expected) || strcmp(buf, expected) != 0) {
                fprintf(stderr, "filter('%s') = '%s', expected '%s'\n", in, buf, expected);
                abort();
        }
}

TEST(notify_filter) {
        filter("READY=1", "READY=1");
        filter("READY=1\nSTATUS=up\n", "READY=1\nSTATUS=up");
        /* A container must not move the service's main PID, store fds or speak for others. */
        filter("MAINPID=1\nREADY=1\nFDSTORE=1\nSTATUS=x", "READY=1\nSTATUS=x");
        filter("MAINPID=1", "");
        filter("WATCHDOG=1\nWATCHDOG_USEC=5000000\nEXTEND_TIMEOUT_USEC=1\nSTOPPING=1\nRELOADING=1\nERRNO=2",
               "WATCHDOG=1\nWATCHDOG_USEC=5000000\nEXTEND_TIMEOUT_USEC=1\nSTOPPING=1\nRELOADING=1\nERRNO=2");
        filter("\n\nREADY=1\n\n", "READY=1");
        filter("READYX=1\nSTATUSX", "");
        filter("", "");
        return 0;
}
