/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Go-template parsing: the source split into text and actions, each action into a pipeline of
 * commands, the blocks (if, range, with) into a tree. The evaluator is template-exec.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strv.h"
#include "template-internal.h"

/* The functions template-exec.c implements; anything else is an error at parse time, as in Go. */
static const char *const functions[] = {
        "json", "index", "len", "join", "split", "upper", "lower", "title", "truncate", "printf",
        "eq", "ne", "lt", "le", "gt", "ge", "not", "and", "or",
};

char *template_error(const Template *t, size_t pos, const char *format, ...) {
        _cleanup_free_ char *what = NULL;
        char *m = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&what, format, ap);
        va_end(ap);
        if (r < 0)
                return NULL;
        if (asprintf(&m, "template '%s': position %zu: %s", t->source, pos + 1, what) < 0)
                return NULL;
        return m;
}

/* ---- freeing ---- */

static void pipe_free(Pipe *p);
static void node_list_done(NodeList *l);

static void arg_done(Arg *a) {
        free(a->name);
        strv_free(a->path);
        free(a->string);
        pipe_free(a->pipe);
}

static void pipe_free(Pipe *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_commands; i++) {
                for (size_t j = 0; j < p->commands[i].n_args; j++)
                        arg_done(&p->commands[i].args[j]);
                free(p->commands[i].args);
        }
        free(p->commands);
        free(p->declare[0]);
        free(p->declare[1]);
        free(p);
}

static void pipe_freep(Pipe **p) {
        pipe_free(*p);
}

static void node_free(Node *n) {
        if (!n)
                return;
        free(n->text);
        pipe_free(n->pipe);
        node_list_done(&n->body);
        node_list_done(&n->otherwise);
        free(n);
}

static void node_list_done(NodeList *l) {
        for (size_t i = 0; i < l->n; i++)
                node_free(l->nodes[i]);
        free(l->nodes);
        *l = (NodeList) {};
}

Template *template_free(Template *t) {
        if (!t)
                return NULL;
        node_list_done(&t->root);
        free(t->source);
        free(t);
        return NULL;
}

const char *template_source(const Template *t) {
        return t->source;
}

/* ---- the tokens of one action ---- */

typedef enum TokenType {
        T_EOF,
        T_FIELD,
        T_VARIABLE,
        T_STRING,
        T_NUMBER,
        T_IDENT,
        T_PIPE,
        T_LPAREN,
        T_RPAREN,
        T_DECLARE,
        T_COMMA,
} TokenType;

typedef struct Token {
        TokenType type;
        size_t pos, len;        /* in the source */
} Token;

typedef struct Parser {
        Template *t;
        const char *s;
        size_t i, end;          /* the action being tokenized: s[i..end) */
        char *error;
} Parser;

