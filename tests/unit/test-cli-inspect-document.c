/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "inspect-document.h"
#include "json-fields.h"
#include "template-cases.h"
#include "test.h"

/* What GetAll gives for a running container on a bridge network, in the CLI's JSON. */
static const char properties[] =
        "{\"Id\": \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", \"Name\": \"web\", "
        "\"State\": \"running\", \"Paused\": false, \"ExitStatus\": -1, \"Error\": \"\", \"Pid\": 4242, "
        "\"CreatedAt\": 1700000000123456, \"StartedAt\": 1700000001000000, \"FinishedAt\": 0, "
        "\"Command\": [\"sh\", \"-c\", \"sleep 1\"], \"Env\": [\"A=1\"], \"WorkingDirectory\": \"/srv\", "
        "\"User\": \"1000\", \"Hostname\": \"web\", \"Image\": \"localhost/busybox:latest\", \"ReadOnly\": true, "
        "\"AutoRemove\": false, \"RestartPolicy\": \"on-failure:3\", \"Tty\": false, \"OpenStdin\": true, "
        "\"MemoryMax\": 67108864, \"CPUQuotaPerSecUSec\": 500000, \"CPUWeight\": null, \"TasksMax\": null, "
        "\"StopTimeoutUSec\": 10000000, \"StopSignal\": 2, \"OOMKilled\": false, \"NetworkMode\": \"bridge\", "
        "\"Networks\": [[\"dray0\", \"10.88.0.5\", \"\"]], \"NetworkAliases\": {\"dray0\": [\"www\"]}, \"Ports\": [[\"\", 8080, 80, \"tcp\"], [\"127.0.0.1\", 8081, 80, \"tcp\"]], "
        "\"CapAdd\": [\"NET_ADMIN\"], \"CapDrop\": [], \"GroupAdd\": [], "
        "\"BindMounts\": [[\"/srv/data\", \"/data\", true]], \"TmpfsMounts\": [[\"/scratch\", \"size=1m\"]], "
        "\"Volumes\": [[\"vol1\", \"/v\", false]], \"VolumesFrom\": [], \"Labels\": [\"tier=web\", \"a=b=c\"], "
        "\"Privileged\": false, \"Devices\": [\"/dev/fuse:/dev/fuse:rwm\", \"/dev/sda:/dev/xvdc:r\"]}";

TEST(inspect_document_docker_scripts) {
        static const TemplateCase cases[] = {
                { "{{.State.Status}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}}",
                  "running true 4242 0" },
                { "{{.State}}", "running" }, /* dray's scripts before State was an object */
                { "{{.State.StartedAt}} {{.State.FinishedAt}} {{.Created}}",
                  "2023-11-14T22:13:21.000000Z 0001-01-01T00:00:00Z 2023-11-14T22:13:20.123456Z" },
                { "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}",
                  "10.88.0.5 10.88.0.1 16" },
                { "{{range $n, $e := .NetworkSettings.Networks}}{{$n}}={{$e.IPAddress}},{{$e.MacAddress}}{{end}}",
                  "dray0=10.88.0.5,02:42:0a:58:00:05" },
                { "{{json .NetworkSettings.Networks.dray0.Aliases}} {{json .NetworkSettings.Networks.dray0.DNSNames}}",
                  "[\"www\"] [\"web\",\"www\"]" },
                { "{{range .Mounts}}{{.Type}}:{{.Source}}:{{.Destination}}:{{.RW}};{{end}}",
                  "bind:/srv/data:/data:false;volume:/var/lib/dray/volumes/vol1/_data:/v:true;tmpfs::/scratch:true;" },
                { "{{json .Config.Labels}} {{index .Config.Labels \"tier\"}}",
                  "{\"tier\":\"web\",\"a\":\"b=c\"} web" },
                { "{{.Path}} {{json .Args}} {{json .Config.Cmd}} {{.Config.StopSignal}} {{.Config.StopTimeout}}",
                  "sh [\"-c\",\"sleep 1\"] [\"sh\",\"-c\",\"sleep 1\"] SIGINT 10" },
                { "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} "
                  "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} "
                  "{{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.Binds}}",
                  "67108864 500000000 0 on-failure:3 true [\"/srv/data:/data:ro\",\"vol1:/v\"]" },
                { "{{json .HostConfig.PortBindings}}",
                  "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8081\"}]}" },
                { "{{.Config.Hostname}} {{.Config.User}} {{.Config.WorkingDir}} {{.Config.Image}} {{.Config.OpenStdin}}",
                  "web 1000 /srv localhost/busybox:latest true" },
                /* dray's own properties stay where they were. */
                { "{{.Name}} {{.Pid}} {{.ExitStatus}} {{.MemoryMax}} {{.TasksMax}} {{.RestartPolicy}}",
                  "web 4242 -1 67108864 null on-failure:3" },
                { "{{if .State.Health}}h{{else}}no health{{end}}", "no health" },
                { "{{range .HostConfig.Devices}}{{.PathOnHost}}>{{.PathInContainer}}:{{.CgroupPermissions}} {{end}}",
                  "/dev/fuse>/dev/fuse:rwm /dev/sda>/dev/xvdc:r " },
        };
        _cleanup_json_ json_object *c = json_tokener_parse(properties);
        _cleanup_json_ json_object *networks = json_tokener_parse(
                "{\"dray0\": {\"Id\": \"n1\", \"Subnet\": \"10.88.0.0/16\", \"Gateway\": \"10.88.0.1\"}}");
        _cleanup_json_ json_object *volumes = json_tokener_parse("{\"vol1\": \"/var/lib/dray/volumes/vol1/_data\"}");

        ASSERT_TRUE(c && networks && volumes);
        ASSERT_OK(inspect_document_build(c, networks, volumes));
        ASSERT_OK(template_cases_check(c, cases, ELEMENTSOF(cases)));
        return 0;
}

