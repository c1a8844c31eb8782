/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-util.h"
#include "template.h"
#include "test.h"

static json_object *sample(void) {
        return json_tokener_parse("{\"Id\": \"abc\", \"State\": \"running\", \"ExitStatus\": -1, "
                                  "\"ReadOnly\": true, \"MemoryMax\": null, "
                                  "\"Command\": [\"sh\", \"-c\", \"x\"], "
                                  "\"Nested\": {\"Key\": \"v\"}, \"Path\": \"/a/b\"}");
}

static int expand(const char *tmpl, char **ret) {
        _cleanup_json_ json_object *o = sample();

        if (!o)
                return -ENOMEM;
        return template_expand(tmpl, o, ret, NULL);
}

TEST(template_fields) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL;

        ASSERT_OK(expand("{{.State}}", &a));
        ASSERT_STREQ(a, "running");
        ASSERT_OK(expand("id={{ .Id }} exit={{.ExitStatus}} ro={{.ReadOnly}} mem={{.MemoryMax}}", &b));
        ASSERT_STREQ(b, "id=abc exit=-1 ro=true mem=null");
        ASSERT_OK(expand("{{.Command}} {{json .State}} {{.Path}}", &c));
        ASSERT_STREQ(c, "[\"sh\",\"-c\",\"x\"] \"running\" /a/b");
        ASSERT_OK(expand("{{.Nested.Key}}", &d));
        ASSERT_STREQ(d, "v");
        ASSERT_OK(expand("no actions at all", &e));
        ASSERT_STREQ(e, "no actions at all");
        ASSERT_OK(expand("", &f));
        ASSERT_STREQ(f, "");
        ASSERT_OK(expand("{{json .}}", &g));
        ASSERT_TRUE(strstr(g, "\"Id\":\"abc\"") != NULL);
        return 0;
}

TEST(template_errors) {
        _cleanup_json_ json_object *o = sample();
        _cleanup_free_ char *out = NULL, *bad1 = NULL, *bad2 = NULL;

        ASSERT_ERROR(template_expand("{{.Missing}}", o, &out, &bad1), ENOENT);
        ASSERT_STREQ(bad1, "{{.Missing}}");
        ASSERT_ERROR(template_expand("x {{.State", o, &out, &bad2), EINVAL);
        ASSERT_STREQ(bad2, "{{.State");
        ASSERT_ERROR(template_expand("{{State}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{range .Command}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{.State | upper}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{..}}", o, &out, NULL), ENOENT);
        ASSERT_ERROR(template_expand("{{.State.X}}", o, &out, NULL), ENOENT);
        ASSERT_ERROR(template_expand("{{}}", o, &out, NULL), EINVAL);
        ASSERT_TRUE(out == NULL);
        return 0;
}