static int fail(Parser *p, size_t pos, const char *format, ...) _printf_(3, 4);
static int fail(Parser *p, size_t pos, const char *format, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        int r;

        if (p->error) /* the first error wins */
                return -EINVAL;
        va_start(ap, format);
        r = vasprintf(&what, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        p->error = template_error(p->t, pos, "%s", what);
        return p->error ? -EINVAL : -ENOMEM;
}

static bool is_ident_char(char c) {
        return isalnum((unsigned char) c) || c == '_';
}

/* A quoted string's end (the index after its closing quote), or 0 when it does not close. */
static size_t string_end(const char *s, size_t i, size_t end) {
        char q = s[i];

        for (i++; i < end; i++) {
                if (s[i] == q)
                        return i + 1;
                if (q == '"' && s[i] == '\\' && i + 1 < end)
                        i++;
                else if (q == '"' && s[i] == '\n')
                        return 0;
        }
        return 0;
}

static size_t path_end(const char *s, size_t i, size_t end) {
        /* .A.B.C: each '.' followed by at least one identifier character. */
        while (i + 1 < end && s[i] == '.' && is_ident_char(s[i + 1])) {
                i++;
                while (i < end && is_ident_char(s[i]))
                        i++;
        }
        return i;
}

static int next_token(Parser *p, Token *ret) {
        const char *s = p->s;
        size_t i = p->i, e;

        while (i < p->end && isspace((unsigned char) s[i]))
                i++;
        *ret = (Token) { .type = T_EOF, .pos = i };
        if (i >= p->end) {
                p->i = i;
                return 0;
        }
        switch (s[i]) {
        case '|': ret->type = T_PIPE; e = i + 1; break;
        case '(': ret->type = T_LPAREN; e = i + 1; break;
        case ')': ret->type = T_RPAREN; e = i + 1; break;
        case ',': ret->type = T_COMMA; e = i + 1; break;
        case ':':
                if (i + 1 >= p->end || s[i + 1] != '=')
                        return fail(p, i, "unexpected ':'");
                ret->type = T_DECLARE;
                e = i + 2;
                break;
        case '"':
        case '`':
                e = string_end(s, i, p->end);
                if (e == 0)
                        return fail(p, i, "unterminated string");
                ret->type = T_STRING;
                break;
        case '.':
                ret->type = T_FIELD;
                e = path_end(s, i, p->end);
                if (e == i)
                        e = i + 1; /* "." alone: dot */
                break;
        case '$':
                ret->type = T_VARIABLE;
                for (e = i + 1; e < p->end && is_ident_char(s[e]); e++)
                        ;
                e = path_end(s, e, p->end);
                break;
        default:
                if (isdigit((unsigned char) s[i]) || (s[i] == '-' && i + 1 < p->end && isdigit((unsigned char) s[i + 1]))) {
                        ret->type = T_NUMBER;
                        for (e = i + 1; e < p->end && isdigit((unsigned char) s[e]); e++)
                                ;
                } else if (is_ident_char(s[i])) {
                        ret->type = T_IDENT;
                        for (e = i; e < p->end && is_ident_char(s[e]); e++)
                                ;
                } else
                        return fail(p, i, "unexpected '%c' in action", s[i]);
        }
        if (e < p->end && (ret->type == T_FIELD || ret->type == T_VARIABLE || ret->type == T_NUMBER ||
                           ret->type == T_IDENT || ret->type == T_STRING) &&
            !isspace((unsigned char) s[e]) && !strchr("|(),", s[e]))
                return fail(p, e, "unexpected '%c' after '%.*s'", s[e], (int) (e - i), s + i);
        ret->len = e - i;
        p->i = e;
        return 0;
}

static int peek_token(Parser *p, Token *ret) {
        size_t saved = p->i;
        int r;

        r = next_token(p, ret);
        p->i = saved;
        return r;
}

static bool token_is(const Parser *p, const Token *tok, const char *word) {
        return tok->type == T_IDENT && tok->len == strlen(word) && strneq(p->s + tok->pos, word, tok->len);
}

static char *unquote(const char *s, size_t len) {
        char *u = malloc(len), *o = u;

        if (!u)
                return NULL;
        if (s[0] == '`') {
                memcpy(u, s + 1, len - 2);
                u[len - 2] = 0;
                return u;
        }
        for (size_t i = 1; i + 1 < len; i++) {
                if (s[i] != '\\') {
                        *o++ = s[i];
                        continue;
                }
                switch (s[++i]) {
                case 'n': *o++ = '\n'; break;
                case 't': *o++ = '\t'; break;
                case 'r': *o++ = '\r'; break;
                default: *o++ = s[i]; break; /* \\, \" and anything else as itself */
                }
        }
        *o = 0;
        return u;
}

static int split_path(const char *s, size_t len, char ***ret) {
        _cleanup_free_ char *copy = strndup(s, len);
        char **path = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *w = strtok_r(copy, ".", &save); w; w = strtok_r(NULL, ".", &save))
                if (strv_extend(&path, w) < 0) {
                        strv_free(path);
                        return -ENOMEM;
                }
        *ret = path;
        return 0;
}

