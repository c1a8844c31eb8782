/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "container-file.h"
#include "macros.h"
#include "test.h"

TEST(from_json) {
        _cleanup_free_ char *text = NULL, *bad = NULL;
        json_object *c = json_tokener_parse(
                "{\"Name\":\"web\",\"Rootfs\":\"/srv/r\",\"Image\":\"/srv/r\",\"ImageId\":\"\","
                "\"Command\":[\"sh\",\"-c\",\"echo \\\"hi\\\"; x\\\\y\"],"
                "\"Env\":[\"A=1\",\"B=two words\",\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
                "\"HOSTNAME=web\"],\"Hostname\":\"web\",\"MemoryMax\":67108864,\"CPUQuotaPerSecUSec\":1500000,"
                "\"TasksMax\":null,\"ReadOnly\":true,\"CapAdd\":[\"CAP_NET_ADMIN\"],\"Devices\":[\"/dev/fuse:/dev/fuse:rwm\"],\"StopSignal\":2,"
                "\"StopTimeoutUSec\":7000000,\"NetworkMode\":\"none\","
                "\"RestartPolicy\":\"unless-stopped\",\"BindMounts\":[[\"/a\",\"/b\",true]],\"TmpfsMounts\":[[\"/t\",\"\"]],\"Labels\":[\"k=v\"]}");
        json_object *boot = json_tokener_parse("{\"Name\":\"b\",\"Rootfs\":\"/r\",\"Boot\":true}");

        ASSERT_TRUE(c && boot);
        ASSERT_OK(container_file_from_json(c, &text));
        ASSERT_TRUE(strstr(text, "\n[Container]\nRootfs=/srv/r\n"));
        ASSERT_TRUE(strstr(text, "\nExec=sh -c \"echo \\\"hi\\\"; x\\\\y\"\n"));
        ASSERT_TRUE(strstr(text, "\nEnvironment=A=1 \"B=two words\"\n"));
        ASSERT_TRUE(strstr(text, "\nVolume=/a:/b:ro\nTmpfs=/t\nNetwork=none\nMemory=67108864\nCPUs=1.500000\n"));
        ASSERT_FALSE(strstr(text, "PidsLimit="));
        ASSERT_TRUE(strstr(text, "\nReadOnly=yes\nAddCapability=CAP_NET_ADMIN\nAddDevice=/dev/fuse:/dev/fuse:rwm\nLabel=k=v\n"
                                 "StopSignal=2\nStopTimeout=7\n"));
        ASSERT_TRUE(strstr(text, "\nRestart=always\n"));
        ASSERT_TRUE(strstr(text, "\nWantedBy=multi-user.target\n"));
        ASSERT_ERROR(container_file_from_json(boot, &bad), EOPNOTSUPP);
        json_object_put(boot);
        boot = json_tokener_parse("{\"Name\":\"b\",\"Image\":\"busybox\",\"NetworkMode\":\"bridge\","
                                  "\"Networks\":[[\"backend\",\"10.0.0.2\",\"\"],[\"front\",\"10.0.1.2\",\"\"]]}");
        ASSERT_OK(container_file_from_json(boot, &bad));
        ASSERT_TRUE(strstr(bad, "\nImage=busybox\n"));
        ASSERT_TRUE(strstr(bad, "\nNetwork=backend\nNetwork=front\n"));
        json_object_put(c);
        json_object_put(boot);
        return 0;
}

TEST(health) {
        _cleanup_free_ char *shell = NULL, *exec = NULL;
        json_object *a = json_tokener_parse(
                "{\"Name\":\"h\",\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"wget -q -O- x\"],"
                "\"IntervalUSec\":300000,\"TimeoutUSec\":0,\"StartPeriodUSec\":60000000,\"Retries\":4,"
                "\"OnFailure\":\"restart\"}}");
        json_object *b = json_tokener_parse(
                "{\"Name\":\"h\",\"Image\":\"busybox\",\"Healthcheck\":{\"Test\":[\"CMD\",\"/bin/check\",\"a b\"],"
                "\"IntervalUSec\":0,\"TimeoutUSec\":0,\"StartPeriodUSec\":0,\"Retries\":0,\"OnFailure\":\"none\"}}");

        ASSERT_TRUE(a && b);
        ASSERT_OK(container_file_from_json(a, &shell));
        ASSERT_TRUE(strstr(shell, "\nHealthCmd=wget -q -O- x\nHealthInterval=300ms\nHealthStartPeriod=60000ms\n"
                                  "HealthRetries=4\nHealthOnFailure=restart\n"));
        ASSERT_OK(container_file_from_json(b, &exec));
        ASSERT_TRUE(strstr(exec, "\nHealthCmd=[\"/bin/check\",\"a b\"]\n"));
        ASSERT_FALSE(strstr(exec, "HealthRetries"));
        json_object_put(a);
        json_object_put(b);
        return 0;
}
