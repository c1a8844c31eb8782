/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "template-cases.h"
#include "test.h"

static const char sample[] = "{\"Id\": \"abc\", \"State\": \"running\", \"ExitStatus\": -1, "
                             "\"ReadOnly\": true, \"MemoryMax\": null, "
                             "\"Command\": [\"sh\", \"-c\", \"x\"], "
                             "\"Nested\": {\"Key\": \"v\"}, \"Path\": \"/a/b\"}";

TEST(template_fields) {
        static const TemplateCase cases[] = {
                { "{{.State}}", "running" },
                { "id={{ .Id }} exit={{.ExitStatus}} ro={{.ReadOnly}} mem={{.MemoryMax}}",
                  "id=abc exit=-1 ro=true mem=null" },
                { "{{.Command}} {{json .State}} {{.Path}}", "[\"sh\",\"-c\",\"x\"] \"running\" /a/b" },
                { "{{.Nested.Key}}", "v" },
                { "no actions at all", "no actions at all" },
                { "", "" },
        };
        _cleanup_json_ json_object *o = json_tokener_parse(sample);
        _cleanup_free_ char *all = NULL;

        ASSERT_TRUE(o);
        ASSERT_OK(template_cases_check(o, cases, ELEMENTSOF(cases)));
        ASSERT_OK(template_expand("{{json .}}", o, &all, NULL));
        ASSERT_TRUE(strstr(all, "\"Id\":\"abc\"") != NULL);
        return 0;
}

TEST(template_go) {
        static const TemplateCase cases[] = {
                { "{{.State.Status}} {{ .State.Pid }}", "running 42" },
                { "{{json .Labels}}|{{.Labels | json}}|{{.Id|json}}",
                  "{\"b\":\"2\",\"a\":\"1\"}|{\"b\":\"2\",\"a\":\"1\"}|\"abc\"" },
                { "{{range .Mounts}}{{.Source}};{{end}}", "/s1;/s2;" },
                { "{{range .List}}[{{.}}]{{else}}none{{end}}{{range .Null}}x{{else}}none{{end}}",
                  "[a][b]none" },
                { "{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}", "a=1,b=2," },
                { "{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}}:{{$.Id}} {{end}}",
                  "0:/s1:abc 1:/s2:abc " },
                { "{{range $m := .Mounts}}{{$m.Source}}{{end}}", "/s1/s2" },
                { "{{index .Labels \"a\"}}|{{index .Labels \"zz\"}}|{{index .List 1}}|{{index .Mounts 0 \"Source\"}}",
                  "1||b|/s1" },
                { "{{if .True}}y{{else}}n{{end}}{{if .Zero}}y{{else if .Empty}}e{{else}}n{{end}}", "yn" },
                { "{{if .State.Health}}h{{else}}no health{{end}}", "no health" },
                { "{{if .State.Health.Status}}h{{end}}.", "." },
                { "{{with .State}}{{.Status}}{{end}}{{with .Null}}x{{else}}-{{end}}", "running-" },
                { "{{len .List}} {{len .Labels}} {{len .Id}} {{len .Nope}}", "2 2 3 0" },
                { "{{join .List \", \"}} {{upper .Id}} {{lower \"AB\"}} {{title \"ab cd\"}}",
                  "a, b ABC ab Ab Cd" },
                { "{{range split \"x:y\" \":\"}}<{{.}}>{{end}} {{truncate .Id 2}}", "<x><y> ab" },
                { "{{printf \"%s=%d %q %-4s| %3s|%%\" .Id .N .Id \"a\" \"b\"}}",
                  "abc=3 \"abc\" a   |   b|%" },
                { "{{if eq .State.Status \"exited\" \"running\"}}up{{end}} {{ne .N 3}} {{lt 1 2}} {{ge .N 4}}",
                  "up false true false" },
                { "{{if and .True (not .Zero)}}ok{{end}} {{or .Empty .Id}} {{and .Id .Zero}}", "ok abc 0" },
                { "a  {{- .Id -}}  b {{/* a comment */}}c", "aabcb c" },
                { "{{\"}}\"}} {{`raw\\n`}} {{\"q\\\"t\\n\"}}", "}} raw\\n q\"t\n" },
                { "{{(index .Mounts 1).Source}} {{(index .Mounts 0 | json)}}",
                  "/s2 {\"Source\":\"/s1\",\"Destination\":\"/d1\"}" },
                { "{{$.State.Status}} {{.Null}} {{.True}} {{.List}}", "running null true [\"a\",\"b\"]" },
        };

        _cleanup_json_ json_object *o = json_tokener_parse(
                "{\"Id\": \"abc\", \"N\": 3, \"Zero\": 0, \"Empty\": \"\", \"List\": [\"a\", \"b\"], "
                "\"Labels\": {\"b\": \"2\", \"a\": \"1\"}, \"State\": {\"Status\": \"running\", \"Pid\": 42}, "
                "\"Mounts\": [{\"Source\": \"/s1\", \"Destination\": \"/d1\"}, {\"Source\": \"/s2\"}], "
                "\"Null\": null, \"True\": true}");

        ASSERT_TRUE(o);
        ASSERT_OK(template_cases_check(o, cases, ELEMENTSOF(cases)));
        return 0;
}