static int parse_pipe(Parser *p, unsigned depth, bool declarations, TokenType terminator, size_t pos,
                      Pipe **ret);

static int parse_arg(Parser *p, const Token *tok, unsigned depth, Arg *a) {
        const char *s = p->s + tok->pos;
        size_t n;
        int r;

        *a = (Arg) { .pos = tok->pos };
        switch (tok->type) {
        case T_FIELD:
                a->type = ARG_FIELD;
                a->name = strndup(s, tok->len);
                if (!a->name || split_path(s, tok->len, &a->path) < 0)
                        return -ENOMEM;
                return 0;
        case T_VARIABLE:
                a->type = ARG_VARIABLE;
                n = strcspn(s + 1, ".") + 1;
                if (n > tok->len)
                        n = tok->len;
                a->name = strndup(s, n);
                if (!a->name || split_path(s + n, tok->len - n, &a->path) < 0)
                        return -ENOMEM;
                return 0;
        case T_STRING:
                a->type = ARG_STRING;
                a->string = unquote(s, tok->len);
                return a->string ? 0 : -ENOMEM;
        case T_NUMBER: {
                _cleanup_free_ char *num = strndup(s, tok->len);
                char *end;

                if (!num)
                        return -ENOMEM;
                errno = 0;
                a->type = ARG_NUMBER;
                a->number = strtoll(num, &end, 10);
                if (errno != 0 || *end)
                        return fail(p, tok->pos, "number '%s' out of range", num);
                return 0;
        }
        case T_IDENT:
                if (token_is(p, tok, "true") || token_is(p, tok, "false")) {
                        a->type = ARG_BOOL;
                        a->boolean = token_is(p, tok, "true");
                        return 0;
                }
                if (token_is(p, tok, "nil")) {
                        a->type = ARG_NIL;
                        return 0;
                }
                a->type = ARG_FUNCTION;
                a->name = strndup(s, tok->len);
                if (!a->name)
                        return -ENOMEM;
                for (size_t k = 0; k < ELEMENTSOF(functions); k++)
                        if (streq(a->name, functions[k]))
                                return 0;
                return fail(p, tok->pos, "function '%s' not defined", a->name);
        case T_LPAREN:
                a->type = ARG_PIPE;
                r = parse_pipe(p, depth + 1, false, T_RPAREN, tok->pos, &a->pipe);
                if (r < 0)
                        return r;
                /* (pipeline).A.B */
                n = path_end(p->s, p->i, p->end);
                if (n == p->i)
                        return 0;
                if (n < p->end && !isspace((unsigned char) p->s[n]) && !strchr("|(),", p->s[n]))
                        return fail(p, n, "unexpected '%c'", p->s[n]);
                a->name = strndup(s, n - tok->pos);
                if (!a->name || split_path(p->s + p->i, n - p->i, &a->path) < 0)
                        return -ENOMEM;
                p->i = n;
                return 0;
        default:
                return fail(p, tok->pos, "unexpected '%.*s'", (int) MAX(tok->len, 1u), s);
        }
}

/* One command: operands up to '|' or the terminator (left unread). */
static int parse_command(Parser *p, unsigned depth, TokenType terminator, Command *c) {
        Token tok;
        int r;

        for (;;) {
                Arg *n;

                r = peek_token(p, &tok);
                if (r < 0)
                        return r;
                if (tok.type == T_PIPE || tok.type == terminator)
                        break;
                if (tok.type == T_EOF || tok.type == T_RPAREN)
                        return fail(p, tok.pos, tok.type == T_EOF ? "unclosed '('" : "unexpected ')'");
                (void) next_token(p, &tok);
                n = realloc(c->args, (c->n_args + 1) * sizeof(Arg));
                if (!n)
                        return -ENOMEM;
                c->args = n;
                r = parse_arg(p, &tok, depth, &c->args[c->n_args]);
                c->n_args++; /* counted even on failure, so pipe_free() frees what was parsed */
                if (r < 0)
                        return r;
        }
        if (c->n_args == 0)
                return fail(p, tok.pos, "missing value for command");
        if (c->args[0].type != ARG_FUNCTION && c->n_args > 1)
                return fail(p, c->args[1].pos, "'%s' is not a function and takes no arguments",
                            c->args[0].name ?: "value");
        return 0;
}

