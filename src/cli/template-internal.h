/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parsed form of a template, shared by the parser (template.c) and the evaluator
 * (template-exec.c). */

#include <stdint.h>

#include "template.h"

#define TEMPLATE_NESTING_MAX 64

typedef struct Pipe Pipe;
typedef struct Node Node;

typedef enum ArgType {
        ARG_FIELD,      /* .A.B, or "." (no path) */
        ARG_VARIABLE,   /* $, $name, optionally followed by .A.B */
        ARG_STRING,
        ARG_NUMBER,
        ARG_BOOL,
        ARG_NIL,
        ARG_PIPE,       /* ( pipeline ) */
        ARG_FUNCTION,   /* an identifier: a function called with no arguments, or a command's head */
} ArgType;

typedef struct Arg {
        ArgType type;
        size_t pos;
        char *name;     /* variable or function name; the source text of a field */
        char **path;    /* NULL terminated field names */
        char *string;
        int64_t number;
        bool boolean;
        Pipe *pipe;
} Arg;

typedef struct Command {
        Arg *args;      /* args[0] is the function when it is ARG_FUNCTION */
        size_t n_args;
        size_t pos;
} Command;

struct Pipe {
        Command *commands;
        size_t n_commands;
        char *declare[2]; /* range $k, $v := …; range $v := … fills declare[0] only */
        size_t n_declare;
        size_t pos;
};

typedef enum NodeType {
        NODE_TEXT,
        NODE_ACTION,
        NODE_IF,
        NODE_RANGE,
        NODE_WITH,
} NodeType;

typedef struct NodeList {
        Node **nodes;
        size_t n;
} NodeList;

struct Node {
        NodeType type;
        size_t pos;
        char *text;
        Pipe *pipe;
        NodeList body, otherwise;
};

struct Template {
        char *source;
        NodeList root;
};

/* A message "template '…': position N: …" for the error at pos. */
char *template_error(const Template *t, size_t pos, const char *format, ...) _printf_(3, 4);