TEST(inspect_document_stopped_no_network_info) {
        static const TemplateCase cases[] = {
                { "{{.State}} {{.State.Running}} {{.State.Pid}} {{.State.ExitCode}} [{{.NetworkSettings.IPAddress}}]",
                  "exited false 0 3 []" },
                { "{{json .NetworkSettings.Ports}} {{len .NetworkSettings.Networks}} {{(index .Mounts 1).Source}}",
                  "{} 0 " },
        };
        _cleanup_json_ json_object *c = json_tokener_parse(properties);
        json_object *state;

        ASSERT_TRUE(c && json_object_object_get_ex(c, "State", &state));
        json_object_object_add(c, "State", json_object_new_string("exited"));
        json_object_object_add(c, "ExitStatus", json_object_new_int(3));
        json_object_object_add(c, "Networks", json_object_new_array());
        json_object_object_add(c, "Ports", json_object_new_array());
        ASSERT_OK(inspect_document_build(c, NULL, NULL));
        ASSERT_OK(template_cases_check(c, cases, ELEMENTSOF(cases)));
        return 0;
}

TEST(inspect_document_health) {
        static const TemplateCase cases[] = {
                { "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}",
                  "unhealthy 3 1" },
                { "{{range .State.Health.Log}}{{.Start}} {{.ExitCode}} {{json .Output}}{{end}}",
                  "2023-11-14T22:13:22.000000Z 1 \"down\\n\"" },
                { "{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}}",
                  "[\"CMD-SHELL\",\"true\"] 300000000 2" },
        };
        _cleanup_json_ json_object *c = json_tokener_parse(properties);

        ASSERT_TRUE(c);
        /* As verb-inspect.c leaves them once it named the fields of HealthLog and Healthcheck. */
        json_object_object_add(c, "Health", json_object_new_string("unhealthy"));
        json_object_object_add(c, "HealthFailingStreak", json_object_new_int(3));
        json_object_object_add(c, "HealthLog", json_tokener_parse(
                "[{\"Start\": 1700000002000000, \"End\": 1700000002500000, \"ExitCode\": 1, \"Output\": \"down\\n\"}]"));
        json_object_object_add(c, "Healthcheck", json_tokener_parse(
                "{\"Test\": [\"CMD-SHELL\", \"true\"], \"IntervalUSec\": 300000, \"TimeoutUSec\": 0, "
                "\"StartPeriodUSec\": 0, \"Retries\": 2, \"OnFailure\": \"none\"}"));
        ASSERT_OK(inspect_document_build(c, NULL, NULL));
        ASSERT_OK(template_cases_check(c, cases, ELEMENTSOF(cases)));
        return 0;
}

TEST(json_fields) {
        _cleanup_json_ json_object *o = json_object_new_object(), *p = json_object_new_object();

        ASSERT_TRUE(o && p);
        ASSERT_OK(json_add_fieldsv(o, { "a", json_string(NULL) }, JSON_FIELD_NULL("b"), { "c", json_object_new_int(3) }));
        ASSERT_STREQ(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "{\"a\":\"\",\"b\":null,\"c\":3}");
        /* A value that could not be made (NULL) fails the call; the others are freed, not added. */
        ASSERT_ERROR(json_add_fieldsv(p, { "x", json_string("1") }, { "y", NULL }, { "z", json_string("3") }), ENOMEM);
        ASSERT_FALSE(json_object_object_get_ex(p, "z", NULL));
        return 0;
}