/* "$v :=" or "$k, $v :=" at the start of a range's pipeline. */
static int parse_declarations(Parser *p, Pipe *pipe) {
        size_t saved = p->i;
        Token a, b, c, d;
        int r;

        r = next_token(p, &a);
        if (r < 0 || a.type != T_VARIABLE)
                goto none;
        r = next_token(p, &b);
        if (r < 0)
                goto none;
        if (b.type == T_COMMA) {
                if (next_token(p, &c) < 0 || c.type != T_VARIABLE || next_token(p, &d) < 0 || d.type != T_DECLARE)
                        goto none;
                pipe->declare[1] = strndup(p->s + c.pos, c.len);
                pipe->n_declare = 2;
        } else if (b.type == T_DECLARE)
                pipe->n_declare = 1;
        else
                goto none;
        pipe->declare[0] = strndup(p->s + a.pos, a.len);
        if (!pipe->declare[0] || (pipe->n_declare == 2 && !pipe->declare[1]))
                return -ENOMEM;
        if (strchr(pipe->declare[0], '.') || (pipe->declare[1] && strchr(pipe->declare[1], '.')) ||
            streq(pipe->declare[0], "$") || (pipe->declare[1] && streq(pipe->declare[1], "$")))
                return fail(p, a.pos, "cannot declare '%s'", pipe->declare[0]);
        return 0;
none:
        p->i = saved;
        free(p->error); /* a failed look-ahead is no error */
        p->error = NULL;
        return 0;
}

static int parse_pipe(Parser *p, unsigned depth, bool declarations, TokenType terminator, size_t pos,
                      Pipe **ret) {
        _cleanup_(pipe_freep) Pipe *pipe = NULL;
        Token tok;
        int r;

        if (depth > TEMPLATE_NESTING_MAX)
                return fail(p, pos, "nested too deeply");
        pipe = calloc(1, sizeof(Pipe));
        if (!pipe)
                return -ENOMEM;
        pipe->pos = pos;
        if (declarations) {
                r = parse_declarations(p, pipe);
                if (r < 0)
                        return r;
        }
        for (;;) {
                Command *n = realloc(pipe->commands, (pipe->n_commands + 1) * sizeof(Command));

                if (!n)
                        return -ENOMEM;
                pipe->commands = n;
                n[pipe->n_commands] = (Command) { .pos = p->i };
                r = parse_command(p, depth, terminator, &n[pipe->n_commands++]);
                if (r < 0)
                        return r;
                if (pipe->n_commands > 1 && n[pipe->n_commands - 1].args[0].type != ARG_FUNCTION)
                        return fail(p, n[pipe->n_commands - 1].args[0].pos,
                                    "only a function can follow '|'");
                r = next_token(p, &tok);
                if (r < 0)
                        return r;
                if (tok.type == terminator)
                        break;
        }
        *ret = TAKE_PTR(pipe);
        return 0;
}

/* ---- text, actions, blocks ---- */

typedef enum Terminator {
        TERM_EOF,
        TERM_END,
        TERM_ELSE,      /* p->i at what follows "else" in the action (maybe "if …") */
} Terminator;

typedef struct Action {
        size_t start, end;      /* the content between the delimiters and trim markers */
        size_t next;            /* where the text after it starts */
        bool trim_next;         /* "-}}": the white space that starts that text goes */
} Action;

