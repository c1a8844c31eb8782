/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every enum ↔ string table round-trips (as systemd's test-*-tables.c): each value has a name, the
 * name maps back to the value, names are unique, and out-of-range values and unknown names are
 * refused. */
#include "child-process.h"
#include "container-state.h"
#include "dray-event.h"
#include "contract.h"
#include "image-import.h"
#include "mount-spec.h"
#include "net-port.h"
#include "seccomp-profile.h"
#include "spec-network.h"
#include "test.h"
#include "transfer.h"

#define CHECK_TABLE(name, max, invalid)                                                         \
        do {                                                                                    \
                for (int _i = 0; _i < (int) (max); _i++) {                                      \
                        const char *_s = name##_to_string(_i);                                  \
                        ASSERT_TRUE(_s != NULL);                                                \
                        ASSERT_EQ(name##_from_string(_s), _i);                                  \
                        for (int _j = 0; _j < _i; _j++)                                         \
                                ASSERT_TRUE(strcmp(name##_to_string(_j), _s) != 0);             \
                }                                                                               \
                ASSERT_TRUE(name##_to_string(max) == NULL);                                     \
                ASSERT_TRUE(name##_to_string(-1) == NULL);                                      \
                ASSERT_EQ(name##_from_string("no-such-value"), invalid);                        \
                ASSERT_EQ(name##_from_string(""), invalid);                                     \
                ASSERT_EQ(name##_from_string(NULL), invalid);                                   \
        } while (0)

TEST(tables) {
        CHECK_TABLE(container_state, _CONTAINER_STATE_MAX, _CONTAINER_STATE_INVALID);
        CHECK_TABLE(mount_type, _MOUNT_TYPE_MAX, _MOUNT_TYPE_INVALID);
        CHECK_TABLE(event_type, _EVENT_TYPE_MAX, _EVENT_TYPE_INVALID);
        CHECK_TABLE(network_mode, _NETWORK_MODE_MAX, _NETWORK_MODE_INVALID);
        CHECK_TABLE(net_proto, _NET_PROTO_MAX, _NET_PROTO_INVALID);
        CHECK_TABLE(archive_format, _ARCHIVE_FORMAT_MAX, _ARCHIVE_FORMAT_INVALID);
        CHECK_TABLE(transfer_type, _TRANSFER_TYPE_MAX, _TRANSFER_TYPE_INVALID);
        CHECK_TABLE(transfer_state, _TRANSFER_STATE_MAX, _TRANSFER_STATE_INVALID);
        CHECK_TABLE(transfer_result, _TRANSFER_RESULT_MAX, _TRANSFER_RESULT_INVALID);
        CHECK_TABLE(seccomp_action_type, _SECCOMP_ACTION_MAX, _SECCOMP_ACTION_INVALID);
        CHECK_TABLE(sync_message_type, _SYNC_MESSAGE_TYPE_MAX, _SYNC_MESSAGE_TYPE_INVALID);
        CHECK_TABLE(child_end, _CHILD_END_MAX, _CHILD_END_INVALID);
        return 0;
}

/* The one alias: Docker's older spelling of SCMP_ACT_KILL_THREAD. */
TEST(seccomp_action_alias) {
        ASSERT_EQ(seccomp_action_type_from_string("SCMP_ACT_KILL"), SECCOMP_ACTION_KILL_THREAD);
        return 0;
}
