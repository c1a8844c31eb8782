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

static int expect(const char *tmpl, const char *want) {
        _cleanup_free_ char *out = NULL, *error = NULL;
        _cleanup_json_ json_object *o = json_tokener_parse(
                "{\"Id\": \"abc\", \"N\": 3, \"Zero\": 0, \"Empty\": \"\", \"List\": [\"a\", \"b\"], "
                "\"Labels\": {\"b\": \"2\", \"a\": \"1\"}, \"State\": {\"Status\": \"running\", \"Pid\": 42}, "
                "\"Mounts\": [{\"Source\": \"/s1\", \"Destination\": \"/d1\"}, {\"Source\": \"/s2\"}], "
                "\"Null\": null, \"True\": true}");
        _cleanup_(template_freep) Template *t = NULL;
        int r;

        if (!o)
                return -ENOMEM;
        r = template_parse(tmpl, &t, &error);
        if (r >= 0)
                r = template_render(t, o, &out, &error);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", tmpl, strna(error));
                return r;
        }
        if (!streq(out, want)) {
                fprintf(stderr, "%s: got '%s', want '%s'\n", tmpl, out, want);
                return -EBADMSG;
        }
        return 0;
}

TEST(template_go) {
        ASSERT_OK(expect("{{.State.Status}} {{ .State.Pid }}", "running 42"));
        ASSERT_OK(expect("{{json .Labels}}|{{.Labels | json}}|{{.Id|json}}", "{\"b\":\"2\",\"a\":\"1\"}|"
                                                                          "{\"b\":\"2\",\"a\":\"1\"}|\"abc\""));
        ASSERT_OK(expect("{{range .Mounts}}{{.Source}};{{end}}", "/s1;/s2;"));
        ASSERT_OK(expect("{{range .List}}[{{.}}]{{else}}none{{end}}{{range .Null}}x{{else}}none{{end}}", "[a][b]none"));
        ASSERT_OK(expect("{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}", "a=1,b=2,"));
        ASSERT_OK(expect("{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}}:{{$.Id}} {{end}}", "0:/s1:abc 1:/s2:abc "));
        ASSERT_OK(expect("{{range $m := .Mounts}}{{$m.Source}}{{end}}", "/s1/s2"));
        ASSERT_OK(expect("{{index .Labels \"a\"}}|{{index .Labels \"zz\"}}|{{index .List 1}}|{{index .Mounts 0 \"Source\"}}",
                         "1||b|/s1"));
        ASSERT_OK(expect("{{if .True}}y{{else}}n{{end}}{{if .Zero}}y{{else if .Empty}}e{{else}}n{{end}}", "yn"));
        ASSERT_OK(expect("{{if .State.Health}}h{{else}}no health{{end}}", "no health"));
        ASSERT_OK(expect("{{if .State.Health.Status}}h{{end}}.", "."));
        ASSERT_OK(expect("{{with .State}}{{.Status}}{{end}}{{with .Null}}x{{else}}-{{end}}", "running-"));
        ASSERT_OK(expect("{{len .List}} {{len .Labels}} {{len .Id}} {{len .Nope}}", "2 2 3 0"));
        ASSERT_OK(expect("{{join .List \", \"}} {{upper .Id}} {{lower \"AB\"}} {{title \"ab cd\"}}", "a, b ABC ab Ab Cd"));
        ASSERT_OK(expect("{{range split \"x:y\" \":\"}}<{{.}}>{{end}} {{truncate .Id 2}}", "<x><y> ab"));
        ASSERT_OK(expect("{{printf \"%s=%d %q %-4s| %3s|%%\" .Id .N .Id \"a\" \"b\"}}", "abc=3 \"abc\" a   |   b|%"));
        ASSERT_OK(expect("{{if eq .State.Status \"exited\" \"running\"}}up{{end}} {{ne .N 3}} {{lt 1 2}} {{ge .N 4}}",
                         "up false true false"));
        ASSERT_OK(expect("{{if and .True (not .Zero)}}ok{{end}} {{or .Empty .Id}} {{and .Id .Zero}}", "ok abc 0"));
        ASSERT_OK(expect("a  {{- .Id -}}  b {{/* a comment */}}c", "aabcb c"));
        ASSERT_OK(expect("{{\"}}\"}} {{`raw\\n`}} {{\"q\\\"t\\n\"}}", "}} raw\\n q\"t\n"));
        ASSERT_OK(expect("{{(index .Mounts 1).Source}} {{(index .Mounts 0 | json)}}", "/s2 {\"Source\":\"/s1\",\"Destination\":\"/d1\"}"));
        ASSERT_OK(expect("{{$.State.Status}} {{.Null}} {{.True}} {{.List}}", "running null true [\"a\",\"b\"]"));
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
        ASSERT_OK(parse_error("x {{.State", "position 3: unclosed action"));
        ASSERT_OK(parse_error("{{State}}", "function 'State' not defined"));
        ASSERT_OK(parse_error("{{range .X}}", "missing {{end}}"));
        ASSERT_OK(parse_error("{{end}}", "unexpected {{end}}"));
        ASSERT_OK(parse_error("{{if .A}}{{else}}{{else}}{{end}}", "second {{else}}"));
        ASSERT_OK(parse_error("{{.State | upper2}}", "function 'upper2' not defined"));
        ASSERT_OK(parse_error("{{.A | .B}}", "only a function can follow '|'"));
        ASSERT_OK(parse_error("{{.A .B}}", "'.A' is not a function"));
        ASSERT_OK(parse_error("{{}}", "missing value"));
        ASSERT_OK(parse_error("{{\"abc}}", "unterminated string"));
        ASSERT_OK(parse_error("{{(.A}}", "unclosed '('"));
        ASSERT_OK(parse_error("{{.A)}}", "unexpected ')'"));
        ASSERT_OK(parse_error("{{.A..B}}", "unexpected '.'"));
        ASSERT_OK(parse_error("{{define \"x\"}}{{end}}", "'define' is not supported"));
        ASSERT_OK(parse_error("{{/* x }}", "unclosed comment"));
        ASSERT_OK(parse_error("{{99999999999999999999}}", "out of range"));
        ASSERT_OK(parse_error("{{.A := 1}}", "unexpected ':='"));
        ASSERT_OK(parse_error("{{.A, .B}}", "unexpected ','"));
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
        _cleanup_json_ json_object *o = sample();
        _cleanup_free_ char *out = NULL, *bad1 = NULL, *bad2 = NULL, *bad3 = NULL;

        ASSERT_ERROR(template_expand("{{.Missing}}", o, &out, &bad1), ENOENT);
        ASSERT_STREQ(bad1, "template '{{.Missing}}': position 3: no such property '.Missing'");
        ASSERT_ERROR(template_expand("x {{.State", o, &out, &bad2), EINVAL);
        ASSERT_STREQ(bad2, "template 'x {{.State': position 3: unclosed action");
        ASSERT_ERROR(template_expand("{{.State.X}}", o, &out, &bad3), EINVAL);
        ASSERT_TRUE(strstr(bad3, "can't evaluate field 'X' of a string"));
        ASSERT_ERROR(template_expand("{{State}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{range .Command}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{range .State}}{{end}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{index .State 1}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{index .Command 3}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{json .Nope}}", o, &out, NULL), ENOENT);
        ASSERT_ERROR(template_expand("{{$x}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{lt .State 1}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{printf \"%x\" 1}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{..}}", o, &out, NULL), EINVAL);
        ASSERT_ERROR(template_expand("{{}}", o, &out, NULL), EINVAL);
        ASSERT_TRUE(out == NULL);
        return 0;
}