static int node_list_add(NodeList *l, Node *n) {
        Node **a = realloc(l->nodes, (l->n + 1) * sizeof(Node *));

        if (!a) {
                node_free(n);
                return -ENOMEM;
        }
        a[l->n++] = n;
        l->nodes = a;
        return 0;
}

/* The next action at or after *i: text before it becomes a node of l. Returns 0 at the end. */
static int next_action(Parser *p, size_t *i, bool trim_left, NodeList *l, Action *ret) {
        const char *s = p->s, *open = strstr(s + *i, "{{");
        size_t text_start = *i, text_end = open ? (size_t) (open - s) : strlen(s), a, e;
        bool trim_right = false;
        int r;

        if (trim_left)
                while (text_start < text_end && isspace((unsigned char) s[text_start]))
                        text_start++;
        if (open && open[2] == '-' && open[3] && isspace((unsigned char) open[3]))
                trim_right = true;
        if (trim_right)
                while (text_end > text_start && isspace((unsigned char) s[text_end - 1]))
                        text_end--;
        if (text_end > text_start) {
                Node *n = calloc(1, sizeof(Node));

                if (!n)
                        return -ENOMEM;
                *n = (Node) { .type = NODE_TEXT, .pos = text_start, .text = strndup(s + text_start, text_end - text_start) };
                if (!n->text) {
                        free(n);
                        return -ENOMEM;
                }
                r = node_list_add(l, n);
                if (r < 0)
                        return r;
        }
        if (!open) {
                *i = strlen(s);
                return 0;
        }
        a = (size_t) (open - s) + 2 + (trim_right ? 2 : 0);
        if (strneq(s + a, "/*", 2)) { /* a comment, up to the star-slash before the closing braces */
                const char *c = strstr(s + a + 2, "*/");

                if (!c || !(strneq(c + 2, "}}", 2) || strneq(c + 2, " -}}", 4)))
                        return fail(p, (size_t) (open - s), "unclosed comment");
                e = (size_t) (c - s) + 2;
        } else
                for (e = a; !strneq(s + e, "}}", 2); e++) {
                        if (!s[e])
                                return fail(p, (size_t) (open - s), "unclosed action");
                        if (s[e] == '"' || s[e] == '`') {
                                size_t q = string_end(s, e, strlen(s));

                                if (q == 0)
                                        return fail(p, e, "unterminated string");
                                e = q - 1;
                        }
                }
        *ret = (Action) { .start = a, .end = e, .next = e + 2 };
        if (e >= a + 2 && s[e - 1] == '-' && isspace((unsigned char) s[e - 2]))
                ret->end = e - 1, ret->trim_next = true;
        else if (strneq(s + e, " -}}", 4)) /* only after a comment */
                ret->next = e + 4, ret->trim_next = true;
        return 1;
}

static int parse_list(Parser *p, size_t *i, bool *trim, unsigned depth, NodeList *l, Terminator *ret);

static int parse_block(Parser *p, NodeType type, size_t pos, size_t *i, bool *trim, unsigned depth,
                       NodeList *l) {
        Node *n;
        Terminator term;
        int r;

        if (depth > TEMPLATE_NESTING_MAX)
                return fail(p, pos, "nested too deeply");
        n = calloc(1, sizeof(Node));
        if (!n)
                return -ENOMEM;
        *n = (Node) { .type = type, .pos = pos };
        r = node_list_add(l, n);
        if (r < 0)
                return r;
        r = parse_pipe(p, depth, type == NODE_RANGE, T_EOF, pos, &n->pipe);
        if (r < 0)
                return r;
        r = parse_list(p, i, trim, depth + 1, &n->body, &term);
        if (r < 0)
                return r;
        if (term == TERM_EOF)
                return fail(p, pos, "unexpected end of template: missing {{end}}");
        if (term == TERM_END)
                return 0;
        /* {{else}} or {{else if …}}: the latter is an if inside the else branch, closed by the same
         * {{end}}. */
        {
                Token tok;

                r = next_token(p, &tok);
                if (r < 0)
                        return r;
                if (tok.type == T_EOF)
                        r = parse_list(p, i, trim, depth + 1, &n->otherwise, &term);
                else if (token_is(p, &tok, "if") && type == NODE_IF)
                        return parse_block(p, NODE_IF, tok.pos, i, trim, depth + 1, &n->otherwise);
                else
                        return fail(p, tok.pos, "unexpected '%.*s' after else", (int) tok.len, p->s + tok.pos);
        }
        if (r < 0)
                return r;
        if (term != TERM_END)
                return fail(p, pos, term == TERM_EOF ? "unexpected end of template: missing {{end}}" :
                                                       "a second {{else}} in one block");
        return 0;
}