TEST(template_text_form) {
        _cleanup_json_ json_object *o = json_tokener_parse("{\"State\": {\"Status\": \"running\"}}");
        _cleanup_free_ char *out = NULL, *js = NULL;
        json_object *state;

        ASSERT_TRUE(o && json_object_object_get_ex(o, "State", &state));
        ASSERT_OK(template_object_set_text(state, "running"));
        ASSERT_OK(template_expand("{{.State}} {{.State.Status}}", o, &out, NULL));
        ASSERT_STREQ(out, "running running");
        ASSERT_OK(template_expand("{{json .State}}", o, &js, NULL));
        ASSERT_STREQ(js, "{\"Status\":\"running\"}");
        return 0;
}

TEST(template_header) {
        _cleanup_(template_freep) Template *t = NULL;
        _cleanup_free_ char *h = NULL;
        static const char *const names[] = { "ID", "CONTAINER ID", "State.Status", "STATE", NULL };

        ASSERT_OK(template_parse("{{.ID}}\t{{.Names}}\t{{json .State.Status}}\t{{range .Mounts}}{{.Source}}{{end}}"
                                 "\t{{upper .Image}}\t{{if .X}}{{.Y}}{{end}}", &t, NULL));
        ASSERT_OK(template_render_header(t, names, &h));
        ASSERT_STREQ(h, "CONTAINER ID\tNAMES\tSTATE\tSOURCE\tIMAGE\tY");
        return 0;
}

static int parse_error(const char *tmpl, const char *want) {
        _cleanup_(template_freep) Template *t = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = template_parse(tmpl, &t, &error);
        if (r != -EINVAL) {
                fprintf(stderr, "%s: parsed (%d)\n", tmpl, r);
                return -EIO;
        }
        if (!error || !strstr(error, want) || !strstr(error, tmpl)) {
                fprintf(stderr, "%s: error '%s', want '%s'\n", tmpl, strna(error), want);
                return -EIO;
        }
        return 0;
}

TEST(template_parse_errors) {
        static const TemplateCase cases[] = {
                { "x {{.State", "position 3: unclosed action" },
                { "{{State}}", "function 'State' not defined" },
                { "{{range .X}}", "missing {{end}}" },
                { "{{end}}", "unexpected {{end}}" },
                { "{{if .A}}{{else}}{{else}}{{end}}", "second {{else}}" },
                { "{{.State | upper2}}", "function 'upper2' not defined" },
                { "{{.A | .B}}", "only a function can follow '|'" },
                { "{{.A .B}}", "'.A' is not a function" },
                { "{{}}", "missing value" },
                { "{{\"abc}}", "unterminated string" },
                { "{{(.A}}", "unclosed '('" },
                { "{{.A)}}", "unexpected ')'" },
                { "{{.A..B}}", "unexpected '.'" },
                { "{{define \"x\"}}{{end}}", "'define' is not supported" },
                { "{{/* x }}", "unclosed comment" },
                { "{{99999999999999999999}}", "out of range" },
                { "{{.A := 1}}", "unexpected ':='" },
                { "{{.A, .B}}", "unexpected ','" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ASSERT_OK(parse_error(cases[i].tmpl, cases[i].want));
        return 0;
}

TEST(template_nesting_bounded) {
        _cleanup_free_ char *deep = NULL, *blocks = NULL;
        size_t n = 200;

        deep = malloc(n * 2 + 10);
        blocks = malloc(n * 20 + 10);
        ASSERT_TRUE(deep && blocks);
        strcpy(deep, "{{");
        for (size_t i = 0; i < n; i++)
                strcat(deep, "(");
        strcat(deep, "}}");
        ASSERT_OK(parse_error(deep, "nested too deeply"));
        blocks[0] = 0;
        for (size_t i = 0; i < n; i++)
                strcat(blocks, "{{if .A}}");
        ASSERT_OK(parse_error(blocks, "nested too deeply"));
        return 0;
}

TEST(template_errors) {
        static const char *const invalid[] = {
                "{{State}}",
                "{{range .Command}}",
                "{{range .State}}{{end}}",
                "{{index .State 1}}",
                "{{index .Command 3}}",
                "{{$x}}",
                "{{lt .State 1}}",
                "{{printf \"%x\" 1}}",
                "{{..}}",
                "{{}}",
        };
        _cleanup_json_ json_object *o = json_tokener_parse(sample);
        _cleanup_free_ char *out = NULL, *bad1 = NULL, *bad2 = NULL, *bad3 = NULL;

        ASSERT_ERROR(template_expand("{{.Missing}}", o, &out, &bad1), ENOENT);
        ASSERT_STREQ(bad1, "template '{{.Missing}}': position 3: no such property '.Missing'");
        ASSERT_ERROR(template_expand("x {{.State", o, &out, &bad2), EINVAL);
        ASSERT_STREQ(bad2, "template 'x {{.State': position 3: unclosed action");
        ASSERT_ERROR(template_expand("{{.State.X}}", o, &out, &bad3), EINVAL);
        ASSERT_TRUE(strstr(bad3, "can't evaluate field 'X' of a string"));
        ASSERT_ERROR(template_expand("{{json .Nope}}", o, &out, NULL), ENOENT);
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                if (template_expand(invalid[i], o, &out, NULL) != -EINVAL) {
                        fprintf(stderr, "%s: not refused with EINVAL\n", invalid[i]);
                        return 1;
                }
        ASSERT_TRUE(out == NULL);
        return 0;
}