static int parse_list(Parser *p, size_t *i, bool *trim, unsigned depth, NodeList *l, Terminator *ret) {
        for (;;) {
                Action a = {};
                Token tok;
                int r;

                r = next_action(p, i, *trim, l, &a);
                if (r <= 0) {
                        *ret = TERM_EOF;
                        return r;
                }
                *trim = a.trim_next;
                *i = a.next;
                if (strneq(p->s + a.start, "/*", 2))
                        continue;
                p->i = a.start;
                p->end = a.end;
                r = next_token(p, &tok);
                if (r < 0)
                        return r;
                if (tok.type == T_EOF)
                        return fail(p, a.start, "missing value for command");
                if (token_is(p, &tok, "end") || token_is(p, &tok, "else")) {
                        if (depth == 0)
                                return fail(p, tok.pos, "unexpected {{%.*s}}", (int) tok.len, p->s + tok.pos);
                        if (token_is(p, &tok, "end")) {
                                r = next_token(p, &tok);
                                if (r < 0)
                                        return r;
                                if (tok.type != T_EOF)
                                        return fail(p, tok.pos, "unexpected '%.*s' in end", (int) tok.len,
                                                    p->s + tok.pos);
                        }
                        *ret = token_is(p, &tok, "else") ? TERM_ELSE : TERM_END;
                        return 0;
                }
                if (token_is(p, &tok, "if") || token_is(p, &tok, "range") || token_is(p, &tok, "with")) {
                        NodeType type = token_is(p, &tok, "if") ? NODE_IF :
                                        token_is(p, &tok, "range") ? NODE_RANGE : NODE_WITH;

                        r = parse_block(p, type, tok.pos, i, trim, depth, l);
                } else if (token_is(p, &tok, "define") || token_is(p, &tok, "template") ||
                           token_is(p, &tok, "block") || token_is(p, &tok, "break") ||
                           token_is(p, &tok, "continue"))
                        r = fail(p, tok.pos, "'%.*s' is not supported", (int) tok.len, p->s + tok.pos);
                else {
                        Node *n = calloc(1, sizeof(Node));

                        if (!n)
                                return -ENOMEM;
                        *n = (Node) { .type = NODE_ACTION, .pos = a.start };
                        r = node_list_add(l, n);
                        if (r < 0)
                                return r;
                        p->i = a.start;
                        r = parse_pipe(p, depth, false, T_EOF, a.start, &n->pipe);
                }
                if (r < 0)
                        return r;
        }
}

int template_parse(const char *text, Template **ret, char **ret_error) {
        _cleanup_(template_freep) Template *t = calloc(1, sizeof(Template));
        Parser p = {};
        Terminator term;
        size_t i = 0;
        bool trim = false;
        int r;

        if (!t)
                return -ENOMEM;
        t->source = strdup(text);
        if (!t->source)
                return -ENOMEM;
        p = (Parser) { .t = t, .s = t->source };
        r = parse_list(&p, &i, &trim, 0, &t->root, &term);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(p.error);
                free(p.error);
                return r;
        }
        *ret = TAKE_PTR(t);
        return 0;
}
